import { describe, expect, it } from 'vitest';
import { buildOidcConnectionSchema, fieldErrorsOf, validateOidcField } from '@/lib/validations/oidc-connection';

const dev = buildOidcConnectionSchema({ devMode: true });
const prod = buildOidcConnectionSchema({ devMode: false });

const valid = {
  name: 'Okta (production)',
  issuerUrl: 'https://idp.example.com',
  clientId: 'grantex-console',
  clientSecret: 'dev-only-secret:change%me+now',
  redirectUri: 'https://console.example.com/sso/callback',
};

describe('SSO config form schema', () => {
  it('accepts a complete https config and keeps the secret byte-for-byte', () => {
    const parsed = prod.parse({ ...valid, clientSecret: ' a:%+ b ' });
    expect(parsed.clientSecret).toBe(' a:%+ b ');
    expect(parsed.skipIssuerCheck).toBe(false);
  });

  it('reports every missing field at once, each with its label', () => {
    const result = prod.safeParse({ name: ' ', issuerUrl: '', clientId: ' ', clientSecret: '   ', redirectUri: '' });
    expect(result.success).toBe(false);
    const errors = fieldErrorsOf(result.error!);
    expect(errors).toEqual({
      name: 'Name is required',
      issuerUrl: 'Issuer URL is required',
      clientId: 'Client ID is required',
      clientSecret: expect.stringContaining('Client secret is required'),
      redirectUri: 'Redirect URI is required',
    });
  });

  it('asks for the secret plainly on a first save; a saved one is kept when blank unless the issuer changes', () => {
    const first = fieldErrorsOf(prod.safeParse({ ...valid, clientSecret: '  ' }).error!);
    expect(first.clientSecret).toBe('Client secret is required');

    const saved = buildOidcConnectionSchema({ devMode: false, hasSavedSecret: true, savedIssuer: valid.issuerUrl });
    // Same issuer: a blank (or absent) secret keeps the saved one.
    expect(saved.safeParse({ ...valid, clientSecret: '' }).success).toBe(true);
    const missing: Partial<typeof valid> = { ...valid };
    delete missing.clientSecret;
    expect(saved.safeParse(missing).success).toBe(true);
    // Another issuer: the saved secret would go to another IdP, so it must be entered again.
    const moved = saved.safeParse({ ...valid, issuerUrl: 'https://other.example.com', clientSecret: '' });
    expect(fieldErrorsOf(moved.error!).clientSecret).toBe(
      'Client secret is required — enter it again to save a new issuer',
    );
    // Reported together with the other fields' problems.
    const both = fieldErrorsOf(saved.safeParse({ ...valid, issuerUrl: 'not a url', clientSecret: '' }).error!);
    expect(Object.keys(both).sort()).toEqual(['clientSecret', 'issuerUrl']);
    // The hidden field that carries the choice is not part of the parsed config.
    expect(saved.parse({ ...valid, hasSavedSecret: '1' })).not.toHaveProperty('hasSavedSecret');
  });

  it('takes a status only from the three statuses', () => {
    expect(prod.parse({ ...valid, status: 'testing' }).status).toBe('testing');
    expect(prod.safeParse({ ...valid, status: 'enforce' }).success).toBe(false);
  });

  it('calls a value with spaces and no scheme "not a URL", not a spacing problem', () => {
    expect(validateOidcField(dev, 'issuerUrl', 'not a url')).toBe(
      'Issuer URL must be an absolute URL, like https://idp.example.com',
    );
    expect(validateOidcField(dev, 'redirectUri', 'not a url')).toBe(
      'Redirect URI must be an absolute URL, like https://idp.example.com',
    );
    expect(validateOidcField(dev, 'issuerUrl', 'https://idp.example.com/a b')).toMatch(
      /must not contain spaces or control characters/,
    );
  });

  it('applies the contract URL rules: https in production, loopback http only in development', () => {
    expect(validateOidcField(prod, 'issuerUrl', 'not a url')).toMatch(/^Issuer URL /);
    const p = prod.safeParse({ ...valid, issuerUrl: 'http://127.0.0.1:3002' });
    expect(fieldErrorsOf(p.error!).issuerUrl).toMatch(/https/);
    expect(
      dev.safeParse({ ...valid, issuerUrl: 'http://127.0.0.1:3002', redirectUri: 'http://localhost:3000/sso/callback' })
        .success,
    ).toBe(true);
    const d = dev.safeParse({ ...valid, issuerUrl: 'http://idp.example.com' });
    expect(fieldErrorsOf(d.error!).issuerUrl).toMatch(/https/);
  });

  it('refuses metadata and private addresses, credentials and fragments', () => {
    for (const issuerUrl of [
      'https://169.254.169.254',
      'https://10.0.0.1',
      'https://u:p@idp.example.com',
      'https://idp.example.com/#x',
    ]) {
      expect(dev.safeParse({ ...valid, issuerUrl }).success, issuerUrl).toBe(false);
    }
  });

  it('does not alter the issuer beyond trimming (a trailing slash matters to the issuer check)', () => {
    expect(prod.parse({ ...valid, issuerUrl: '  https://idp.example.com/  ' }).issuerUrl).toBe(
      'https://idp.example.com/',
    );
  });

  it('reads the override checkbox as a boolean', () => {
    expect(prod.parse({ ...valid, skipIssuerCheck: 'on' }).skipIssuerCheck).toBe(true);
  });

  it('caps lengths', () => {
    expect(prod.safeParse({ ...valid, clientId: 'x'.repeat(256) }).success).toBe(false);
    expect(prod.safeParse({ ...valid, clientSecret: 'x'.repeat(1025) }).success).toBe(false);
  });
});

describe('console SSO dev mode', () => {
  it('follows GRANTEX_DEV_MODE when set, else NODE_ENV', async () => {
    const { ssoDevMode } = await import('@/lib/console/utils/sso-mode');
    expect(ssoDevMode({ NODE_ENV: 'production' })).toBe(false);
    expect(ssoDevMode({ NODE_ENV: 'production', GRANTEX_DEV_MODE: 'true' })).toBe(true);
    expect(ssoDevMode({ NODE_ENV: 'development', GRANTEX_DEV_MODE: 'off' })).toBe(false);
    expect(ssoDevMode({ NODE_ENV: 'development' })).toBe(true);
  });
});

describe('console dev mode is only on when asked for', () => {
  it('is off with NODE_ENV unset or test, on with NODE_ENV=development or GRANTEX_DEV_MODE=true', async () => {
    const { ssoDevMode } = await import('@/lib/console/utils/sso-mode');
    expect(ssoDevMode({})).toBe(false);
    expect(ssoDevMode({ NODE_ENV: 'test' })).toBe(false);
    expect(ssoDevMode({ GRANTEX_DEV_MODE: 'true' })).toBe(true);
    expect(ssoDevMode({ NODE_ENV: 'development' })).toBe(true);
  });
});
