/**
 * Webhook endpoints and their deliveries (migration 19). `webhook_deliveries` is both the transactional outbox
 * and the delivery log: `writeWebhookOutbox` adds a row per (event, subscribed enabled endpoint) inside the
 * transaction that stores the sign-in or audit events (features/events/store.ts), so an event stored is an event
 * delivered at least once. Workers claim due rows with a lease (`lease_until`): one UPDATE … RETURNING whose
 * candidate rows are picked `FOR UPDATE SKIP LOCKED` on PostgreSQL (two processes never claim one row), and one
 * atomic statement on SQLite's single writer. The lease value is the claim's token: a worker whose lease ran out
 * (and whose row another worker claimed) cannot record its late result. Written once against Kysely.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_DISABLED_REASONS,
  WEBHOOK_FORMATS,
  type WebhookFormat,
} from '@/lib/contract';
import { randomId } from '../../crypto/random-id';
import type { Db, Tx } from '../../storage/database';
import type { StoreDatabase } from '../../storage/connect';
import type { Dialect } from '../../storage/dialect';
import { json } from '../../storage/rows';

export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

export interface StoredWebhookEndpoint {
  id: string;
  developerId: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: WebhookDisabledReason | null;
  consecutiveFailures: number;
  /** The secret box's text (AAD: the endpoint id). */
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: string | null;
  /** `grantex`: one event per POST; `ocsf` / `ecs`: batches of newline-delimited JSON lines (siem.ts). */
  format: WebhookFormat;
  createdAt: string;
  updatedAt: string;
}

export interface StoredWebhookDelivery {
  id: string;
  endpointId: string;
  developerId: string;
  eventId: string;
  eventType: string;
  body: string;
  /** The format `body` was written in: the endpoint's when the event was stored. */
  format: WebhookFormat;
  status: WebhookDeliveryStatus;
  attempts: number;
  nextAttemptAtMs: number | null;
  leaseUntilMs: number | null;
  responseStatus: number | null;
  durationMs: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
}

/** A claimed delivery with what sending it needs of its endpoint. */
export interface ClaimedWebhookDelivery extends StoredWebhookDelivery {
  leaseUntilMs: number;
  endpoint: StoredWebhookEndpoint;
}

/** One event as the outbox takes it: the exact body every attempt sends. */
export interface WebhookOutboxEvent {
  id: string;
  developerId: string;
  type: string;
  body: string;
  createdAt: string;
  /**
   * An event about a webhook endpoint (its creation, change, rotation, deletion) is not sent to that endpoint
   * itself: it would hear of its own re-keying under the new key, and of its own failure-disable only once
   * re-enabled. The org's other endpoints, the audit trail and the event stream have it.
   */
  aboutEndpointId?: string;
  /** The event in an endpoint's format (absent: every format gets `body`). */
  render?(format: WebhookFormat): string;
}

/**
 * A batch's webhook events built only for the orgs that turn out to have an enabled endpoint (read in the
 * batch's transaction): most orgs have none, and their events' bodies are then never built or serialised.
 */
export interface LazyWebhookOutbox {
  /** The orgs of the batch's events. */
  developerIds: readonly string[];
  /** The events of these orgs, in the batch's order. */
  eventsOf(developerIds: ReadonlySet<string>): readonly WebhookOutboxEvent[];
}

export type WebhookOutbox = readonly WebhookOutboxEvent[] | LazyWebhookOutbox;

/** Whether an outbox can carry no event at all (then no transaction is needed for it). */
export const outboxIsEmpty = (outbox: WebhookOutbox | undefined): boolean =>
  !outbox || ('eventsOf' in outbox ? outbox.developerIds.length === 0 : outbox.length === 0);

export interface WebhookAttemptResult {
  ok: boolean;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  attemptAt: string;
  /** Failed, with retries left: when the next attempt is due. Null: no more attempts (final). */
  nextAttemptAtMs: number | null;
  /** A final failure that counts against the endpoint (a redelivery's failure does too). */
  disableAfter: number;
}

export interface WebhooksStore {
  insertWebhookEndpoint(endpoint: StoredWebhookEndpoint): Promise<void>;
  listWebhookEndpoints(developerId: string): Promise<StoredWebhookEndpoint[]>;
  findWebhookEndpoint(developerId: string, id: string): Promise<StoredWebhookEndpoint | undefined>;
  /** Sets the named fields (enabling clears the failure count and reason); undefined when not the org's. */
  updateWebhookEndpoint(
    developerId: string,
    id: string,
    patch: { enabled?: boolean; events?: string[]; format?: WebhookFormat },
    updatedAt: string,
  ): Promise<StoredWebhookEndpoint | undefined>;
  /** The current secret becomes the previous one (signing until `previousExpiresAt`), the new one current. */
  rotateWebhookSecret(
    developerId: string,
    id: string,
    secretSealed: string,
    previousExpiresAt: string,
    updatedAt: string,
  ): Promise<StoredWebhookEndpoint | undefined>;
  deleteWebhookEndpoint(developerId: string, id: string): Promise<boolean>;
  /** Newest first. */
  listWebhookDeliveries(endpointId: string, limit: number): Promise<StoredWebhookDelivery[]>;
  /** Makes a delivery of the endpoint due now with a fresh schedule; false when the endpoint has no such delivery. */
  redeliverWebhookDelivery(endpointId: string, deliveryId: string, nowMs: number): Promise<boolean>;
  /**
   * Whether any delivery is due (a read: the idle worker's only statement, so an idle service takes no write lock
   * and a database that refuses writes hears nothing from it).
   */
  hasDueWebhookDeliveries(nowMs: number): Promise<boolean>;
  /** Claims up to `limit` due deliveries of enabled endpoints, each until `nowMs + leaseMs`. */
  claimWebhookDeliveries(nowMs: number, leaseMs: number, limit: number): Promise<ClaimedWebhookDelivery[]>;
  /**
   * Records an attempt of a delivery still held under `leaseUntilMs` (false: the lease was lost, nothing
   * written), and the endpoint's failure run: a success resets it; a final failure adds one, and the endpoint is
   * disabled (`delivery_failures`) once the run reaches `disableAfter`.
   */
  completeWebhookAttempt(deliveryId: string, leaseUntilMs: number, result: WebhookAttemptResult): Promise<boolean>;
  /**
   * The same for one attempt that carried several deliveries of one endpoint (a SIEM format's batch): each row
   * held under `leaseUntilMs` records it; the endpoint's failure run moves by one for the batch, not per row.
   * `disabled`: this result is the one that disabled the endpoint.
   */
  completeWebhookAttempts(
    deliveryIds: readonly string[],
    leaseUntilMs: number,
    result: WebhookAttemptResult,
  ): Promise<{ recorded: number; disabled: boolean }>;
  /** Deliveries still pending (the outbox's depth, for the metrics), disabled endpoints' included. */
  countPendingWebhookDeliveries(): Promise<number>;
  /** Finished deliveries created before `beforeIso`, at most `batch` rows a call. */
  purgeWebhookDeliveriesBefore(beforeIso: string, batch: number): Promise<number>;
}

const endpointRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  url: z.string(),
  events: json(z.array(z.string())),
  enabled: z.union([z.boolean(), z.number()]).transform((v) => v === true || v === 1),
  disabled_reason: z.enum(WEBHOOK_DISABLED_REASONS).nullable(),
  consecutive_failures: z.coerce.number(),
  secret_sealed: z.string(),
  previous_secret_sealed: z.string().nullable(),
  previous_secret_expires_at: z.string().nullable(),
  format: z.enum(WEBHOOK_FORMATS),
  created_at: z.string(),
  updated_at: z.string(),
});

const msColumn = z
  .union([z.number(), z.string(), z.bigint()])
  .nullable()
  .transform((v) => (v === null ? null : Number(v)));

const deliveryRow = z.object({
  id: z.string(),
  endpoint_id: z.string(),
  developer_id: z.string(),
  event_id: z.string(),
  event_type: z.string(),
  body: z.string(),
  format: z.enum(WEBHOOK_FORMATS),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.coerce.number(),
  next_attempt_at: msColumn,
  lease_until: msColumn,
  response_status: z.number().nullable(),
  duration_ms: z.number().nullable(),
  last_error: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  created_at: z.string(),
});

const ENDPOINT_COLUMNS = [
  'id',
  'developer_id',
  'url',
  'events',
  'enabled',
  'disabled_reason',
  'consecutive_failures',
  'secret_sealed',
  'previous_secret_sealed',
  'previous_secret_expires_at',
  'format',
  'created_at',
  'updated_at',
] as const;

const DELIVERY_COLUMNS = [
  'id',
  'endpoint_id',
  'developer_id',
  'event_id',
  'event_type',
  'body',
  'format',
  'status',
  'attempts',
  'next_attempt_at',
  'lease_until',
  'response_status',
  'duration_ms',
  'last_error',
  'last_attempt_at',
  'created_at',
] as const;

function toEndpoint(row: unknown): StoredWebhookEndpoint {
  const r = endpointRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    url: r.url,
    events: r.events,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    consecutiveFailures: r.consecutive_failures,
    secretSealed: r.secret_sealed,
    previousSecretSealed: r.previous_secret_sealed,
    previousSecretExpiresAt: r.previous_secret_expires_at,
    format: r.format,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toDelivery(row: unknown): StoredWebhookDelivery {
  const r = deliveryRow.parse(row);
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    developerId: r.developer_id,
    eventId: r.event_id,
    eventType: r.event_type,
    body: r.body,
    format: r.format,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAtMs: r.next_attempt_at,
    leaseUntilMs: r.lease_until,
    responseStatus: r.response_status,
    durationMs: r.duration_ms,
    lastError: r.last_error,
    lastAttemptAt: r.last_attempt_at,
    createdAt: r.created_at,
  };
}

/** Whether an endpoint's filter takes an event type (`*`: every type). */
export function endpointWants(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

/** The orgs of an outbox's events. */
function outboxOrgs(outbox: WebhookOutbox): readonly string[] {
  return 'eventsOf' in outbox ? outbox.developerIds : [...new Set(outbox.map((e) => e.developerId))];
}

/**
 * Whether any org of the outbox has an enabled endpoint: a plain read, outside any transaction. Where the
 * events are stored apart from the endpoints (SQLite's event log file), the write transaction for the deliveries
 * is opened only when this says there may be some, so an org without webhooks never takes the database's write
 * lock for its events.
 */
export async function outboxMayDeliver(q: Db, dialect: Dialect, outbox: WebhookOutbox): Promise<boolean> {
  if (outboxIsEmpty(outbox)) return false;
  const found = await q
    .selectFrom('webhook_endpoints')
    .select('id')
    .where('developer_id', 'in', outboxOrgs(outbox))
    .where('enabled', '=', dialect.bool(true))
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/** Rows per multi-row insert (well under both backends' bound-parameter limits). */
const OUTBOX_CHUNK = 200;

/**
 * Inside the caller's transaction: a pending delivery per event and enabled endpoint of its org that wants its
 * type. With no endpoint for the batch's orgs this costs one indexed read and writes nothing.
 */
export async function writeWebhookOutbox(trx: Tx, dialect: Dialect, outbox: WebhookOutbox): Promise<number> {
  if (outboxIsEmpty(outbox)) return 0;
  const lazy = 'eventsOf' in outbox ? outbox : undefined;
  const endpoints = await trx
    .selectFrom('webhook_endpoints')
    .select(['id', 'developer_id', 'events', 'format'])
    .where('developer_id', 'in', outboxOrgs(outbox))
    .where('enabled', '=', dialect.bool(true))
    .execute();
  if (endpoints.length === 0) return 0;
  const events = lazy
    ? lazy.eventsOf(new Set(endpoints.map((e) => e.developer_id)))
    : (outbox as readonly WebhookOutboxEvent[]);
  const parsed = endpoints.map((e) => ({
    id: e.id,
    developerId: e.developer_id,
    events: json(z.array(z.string())).parse(e.events),
    format: z.enum(WEBHOOK_FORMATS).parse(e.format),
  }));
  const rows = [];
  for (const event of events) {
    for (const endpoint of parsed) {
      if (endpoint.developerId !== event.developerId || !endpointWants(endpoint.events, event.type)) continue;
      if (event.aboutEndpointId === endpoint.id) continue;
      rows.push({
        id: randomId('whd'),
        endpoint_id: endpoint.id,
        developer_id: event.developerId,
        event_id: event.id,
        event_type: event.type,
        body: event.render ? event.render(endpoint.format) : event.body,
        format: event.render ? endpoint.format : 'grantex',
        status: 'pending',
        attempts: 0,
        // Due at once, whichever clock the worker reads.
        next_attempt_at: 0,
        lease_until: null,
        response_status: null,
        duration_ms: null,
        last_error: null,
        last_attempt_at: null,
        created_at: event.createdAt,
      });
    }
  }
  for (let i = 0; i < rows.length; i += OUTBOX_CHUNK) {
    await trx
      .insertInto('webhook_deliveries')
      .values(rows.slice(i, i + OUTBOX_CHUNK))
      // A batch written again (its events' write failed after this one committed) adds nothing twice.
      .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
      .execute();
  }
  return rows.length;
}

export function createWebhooksStore({ db, dialect }: StoreDatabase): WebhooksStore {
  const findEndpoint = async (developerId: string, id: string) => {
    const row = await db
      .selectFrom('webhook_endpoints')
      .select(ENDPOINT_COLUMNS)
      .where('id', '=', id)
      .where('developer_id', '=', developerId)
      .executeTakeFirst();
    return row && toEndpoint(row);
  };

  const completeAttempts = (
    deliveryIds: readonly string[],
    leaseUntilMs: number,
    result: WebhookAttemptResult,
  ): Promise<{ recorded: number; disabled: boolean }> => {
    if (deliveryIds.length === 0) return Promise.resolve({ recorded: 0, disabled: false });
    return db.transaction().execute(async (trx) => {
      const status: WebhookDeliveryStatus = result.ok
        ? 'succeeded'
        : result.nextAttemptAtMs === null
          ? 'failed'
          : 'pending';
      const updated = await trx
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          status,
          attempts: eb('attempts', '+', 1),
          next_attempt_at: status === 'pending' ? result.nextAttemptAtMs : null,
          lease_until: null,
          response_status: result.responseStatus,
          duration_ms: result.durationMs,
          last_error: result.error,
          last_attempt_at: result.attemptAt,
        }))
        .where('id', 'in', [...deliveryIds])
        .where('lease_until', '=', leaseUntilMs)
        .returning(['endpoint_id'])
        .execute();
      const endpointId = updated[0]?.endpoint_id;
      if (endpointId === undefined) return { recorded: 0, disabled: false };
      let disabled = false;
      if (status === 'succeeded') {
        await trx
          .updateTable('webhook_endpoints')
          .set({ consecutive_failures: 0 })
          .where('id', '=', endpointId)
          .where('consecutive_failures', '>', 0)
          .execute();
      } else if (status === 'failed') {
        const run = await trx
          .updateTable('webhook_endpoints')
          .set((eb) => ({
            consecutive_failures: eb('consecutive_failures', '+', 1),
            enabled: sql`case when consecutive_failures + 1 >= ${result.disableAfter} then ${dialect.bool(false)} else enabled end`,
            disabled_reason: sql`case when consecutive_failures + 1 >= ${result.disableAfter} then 'delivery_failures' else disabled_reason end`,
          }))
          .where('id', '=', endpointId)
          .returning(['consecutive_failures'])
          .executeTakeFirst();
        // The run reaches the bound once: the result that takes it there is the one that disabled the endpoint.
        disabled = run !== undefined && Number(run.consecutive_failures) === result.disableAfter;
      }
      return { recorded: updated.length, disabled };
    });
  };

  return {
    async insertWebhookEndpoint(e) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: e.id,
          developer_id: e.developerId,
          url: e.url,
          events: JSON.stringify(e.events),
          enabled: dialect.bool(e.enabled),
          disabled_reason: e.disabledReason,
          consecutive_failures: e.consecutiveFailures,
          secret_sealed: e.secretSealed,
          previous_secret_sealed: e.previousSecretSealed,
          previous_secret_expires_at: e.previousSecretExpiresAt,
          format: e.format,
          created_at: e.createdAt,
          updated_at: e.updatedAt,
        })
        .execute();
    },
    async listWebhookEndpoints(developerId) {
      const rows = await db
        .selectFrom('webhook_endpoints')
        .select(ENDPOINT_COLUMNS)
        .where('developer_id', '=', developerId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toEndpoint);
    },
    findWebhookEndpoint: findEndpoint,
    async updateWebhookEndpoint(developerId, id, patch, updatedAt) {
      const r = await db
        .updateTable('webhook_endpoints')
        .set({
          updated_at: updatedAt,
          ...(patch.events !== undefined ? { events: JSON.stringify(patch.events) } : {}),
          ...(patch.format !== undefined ? { format: patch.format } : {}),
          ...(patch.enabled !== undefined
            ? {
                enabled: dialect.bool(patch.enabled),
                disabled_reason: null,
                ...(patch.enabled ? { consecutive_failures: 0 } : {}),
              }
            : {}),
        })
        .where('id', '=', id)
        .where('developer_id', '=', developerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 0 ? undefined : findEndpoint(developerId, id);
    },
    async rotateWebhookSecret(developerId, id, secretSealed, previousExpiresAt, updatedAt) {
      // The right-hand side reads the row as it was, on both backends: the current secret moves to previous.
      const r = await db
        .updateTable('webhook_endpoints')
        .set((eb) => ({
          previous_secret_sealed: eb.ref('secret_sealed'),
          previous_secret_expires_at: previousExpiresAt,
          secret_sealed: secretSealed,
          updated_at: updatedAt,
        }))
        .where('id', '=', id)
        .where('developer_id', '=', developerId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 0 ? undefined : findEndpoint(developerId, id);
    },
    async deleteWebhookEndpoint(developerId, id) {
      const r = await db
        .deleteFrom('webhook_endpoints')
        .where('id', '=', id)
        .where('developer_id', '=', developerId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async listWebhookDeliveries(endpointId, limit) {
      const rows = await db
        .selectFrom('webhook_deliveries')
        .select(DELIVERY_COLUMNS)
        .where('endpoint_id', '=', endpointId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toDelivery);
    },
    async redeliverWebhookDelivery(endpointId, deliveryId, nowMs) {
      const r = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', attempts: 0, next_attempt_at: nowMs, lease_until: null })
        .where('id', '=', deliveryId)
        .where('endpoint_id', '=', endpointId)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async hasDueWebhookDeliveries(nowMs) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', nowMs)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', nowMs)]))
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('webhook_endpoints')
              .select('webhook_endpoints.id')
              .whereRef('webhook_endpoints.id', '=', 'webhook_deliveries.endpoint_id')
              .where('webhook_endpoints.enabled', '=', dialect.bool(true)),
          ),
        )
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    async claimWebhookDeliveries(nowMs, leaseMs, limit) {
      const leaseUntil = nowMs + leaseMs;
      const due = sql<boolean>`status = 'pending' and next_attempt_at <= ${nowMs} and (lease_until is null or lease_until <= ${nowMs})`;
      let candidates = db
        .selectFrom('webhook_deliveries')
        .select('webhook_deliveries.id')
        .where(due)
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('webhook_endpoints')
              .select('webhook_endpoints.id')
              .whereRef('webhook_endpoints.id', '=', 'webhook_deliveries.endpoint_id')
              .where('webhook_endpoints.enabled', '=', dialect.bool(true)),
          ),
        )
        .orderBy('next_attempt_at')
        .orderBy('created_at')
        .limit(limit);
      if (dialect.name === 'postgres') candidates = candidates.forUpdate().skipLocked();
      const claimed = await db
        .updateTable('webhook_deliveries')
        .set({ lease_until: leaseUntil })
        .where('id', 'in', candidates)
        // Re-checked on the row as it is now (PostgreSQL re-reads a row another transaction changed meanwhile).
        .where(due)
        .returning(DELIVERY_COLUMNS)
        .execute();
      if (claimed.length === 0) return [];
      const deliveries = claimed.map(toDelivery);
      const endpointIds = [...new Set(deliveries.map((d) => d.endpointId))];
      const endpoints = new Map(
        (await db.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('id', 'in', endpointIds).execute())
          .map(toEndpoint)
          .map((e) => [e.id, e]),
      );
      const out: ClaimedWebhookDelivery[] = [];
      for (const d of deliveries) {
        const endpoint = endpoints.get(d.endpointId);
        // Deleted between the claim and this read: its deliveries are gone with it.
        if (endpoint) out.push({ ...d, leaseUntilMs: leaseUntil, endpoint });
      }
      return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    },
    async completeWebhookAttempt(deliveryId, leaseUntilMs, result) {
      return (await completeAttempts([deliveryId], leaseUntilMs, result)).recorded > 0;
    },
    completeWebhookAttempts: (deliveryIds, leaseUntilMs, result) => completeAttempts(deliveryIds, leaseUntilMs, result),
    async countPendingWebhookDeliveries() {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number | string | bigint>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async purgeWebhookDeliveriesBefore(beforeIso, batch) {
      const r = await db
        .deleteFrom('webhook_deliveries')
        .where(
          'id',
          'in',
          db
            .selectFrom('webhook_deliveries')
            .select('id')
            .where('created_at', '<', beforeIso)
            .where('status', '!=', 'pending')
            .limit(batch),
        )
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
