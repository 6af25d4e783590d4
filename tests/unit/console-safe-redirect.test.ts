import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AFTER_SIGNIN_PREFIXES, DEFAULT_AFTER_SIGNIN, safeRedirectPath } from '@/lib/auth/safe-redirect';

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
    expect(safeRedirectPath('http://localhost:3000/settings/sso?x=1', '/', 'http://localhost:3000')).toBe(
      '/settings/sso?x=1',
    );
    expect(safeRedirectPath('http://localhost:3001/settings/sso', '/', 'http://localhost:3000')).toBe('/');
  });

  it('uses the given fallback', () => {
    expect(safeRedirectPath('//x', '/home')).toBe('/home');
  });
});

describe('safeRedirectPath: the target is judged after the URL is resolved', () => {
  const APP = 'https://console.example';

  /** What a browser on one of our pages would request for this answer. */
  function landsOnAllowedPath(out: string): boolean {
    if (!out.startsWith('/') || out.startsWith('//') || /[\\\u0000-\u001f]/.test(out)) return false;
    const url = new URL(out, `${APP}/settings/sso/activity`);
    if (url.origin !== APP) return false;
    return AFTER_SIGNIN_PREFIXES.some((p) => url.pathname === p || url.pathname.startsWith(`${p}/`));
  }

  it.each([
    '/.//evil.example',
    '/..//evil.example',
    '/%2e//evil.example',
    '/%2E%2E//evil.example',
    '/settings/..//evil.example',
    '/settings/../..//evil.example',
    '/./\\evil.example',
    '/%5cevil.example',
    '/%2fevil.example',
    '/settings%2f..%2f..%2f%2fevil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/settings/\r\n/x',
    'https://console.example.evil.example/settings',
    'https://user:pass@console.example/settings',
    'http://console.example/settings',
  ])('sends %j nowhere but the default (regressions: these escaped the origin before)', (input) => {
    expect(safeRedirectPath(input, undefined, APP)).toBe(DEFAULT_AFTER_SIGNIN);
  });

  it('keeps allowed same-origin targets, absolute ones reduced to their path', () => {
    expect(safeRedirectPath('/settings/sso/activity?outcome=failed#top', undefined, APP)).toBe(
      '/settings/sso/activity?outcome=failed#top',
    );
    expect(safeRedirectPath('/sso/test-result', undefined, APP)).toBe('/sso/test-result');
    expect(safeRedirectPath(`${APP}/settings/sso/new`, undefined, APP)).toBe('/settings/sso/new');
    expect(safeRedirectPath('/settings-evil', undefined, APP)).toBe(DEFAULT_AFTER_SIGNIN);
    expect(safeRedirectPath('/member', undefined, APP)).toBe(DEFAULT_AFTER_SIGNIN);
  });

  it('for arbitrary strings, always answers an allowed same-origin path', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        expect(landsOnAllowedPath(safeRedirectPath(input, undefined, APP))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  /** Building blocks of the classic bypasses, glued in any order after an optional prefix. */
  const nasty = fc.constantFrom(
    '/',
    '//',
    '\\',
    '\\/',
    '/\\',
    '.',
    '..',
    './',
    '../',
    '%2e',
    '%2E',
    '%2e%2e',
    '.%2e',
    '%2f',
    '%2F',
    '%5c',
    '%5C',
    '%252f',
    '%00',
    '\t',
    '\n',
    '\r',
    '\u0000',
    '\u007f',
    '\u0085',
    '\u2028',
    '\u3002',
    '\uff0e',
    '\uff0f',
    '\u2215',
    '@',
    ':',
    '#',
    '?',
    '%40',
    'evil.example',
    'console.example',
    'https:',
    'http:',
    'javascript:',
    'data:',
    'settings',
    'sso',
    'test-result',
    'signin',
    ' ',
    '%20',
    '\u00a0',
  );
  const prefix = fc.constantFrom(
    '',
    '/',
    '/settings',
    '/settings/',
    '/sso/test-result',
    'https://console.example',
    'https://console.example/settings/',
    '//console.example',
    '///',
  );

  it('for generated nasty forms (encodings, dot segments, backslashes, control characters, unicode), always answers an allowed same-origin path', () => {
    fc.assert(
      fc.property(prefix, fc.array(nasty, { maxLength: 12 }), fc.string({ maxLength: 8 }), (head, parts, tail) => {
        const input = head + parts.join('') + tail;
        expect(landsOnAllowedPath(safeRedirectPath(input, undefined, APP))).toBe(true);
        expect(landsOnAllowedPath(safeRedirectPath(input))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
