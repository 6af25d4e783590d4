/**
 * The overview an admin opens first: alerts that need action, sign-ins over time (successes and failures by
 * reason; all connections or one; 24 h / 7 d / 30 d) as a chart with its table, and each connection's health.
 * Server rendered from three reads (statistics, connections, domains); the period and connection switches are
 * links and a GET form, so the page works without JavaScript and the chart ships none.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin, type Admin } from '@/lib/auth';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { OVERVIEW_TEXT } from '@/lib/console/messages';
import {
  chartReasons,
  collectAlerts,
  connectionHealth,
  OVERVIEW_PATH,
  readConnection,
  readPeriod,
  seriesOf,
} from '@/lib/console/overview';
import { grantexForAdmin } from '@/lib/grantex/server';
import { STATS_PERIODS, type SignInStats, type SsoConnection, type SsoDomain, type StatsPeriod } from '@/lib/contract';
import { Alert, Card, PageHeader } from '@/components/ui';
import { AlertList } from '@/components/sso/overview/alert-list';
import { HealthTable } from '@/components/sso/overview/health-table';
import { SignInChart } from '@/components/sso/overview/sign-in-chart';
import { SignInTable } from '@/components/sso/overview/sign-in-table';

export const metadata: Metadata = { title: 'Overview' };
export const dynamic = 'force-dynamic';

const PERIOD_LABELS: Record<StatsPeriod, string> = {
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

function overviewHref(period: StatsPeriod, connection: string | null): string {
  const q = new URLSearchParams({ period });
  if (connection) q.set('connection', connection);
  return `${OVERVIEW_PATH}?${q.toString()}`;
}

/** The three reads the page needs, in parallel; `nowMs` is when they were made (the alerts' clock). */
async function load(admin: Admin, period: StatsPeriod) {
  let stats: SignInStats | null = null;
  let statsSupported = true;
  let connections: SsoConnection[] = [];
  let domains: SsoDomain[] = [];
  let loadError: string | null = null;
  try {
    const client = grantexForAdmin(admin);
    const [s, c, d] = await Promise.all([
      client.sso.events.stats({ period }),
      client.sso.connections.list(),
      client.sso.domains.list(),
    ]);
    if (s.supported) stats = s;
    else statsSupported = false;
    connections = c;
    domains = d;
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  return { stats, statsSupported, connections, domains, loadError, nowMs: Date.now() };
}

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin(OVERVIEW_PATH);
  const params = await searchParams;
  const period = readPeriod(params);

  const { stats, statsSupported, connections, domains, loadError, nowMs } = await load(admin, period);

  const connection = readConnection(params, connections);
  const connectionName = connections.find((c) => c.id === connection)?.name ?? null;
  const alerts = loadError ? [] : collectAlerts({ nowMs, connections, domains, stats });
  const series = stats ? seriesOf(stats, connection) : [];
  const reasons = chartReasons(series);
  const scope = `${connectionName ?? 'All connections'}, ${PERIOD_LABELS[period].toLowerCase()}`;
  const totals = series.reduce((t, p) => ({ success: t.success + p.success, failure: t.failure + p.failure }), {
    success: 0,
    failure: 0,
  });

  return (
    <div className="space-y-8">
      <PageHeader
        title="Overview"
        description="How sign-in through your SSO connections is going, and what needs your attention."
      />
      {loadError ? (
        <Alert tone="error" title="The overview could not be loaded">
          {loadError}
        </Alert>
      ) : null}

      {loadError ? null : (
        <Card
          title="Needs your attention"
          description="Certificates running out, domains failing re-verification, spikes of failed sign-ins."
        >
          <AlertList alerts={alerts} />
        </Card>
      )}

      <Card
        title="Sign-ins over time"
        description="Successful and failed sign-in attempts, failures by reason. Times are UTC."
      >
        <div className="space-y-5">
          <nav aria-label="Period" className="flex flex-wrap gap-2 text-sm">
            {STATS_PERIODS.map((p) => (
              <Link
                key={p}
                href={overviewHref(p, connection)}
                aria-current={p === period ? 'page' : undefined}
                className={
                  p === period
                    ? 'rounded-md bg-indigo-600 px-3 py-1.5 font-medium text-white'
                    : 'rounded-md border border-gray-300 px-3 py-1.5 font-medium text-indigo-700 hover:bg-gray-50'
                }
              >
                {PERIOD_LABELS[p]}
              </Link>
            ))}
          </nav>
          {connections.length > 0 ? (
            <form
              method="get"
              action={OVERVIEW_PATH}
              className="flex flex-wrap items-end gap-3"
              aria-label="Choose a connection"
            >
              <input type="hidden" name="period" value={period} />
              <label className="text-sm text-gray-700">
                Connection
                <select
                  name="connection"
                  defaultValue={connection ?? ''}
                  className="mt-1 block rounded-md border border-gray-300 px-2 py-1.5 text-sm"
                >
                  <option value="">All connections</option>
                  {connections.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.name}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="submit"
                className="rounded-md border border-gray-300 px-3 py-1.5 text-sm font-medium text-gray-900 hover:bg-gray-50"
              >
                Show
              </button>
            </form>
          ) : null}
          {!statsSupported ? (
            <Alert tone="warning" title={OVERVIEW_TEXT.statsNotSupported.title}>
              {OVERVIEW_TEXT.statsNotSupported.next}
            </Alert>
          ) : null}
          {stats ? (
            <>
              <h3 id="sign-in-chart-title" className="text-sm font-medium text-gray-900">
                Sign-ins: {scope}
              </h3>
              <p id="sign-in-chart-description" className="text-sm text-gray-700">
                {totals.success} succeeded, {totals.failure} failed. The table below lists the same figures.
              </p>
              <SignInChart
                series={series}
                reasons={reasons}
                period={period}
                titleId="sign-in-chart-title"
                descriptionId="sign-in-chart-description"
              />
              <SignInTable series={series} period={period} caption={`Sign-in attempts: ${scope}`} />
            </>
          ) : null}
        </div>
      </Card>

      {loadError ? null : (
        <Card
          title="Connection health"
          description={`Last successful sign-in, failure rate (${PERIOD_LABELS[period].toLowerCase()}), certificate expiry and domain verification of each connection.`}
          actions={
            <Link
              href="/settings/sso/activity?outcome=failure"
              className="text-sm font-medium text-indigo-700 underline"
            >
              Failed sign-ins
            </Link>
          }
        >
          <HealthTable rows={connectionHealth(connections, domains, stats)} periodLabel={PERIOD_LABELS[period]} />
        </Card>
      )}
    </div>
  );
}
