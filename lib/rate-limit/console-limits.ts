import 'server-only';
import { env } from '@/lib/env';
import { clientIp, parseTrustedProxies, type HeaderSource, type TrustedProxies } from './client-ip';
import { FixedWindowLimiter } from './fixed-window';

/**
 * The console's own rate limits, every one per member (or admin) address only: a bucket anyone can fill
 * (process-wide, or per org) would let an outsider lock real users out, which is worse than what it stops.
 *
 * - `signin`: the admin's API-key sign-in and the demo-organization button (RATE_LIMIT_SIGNIN_PER_MIN).
 * - `ssoStart`: every POST /sso/start, member login or test sign-in (RATE_LIMIT_SSO_START_PER_MIN).
 * - `loginEmail`: sign-ins by work email, the email form (RATE_LIMIT_LOGIN_EMAIL_PER_MIN), on top of `ssoStart`.
 *
 * In process memory: one console process serves these forms; several replicas each allow the limit.
 */
export type ConsoleBucket = 'signin' | 'ssoStart' | 'loginEmail';

const WINDOW_MS = 60_000;

interface Limiters {
  trusted: TrustedProxies;
  buckets: Record<ConsoleBucket, FixedWindowLimiter>;
}

// Kept on globalThis so `next dev` module reloads do not reset the counters.
const store = globalThis as typeof globalThis & { __consoleLimiters?: Limiters };

function limiters(): Limiters {
  if (!store.__consoleLimiters) {
    const e = env();
    const perMinute = (limit: number) => new FixedWindowLimiter({ limit, windowMs: WINDOW_MS });
    store.__consoleLimiters = {
      trusted: parseTrustedProxies(e.TRUSTED_PROXIES),
      buckets: {
        signin: perMinute(e.RATE_LIMIT_SIGNIN_PER_MIN),
        ssoStart: perMinute(e.RATE_LIMIT_SSO_START_PER_MIN),
        loginEmail: perMinute(e.RATE_LIMIT_LOGIN_EMAIL_PER_MIN),
      },
    };
  }
  return store.__consoleLimiters;
}

/** The address of the browser behind a request (X-Forwarded-For read with TRUSTED_PROXIES, see client-ip.ts). */
export function requesterAddress(headers: HeaderSource): string {
  return clientIp(headers, limiters().trusted);
}

/** Counts one attempt in `bucket` for the requester's address; the seconds to wait when over the limit, else null. */
export function checkConsoleRate(bucket: ConsoleBucket, headers: HeaderSource): number | null {
  if (!env().RATE_LIMIT) return null;
  const l = limiters();
  const result = l.buckets[bucket].hit(clientIp(headers, l.trusted));
  return result.allowed ? null : result.retryAfterSeconds;
}
