/**
 * The shared SSO URL rules (lib/contract/url-rules.ts), used by the service on save and by the console
 * form: which message wins for which kind of bad input.
 */
import { describe, expect, it } from 'vitest';
import {
  CALLBACK_KEY_PATTERN,
  checkSsoUrl,
  classifyConsoleRedirectUri,
  perConnectionRedirectUri,
  sharedRedirectUri,
} from '@/lib/contract';

const dev = { devMode: true };
const prod = { devMode: false };
const NOT_A_URL = 'must be an absolute URL, like https://idp.example.com';

describe('checkSsoUrl messages', () => {
  it('says "not a URL" for input without a scheme, spaces or not', () => {
    for (const value of [
      'not a url',
      'not-a-url',
      'idp.example.com',
      'idp example com',
      '/sso/callback',
      ' https://idp.example.com',
    ]) {
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
      expect(checkSsoUrl(value, 'issuerUrl', dev), JSON.stringify(value)).toBe(
        'must not contain spaces or control characters',
      );
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
    expect(checkSsoUrl('https://u:p@idp.example.com', 'issuerUrl', dev)).toBe(
      'must not contain a user name or password',
    );
    expect(checkSsoUrl('https://169.254.169.254', 'issuerUrl', dev)).toBe(
      'must not point to a private, link-local or metadata address',
    );
    expect(checkSsoUrl('https://idp.example.com', 'issuerUrl', prod)).toBeNull();
  });
});

describe('per-connection redirect URIs', () => {
  const CONSOLE = 'https://console.example';

  it('spells the shared and the per-connection callback (a trailing slash on the console URL is ignored)', () => {
    expect(sharedRedirectUri(`${CONSOLE}/`)).toBe(`${CONSOLE}/sso/callback`);
    expect(perConnectionRedirectUri(CONSOLE, 'sso_abc12345')).toBe(`${CONSOLE}/sso/callback/sso_abc12345`);
    expect(perConnectionRedirectUri(`${CONSOLE}/app/`, 'sso_abc12345')).toBe(
      `${CONSOLE}/app/sso/callback/sso_abc12345`,
    );
  });

  it('classifies a redirect URI relative to the console', () => {
    expect(classifyConsoleRedirectUri(CONSOLE, `${CONSOLE}/sso/callback`)).toEqual({ kind: 'shared' });
    expect(classifyConsoleRedirectUri(CONSOLE, `${CONSOLE}/sso/callback/sso_abc12345`)).toEqual({
      kind: 'per_connection',
      key: 'sso_abc12345',
      canonical: `${CONSOLE}/sso/callback/sso_abc12345`,
    });
    // Other spellings of the same URL are the same URI.
    for (const spelling of [
      `HTTPS://CONSOLE.EXAMPLE/sso/callback/sso_abc12345`,
      `${CONSOLE}:443/sso/callback/sso_abc12345`,
      `${CONSOLE}/x/../sso/callback/sso_abc12345`,
    ]) {
      expect(classifyConsoleRedirectUri(CONSOLE, spelling), spelling).toMatchObject({
        kind: 'per_connection',
        canonical: `${CONSOLE}/sso/callback/sso_abc12345`,
      });
    }
    for (const malformed of [
      '/',
      '/short',
      `/${'k'.repeat(65)}`,
      '/abcdefgh/',
      '/abcdefgh/x',
      '/abcdefgh?x=1',
      '/abcdefgh#f',
      '/abc%41defgh',
      '/abcdefgh?',
    ]) {
      expect(classifyConsoleRedirectUri(CONSOLE, `${CONSOLE}/sso/callback${malformed}`), malformed).toEqual({
        kind: 'malformed',
      });
    }
    for (const other of [
      'https://app.example/sso/callback/sso_abc12345',
      'http://console.example/sso/callback/sso_abc12345',
      `${CONSOLE}/sso/callbackx`,
      `${CONSOLE}/sso/callback?tenant=a`,
      'not a url',
    ]) {
      expect(classifyConsoleRedirectUri(CONSOLE, other), other).toEqual({ kind: 'other' });
    }
    expect(CALLBACK_KEY_PATTERN.test('interop-lemonldap')).toBe(true);
  });
});
