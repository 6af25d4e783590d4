/**
 * A small per-key cache for things fetched from identity providers (discovery documents, JWKS):
 *  - concurrent misses for one key share one load,
 *  - successes live for `ttlMs`, failures only for `failureTtlMs` (an IdP that was down briefly
 *    is retried soon),
 *  - after `ttlMs` a success is still served while a refresh runs in the background
 *    (stale-while-revalidate, up to `maxStaleMs`), so a warm cache keeps working — and costs no
 *    request on the hot path — when the IdP later hangs.
 */
import { BoundedMap } from '../bounded-map';

export type Loaded<T, E> = { ok: true; value: T } | { ok: false; error: E };

interface Entry<T, E> {
  result: Loaded<T, E>;
  /** When the last successful value was loaded (for maxStale). */
  loadedAt: number;
  expiresAt: number;
}

export interface RefreshingCacheOptions {
  ttlMs: number;
  failureTtlMs: number;
  maxStaleMs: number;
  /** Oldest entries are dropped beyond this many keys. */
  maxEntries: number;
  clock?: () => number;
}

export class RefreshingCache<T, E> {
  private readonly entries: BoundedMap<string, Entry<T, E>>;
  private readonly inflight = new Map<string, Promise<Loaded<T, E>>>();
  private readonly clock: () => number;

  constructor(
    private readonly load: (key: string) => Promise<Loaded<T, E>>,
    private readonly opts: RefreshingCacheOptions,
  ) {
    this.clock = opts.clock ?? Date.now;
    this.entries = new BoundedMap(opts.maxEntries);
  }

  get(key: string): Promise<Loaded<T, E>> {
    const entry = this.entries.get(key);
    if (entry) {
      const now = this.clock();
      if (now < entry.expiresAt) return Promise.resolve(entry.result);
      if (entry.result.ok && now - entry.loadedAt < this.opts.maxStaleMs) {
        this.refresh(key).catch(() => undefined);
        return Promise.resolve(entry.result);
      }
    }
    return this.refresh(key);
  }

  /** The cached value without loading, if any (fresh or stale). */
  peek(key: string): Loaded<T, E> | undefined {
    return this.entries.get(key)?.result;
  }

  /** Loads now (sharing a load already running). A failed reload keeps a previous success. */
  refresh(key: string): Promise<Loaded<T, E>> {
    const running = this.inflight.get(key);
    if (running) return running;
    const promise = this.load(key)
      .then((result) => {
        this.store(key, result);
        return this.entries.get(key)?.result ?? result;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, promise);
    return promise;
  }

  set(key: string, value: T): void {
    this.store(key, { ok: true, value });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  private store(key: string, result: Loaded<T, E>): void {
    const now = this.clock();
    const previous = this.entries.get(key);
    if (!result.ok && previous?.result.ok && now - previous.loadedAt < this.opts.maxStaleMs) {
      // Keep serving the last good value; try again after the failure TTL.
      previous.expiresAt = now + this.opts.failureTtlMs;
      return;
    }
    this.entries.set(key, {
      result,
      loadedAt: result.ok ? now : (previous?.loadedAt ?? 0),
      expiresAt: now + (result.ok ? this.opts.ttlMs : this.opts.failureTtlMs),
    });
  }
}
