import { describe, expect, it } from 'vitest';
import { DEFAULT_AFTER_SIGNIN, safeRedirectPath } from '@/lib/auth/safe-redirect';

describe('safeRedirectPath', () => {
  it.each([
    ['/settings/sso', '/settings/sso'],
    ['/settings/sso?tab=1#x', '/settings/sso?tab=1#x'],
    ['/a/../settings', '/settings'],
  ])('keeps same-origin path %s', (input, expected) => {
    expect(safeRedirectPath(input)).toBe(expected);
  });

  it.each([
    'https://evil.example/',
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'settings',
    '/\tevil',
    '/%0a/evil',
    '',
    '/signin',
    '/signin?callbackUrl=/x',
    '/api/auth/signout',
  ])('refuses %j', (input) => {
    const out = safeRedirectPath(input);
    expect(out === DEFAULT_AFTER_SIGNIN || out.startsWith('/%0a')).toBe(true);
    expect(out.startsWith('//')).toBe(false);
  });

  it('refuses non-strings', () => {
    expect(safeRedirectPath(undefined)).toBe(DEFAULT_AFTER_SIGNIN);
    expect(safeRedirectPath(['/x'])).toBe(DEFAULT_AFTER_SIGNIN);
  });

  it('reduces absolute URLs on our own origin to their path', () => {
    expect(safeRedirectPath('http://localhost:3000/settings/sso?x=1', '/', 'http://localhost:3000')).toBe('/settings/sso?x=1');
    expect(safeRedirectPath('http://localhost:3001/settings/sso', '/', 'http://localhost:3000')).toBe('/');
  });

  it('uses the given fallback', () => {
    expect(safeRedirectPath('//x', '/home')).toBe('/home');
  });
});
