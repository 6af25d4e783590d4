import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CLIENT_VERSION, DEFAULT_USER_AGENT, parseRetryAfter, retryDelayMs } from '@/lib/grantex/client';

describe('user agent', () => {
  it('names the version in package.json', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(CLIENT_VERSION).toBe(pkg.version);
    expect(DEFAULT_USER_AGENT).toBe(`grantex-sso-console/${pkg.version}`);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-27T05:00:00.000Z');

  it('reads delta-seconds', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Fri, 27 Nov 2026 05:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Fri, 27 Nov 2026 04:59:00 GMT', now)).toBe(0);
  });

  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
  });
});

describe('retryDelayMs', () => {
  it('grows as 0.5 s·2ⁿ with at most 25 % jitter', () => {
    for (const [attempt, base] of [
      [0, 500],
      [1, 1000],
      [2, 2000],
      [3, 4000],
    ] as const) {
      for (let i = 0; i < 20; i++) {
        const delay = retryDelayMs(attempt, null)!;
        expect(delay).toBeGreaterThanOrEqual(base);
        expect(delay).toBeLessThanOrEqual(base * 1.25);
      }
    }
  });

  it('is capped at 10 s', () => {
    expect(retryDelayMs(10, null)).toBe(10_000);
    expect(retryDelayMs(50, null)).toBe(10_000);
  });

  it("uses the server's Retry-After, and refuses to wait beyond the cap", () => {
    expect(retryDelayMs(0, 3)).toBe(3_000);
    expect(retryDelayMs(2, 0)).toBe(0);
    expect(retryDelayMs(0, 11)).toBeNull();
  });
});
