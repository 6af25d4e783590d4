/**
 * `GET /v1/sso/stats` (Bearer key, the key's org only): the sign-in log counted in SQL by time bucket,
 * connection, outcome and reason, folded here into the wire's buckets and per-connection totals.
 */
import {
  STATS_BUCKETS,
  UNKNOWN_REASON,
  statsQuerySchema,
  type ConnectionStats,
  type SignInStats,
  type StatsBucket,
  type StatsPeriod,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { developerOf, requireDeveloper } from '../../http/auth';
import type { ServiceApp } from '../../http/validation';
import type { EventStore } from '../../storage/events-types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The start of the period's first bucket: whole hours (24 h) or whole UTC days (7 d, 30 d), the current one last. */
export function periodStart(period: StatsPeriod, nowMs: number): Date {
  const { size, count } = STATS_BUCKETS[period];
  const unit = size === 'hour' ? HOUR_MS : DAY_MS;
  return new Date(Math.floor(nowMs / unit) * unit - (count - 1) * unit);
}

/** A bucket key (`2026-01-02T03` or `2026-01-02`) as an ISO instant. */
const bucketStart = (key: string) => (key.length === 13 ? `${key}:00:00.000Z` : `${key}T00:00:00.000Z`);

export async function signInStats(
  events: EventStore,
  developerId: string,
  period: StatsPeriod,
  nowMs: number,
): Promise<SignInStats> {
  const bucketSize = STATS_BUCKETS[period].size;
  const from = periodStart(period, nowMs).toISOString();
  const lastHourFrom = new Date(nowMs - HOUR_MS).toISOString();
  const [counts, recent, last] = await Promise.all([
    events.countSignIns({ developerId, from, bucket: bucketSize }),
    // The last 60 minutes span at most two hour buckets; counted apart so the alert rules see a sliding hour.
    events.countSignIns({ developerId, from: lastHourFrom, bucket: 'day' }),
    events.lastSignIns(developerId),
  ]);

  const buckets = new Map<string, StatsBucket>();
  const connections = new Map<string | null, ConnectionStats>();
  const connection = (id: string | null) => {
    let c = connections.get(id);
    if (!c) {
      c = {
        connectionId: id,
        success: 0,
        failure: 0,
        lastHour: { success: 0, failure: 0 },
        lastSuccessAt: null,
        lastFailureAt: null,
      };
      connections.set(id, c);
    }
    return c;
  };
  for (const row of counts) {
    const key = `${row.bucket}\u0000${row.connectionId ?? ''}`;
    let b = buckets.get(key);
    if (!b) {
      b = {
        start: bucketStart(row.bucket),
        connectionId: row.connectionId,
        success: 0,
        failure: 0,
        failuresByReason: {},
      };
      buckets.set(key, b);
    }
    b[row.outcome] += row.count;
    connection(row.connectionId)[row.outcome] += row.count;
    if (row.outcome === 'failure') {
      const reason = row.reason ?? UNKNOWN_REASON;
      b.failuresByReason[reason] = (b.failuresByReason[reason] ?? 0) + row.count;
    }
  }
  for (const row of recent) connection(row.connectionId).lastHour[row.outcome] += row.count;
  for (const row of last) {
    const c = connection(row.connectionId);
    if (row.outcome === 'success') c.lastSuccessAt = row.createdAt;
    else c.lastFailureAt = row.createdAt;
  }

  return {
    period,
    bucketSize,
    from,
    to: new Date(nowMs).toISOString(),
    buckets: [...buckets.values()].sort(
      (a, b) => a.start.localeCompare(b.start) || (a.connectionId ?? '').localeCompare(b.connectionId ?? ''),
    ),
    connections: [...connections.values()].sort((a, b) => (a.connectionId ?? '').localeCompare(b.connectionId ?? '')),
  };
}

export function registerStatsRoutes(app: ServiceApp, ctx: ServiceContext) {
  app.get(
    '/v1/sso/stats',
    { preValidation: requireDeveloper(ctx), schema: { querystring: statsQuerySchema } },
    async (request) => signInStats(ctx.store.events, developerOf(request).id, request.query.period, ctx.now()),
  );
}
