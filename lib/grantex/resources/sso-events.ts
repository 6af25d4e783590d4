import type { ZodType } from 'zod';
import {
  auditEventListSchema,
  auditEventQuerySchema,
  signInEventListSchema,
  signInEventQuerySchema,
  type AuditEventList,
  type AuditEventQuery,
  type SignInEventList,
  type SignInEventQuery,
} from '@/lib/contract/events';
import { signInStatsSchema, statsQuerySchema, type SignInStats, type StatsQuery } from '@/lib/contract/stats';
import { GrantexError } from '../errors';
import { parseInput, type GrantexTransport } from '../transport';

/** A page of events, or `supported: false` when the Grantex API in use has no such endpoint (the hosted one). */
export type EventsPage<L> = ({ supported: true } & L) | { supported: false };

/**
 * The org's sign-in log. The hosted Grantex API may not serve this endpoint: a 404 (an unknown route; ours never
 * answers 404 here) is `{ supported: false }`, not an error.
 */
export class SsoEvents {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** One page of the org's sign-in events, newest first. */
  list(query: SignInEventQuery = {}): Promise<EventsPage<SignInEventList>> {
    return eventsPage(this.#http, 'v1/sso/events', signInEventQuerySchema, query, signInEventListSchema);
  }

  /**
   * The org's sign-ins counted by time bucket, connection, outcome and reason, with per-connection totals
   * (`GET /v1/sso/stats`); `{ supported: false }` where the API has none.
   */
  async stats(query: StatsQuery = {}): Promise<({ supported: true } & SignInStats) | { supported: false }> {
    const { period } = parseInput(statsQuerySchema, query);
    try {
      const res = await this.#http.send({
        method: 'GET',
        path: 'v1/sso/stats',
        query: { period },
        authenticated: true,
        retryable: true,
      });
      return { supported: true, ...this.#http.parse(res, signInStatsSchema) };
    } catch (error) {
      if (error instanceof GrantexError && error.kind === 'not_found') return { supported: false };
      throw error;
    }
  }
}

/** The org's audit trail (who changed which SSO setting); `{ supported: false }` where the API has none. */
export class SsoAudit {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** One page of the org's audit trail, newest first. */
  list(query: AuditEventQuery = {}): Promise<EventsPage<AuditEventList>> {
    return eventsPage(this.#http, 'v1/sso/audit', auditEventQuerySchema, query, auditEventListSchema);
  }
}

async function eventsPage<Q, L>(
  http: GrantexTransport,
  path: string,
  querySchema: ZodType<Q>,
  query: unknown,
  listSchema: ZodType<L>,
): Promise<EventsPage<L>> {
  const parsed = parseInput(querySchema, query) as Record<string, string | number | undefined>;
  const params = Object.fromEntries(
    Object.entries(parsed).map(([k, v]) => [k, v === undefined ? undefined : String(v)]),
  );
  try {
    const res = await http.send({ method: 'GET', path, query: params, authenticated: true, retryable: true });
    return { supported: true, ...http.parse(res, listSchema) };
  } catch (error) {
    if (error instanceof GrantexError && error.kind === 'not_found') return { supported: false };
    throw error;
  }
}
