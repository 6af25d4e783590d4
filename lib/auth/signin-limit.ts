import 'server-only';
import { env } from '@/lib/env';
import { clientIp, FixedWindowLimiter, parseTrustedProxies, type HeaderSource, type TrustedProxies } from '@/lib/rate-limit';

const WINDOW_MS = 60_000;
/**
 * Behind no trusted proxy the peer address is only as good as X-Forwarded-For (see client-ip.ts),
 * so a second, process-wide bucket caps what rotating spoofed addresses can buy.
 */
const GLOBAL_MULTIPLIER = 20;

interface Limiters {
  perIp: FixedWindowLimiter;
  global: FixedWindowLimiter;
  trusted: TrustedProxies;
}

// Kept on globalThis so `next dev` module reloads do not reset the counters.
const store = globalThis as typeof globalThis & { __consoleSigninLimiters?: Limiters };

function limiters(): Limiters {
  if (!store.__consoleSigninLimiters) {
    const { RATE_LIMIT_SIGNIN_PER_MIN: limit, TRUSTED_PROXIES } = env();
    store.__consoleSigninLimiters = {
      perIp: new FixedWindowLimiter({ limit, windowMs: WINDOW_MS }),
      global: new FixedWindowLimiter({ limit: limit * GLOBAL_MULTIPLIER, windowMs: WINDOW_MS, maxKeys: 1 }),
      trusted: parseTrustedProxies(TRUSTED_PROXIES),
    };
  }
  return store.__consoleSigninLimiters;
}

/** Counts one sign-in attempt; returns the seconds to wait when over the limit, else null. */
export function checkSigninRate(headers: HeaderSource): number | null {
  if (!env().RATE_LIMIT) return null;
  const l = limiters();
  const perIp = l.perIp.hit(clientIp(headers, l.trusted));
  const global = l.global.hit('*');
  if (!perIp.allowed) return perIp.retryAfterSeconds;
  if (!global.allowed) return global.retryAfterSeconds;
  return null;
}

export function signinRateMessage(seconds: number): string {
  return `Too many sign-in attempts; try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}
