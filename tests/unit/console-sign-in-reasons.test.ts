import { describe, expect, it } from 'vitest';
import { SIGN_IN_REASONS } from '@/lib/contract/sign-in-reasons';
import { describeSignInReason, SIGN_IN_REASON_TEXT } from '@/lib/console/messages';

describe('sign-in reasons in plain words', () => {
  it('every reason code has a heading and a next step', () => {
    for (const code of Object.keys(SIGN_IN_REASONS)) {
      const text = describeSignInReason(code);
      expect(text?.title.length, code).toBeGreaterThan(10);
      expect(text?.next.length, code).toBeGreaterThan(10);
    }
    expect(Object.keys(SIGN_IN_REASON_TEXT).sort()).toEqual(Object.keys(SIGN_IN_REASONS).sort());
  });

  it('names the IdP clock skew from the trace', () => {
    expect(describeSignInReason('id_token_not_yet_valid', { clockSkewSec: 362 })?.title).toBe(
      'The identity provider’s clock is 6 minutes ahead: the token was not valid yet',
    );
    expect(describeSignInReason('id_token_issued_in_future', { clockSkewSec: 45 })?.title).toBe(
      'The identity provider’s clock is 45 seconds ahead: the token was issued in the future',
    );
    // An expired token may just be old: no clock claim is made.
    expect(describeSignInReason('id_token_expired', { clockSkewSec: -600 })?.title).toBe(
      'The ID token had already expired',
    );
  });

  it('success has no reason; an unknown code from a newer service is shown inert', () => {
    expect(describeSignInReason(null)).toBeNull();
    expect(describeSignInReason('brand_new_reason')?.title).toBe('The sign-in failed (brand_new_reason)');
  });
});
