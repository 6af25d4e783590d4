import type { FastifyRequest } from 'fastify';
import type { StateSealer } from '../crypto/login-state';

/** Per-route @fastify/rate-limit options; `false` leaves the route unlimited (RATE_LIMIT=off). */
export type RouteRateLimit =
  | { max: number; timeWindow: number; keyGenerator?: (request: FastifyRequest) => string }
  | false;

export function perMinute(
  enabled: boolean,
  max: number,
  keyGenerator?: (request: FastifyRequest) => string,
): RouteRateLimit {
  if (!enabled) return false;
  return keyGenerator ? { max, timeWindow: 60_000, keyGenerator } : { max, timeWindow: 60_000 };
}

/**
 * Login buckets are per client IP *and* org. Behind the console every login arrives from the console's
 * address, so a per-IP bucket alone would let one org's flood lock every other org out.
 */
export function loginRateKey(request: FastifyRequest): string {
  // Runs in onRequest, before the route's schema has checked the query: read it defensively.
  const { org, domain } = request.query as { org?: unknown; domain?: unknown };
  // Sign-in by email names no org: its bucket is per domain instead (one domain's flood stays its own).
  if ((typeof org !== 'string' || org === '') && typeof domain === 'string') return `${request.ip}\ndomain:${domain.slice(0, 253)}`;
  return `${request.ip}\n${typeof org === 'string' ? org.slice(0, 128) : ''}`;
}

/**
 * Callback buckets are per client IP and the org named inside a valid state (see loginRateKey for why); every
 * unreadable state from one IP shares a single bucket.
 */
export function callbackRateKey(states: Pick<StateSealer, 'open'>) {
  // Runs in onRequest, before the route's schema has checked the query: read it defensively.
  return (request: FastifyRequest): string => stateRateKey(states, request, (request.query as { state?: unknown }).state);
}

/** The same buckets for `POST /sso/callback/oidc`, whose state is in the body (so keyed in preHandler). */
export function callbackBodyRateKey(states: Pick<StateSealer, 'open'>, field: 'state' | 'RelayState' = 'state') {
  return (request: FastifyRequest): string => {
    const body = request.body;
    const token = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
    return stateRateKey(states, request, token);
  };
}

function stateRateKey(states: Pick<StateSealer, 'open'>, request: FastifyRequest, token: unknown): string {
  const state = typeof token === 'string' ? states.open(token) : null;
  return `${request.ip}\n${state?.dev ?? ''}`;
}
