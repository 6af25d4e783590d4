/**
 * The sign-in log and the audit trail (migration 6): written in batches by the event buffer (a batch is ONE
 * multi-row insert, so a flush is one write however many events it carries), read page by page by
 * `(created_at, id)`, purged in bounded chunks. Written once against Kysely for both backends.
 */
import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery, sql, type Insertable, type RawBuilder } from 'kysely';
import { z } from 'zod';
import {
  AUDIT_ACTIONS,
  AUDIT_ACTOR_KINDS,
  AUDIT_TARGET_TYPES,
  SIGN_IN_OUTCOMES,
  SIGN_IN_STAGES,
  SIGN_IN_STARTERS,
  signInTraceSchema,
} from '@/lib/contract';
import type { StoreDatabase } from '../../storage/connect';
import type {
  AuditEventRecord,
  EventStore,
  PageAfter,
  SignInEventRecord,
  StoredEvent,
} from '../../storage/events-types';
import { json } from '../../storage/rows';
import type { Database, Db } from '../../storage/database';
import { outboxIsEmpty, outboxMayDeliver, writeWebhookOutbox, type WebhookOutbox } from '../webhooks/store';

/**
 * Where the events live when not beside everything else: SQLite's event log file (storage/sqlite/event-log.ts),
 * read and purged through `database`, written by `write` on another thread.
 */
export interface EventLog {
  readonly database: StoreDatabase;
  /** Commits the statements together; resolves with the rows they changed. */
  write(statements: readonly CompiledQuery[]): Promise<number>;
  /** Waits for the writes in flight, then closes both connections (the store's close). */
  close(): Promise<void>;
}

export interface EventsStore {
  /** The sign-in log and the audit trail (events-types.ts). */
  readonly events: EventStore;
}

const SIGN_IN_EVENT_COLUMNS = [
  'id',
  'developer_id',
  'connection_id',
  'protocol',
  'started_by',
  'outcome',
  'stage',
  'reason',
  'idp_error',
  'idp_error_description',
  'email',
  'sub',
  'name',
  'duration_ms',
  'request_id',
  'trace',
  'created_at',
] as const;

const AUDIT_EVENT_COLUMNS = [
  'id',
  'developer_id',
  'actor_kind',
  'actor_id',
  'actor_label',
  'action',
  'target_type',
  'target_id',
  'changed_fields',
  'created_at',
] as const;

const signInRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  connection_id: z.string().nullable(),
  protocol: z.string(),
  started_by: z.enum(SIGN_IN_STARTERS),
  outcome: z.enum(SIGN_IN_OUTCOMES),
  stage: z.enum(SIGN_IN_STAGES),
  reason: z.string().nullable(),
  idp_error: z.string().nullable(),
  idp_error_description: z.string().nullable(),
  email: z.string().nullable(),
  sub: z.string().nullable(),
  name: z.string().nullable(),
  duration_ms: z.number(),
  request_id: z.string(),
  trace: json(signInTraceSchema),
  created_at: z.string(),
});

const auditRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  actor_kind: z.enum(AUDIT_ACTOR_KINDS),
  actor_id: z.string().nullable(),
  actor_label: z.string().nullable(),
  action: z.enum(AUDIT_ACTIONS),
  target_type: z.enum(AUDIT_TARGET_TYPES),
  target_id: z.string().nullable(),
  changed_fields: json(z.array(z.string())),
  created_at: z.string(),
});

const countRow = z
  .object({
    bucket: z.string(),
    connection_id: z.string().nullable(),
    outcome: z.enum(SIGN_IN_OUTCOMES),
    reason: z.string().nullable(),
    // PostgreSQL's count is a bigint, which the driver reads as a string.
    count: z.union([z.number(), z.string(), z.bigint()]).transform(Number),
  })
  .transform((r) => ({
    bucket: r.bucket,
    connectionId: r.connection_id,
    outcome: r.outcome,
    reason: r.reason,
    count: r.count,
  }));

const lastRow = z
  .object({ connection_id: z.string().nullable(), outcome: z.enum(SIGN_IN_OUTCOMES), created_at: z.string() })
  .transform((r) => ({ connectionId: r.connection_id, outcome: r.outcome, createdAt: r.created_at }));

function toSignInEvent(row: unknown): SignInEventRecord {
  const r = signInRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    connectionId: r.connection_id,
    protocol: r.protocol,
    startedBy: r.started_by,
    outcome: r.outcome,
    stage: r.stage,
    reason: r.reason,
    idpError: r.idp_error,
    idpErrorDescription: r.idp_error_description,
    email: r.email,
    sub: r.sub,
    name: r.name,
    durationMs: r.duration_ms,
    requestId: r.request_id,
    trace: r.trace,
    createdAt: r.created_at,
  };
}

function toAuditEvent(row: unknown): AuditEventRecord {
  const r = auditRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    actorKind: r.actor_kind,
    actorId: r.actor_id,
    actorLabel: r.actor_label,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    changedFields: r.changed_fields,
    createdAt: r.created_at,
  };
}

interface Page {
  developerId: string;
  from?: string;
  to?: string;
  after?: PageAfter;
  limit: number;
}

/** Row counts whose INSERT text is kept per table (full chunks and the remainders seen most). */
const CACHED_INSERT_SIZES = 32;

/**
 * The event tables' multi-row INSERT, built and compiled by Kysely once per row count (batches come in a few sizes:
 * full chunks and remainders) and then run with each batch's values bound in column order: building a 100-row
 * insert costs more than SQLite takes to run it. The first build of each size checks that order against Kysely's
 * own parameters and is not kept if they differ. Rows must all come from one mapping (same keys, same order).
 */
function cachedInsert<T extends 'sign_in_events' | 'audit_events'>(table: T) {
  const texts = new Map<number, string>();
  return (q: Db, rows: Insertable<Database[T]>[]): CompiledQuery => {
    const parameters = rows.flatMap((row) => Object.values(row));
    const text = texts.get(rows.length);
    if (text !== undefined) return CompiledQuery.raw(text, parameters);
    const compiled = q.insertInto(table).values(rows).compile();
    if (texts.size < CACHED_INSERT_SIZES && isDeepStrictEqual(compiled.parameters, parameters))
      texts.set(rows.length, compiled.sql);
    return compiled;
  };
}

export function createEventsStore(database: StoreDatabase, log?: EventLog): EventsStore {
  const { db: mainDb, dialect } = database;
  /** The event tables' database (the event log file's, when there is one). */
  const db = log?.database.db ?? mainDb;
  /** The page's bounds on either table (indexes `(developer_id, created_at, id)`), newest first after the cursor. */
  const bounds = (q: Page): RawBuilder<boolean>[] => {
    const conditions = [sql<boolean>`developer_id = ${q.developerId}`];
    if (q.from !== undefined) conditions.push(sql<boolean>`created_at >= ${q.from}`);
    if (q.to !== undefined) conditions.push(sql<boolean>`created_at <= ${q.to}`);
    if (q.after !== undefined) {
      conditions.push(
        sql<boolean>`(created_at < ${q.after.createdAt} or (created_at = ${q.after.createdAt} and id < ${q.after.id}))`,
      );
    }
    return conditions;
  };

  /** At most `batch` rows of `table` created before `beforeIso`. */
  const purge = async (table: 'sign_in_events' | 'audit_events', beforeIso: string, batch: number) => {
    const query = db
      .deleteFrom(table)
      .where('id', 'in', db.selectFrom(table).select('id').where('created_at', '<', beforeIso).limit(batch));
    // The event log's writes all go through its writer thread, where they never meet each other at the lock.
    if (log) return log.write([query.compile()]);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  };

  /**
   * The events' insert alone when no webhook event comes with it (the sign-in log's cost unchanged); else the
   * insert and the outbox rows, in one transaction where they share a database.
   */
  const withOutbox = async (outbox: WebhookOutbox | undefined, insert: (q: Db) => CompiledQuery) => {
    if (log) {
      // Two files, so two commits. The deliveries (beside their endpoints) first, then the events: a crash in
      // between leaves a delivery whose event the log lacks, never an event that no webhook will carry. A retry
      // writes the deliveries again, which the outbox ignores (one per endpoint and event). Orgs without an
      // endpoint (most) cost one read: their events never wait for the main file's write lock.
      if (outbox !== undefined && (await outboxMayDeliver(mainDb, dialect, outbox)))
        await mainDb.transaction().execute((trx) => writeWebhookOutbox(trx, dialect, outbox));
      await log.write([insert(db)]);
      return;
    }
    if (outbox === undefined || outboxIsEmpty(outbox)) {
      await db.executeQuery(insert(db));
      return;
    }
    await db.transaction().execute(async (trx) => {
      await trx.executeQuery(insert(trx));
      await writeWebhookOutbox(trx, dialect, outbox);
    });
  };

  const insertSignIns = cachedInsert('sign_in_events');
  const insertAudits = cachedInsert('audit_events');

  const events: EventStore = {
    async insertSignInEvents(batch, outbox) {
      if (batch.length === 0) return;
      await withOutbox(outbox, (trx) =>
        insertSignIns(
          trx,
          batch.map((e) => ({
            id: e.id,
            developer_id: e.developerId,
            connection_id: e.connectionId,
            protocol: e.protocol,
            started_by: e.startedBy,
            outcome: e.outcome,
            stage: e.stage,
            reason: e.reason,
            idp_error: e.idpError,
            idp_error_description: e.idpErrorDescription,
            email: e.email,
            sub: e.sub,
            name: e.name,
            duration_ms: e.durationMs,
            request_id: e.requestId,
            trace: JSON.stringify(e.trace),
            client_ip: e.clientIp ?? null,
            created_at: e.createdAt,
          })),
        ),
      );
    },
    async insertAuditEvents(batch, outbox) {
      if (batch.length === 0) return;
      await withOutbox(outbox, (trx) =>
        insertAudits(
          trx,
          batch.map((e) => ({
            id: e.id,
            developer_id: e.developerId,
            actor_kind: e.actorKind,
            actor_id: e.actorId,
            actor_label: e.actorLabel,
            action: e.action,
            target_type: e.targetType,
            target_id: e.targetId,
            changed_fields: JSON.stringify(e.changedFields),
            actor_ip: e.actorIp ?? null,
            created_at: e.createdAt,
          })),
        ),
      );
    },
    async listSignInEvents(q) {
      let query = db.selectFrom('sign_in_events').select(SIGN_IN_EVENT_COLUMNS);
      for (const condition of bounds(q)) query = query.where(condition);
      if (q.connectionId !== undefined) query = query.where('connection_id', '=', q.connectionId);
      if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
      if (q.reason !== undefined) query = query.where('reason', '=', q.reason);
      if (q.email !== undefined) query = query.where(dialect.emailEquals(q.email));
      return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(
        toSignInEvent,
      );
    },
    async listAuditEvents(q) {
      let query = db.selectFrom('audit_events').select(AUDIT_EVENT_COLUMNS);
      for (const condition of bounds(q)) query = query.where(condition);
      if (q.targetId !== undefined) query = query.where('target_id', '=', q.targetId);
      if (q.action !== undefined) query = query.where('action', '=', q.action);
      return (await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute()).map(
        toAuditEvent,
      );
    },
    async listEventsAfter(q) {
      // Byte order on both backends (PostgreSQL's default collation may sort ids otherwise), so SQL's order, the
      // cursor comparison and the merge below agree.
      const id = dialect.name === 'postgres' ? sql`id collate "C"` : sql`id`;
      const ascending = () => {
        const conditions = [sql<boolean>`developer_id = ${q.developerId}`, sql<boolean>`created_at <= ${q.until}`];
        if (q.after !== undefined) {
          conditions.push(
            sql<boolean>`(created_at > ${q.after.createdAt} or (created_at = ${q.after.createdAt} and ${id} > ${q.after.id}))`,
          );
        }
        return sql<boolean>`${sql.join(conditions, sql` and `)}`;
      };
      const signIns =
        q.outcomes?.length === 0
          ? []
          : await db
              .selectFrom('sign_in_events')
              .select(SIGN_IN_EVENT_COLUMNS)
              .where(ascending())
              .$if(q.outcomes !== undefined, (qb) => qb.where('outcome', 'in', [...(q.outcomes ?? [])]))
              .orderBy('created_at', 'asc')
              .orderBy(id, 'asc')
              .limit(q.limit)
              .execute();
      const audits =
        q.actions?.length === 0
          ? []
          : await db
              .selectFrom('audit_events')
              .select(AUDIT_EVENT_COLUMNS)
              .where(ascending())
              .$if(q.actions !== undefined, (qb) => qb.where('action', 'in', [...(q.actions ?? [])]))
              .orderBy('created_at', 'asc')
              .orderBy(id, 'asc')
              .limit(q.limit)
              .execute();
      const merged: StoredEvent[] = [
        ...signIns.map((r) => ({ kind: 'sign_in' as const, record: toSignInEvent(r) })),
        ...audits.map((r) => ({ kind: 'audit' as const, record: toAuditEvent(r) })),
      ];
      const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
      merged.sort((a, b) => bytes(a.record.createdAt, b.record.createdAt) || bytes(a.record.id, b.record.id));
      return merged.slice(0, q.limit);
    },
    async countSignIns({ developerId, from, bucket }) {
      // ISO-8601 text on both backends: the hour or day is a prefix, so one expression groups on both.
      const key = bucket === 'hour' ? sql<string>`substr(created_at, 1, 13)` : sql<string>`substr(created_at, 1, 10)`;
      const rows = await db
        .selectFrom('sign_in_events')
        .select([
          key.as('bucket'),
          'connection_id',
          'outcome',
          'reason',
          (eb) => eb.fn.countAll<number | string | bigint>().as('count'),
        ])
        .where('developer_id', '=', developerId)
        .where('created_at', '>=', from)
        .groupBy([key, 'connection_id', 'outcome', 'reason'])
        .execute();
      return rows.map((r) => countRow.parse(r));
    },
    async lastSignIns(developerId) {
      const rows = await db
        .selectFrom('sign_in_events')
        .select(['connection_id', 'outcome', (eb) => eb.fn.max('created_at').as('created_at')])
        .where('developer_id', '=', developerId)
        .groupBy(['connection_id', 'outcome'])
        .execute();
      return rows.map((r) => lastRow.parse(r));
    },
    async purgeEventsBefore(beforeIso, batch) {
      return (await purge('sign_in_events', beforeIso, batch)) + (await purge('audit_events', beforeIso, batch));
    },
  };
  return { events };
}
