/**
 * The shared SSO URL rules (lib/contract/url-rules.ts), used by the service on save and by the console
 * form: which message wins for which kind of bad input.
 */
import { describe, expect, it } from 'vitest';
import { checkSsoUrl } from '@/lib/contract';

const dev = { devMode: true };
const prod = { devMode: false };
const NOT_A_URL = 'must be an absolute URL, like https://idp.example.com';

describe('checkSsoUrl messages', () => {
  it('says "not a URL" for input without a scheme, spaces or not', () => {
    for (const value of ['not a url', 'not-a-url', 'idp.example.com', 'idp example com', '/sso/callback', ' https://idp.example.com']) {
      expect(checkSsoUrl(value, 'issuerUrl', dev), value).toBe(NOT_A_URL);
      expect(checkSsoUrl(value, 'redirectUri', prod), value).toBe(NOT_A_URL);
    }
    expect(checkSsoUrl('https://', 'issuerUrl', dev)).toBe(NOT_A_URL);
  });

  it('still refuses spaces and control characters inside URL-looking input', () => {
    const refused = [
      'https://idp.example.com/a b',
      'https://idp .example.com',
      'https://idp.example.com/\tx',
      'https://idp.example.com/\u0000',
      'https://idp.example.com/\u202e',
      'https://idp.example.com\n',
      'http://127.0.0.1:3002/ x',
    ];
    for (const value of refused) {
      expect(checkSsoUrl(value, 'issuerUrl', dev), JSON.stringify(value)).toBe('must not contain spaces or control characters');
    }
    // Control characters in input that is no URL at all are refused too (as "not a URL").
    expect(checkSsoUrl('idp\u0000example', 'issuerUrl', dev)).toBe(NOT_A_URL);
  });

  it('explains where plain http is allowed in development, and refuses it outright in production', () => {
    expect(checkSsoUrl('http://idp.example.com', 'issuerUrl', dev)).toBe(
      'must use https (plain http is allowed only for localhost or 127.0.0.1 in development)',
    );
    expect(checkSsoUrl('http://idp.example.com', 'issuerUrl', prod)).toBe('must use https');
    expect(checkSsoUrl('http://127.0.0.1:3002', 'issuerUrl', prod)).toBe('must use https');
    expect(checkSsoUrl('http://127.0.0.1:3002', 'issuerUrl', dev)).toBeNull();
    expect(checkSsoUrl('http://localhost:3000/sso/callback', 'redirectUri', dev)).toBeNull();
  });

  it('keeps the other rules', () => {
    expect(checkSsoUrl('', 'issuerUrl', dev)).toBe('is required');
    expect(checkSsoUrl('ftp://idp.example.com', 'issuerUrl', dev)).toBe('must use https');
    expect(checkSsoUrl('https://idp.example.com/?a=1', 'issuerUrl', dev)).toBe('must not contain a ?query');
    expect(checkSsoUrl('https://u:p@idp.example.com', 'issuerUrl', dev)).toBe('must not contain a user name or password');
    expect(checkSsoUrl('https://169.254.169.254', 'issuerUrl', dev)).toBe('must not point to a private, link-local or metadata address');
    expect(checkSsoUrl('https://idp.example.com', 'issuerUrl', prod)).toBeNull();
  });
});
