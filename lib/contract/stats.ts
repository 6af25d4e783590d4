/**
 * Wire schemas of the sign-in statistics (ours; the hosted Grantex API may not serve them):
 * `GET /v1/sso/stats?period=24h|7d|30d`, counted in SQL over the org's sign-in log. Documented in
 * docs/WIRE-CONTRACT.md.
 */
import { z } from 'zod';

export const STATS_PERIODS = ['24h', '7d', '30d'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

/** How each period is cut: 24 hours by the hour, 7 and 30 days by the UTC day. */
export const STATS_BUCKETS: Record<StatsPeriod, { size: 'hour' | 'day'; count: number }> = {
  '24h': { size: 'hour', count: 24 },
  '7d': { size: 'day', count: 7 },
  '30d': { size: 'day', count: 30 },
};

/** The key a failure without a reason code is counted under in `failuresByReason`. */
export const UNKNOWN_REASON = 'unknown';

const timestamp = z.iso.datetime({ precision: 3 });

/** The query of GET /v1/sso/stats. */
export const statsQuerySchema = z.object({ period: z.enum(STATS_PERIODS).default('24h') });
export type StatsQuery = z.input<typeof statsQuerySchema>;

const counts = {
  success: z.number().int().nonnegative(),
  failure: z.number().int().nonnegative(),
};

/**
 * One connection's attempts in one bucket (only buckets with attempts are sent). `connectionId` is null for
 * attempts that never reached a connection (e.g. an unreadable state). `failuresByReason` keys are
 * SIGN_IN_REASONS codes (a newer service may send one this client does not know) or `unknown`.
 */
export const statsBucketSchema = z.object({
  start: timestamp,
  connectionId: z.string().nullable(),
  ...counts,
  failuresByReason: z.record(z.string(), z.number().int().nonnegative()),
});
export type StatsBucket = z.infer<typeof statsBucketSchema>;

/** One connection's totals: in the period, in the last hour, and its newest success and failure (any age). */
export const connectionStatsSchema = z.object({
  connectionId: z.string().nullable(),
  ...counts,
  lastHour: z.object(counts),
  lastSuccessAt: timestamp.nullable(),
  lastFailureAt: timestamp.nullable(),
});
export type ConnectionStats = z.infer<typeof connectionStatsSchema>;

export const signInStatsSchema = z.object({
  period: z.enum(STATS_PERIODS),
  bucketSize: z.enum(['hour', 'day']),
  /** The first bucket's start (inclusive) and the time the answer was counted. */
  from: timestamp,
  to: timestamp,
  buckets: z.array(statsBucketSchema),
  connections: z.array(connectionStatsSchema),
});
export type SignInStats = z.infer<typeof signInStatsSchema>;
