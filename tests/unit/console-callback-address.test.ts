/**
 * Each OIDC connection's own callback address, and the login binding that remembers which address a login
 * must come back to (the console's half of the IdP mix-up defence).
 */
import { describe, expect, it } from 'vitest';
import { createBinding, redirectUriFromAuthorizeUrl, verifyBinding } from '@/lib/console/member-login/login-binding';
import {
  callbackKind,
  isCallbackKey,
  perConnectionCallbackUrl,
  sharedCallbackUrl,
} from '@/lib/console/member-login/callback-address';

const secret = 'test-secret-0123456789-abcdefghijklmnop';
const app = 'https://console.example.com';

describe('callback addresses', () => {
  it('accepts only keys of 8–64 URL-safe characters', () => {
    expect(isCallbackKey('sso_0123456789abcdefABCDEF')).toBe(true);
    expect(isCallbackKey('a'.repeat(64))).toBe(true);
    for (const bad of [
      'short',
      'a'.repeat(65),
      'has space12',
      'dot.dot.dot',
      '../../x/yy',
      'saml',
      '',
      'ключ-ключ-ключ',
    ]) {
      expect(isCallbackKey(bad), bad).toBe(false);
    }
    expect(isCallbackKey(undefined)).toBe(false);
  });

  it('builds the shared and the per-connection address from APP_URL', () => {
    expect(sharedCallbackUrl(app)).toBe('https://console.example.com/sso/callback');
    expect(perConnectionCallbackUrl(app, 'conn_abcdefgh')).toBe(
      'https://console.example.com/sso/callback/conn_abcdefgh',
    );
    expect(() => perConnectionCallbackUrl(app, '../other')).toThrow();
  });

  it('tells own, shared and foreign registrations apart', () => {
    expect(callbackKind(app, `${app}/sso/callback`)).toBe('shared');
    expect(callbackKind(app, `${app}/sso/callback/abcdefgh12`)).toBe('own');
    expect(callbackKind(app, `${app}/sso/callback/abc`)).toBe('other');
    expect(callbackKind(app, `${app}/sso/callback/abcdefgh12/more`)).toBe('other');
    expect(callbackKind(app, 'https://elsewhere.example.com/sso/callback/abcdefgh12')).toBe('other');
    expect(callbackKind(app, `${app}/sso/callback?x=1`)).toBe('other');
  });
});

describe('login binding: the redirect URI the login must come back to', () => {
  it('reads redirect_uri from an OIDC authorization URL, and none from a SAML one', () => {
    const oidc =
      'https://idp.example.com/authorize?client_id=c&redirect_uri=https%3A%2F%2Fconsole.example.com%2Fsso%2Fcallback%2Fabcdefgh12&state=s';
    expect(redirectUriFromAuthorizeUrl(oidc)).toBe('https://console.example.com/sso/callback/abcdefgh12');
    expect(
      redirectUriFromAuthorizeUrl(
        'https://idp.example.com/saml?SAMLRequest=x&RelayState=s&redirect_uri=https%3A%2F%2Fx',
      ),
    ).toBeNull();
    expect(redirectUriFromAuthorizeUrl('https://idp.example.com/authorize?state=s')).toBeNull();
    expect(redirectUriFromAuthorizeUrl('not a url')).toBeNull();
  });

  it('seals the redirect URI with the state and returns it on verify', async () => {
    const redirectUri = `${app}/sso/callback/abcdefgh12`;
    const b = await createBinding('state-A', { org: 'dev_1', mode: 'member', redirectUri }, secret);
    expect(b.value).not.toContain('abcdefgh12');
    expect(await verifyBinding('state-A', b.value, secret)).toEqual({
      ok: true,
      binding: { org: 'dev_1', mode: 'member', redirectUri },
    });
  });

  it('a binding without one (SAML) verifies without one', async () => {
    const b = await createBinding('state-S', { org: 'dev_1', mode: 'member' }, secret);
    expect(await verifyBinding('state-S', b.value, secret)).toEqual({
      ok: true,
      binding: { org: 'dev_1', mode: 'member' },
    });
  });
});
