import { describe, expect, it } from 'vitest';
import { BoundedMap } from '@/lib/sso-service/bounded-map';

describe('BoundedMap', () => {
  it('keeps at most maxEntries, dropping the oldest-written entry; rewriting a key makes it the newest', () => {
    const m = new BoundedMap<string, number>(3);
    m.set('a', 1).set('b', 2).set('c', 3);
    m.set('a', 10); // a is now the newest
    m.set('d', 4); // drops b, the oldest write
    expect([...m.entries()]).toEqual([
      ['c', 3],
      ['a', 10],
      ['d', 4],
    ]);
    for (let i = 0; i < 100; i += 1) m.set(`k${i}`, i);
    expect(m.size).toBe(3);
    expect([...m.keys()]).toEqual(['k97', 'k98', 'k99']);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new BoundedMap(0)).toThrow(RangeError);
    expect(() => new BoundedMap(1.5)).toThrow(RangeError);
  });
});
