/**
 * Rate-limit windows shared by every process on one database (PostgreSQL only: one process owns a SQLite file,
 * so the rate-limit plugin's in-memory counters are exact and cost no write).
 *
 * A fixed window per key, anchored at the key's first hit (the same semantics as the in-memory limiter), counted
 * by one upsert. Tolerance: exact across processes within a window (the upsert is atomic); at a window's end a
 * client may get up to 2 × the limit within a short span (as with any fixed window); windows are timed by each
 * process's clock, so clock skew between hosts shifts a window's end by that skew.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import type { SharedRateLimiter } from '../../storage/types';

export interface RateLimitsStore {
  /**
   * Rate-limit counters every process shares, or null when per-process counters are enough (SQLite: one
   * process owns the file).
   */
  readonly sharedRateLimits: SharedRateLimiter | null;
}

const hitRow = z.object({ count: z.number().int(), reset_at: z.coerce.number() });

export function createRateLimitsStore({ db, dialect }: StoreDatabase): RateLimitsStore {
  if (!dialect.sharedRateLimits) return { sharedRateLimits: null };
  return {
    sharedRateLimits: {
      async hit(key, windowMs, nowMs) {
        const resetAt = sql<number>`${nowMs}::bigint + ${windowMs}::bigint`;
        const row = await db
          .insertInto('rate_limits')
          .values({ key, count: 1, reset_at: resetAt })
          .onConflict((oc) =>
            oc.column('key').doUpdateSet({
              count: sql<number>`case when rate_limits.reset_at > ${nowMs}::bigint then rate_limits.count + 1 else 1 end`,
              reset_at: sql<number>`case when rate_limits.reset_at > ${nowMs}::bigint then rate_limits.reset_at else ${resetAt} end`,
            }),
          )
          .returning(['count', 'reset_at'])
          .executeTakeFirstOrThrow();
        const r = hitRow.parse(row);
        return { count: r.count, resetAtMs: r.reset_at };
      },
    },
  };
}

/** Finished windows (PostgreSQL only). */
export async function purgeFinishedRateLimits({ db, dialect }: StoreDatabase, nowMs: number): Promise<void> {
  if (dialect.sharedRateLimits) await db.deleteFrom('rate_limits').where('reset_at', '<=', nowMs).execute();
}
