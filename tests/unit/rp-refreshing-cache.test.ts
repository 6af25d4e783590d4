import { describe, expect, it } from 'vitest';
import { RefreshingCache, type Loaded } from '@/lib/sso-service/oidc/refreshing-cache';

/** A loader whose answers the test scripts, counting calls and releasing them on demand. */
function scriptedLoader() {
  const calls: string[] = [];
  const pending: Array<(r: Loaded<string, string>) => void> = [];
  const load = (key: string) =>
    new Promise<Loaded<string, string>>((resolve) => {
      calls.push(key);
      pending.push(resolve);
    });
  const answer = (r: Loaded<string, string>) => {
    const next = pending.shift();
    if (!next) throw new Error('no pending load');
    next(r);
  };
  return { calls, load, answer, pendingCount: () => pending.length };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  let now = 1_000_000;
  const loader = scriptedLoader();
  const cache = new RefreshingCache(loader.load, {
    ttlMs: 1000,
    failureTtlMs: 100,
    maxStaleMs: 10_000,
    maxEntries: 3,
    clock: () => now,
  });
  return { cache, loader, advance: (ms: number) => (now += ms) };
}

describe('RefreshingCache', () => {
  it('coalesces concurrent misses into one load', async () => {
    const { cache, loader } = setup();
    const results = [cache.get('a'), cache.get('a'), cache.get('a')];
    expect(loader.calls).toEqual(['a']);
    loader.answer({ ok: true, value: 'A' });
    expect(await Promise.all(results)).toEqual(Array(3).fill({ ok: true, value: 'A' }));
  });

  it('serves a fresh entry without loading', async () => {
    const { cache, loader, advance } = setup();
    const first = cache.get('a');
    loader.answer({ ok: true, value: 'A' });
    await first;
    advance(999);
    expect(await cache.get('a')).toEqual({ ok: true, value: 'A' });
    expect(loader.calls).toHaveLength(1);
  });

  it('serves a stale success immediately while refreshing in the background', async () => {
    const { cache, loader, advance } = setup();
    const first = cache.get('a');
    loader.answer({ ok: true, value: 'A' });
    await first;
    advance(1500);
    expect(await cache.get('a')).toEqual({ ok: true, value: 'A' }); // did not wait for the refresh
    expect(loader.calls).toHaveLength(2);
    loader.answer({ ok: true, value: 'A2' });
    await flush();
    expect(await cache.get('a')).toEqual({ ok: true, value: 'A2' });
  });

  it('keeps the last success when a refresh fails, and retries after the failure TTL', async () => {
    const { cache, loader, advance } = setup();
    const first = cache.get('a');
    loader.answer({ ok: true, value: 'A' });
    await first;
    const forced = cache.refresh('a');
    loader.answer({ ok: false, error: 'down' });
    expect(await forced).toEqual({ ok: true, value: 'A' });
    expect(await cache.get('a')).toEqual({ ok: true, value: 'A' });
    expect(loader.calls).toHaveLength(2);
    advance(101);
    void cache.get('a');
    expect(loader.calls).toHaveLength(3);
    loader.answer({ ok: true, value: 'A' });
  });

  it('caches a failure only briefly', async () => {
    const { cache, loader, advance } = setup();
    const first = cache.get('a');
    loader.answer({ ok: false, error: 'down' });
    expect(await first).toEqual({ ok: false, error: 'down' });
    expect(await cache.get('a')).toEqual({ ok: false, error: 'down' });
    expect(loader.calls).toHaveLength(1);
    advance(101);
    const again = cache.get('a');
    expect(loader.calls).toHaveLength(2);
    loader.answer({ ok: true, value: 'A' });
    expect(await again).toEqual({ ok: true, value: 'A' });
  });

  it('stops serving a success older than maxStale', async () => {
    const { cache, loader, advance } = setup();
    const first = cache.get('a');
    loader.answer({ ok: true, value: 'A' });
    await first;
    advance(10_001);
    const late = cache.get('a');
    loader.answer({ ok: false, error: 'down' });
    expect(await late).toEqual({ ok: false, error: 'down' });
  });

  it('evicts the oldest key beyond maxEntries', async () => {
    const { cache, loader } = setup();
    for (const key of ['a', 'b', 'c', 'd']) {
      const p = cache.get(key);
      loader.answer({ ok: true, value: key.toUpperCase() });
      await p;
    }
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.peek('d')).toEqual({ ok: true, value: 'D' });
  });
});
