import { describe, expect, it } from 'vitest';
import { randomId, timeOrderedId } from '@/lib/sso-service/crypto/random-id';

describe('timeOrderedId', () => {
  it('sorts by creation time in byte order, stays unguessable within one millisecond', () => {
    const times = [0, 1, 35, 36, 1_700_000_000_000, 1_700_000_000_001, 4_102_444_800_000, 99_999_999_999_999];
    const ids = times.map((t) => timeOrderedId('aud', t));
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => /^aud_[0-9a-z]{9}[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    const sameMs = new Set(Array.from({ length: 1000 }, () => timeOrderedId('aud', 1_700_000_000_000)));
    expect(sameMs.size).toBe(1000);
    // Plain random ids carry no order.
    expect(randomId('aud')).toMatch(/^aud_[A-Za-z0-9_-]{22}$/);
  });
});
