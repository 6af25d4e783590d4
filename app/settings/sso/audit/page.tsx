/**
 * The audit trail: every change to the organization's SSO set-up (connections, the legacy config, domains, setup
 * links, sessions revoked, connection tests), who made it (API key, setup link) and which fields changed — names
 * only, never values. Filter by action, page back in time. Server rendered: the API key never reaches the browser.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/auth';
import { AUDIT_ACTIONS, type AuditAction, type AuditEventList } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import type { EventsPage } from '@/lib/grantex/client';
import { Card, PageHeader } from '@/components/ui';
import { EventLogAlerts } from '@/components/sso/event-log-alerts';
import { AuditList } from '@/components/sso/audit-list';

export const metadata: Metadata = { title: 'Audit trail' };
export const dynamic = 'force-dynamic';

const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;
const PAGE_SIZE = 50;

const isAction = (value: unknown): value is AuditAction =>
  typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);

/** This page's address for an action filter and an optional cursor. */
function auditHref(action: AuditAction | undefined, cursor?: string): string {
  const query = new URLSearchParams();
  if (action) query.set('action', action);
  if (cursor) query.set('cursor', cursor);
  const search = query.toString();
  return `/settings/sso/audit${search ? `?${search}` : ''}`;
}

export default async function AuditTrailPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin('/settings/sso/audit');
  const params = await searchParams;
  const action = isAction(params.action) ? params.action : undefined;
  const cursor = typeof params.cursor === 'string' && CURSOR.test(params.cursor) ? params.cursor : undefined;

  let page: EventsPage<AuditEventList> | null = null;
  let loadError: string | null = null;
  try {
    page = await grantexForAdmin(admin).sso.audit.list({
      limit: PAGE_SIZE,
      ...(action ? { action } : {}),
      ...(cursor ? { cursor } : {}),
    });
  } catch (err) {
    loadError = describeGrantexError(err);
  }

  return (
    <div className="space-y-8">
      <PageHeader
        title="Audit trail"
        description="Who changed your SSO set-up, what and when: field names only, never the values (a new client secret shows as “clientSecret”)."
      />
      <EventLogAlerts
        loadError={loadError}
        loadErrorTitle="The audit trail could not be loaded"
        unsupported={page !== null && !page.supported}
      />
      {page?.supported ? (
        <Card title="Changes" description="Newest first.">
          <div className="space-y-6">
            <form method="get" action="/settings/sso/audit" className="flex flex-wrap items-end gap-3 text-sm">
              <label className="flex flex-col gap-1">
                <span className="font-medium text-gray-700">Action</span>
                <select
                  name="action"
                  defaultValue={action ?? ''}
                  className="rounded-md border border-gray-300 px-2 py-1.5"
                >
                  <option value="">All actions</option>
                  {AUDIT_ACTIONS.map((a) => (
                    <option key={a} value={a}>
                      {a}
                    </option>
                  ))}
                </select>
              </label>
              <button
                type="submit"
                className="rounded-md border border-gray-300 bg-white px-3 py-1.5 font-medium text-gray-900 hover:bg-gray-50"
              >
                Filter
              </button>
            </form>
            <AuditList events={page.events} />
            <nav className="flex gap-4 text-sm" aria-label="Pages">
              {cursor ? (
                <Link href={auditHref(action)} className="text-indigo-700 underline">
                  Newest
                </Link>
              ) : null}
              {page.nextCursor ? (
                <Link href={auditHref(action, page.nextCursor)} className="text-indigo-700 underline">
                  Older
                </Link>
              ) : null}
            </nav>
          </div>
        </Card>
      ) : null}
    </div>
  );
}
