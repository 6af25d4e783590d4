import { describe, expect, it } from 'vitest';
import { buildSsoConfigSchema, fieldErrorsOf, validateSsoField } from '@/lib/validations/sso-config';

const dev = buildSsoConfigSchema({ devMode: true });
const prod = buildSsoConfigSchema({ devMode: false });

const valid = {
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
    const result = prod.safeParse({ issuerUrl: '', clientId: ' ', clientSecret: '   ', redirectUri: '' });
    expect(result.success).toBe(false);
    const errors = fieldErrorsOf(result.error!);
    expect(errors).toEqual({
      issuerUrl: 'Issuer URL is required',
      clientId: 'Client ID is required',
      clientSecret: expect.stringContaining('Client secret is required'),
      redirectUri: 'Redirect URI is required',
    });
  });

  it('asks for the secret plainly on a first save, and explains "enter it again" only when one is saved', () => {
    const first = fieldErrorsOf(prod.safeParse({ ...valid, clientSecret: '  ' }).error!);
    expect(first.clientSecret).toBe('Client secret is required');
    expect(validateSsoField(prod, 'clientSecret', '')).toBe('Client secret is required');

    const again = buildSsoConfigSchema({ devMode: false, hasSavedSecret: true });
    expect(fieldErrorsOf(again.safeParse({ ...valid, clientSecret: '' }).error!).clientSecret).toBe(
      'Client secret is required — enter it again to save',
    );
    const missing: Partial<typeof valid> = { ...valid };
    delete missing.clientSecret;
    expect(fieldErrorsOf(again.safeParse(missing).error!).clientSecret).toMatch(/enter it again/);
    // The hidden field that carries the choice is not part of the parsed config.
    expect(again.parse({ ...valid, hasSavedSecret: '1' })).not.toHaveProperty('hasSavedSecret');
  });

  it('calls a value with spaces and no scheme "not a URL", not a spacing problem', () => {
    expect(validateSsoField(dev, 'issuerUrl', 'not a url')).toBe('Issuer URL must be an absolute URL, like https://idp.example.com');
    expect(validateSsoField(dev, 'redirectUri', 'not a url')).toBe('Redirect URI must be an absolute URL, like https://idp.example.com');
    expect(validateSsoField(dev, 'issuerUrl', 'https://idp.example.com/a b')).toMatch(/must not contain spaces or control characters/);
  });

  it('applies the contract URL rules: https in production, loopback http only in development', () => {
    expect(validateSsoField(prod, 'issuerUrl', 'not a url')).toMatch(/^Issuer URL /);
    const p = prod.safeParse({ ...valid, issuerUrl: 'http://127.0.0.1:3002' });
    expect(fieldErrorsOf(p.error!).issuerUrl).toMatch(/https/);
    expect(dev.safeParse({ ...valid, issuerUrl: 'http://127.0.0.1:3002', redirectUri: 'http://localhost:3000/sso/callback' }).success).toBe(true);
    const d = dev.safeParse({ ...valid, issuerUrl: 'http://idp.example.com' });
    expect(fieldErrorsOf(d.error!).issuerUrl).toMatch(/https/);
  });

  it('refuses metadata and private addresses, credentials and fragments', () => {
    for (const issuerUrl of ['https://169.254.169.254', 'https://10.0.0.1', 'https://u:p@idp.example.com', 'https://idp.example.com/#x']) {
      expect(dev.safeParse({ ...valid, issuerUrl }).success, issuerUrl).toBe(false);
    }
  });

  it('does not alter the issuer beyond trimming (a trailing slash matters to the issuer check)', () => {
    expect(prod.parse({ ...valid, issuerUrl: '  https://idp.example.com/  ' }).issuerUrl).toBe('https://idp.example.com/');
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
