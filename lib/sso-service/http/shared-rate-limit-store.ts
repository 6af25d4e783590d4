/**
 * A @fastify/rate-limit store over the storage layer's shared counters, so a limit holds across every
 * service process on one database (see features/rate-limits/store.ts for the window and its tolerance).
 * Each route gets its own key space (`METHOD path` + the route's key).
 */
import type { FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import type { SharedRateLimiter } from '../storage/types';

export function sharedRateLimitStore(limiter: SharedRateLimiter, now: () => number): FastifyRateLimitStoreCtor {
  class SharedStore {
    constructor(private readonly prefix = '') {}

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
      timeWindow: number,
    ) {
      const at = now();
      limiter.hit(`${this.prefix}${key}`, timeWindow, at).then(
        (hit) => callback(null, { current: hit.count, ttl: Math.max(0, hit.resetAtMs - at) }),
        (err: unknown) => callback(err instanceof Error ? err : new Error('rate-limit store failed')),
      );
    }

    child(routeOptions: { routeInfo?: { method?: unknown; url?: unknown } }) {
      const method = String(routeOptions.routeInfo?.method ?? '');
      const url = String(routeOptions.routeInfo?.url ?? '');
      return new SharedStore(`${method} ${url}\n`);
    }
  }
  return SharedStore as unknown as FastifyRateLimitStoreCtor;
}
