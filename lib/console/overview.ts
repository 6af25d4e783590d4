/**
 * The overview page's figures, from the service's sign-in statistics, the connections and the domains: the
 * chart's series (every bucket of the period, zeros included), each connection's health, and the alerts that
 * need an admin's action. Pure functions, so the alert rules are unit-tested without a server.
 */
import {
  STATS_BUCKETS,
  STATS_PERIODS,
  type ConnectionStats,
  type SignInStats,
  type SsoConnection,
  type SsoDomain,
  type StatsPeriod,
} from '@/lib/contract';
import { OVERVIEW_TEXT } from './messages';
import { connectionPath, SSO_SETTINGS_PATH } from './settings/paths';

type Params = Record<string, string | string[] | undefined>;

export const OVERVIEW_PATH = '/settings/sso/overview';

/** `?period=` (24h, 7d, 30d); anything else is the default, 24 h. */
export function readPeriod(params: Params): StatsPeriod {
  const v = params.period;
  return typeof v === 'string' && (STATS_PERIODS as readonly string[]).includes(v) ? (v as StatsPeriod) : '24h';
}

/** `?connection=`: one of the org's connections, else all of them (null). */
export function readConnection(params: Params, connections: readonly { id: string }[]): string | null {
  const v = params.connection;
  return typeof v === 'string' && connections.some((c) => c.id === v) ? v : null;
}

/** How many reasons the chart draws apart; the rest are stacked as "other reasons". */
export const CHART_REASONS_MAX = 5;
export const OTHER_REASONS = 'other';

export interface SeriesPoint {
  start: string;
  success: number;
  failure: number;
  /** Every reason counted in this bucket (the table shows them all). */
  failuresByReason: Record<string, number>;
}

/** Every bucket of the period, oldest first, summed over `connectionId` (null: all connections). */
export function seriesOf(stats: SignInStats, connectionId: string | null): SeriesPoint[] {
  const { size, count } = STATS_BUCKETS[stats.period];
  const unit = size === 'hour' ? 3_600_000 : 86_400_000;
  const first = Date.parse(stats.from);
  const points = Array.from({ length: count }, (_, i) => ({
    start: new Date(first + i * unit).toISOString(),
    success: 0,
    failure: 0,
    failuresByReason: {} as Record<string, number>,
  }));
  for (const b of stats.buckets) {
    if (connectionId !== null && b.connectionId !== connectionId) continue;
    const point = points[Math.floor((Date.parse(b.start) - first) / unit)];
    if (!point) continue;
    point.success += b.success;
    point.failure += b.failure;
    for (const [reason, n] of Object.entries(b.failuresByReason))
      point.failuresByReason[reason] = (point.failuresByReason[reason] ?? 0) + n;
  }
  return points;
}

/** The reasons the chart draws apart: the most frequent in the series (then `other` for the rest). */
export function chartReasons(series: readonly SeriesPoint[]): string[] {
  const totals = new Map<string, number>();
  for (const p of series)
    for (const [reason, n] of Object.entries(p.failuresByReason)) totals.set(reason, (totals.get(reason) ?? 0) + n);
  const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r]) => r);
  return sorted.length <= CHART_REASONS_MAX ? sorted : [...sorted.slice(0, CHART_REASONS_MAX - 1), OTHER_REASONS];
}

/** A point's failures by the chart's reasons (`other` gathers the rest). */
export function chartFailures(point: SeriesPoint, reasons: readonly string[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(reasons.map((r) => [r, 0]));
  for (const [reason, n] of Object.entries(point.failuresByReason)) {
    const key = reasons.includes(reason) ? reason : OTHER_REASONS;
    out[key] = (out[key] ?? 0) + n;
  }
  return out;
}

/** Failures / attempts, or null without attempts. */
export function failureRate(c: { success: number; failure: number }): number | null {
  const attempts = c.success + c.failure;
  return attempts === 0 ? null : c.failure / attempts;
}

export interface DomainHealth {
  domain: string;
  state: 'verified' | 'failing' | 'unverified' | 'unknown';
}

export interface ConnectionHealth {
  connection: SsoConnection;
  stats: ConnectionStats | null;
  /** SAML: the certificate that expires last (the one the connection can rely on longest); null for OIDC. */
  certificate: { notAfter: string; status: 'ok' | 'expiring' | 'expired' } | null;
  domains: DomainHealth[];
}

function newestCertificate(connection: SsoConnection): ConnectionHealth['certificate'] {
  if (connection.protocol !== 'saml' || connection.idpCertificates.length === 0) return null;
  const newest = [...connection.idpCertificates].sort((a, b) => b.notAfter.localeCompare(a.notAfter))[0];
  return newest ? { notAfter: newest.notAfter, status: newest.status } : null;
}

function domainState(domain: string, domains: readonly SsoDomain[]): DomainHealth['state'] {
  const d = domains.find((x) => x.domain === domain.toLowerCase());
  if (!d) return 'unknown';
  if (!d.verified) return 'unverified';
  return d.failingSince ? 'failing' : 'verified';
}

export function connectionHealth(
  connections: readonly SsoConnection[],
  domains: readonly SsoDomain[],
  stats: SignInStats | null,
): ConnectionHealth[] {
  return connections.map((connection) => ({
    connection,
    stats: stats?.connections.find((c) => c.connectionId === connection.id) ?? null,
    certificate: newestCertificate(connection),
    domains: connection.domains.map((domain) => ({ domain, state: domainState(domain, domains) })),
  }));
}

// ─── Alerts ──────────────────────────────────────────────────────────────────────────────────

/** A certificate this close to its end (or past it) needs a new one from the IdP. */
export const CERTIFICATE_WARNING_DAYS = 30;
/** A spike: more than this share of the last hour's attempts failed … */
export const SPIKE_FAILURE_RATE = 0.5;
/** … out of at least this many attempts (a few failures of a quiet connection are no spike). */
export const SPIKE_MIN_ATTEMPTS = 10;

export type AlertKind = 'certificate_expired' | 'certificate_expiring' | 'domain_failing' | 'failure_spike';

export interface OverviewAlert {
  kind: AlertKind | (string & {});
  severity: 'error' | 'warning';
  title: string;
  detail: string;
  /** Where the admin acts on it. */
  href: string;
}

/** What the built-in alert rules read. */
export interface AlertInput {
  nowMs: number;
  connections: readonly SsoConnection[];
  domains: readonly SsoDomain[];
  stats: SignInStats | null;
}

/**
 * One alert rule. The page runs `ALERT_RULES` and then any rule a feature supplies with its own data (for
 * instance webhook endpoints that keep failing), so a new kind of alert needs no change here.
 */
export type AlertRule = (input: AlertInput) => OverviewAlert[];

const DAY_MS = 86_400_000;

/** A SAML connection whose every IdP certificate ends within 30 days (or has ended): nothing to roll over to. */
export const certificateAlerts: AlertRule = ({ nowMs, connections }) =>
  connections.flatMap((connection) => {
    const cert = newestCertificate(connection);
    if (!cert) return [];
    const left = Date.parse(cert.notAfter) - nowMs;
    if (left > CERTIFICATE_WARNING_DAYS * DAY_MS) return [];
    const expired = left <= 0;
    const text = expired
      ? OVERVIEW_TEXT.certificateExpired(connection.name, cert.notAfter)
      : OVERVIEW_TEXT.certificateExpiring(connection.name, cert.notAfter, Math.ceil(left / DAY_MS));
    return [
      {
        kind: expired ? 'certificate_expired' : 'certificate_expiring',
        severity: expired ? 'error' : 'warning',
        ...text,
        href: connectionPath(connection.id),
      },
    ];
  });

/** A verified domain whose daily re-check no longer finds its TXT record (released unless restored). */
export const domainAlerts: AlertRule = ({ domains, connections }) =>
  domains
    .filter((d) => d.verified && d.failingSince)
    .map((d) => {
      const owner = connections.find((c) => c.domains.some((x) => x.toLowerCase() === d.domain));
      return {
        kind: 'domain_failing',
        severity: 'warning',
        ...OVERVIEW_TEXT.domainFailing(d.domain, d.releasesAt ?? null),
        href: owner ? connectionPath(owner.id) : SSO_SETTINGS_PATH,
      };
    });

/** A connection where more than half of at least 10 attempts in the last hour failed. */
export const spikeAlerts: AlertRule = ({ connections, stats }) =>
  (stats?.connections ?? []).flatMap((c) => {
    const attempts = c.lastHour.success + c.lastHour.failure;
    if (attempts < SPIKE_MIN_ATTEMPTS || c.lastHour.failure / attempts <= SPIKE_FAILURE_RATE) return [];
    const name = connections.find((x) => x.id === c.connectionId)?.name ?? null;
    const query = new URLSearchParams({ outcome: 'failure' });
    if (c.connectionId) query.set('connectionId', c.connectionId);
    return [
      {
        kind: 'failure_spike',
        severity: 'error',
        ...OVERVIEW_TEXT.failureSpike(name, c.lastHour.failure, attempts),
        href: `/settings/sso/activity?${query.toString()}`,
      },
    ];
  });

export const ALERT_RULES: readonly AlertRule[] = [certificateAlerts, domainAlerts, spikeAlerts];

/** Every alert of `rules`, errors first. */
export function collectAlerts(input: AlertInput, rules: readonly AlertRule[] = ALERT_RULES): OverviewAlert[] {
  const alerts = rules.flatMap((rule) => rule(input));
  return [...alerts.filter((a) => a.severity === 'error'), ...alerts.filter((a) => a.severity === 'warning')];
}
