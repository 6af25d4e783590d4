import type { FastifyRequest } from 'fastify';
import { ID_MAX } from '@/lib/contract/limits';
import type { StateSealer } from '../crypto/login-state';
import { clientAddress } from './client-address';

/** Per-route @fastify/rate-limit options; `false` leaves the route unlimited (RATE_LIMIT=off). */
export type RouteRateLimit =
  { max: number; timeWindow: number; keyGenerator?: (request: FastifyRequest) => string } | false;

export function perMinute(
  enabled: boolean,
  max: number,
  keyGenerator?: (request: FastifyRequest) => string,
): RouteRateLimit {
  if (!enabled) return false;
  return keyGenerator ? { max, timeWindow: 60_000, keyGenerator } : { max, timeWindow: 60_000 };
}

/** Buckets keyed on the client's own address alone (signup, SP metadata). */
export function addressRateKey(request: FastifyRequest): string {
  return clientAddress(request);
}

/**
 * Login buckets are per client address *and* org. The address is the member's (named by the console over its
 * authenticated channel, see http/client-address.ts), so a flood naming an org fills only the flooder's own
 * bucket: members of that org at other addresses keep signing in. The org part keeps one address (a shared
 * NAT, or a console whose secret is not configured) from being one bucket for every org.
 */
export function loginRateKey(request: FastifyRequest): string {
  // Runs in onRequest, before the route's schema has checked the query: read it defensively.
  const { org, domain } = request.query as { org?: unknown; domain?: unknown };
  const address = clientAddress(request);
  // Sign-in by email names no org: its bucket is per domain instead (one domain's flood stays its own).
  if ((typeof org !== 'string' || org === '') && typeof domain === 'string')
    return `${address}\ndomain:${domain.slice(0, 253)}`;
  return `${address}\n${typeof org === 'string' ? org.slice(0, ID_MAX) : ''}`;
}

/**
 * Callback buckets are per client IP and the org named inside a valid state (see loginRateKey for why); every
 * unreadable state from one IP shares a single bucket.
 */
export function callbackRateKey(states: Pick<StateSealer, 'open'>) {
  // Runs in onRequest, before the route's schema has checked the query: read it defensively.
  return (request: FastifyRequest): string =>
    stateRateKey(states, request, (request.query as { state?: unknown }).state);
}

/**
 * The same buckets for `POST /sso/callback/oidc` and the SAML ACS, whose state is in the body (so keyed in
 * preValidation, before the body schema). A SAML post without a state of ours is IdP-initiated: its bucket is per address *and* the
 * connection its ACS URL names (`?connection=`), so a flood at one connection leaves every other one alone.
 */
export function callbackBodyRateKey(
  states: Pick<StateSealer, 'open'>,
  field: 'state' | 'RelayState' = 'state',
  /** The sealed state a SAML RelayState handle stands for (read once per request, shared with the handler). */
  sealedStateOf?: (request: FastifyRequest, relayState: string) => Promise<string>,
) {
  return async (request: FastifyRequest): Promise<string> => {
    const body = request.body;
    const given = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
    const token = typeof given === 'string' && sealedStateOf ? await sealedStateOf(request, given) : given;
    const state = typeof token === 'string' ? states.open(token) : null;
    if (!state && field === 'RelayState') {
      const { connection } = request.query as { connection?: unknown };
      if (typeof connection === 'string' && connection !== '')
        return `${clientAddress(request)}\nidp:${connection.slice(0, ID_MAX)}`;
    }
    return `${clientAddress(request)}\n${state?.dev ?? ''}`;
  };
}

function stateRateKey(states: Pick<StateSealer, 'open'>, request: FastifyRequest, token: unknown): string {
  const state = typeof token === 'string' ? states.open(token) : null;
  return `${clientAddress(request)}\n${state?.dev ?? ''}`;
}
