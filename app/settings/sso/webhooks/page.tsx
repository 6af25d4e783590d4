/**
 * Webhooks: the organization's endpoints (add one — its signing secret is shown once —, enable/disable, delete
 * after a confirmation step) and, for the endpoint picked with `?endpoint=`, its delivery log (status, attempts,
 * response code and time, redeliver). The API-key admin only.
 */
import { RoleGate } from '@/components/sso/role-gate';
import type { Metadata } from 'next';
import Link from 'next/link';
import { requireAdmin } from '@/lib/auth';
import { WEBHOOK_EVENT_TYPES, type Webhook, type WebhookDelivery } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { WEBHOOK_FORMAT_TEXT, WEBHOOKS_TEXT } from '@/lib/console/messages';
import { WEBHOOKS_PATH } from '@/lib/console/settings/paths';
import { grantexForAdmin } from '@/lib/grantex/server';
import { Alert, Badge, Card, PageHeader, type BadgeTone } from '@/components/ui';
import { formatTime } from '@/components/sso/format-time';
import { CreateWebhookForm } from './create-form';
import { DeleteForm, EnableForm, RedeliverForm } from './endpoint-forms';

export const metadata: Metadata = { title: 'Webhooks' };
export const dynamic = 'force-dynamic';

const DELIVERY_TONE: Record<WebhookDelivery['status'], BadgeTone> = {
  succeeded: 'success',
  pending: 'neutral',
  failed: 'error',
};

function EndpointRow({
  endpoint,
  confirming,
  selected,
}: {
  endpoint: Webhook;
  confirming: boolean;
  selected: boolean;
}) {
  return (
    <li className="space-y-3 py-4" aria-label={endpoint.url}>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="min-w-0">
          <p className="break-all font-medium text-gray-900">{endpoint.url}</p>
          <p className="text-xs text-gray-600">
            {WEBHOOK_FORMAT_TEXT[endpoint.format].short} ·{' '}
            {endpoint.events.includes('*') ? 'All events' : endpoint.events.join(', ')} · added{' '}
            <time dateTime={endpoint.createdAt}>{formatTime(endpoint.createdAt)}</time>
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <Badge tone={endpoint.enabled ? 'success' : 'neutral'}>{endpoint.enabled ? 'Enabled' : 'Disabled'}</Badge>
          <EnableForm id={endpoint.id} url={endpoint.url} enabled={endpoint.enabled} />
          {!selected ? (
            <Link
              href={`${WEBHOOKS_PATH}?endpoint=${encodeURIComponent(endpoint.id)}#deliveries`}
              className="text-sm font-medium text-indigo-700 hover:underline"
            >
              Delivery log<span className="sr-only"> of {endpoint.url}</span>
            </Link>
          ) : null}
          {!confirming ? (
            <Link
              href={`${WEBHOOKS_PATH}?confirm=${encodeURIComponent(endpoint.id)}`}
              className="text-sm font-medium text-red-700 hover:underline"
            >
              Delete<span className="sr-only"> {endpoint.url}</span>
            </Link>
          ) : null}
        </div>
      </div>
      {endpoint.disabledReason === 'delivery_failures' ? (
        <Alert tone="error">{WEBHOOKS_TEXT.disabledAfterFailures}</Alert>
      ) : null}
      {confirming ? (
        <div className="rounded-md border border-red-200 bg-red-50 p-4 text-sm text-red-900">
          <p className="mb-3">Delete this endpoint? Nothing more is sent to it, and its delivery log goes with it.</p>
          <DeleteForm id={endpoint.id} />
        </div>
      ) : null}
    </li>
  );
}

function DeliveryLog({ endpoint, deliveries }: { endpoint: Webhook; deliveries: WebhookDelivery[] }) {
  return (
    <Card title="Delivery log" description={`Newest first, for ${endpoint.url}.`}>
      <div id="deliveries">
        {deliveries.length ? (
          <table className="w-full text-left text-sm" aria-label={`Deliveries to ${endpoint.url}`}>
            <thead className="text-xs text-gray-600">
              <tr>
                <th className="py-2 pr-3 font-medium">Event</th>
                <th className="py-2 pr-3 font-medium">Status</th>
                <th className="py-2 pr-3 font-medium">Attempts</th>
                <th className="py-2 pr-3 font-medium">Response</th>
                <th className="py-2 pr-3 font-medium">Last attempt</th>
                <th className="py-2 font-medium">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-200">
              {deliveries.map((d) => (
                <tr key={d.id}>
                  <td className="py-2 pr-3">
                    <code>{d.eventType}</code>
                    <div className="text-xs text-gray-600">{d.eventId}</div>
                  </td>
                  <td className="py-2 pr-3">
                    <Badge tone={DELIVERY_TONE[d.status]}>{d.status}</Badge>
                  </td>
                  <td className="py-2 pr-3">{d.attempts}</td>
                  <td className="py-2 pr-3">
                    {d.responseStatus ?? '—'}
                    {d.durationMs !== null ? <span className="text-xs text-gray-600"> · {d.durationMs} ms</span> : null}
                    {d.lastError ? <div className="text-xs text-gray-600">{d.lastError}</div> : null}
                  </td>
                  <td className="py-2 pr-3">
                    {d.lastAttemptAt ? <time dateTime={d.lastAttemptAt}>{formatTime(d.lastAttemptAt)}</time> : '—'}
                  </td>
                  <td className="py-2">
                    <RedeliverForm id={endpoint.id} deliveryId={d.id} label={`${d.eventType} ${d.eventId}`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="text-sm text-gray-600">{WEBHOOKS_TEXT.noDeliveries}</p>
        )}
      </div>
    </Card>
  );
}

export default async function WebhooksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const admin = await requireAdmin(WEBHOOKS_PATH);
  const query = await searchParams;
  const client = grantexForAdmin(admin);
  let endpoints: Webhook[] = [];
  let loadError: string | null = null;
  try {
    endpoints = await client.webhooks.list();
  } catch (err) {
    loadError = describeGrantexError(err);
  }
  const confirm = typeof query.confirm === 'string' ? query.confirm : null;
  const picked = typeof query.endpoint === 'string' ? endpoints.find((e) => e.id === query.endpoint) : undefined;
  let deliveries: WebhookDelivery[] = [];
  if (picked) {
    try {
      deliveries = await client.webhooks.deliveries(picked.id);
    } catch (err) {
      loadError = describeGrantexError(err);
    }
  }

  return (
    <div className="space-y-8">
      <PageHeader title="Webhooks" description={WEBHOOKS_TEXT.intro} />
      {query.deleted === '1' ? <Alert tone="success">{WEBHOOKS_TEXT.deleted}</Alert> : null}
      {loadError ? (
        <Alert tone="error" title="Webhooks could not be loaded">
          {loadError}
        </Alert>
      ) : null}
      <Card
        title="Add an endpoint"
        description="Each delivery is signed with Grantex’s headers and the Standard Webhooks headers; retried with back-off for about a day."
      >
        <RoleGate permission="createWebhook" role={admin.role}>
          <CreateWebhookForm eventTypes={WEBHOOK_EVENT_TYPES} />
        </RoleGate>
      </Card>
      <Card title="Your endpoints">
        {endpoints.length ? (
          <RoleGate permission="setWebhookEnabled" role={admin.role}>
            <ul className="divide-y divide-gray-200">
              {endpoints.map((e) => (
                <EndpointRow key={e.id} endpoint={e} confirming={confirm === e.id} selected={picked?.id === e.id} />
              ))}
            </ul>
          </RoleGate>
        ) : !loadError ? (
          <p className="text-sm text-gray-600">{WEBHOOKS_TEXT.noEndpoints}</p>
        ) : null}
      </Card>
      {picked ? <DeliveryLog endpoint={picked} deliveries={deliveries} /> : null}
    </div>
  );
}
