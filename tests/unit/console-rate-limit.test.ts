import { describe, expect, it } from 'vitest';
import { clientIp, FixedWindowLimiter, parseTrustedProxies } from '@/lib/rate-limit';

describe('FixedWindowLimiter', () => {
  it('allows `limit` hits per window, then blocks with the seconds left', () => {
    let now = 1_000_000;
    const limiter = new FixedWindowLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    expect([1, 2, 3].map(() => limiter.hit('a').allowed)).toEqual([true, true, true]);
    now += 15_000;
    const blocked = limiter.hit('a');
    expect(blocked).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 45 });
    expect(limiter.hit('b').allowed).toBe(true);
    now += 45_000;
    expect(limiter.hit('a')).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('bounds memory by evicting expired, then oldest keys', () => {
    let now = 0;
    const limiter = new FixedWindowLimiter({ limit: 1, windowMs: 1000, maxKeys: 3, now: () => now });
    for (const k of ['a', 'b', 'c', 'd', 'e']) limiter.hit(k);
    expect(limiter.size).toBeLessThanOrEqual(3);
    now = 5000;
    limiter.hit('f');
    expect(limiter.size).toBe(1);
  });

  it('rejects nonsense configuration', () => {
    expect(() => new FixedWindowLimiter({ limit: 0, windowMs: 1000 })).toThrow(RangeError);
  });
});

describe('clientIp', () => {
  const none = parseTrustedProxies([]);
  const trusted = parseTrustedProxies(['10.0.0.0/8', '192.0.2.1']);

  it('without trusted proxies uses the right-most entry (the peer Next.js recorded)', () => {
    expect(clientIp(new Headers({ 'x-forwarded-for': '203.0.113.7' }), none)).toBe('203.0.113.7');
    expect(clientIp({ 'x-forwarded-for': '1.1.1.1, 203.0.113.7' }, none)).toBe('203.0.113.7');
  });

  it('with trusted proxies skips them from the right and ignores what the client prepended', () => {
    expect(clientIp({ 'x-forwarded-for': '6.6.6.6, 198.51.100.4, 10.1.2.3, 192.0.2.1' }, trusted)).toBe('198.51.100.4');
    // A spoofed left-most entry does not help when the peer is untrusted.
    expect(clientIp({ 'x-forwarded-for': '6.6.6.6, 198.51.100.4' }, trusted)).toBe('198.51.100.4');
  });

  it('normalises IPv4-mapped IPv6 and ports', () => {
    expect(clientIp({ 'x-forwarded-for': '::ffff:203.0.113.7' }, none)).toBe('203.0.113.7');
    expect(clientIp({ 'x-forwarded-for': '203.0.113.7:5555' }, none)).toBe('203.0.113.7');
    expect(clientIp({ 'x-forwarded-for': '[2001:db8::1]:443' }, none)).toBe(
      clientIp({ 'x-forwarded-for': '2001:db8::1' }, none),
    );
  });

  it('groups garbage and missing headers into fixed buckets', () => {
    expect(clientIp({}, none)).toBe('unknown');
    expect(clientIp({ 'x-forwarded-for': 'not-an-ip' }, none)).toBe('invalid');
  });

  it('reports invalid TRUSTED_PROXIES entries', () => {
    expect(() => parseTrustedProxies(['10.0.0.0/99'])).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies(['proxy.local'])).toThrow(/TRUSTED_PROXIES/);
  });
});
