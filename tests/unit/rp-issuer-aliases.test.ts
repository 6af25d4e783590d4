import { describe, expect, it } from 'vitest';
import { aliasesFor, DEFAULT_ISSUER_ALIASES, refusedAlias } from '@/lib/sso-service/oidc/issuer-aliases';

/** The shape of openid-client's refusal of an ID token claim during the code grant. */
function claimRefusal(claim: string, iss: unknown, code = 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') {
  return Object.assign(new Error('unexpected JWT claim value encountered'), {
    code,
    cause: Object.assign(new Error('unexpected JWT "iss" (issuer) claim value'), { cause: { claim, claims: { iss } } }),
  });
}

describe('the default issuer alias table', () => {
  it('has exactly one entry: Google, with its scheme-less form', () => {
    expect(DEFAULT_ISSUER_ALIASES).toEqual({ 'https://accounts.google.com': ['accounts.google.com'] });
    expect(Object.isFrozen(DEFAULT_ISSUER_ALIASES)).toBe(true);
  });

  it.each([
    'https://accounts.google.com/',
    'http://accounts.google.com',
    'accounts.google.com',
    'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0',
    'http://127.0.0.1:8080',
    '__proto__',
    'constructor',
    'toString',
  ])('gives %s no alias', (issuer) => {
    expect(aliasesFor(DEFAULT_ISSUER_ALIASES, issuer)).toEqual([]);
  });

  it('gives https://accounts.google.com its alias', () => {
    expect(aliasesFor(DEFAULT_ISSUER_ALIASES, 'https://accounts.google.com')).toEqual(['accounts.google.com']);
  });
});

describe('which openid-client refusals an alias may overturn', () => {
  const aliases = ['accounts.google.com'];

  it('only an "iss" comparison failure whose iss is a listed alias', () => {
    expect(refusedAlias(claimRefusal('iss', 'accounts.google.com'), aliases)).toBe('accounts.google.com');
    expect(refusedAlias(claimRefusal('iss', 'evil.example'), aliases)).toBeNull();
    expect(refusedAlias(claimRefusal('aud', 'accounts.google.com'), aliases)).toBeNull();
    expect(
      refusedAlias(claimRefusal('iss', 'accounts.google.com', 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED'), aliases),
    ).toBeNull();
    expect(refusedAlias(claimRefusal('iss', 'accounts.google.com'), [])).toBeNull();
    expect(refusedAlias(new Error('network'), aliases)).toBeNull();
    expect(refusedAlias(null, aliases)).toBeNull();
  });
});
