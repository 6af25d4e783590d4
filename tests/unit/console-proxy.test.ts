import { NextRequest } from 'next/server';
import { afterEach, describe, expect, it } from 'vitest';
import { HSTS_VALUE, proxy, strictTransportSecurity } from '@/proxy';

const saved = { APP_URL: process.env.APP_URL };
afterEach(() => {
  // Assigning undefined would store the string "undefined".
  if (saved.APP_URL === undefined) delete process.env.APP_URL;
  else process.env.APP_URL = saved.APP_URL;
});

function request(path: string, cookie?: string) {
  return new NextRequest(`http://localhost:3000${path}`, { headers: cookie ? { cookie } : {} });
}

describe('proxy', () => {
  it('sends signed-out visitors of /settings to /signin with a same-origin return path', () => {
    process.env.APP_URL = 'http://127.0.0.1:3000';
    const res = proxy(request('/settings/sso?x=1'));
    expect(res.status).toBe(307);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin).toBe('http://127.0.0.1:3000');
    expect(location.pathname).toBe('/signin');
    expect(location.searchParams.get('callbackUrl')).toBe('/settings/sso?x=1');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('lets requests with a session cookie (plain, secure or chunked) through', () => {
    for (const cookie of [
      'next-auth.session-token=a',
      '__Secure-next-auth.session-token=a',
      'next-auth.session-token.0=a',
    ]) {
      expect(proxy(request('/settings/sso', cookie)).headers.get('location')).toBeNull();
    }
  });

  it('does not gate other paths and sets a fresh nonce CSP on every response', () => {
    const a = proxy(request('/signin'));
    const b = proxy(request('/login'));
    const cspA = a.headers.get('content-security-policy') ?? '';
    const cspB = b.headers.get('content-security-policy') ?? '';
    expect(a.headers.get('location')).toBeNull();
    expect(cspA).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
    expect(cspA).toContain("frame-ancestors 'none'");
    expect(cspA).toContain("object-src 'none'");
    expect(cspA).not.toBe(cspB);
    expect(a.headers.get('x-content-type-options')).toBe('nosniff');
    expect(a.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(b.headers.get('referrer-policy')).toBe('no-referrer');
    expect(a.headers.get('permissions-policy')).toContain('camera=()');
  });

  it('passes the nonce to the app through request headers', () => {
    const res = proxy(request('/signin'));
    // NextResponse.next({ request: { headers } }) encodes overridden request headers for the server.
    const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
    expect(res.headers.get('x-middleware-request-x-nonce')).toBe(nonce);
  });
});

describe('HSTS', () => {
  it('is sent by a production console on https only', () => {
    expect(strictTransportSecurity('https://console.example', true)).toBe('max-age=63072000; includeSubDomains');
    expect(strictTransportSecurity('http://console.example', true)).toBeNull();
    expect(strictTransportSecurity('https://console.example', false)).toBeNull();
    expect(strictTransportSecurity(undefined, true)).toBeNull();
  });

  it('is on the responses of a production https console (pages, redirects), not of a development one', () => {
    const env = process.env as Record<string, string | undefined>;
    const savedNodeEnv = env.NODE_ENV;
    try {
      process.env.APP_URL = 'https://console.example';
      env.NODE_ENV = 'production';
      expect(proxy(request('/login')).headers.get('strict-transport-security')).toBe(HSTS_VALUE);
      expect(proxy(request('/settings/sso')).headers.get('strict-transport-security')).toBe(HSTS_VALUE);
      env.NODE_ENV = 'development';
      expect(proxy(request('/login')).headers.get('strict-transport-security')).toBeNull();
    } finally {
      env.NODE_ENV = savedNodeEnv;
    }
  });
});
