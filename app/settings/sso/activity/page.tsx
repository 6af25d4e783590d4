/**
 * Sign-in activity: every sign-in attempt of the organization (from the service's sign-in log), filterable by
 * outcome, connection (by name), reason (in words), email and day, each opening its reason in plain words, its
 * steps as a timeline and the redacted trace; CSV export of the filtered list. Server
 * rendered: the API key never reaches the browser.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/auth';
import { activityQuery, activitySearch, readActivityFilters } from '@/lib/console/activity';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import type { EventsPage } from '@/lib/grantex/client';
import type { AuditEventList, SignInEventList, SsoConnection } from '@/lib/contract';
import { Card, PageHeader } from '@/components/ui';
import { EventLogAlerts } from '@/components/sso/event-log-alerts';
import { ActivityFiltersForm } from '@/components/sso/activity-filters';
import { ActivityTable } from '@/components/sso/activity-table';
import { AuditList } from '@/components/sso/audit-list';

export const metadata: Metadata = { title: 'Sign-in activity' };
export const dynamic = 'force-dynamic';

const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;

export default async function SignInActivityPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin('/settings/sso/activity');
  const params = await searchParams;
  const filters = readActivityFilters(params);
  const cursor = typeof params.cursor === 'string' && CURSOR.test(params.cursor) ? params.cursor : undefined;

  let page: EventsPage<SignInEventList> | null = null;
  let audit: EventsPage<AuditEventList> | null = null;
  let connections: SsoConnection[] = [];
  let loadError: string | null = null;
  try {
    const client = grantexForAdmin(admin);
    [page, audit, connections] = await Promise.all([
      client.sso.events.list(activityQuery(filters, cursor ? { cursor } : {})),
      client.sso.audit.list({ limit: 20 }),
      client.sso.connections.list(),
    ]);
  } catch (err) {
    loadError = describeGrantexError(err);
  }

  const connectionNames = connections.map((c) => ({ id: c.id, name: c.name }));

  return (
    <div className="space-y-8">
      <PageHeader
        title="Sign-in activity"
        description="Every sign-in attempt through your SSO connections: when, who, whether it worked, and if not, where and why."
      />
      <EventLogAlerts
        loadError={loadError}
        loadErrorTitle="The sign-in activity could not be loaded"
        unsupported={page !== null && !page.supported}
      />
      {page?.supported ? (
        <Card
          title="Attempts"
          description="Newest first. Open a row for the reason in plain words, what to do next, and the trace."
          actions={
            <a
              href={`/settings/sso/activity/export${activitySearch(filters)}`}
              className="text-sm font-medium text-indigo-700 underline"
            >
              Export CSV
            </a>
          }
        >
          <div className="space-y-6">
            <ActivityFiltersForm filters={filters} connections={connectionNames} />
            <ActivityTable events={page.events} connections={connectionNames} />
            <nav className="flex gap-4 text-sm" aria-label="Pages">
              {cursor ? (
                <Link href={`/settings/sso/activity${activitySearch(filters)}`} className="text-indigo-700 underline">
                  Newest
                </Link>
              ) : null}
              {page.nextCursor ? (
                <Link
                  href={`/settings/sso/activity${activitySearch(filters, page.nextCursor)}`}
                  className="text-indigo-700 underline"
                >
                  Older
                </Link>
              ) : null}
            </nav>
          </div>
        </Card>
      ) : null}
      {audit?.supported ? (
        <Card
          title="Changes"
          description="The audit trail: configuration and connection changes, newest first (field names only, never values)."
          actions={
            <Link href="/settings/sso/audit" className="text-sm font-medium text-indigo-700 underline">
              Full audit trail
            </Link>
          }
        >
          <AuditList events={audit.events} />
        </Card>
      ) : null}
    </div>
  );
}
