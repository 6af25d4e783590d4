/** A SAML connection's SP-key actions in the console: refusals worded by Grantex's code, outcomes read back by name. */
import { describe, expect, it } from 'vitest';
import { SP_KEY_TEXT } from '@/lib/console/messages';
import { spKeyOutcomeOf, spKeyRejection } from '@/lib/console/settings/sp-keys';
import { GrantexError } from '@/lib/grantex/errors';

const conflict = (code: string) =>
  new GrantexError({
    kind: 'conflict',
    status: 409,
    code: 'CONFLICT',
    message: "the service's own wording",
    errors: [{ code, message: "the service's own wording" }],
  });

describe('console: SP keys', () => {
  it('words each refusal by its code, never with the service’s message', () => {
    for (const code of ['sp_key_rotation_pending', 'sp_key_nothing_to_promote', 'sp_key_in_use']) {
      expect(spKeyRejection(conflict(code)).formError).toBe(SP_KEY_TEXT.codes[code]);
    }
    expect(spKeyRejection(conflict('something_else')).formError).toBe(SP_KEY_TEXT.failed);
    expect(
      spKeyRejection(new GrantexError({ kind: 'not_found', status: 404, code: 'NOT_FOUND', message: 'x' })).formError,
    ).toMatch(/no longer exists/);
    expect(() => spKeyRejection(new Error('boom'))).toThrow('boom');
  });

  it('reads back only the outcomes it knows', () => {
    expect(spKeyOutcomeOf('promoted')).toBe('promoted');
    expect(spKeyOutcomeOf('<script>')).toBeNull();
    expect(spKeyOutcomeOf(['rotated'])).toBeNull();
  });
});
