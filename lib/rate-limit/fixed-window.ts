/**
 * A small in-memory fixed-window limiter. One console process serves the sign-in form, so
 * process memory is the right place; several replicas would each allow `limit` (documented).
 */

export interface RateLimitResult {
  allowed: boolean;
  /** Attempts left in the current window after this one. */
  remaining: number;
  /** Whole seconds until the window resets (at least 1 when blocked). */
  retryAfterSeconds: number;
}

export interface FixedWindowLimiterOptions {
  limit: number;
  windowMs: number;
  /** Upper bound on tracked keys, so a flood of spoofed addresses cannot grow memory without end. */
  maxKeys?: number;
  now?: () => number;
}

interface Window {
  start: number;
  count: number;
}

export class FixedWindowLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(opts: FixedWindowLimiterOptions) {
    if (!(opts.limit > 0) || !(opts.windowMs > 0)) throw new RangeError('limit and windowMs must be positive');
    this.limit = Math.floor(opts.limit);
    this.windowMs = opts.windowMs;
    this.maxKeys = opts.maxKeys ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Counts one attempt for `key` and says whether it is allowed. */
  hit(key: string): RateLimitResult {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (!w && this.windows.size >= this.maxKeys) this.evict(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    const retryAfterSeconds = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    return {
      allowed: w.count <= this.limit,
      remaining: Math.max(0, this.limit - w.count),
      retryAfterSeconds,
    };
  }

  reset(key?: string): void {
    if (key === undefined) this.windows.clear();
    else this.windows.delete(key);
  }

  get size(): number {
    return this.windows.size;
  }

  private evict(now: number): void {
    for (const [k, w] of this.windows) {
      if (now - w.start >= this.windowMs) this.windows.delete(k);
    }
    // Still full: drop the oldest entries (Map keeps insertion order).
    while (this.windows.size >= this.maxKeys) {
      const oldest = this.windows.keys().next();
      if (oldest.done) break;
      this.windows.delete(oldest.value);
    }
  }
}
