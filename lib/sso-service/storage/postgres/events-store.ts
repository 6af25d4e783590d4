/**
 * The sign-in log and audit trail on PostgreSQL: named statements, one per method. A batch is ONE statement
 * (`INSERT … SELECT … FROM jsonb_to_recordset($1)`), a purge one statement deleting a bounded chunk of both tables.
 */
import type pg from 'pg';
import { afterParams, AUDIT_EVENT_COLUMNS, auditBatchJson, SIGN_IN_EVENT_COLUMNS, signInBatchJson, toAuditEvent, toSignInEvent } from '../events-rows';
import type { EventStore } from '../events-types';

const SIGN_IN_TYPES = `id text, developer_id text, connection_id text, protocol text, started_by text, outcome text, stage text,
  reason text, idp_error text, idp_error_description text, email text, sub text, name text, duration_ms double precision,
  request_id text, trace jsonb, created_at text`;
const AUDIT_TYPES = `id text, developer_id text, actor_kind text, actor_id text, actor_label text, action text, target_type text,
  target_id text, changed_fields jsonb, created_at text`;

/** $2..$6 of both list statements: from, to, cursor created_at, cursor id, limit. */
const PAGE_FILTER = `($2::text IS NULL OR created_at >= $2) AND ($3::text IS NULL OR created_at <= $3)
        AND ($4::text IS NULL OR created_at < $4 OR (created_at = $4 AND id < $5))`;

export const EVENT_SQL = {
  insertSignIns: `INSERT INTO sign_in_events (${SIGN_IN_EVENT_COLUMNS.join(', ')})
      SELECT ${SIGN_IN_EVENT_COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${SIGN_IN_TYPES})`,
  insertAudits: `INSERT INTO audit_events (${AUDIT_EVENT_COLUMNS.join(', ')})
      SELECT ${AUDIT_EVENT_COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS x(${AUDIT_TYPES})`,
  signIns: `SELECT ${SIGN_IN_EVENT_COLUMNS.join(', ')} FROM sign_in_events
      WHERE developer_id = $1 AND ${PAGE_FILTER}
        AND ($7::text IS NULL OR connection_id = $7)
        AND ($8::text IS NULL OR outcome = $8)
        AND ($9::text IS NULL OR lower(email) = lower($9))
      ORDER BY created_at DESC, id DESC LIMIT $6`,
  audits: `SELECT ${AUDIT_EVENT_COLUMNS.join(', ')} FROM audit_events
      WHERE developer_id = $1 AND ${PAGE_FILTER}
        AND ($7::text IS NULL OR target_id = $7)
        AND ($8::text IS NULL OR action = $8)
      ORDER BY created_at DESC, id DESC LIMIT $6`,
  purgeEvents: `WITH s AS (
        DELETE FROM sign_in_events WHERE id IN (SELECT id FROM sign_in_events WHERE created_at < $1 LIMIT $2) RETURNING 1
      ), a AS (
        DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE created_at < $1 LIMIT $2) RETURNING 1
      ) SELECT (SELECT count(*) FROM s) + (SELECT count(*) FROM a) AS purged`,
} as const;

type Run = (name: keyof typeof EVENT_SQL, values: unknown[]) => Promise<pg.QueryResult>;

function pageParams(q: { developerId: string; from?: string; to?: string; after?: { createdAt: string; id: string }; limit: number }): unknown[] {
  return [q.developerId, q.from ?? null, q.to ?? null, ...afterParams(q.after), q.limit];
}

export function createPostgresEventStore(run: Run): EventStore {
  return {
    async insertSignInEvents(events) {
      if (events.length > 0) await run('insertSignIns', [signInBatchJson(events)]);
    },
    async insertAuditEvents(events) {
      if (events.length > 0) await run('insertAudits', [auditBatchJson(events)]);
    },
    async listSignInEvents(q) {
      const { rows } = await run('signIns', [...pageParams(q), q.connectionId ?? null, q.outcome ?? null, q.email ?? null]);
      return rows.map(toSignInEvent);
    },
    async listAuditEvents(q) {
      const { rows } = await run('audits', [...pageParams(q), q.targetId ?? null, q.action ?? null]);
      return rows.map(toAuditEvent);
    },
    async purgeEventsBefore(beforeIso, batch) {
      const { rows } = await run('purgeEvents', [beforeIso, batch]);
      return Number((rows[0] as { purged?: unknown } | undefined)?.purged ?? 0);
    },
  };
}
