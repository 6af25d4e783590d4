import { describe, expect, it } from 'vitest';
import {
  MEMBER_LOGIN_ERRORS,
  SIGNIN_ERRORS,
  TEST_STAGE_LABELS,
  fieldErrorText,
  grantexFailureText,
  messageForErrorQuery,
  messageForSigninResult,
  testFailureTitle,
  type GrantexFailure,
} from '@/lib/console/messages';
import { SSO_ERROR_CODES, ssoErrorCodeSchema } from '@/lib/console/member-login/sso-errors';
import { TEST_STAGES } from '@/lib/console/member-login/test-stages';

const failure = (kind: GrantexFailure['kind'], extra: Partial<GrantexFailure> = {}): GrantexFailure => ({
  kind,
  message: 'issuerUrl: must use https',
  requestId: null,
  retryAfterSeconds: null,
  ...extra,
});
const dev = () => ({ production: false, url: 'http://internal-grantex:3001' });
const prod = () => ({ production: true, url: 'http://internal-grantex:3001' });

describe('console messages: one home for user-facing failure text', () => {
  it('gives every member login error code a distinct title and a next step, and the URL accepts exactly those codes', () => {
    const entries = Object.values(MEMBER_LOGIN_ERRORS);
    expect(new Set(entries.map((e) => e.title)).size).toBe(entries.length);
    for (const e of entries) expect(e.next.length).toBeGreaterThan(10);
    expect([...SSO_ERROR_CODES].sort()).toEqual(Object.keys(MEMBER_LOGIN_ERRORS).sort());
    expect(ssoErrorCodeSchema.safeParse('expired').success).toBe(true);
    expect(ssoErrorCodeSchema.safeParse('toString').success).toBe(false);
  });

  it('labels every test stage', () => {
    for (const stage of TEST_STAGES)
      expect(testFailureTitle(stage)).toBe(`Test sign-in failed: ${TEST_STAGE_LABELS[stage]}`);
  });

  it('never shows an untrusted ?error= as it came, but shows our own sign-in sentences', () => {
    expect(messageForErrorQuery('CredentialsSignin')).toBe(SIGNIN_ERRORS.CredentialsSignin);
    expect(messageForErrorQuery('<b>you were hacked</b>')).toBe(SIGNIN_ERRORS.Default);
    expect(messageForErrorQuery('constructor')).toBe(SIGNIN_ERRORS.Default);
    expect(messageForErrorQuery(undefined)).toBeUndefined();
    expect(messageForSigninResult('Grantex did not accept this API key.')).toBe('Grantex did not accept this API key.');
    expect(messageForSigninResult('AccessDenied')).toBe(SIGNIN_ERRORS.AccessDenied);
  });

  it('puts the field label in front of a field reason', () => {
    expect(fieldErrorText('redirectUri', 'must be absolute')).toBe('Redirect URI must be absolute');
  });

  it('describes Grantex failures with a next step, naming the service address only outside production', () => {
    expect(grantexFailureText(null, dev)).toContain('check the server logs');
    expect(grantexFailureText(failure('network'), dev)).toContain('http://internal-grantex:3001');
    expect(grantexFailureText(failure('network'), prod)).not.toContain('internal-grantex');
    expect(grantexFailureText(failure('invalid_response', { requestId: 'req_9' }), prod)).toContain(
      '(request ID req_9)',
    );
    expect(grantexFailureText(failure('rate_limited', { retryAfterSeconds: 7 }), dev)).toContain(
      'Try again in 7 seconds.',
    );
    expect(grantexFailureText(failure('validation'), dev)).toBe('issuerUrl: must use https.');
  });

  it('reads the service address lazily, only for failures that mention it', () => {
    const unreadable = () => {
      throw new Error('not configured');
    };
    expect(grantexFailureText(failure('timeout'), unreadable)).toContain('did not answer in time');
  });
});
