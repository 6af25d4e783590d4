/**
 * The sign-in log and audit trail on SQLite. A batch is ONE statement (`INSERT … SELECT … FROM json_each(?)`),
 * so the buffer's flush is one write transaction however many events it carries. Purges delete in bounded
 * chunks (better-sqlite3 is synchronous: a huge DELETE would hold the event loop).
 */
import type Database from 'better-sqlite3';
import { afterParams, AUDIT_EVENT_COLUMNS, auditBatchJson, SIGN_IN_EVENT_COLUMNS, signInBatchJson, toAuditEvent, toSignInEvent } from '../events-rows';
import type { EventStore } from '../events-types';

/** `value->>'col'` for each column (`value->'col'` for JSON ones, kept as JSON text). */
function fromJsonEach(columns: readonly string[], jsonColumns: readonly string[]): string {
  return columns.map((c) => (jsonColumns.includes(c) ? `json(value->'${c}')` : `value->>'${c}'`)).join(', ');
}

const PAGE_FILTER = `(@from IS NULL OR created_at >= @from)
        AND (@to IS NULL OR created_at <= @to)
        AND (@afterAt IS NULL OR created_at < @afterAt OR (created_at = @afterAt AND id < @afterId))`;

export function createSqliteEventStore(db: Database.Database, guarded: <A extends unknown[], R>(op: (...args: A) => R) => (...args: A) => Promise<R>): EventStore {
  const insertSignIns = db.prepare(
    `INSERT INTO sign_in_events (${SIGN_IN_EVENT_COLUMNS.join(', ')})
     SELECT ${fromJsonEach(SIGN_IN_EVENT_COLUMNS, ['trace'])} FROM json_each(?)`,
  );
  const insertAudits = db.prepare(
    `INSERT INTO audit_events (${AUDIT_EVENT_COLUMNS.join(', ')})
     SELECT ${fromJsonEach(AUDIT_EVENT_COLUMNS, ['changed_fields'])} FROM json_each(?)`,
  );
  const selectSignIns = db.prepare(
    `SELECT ${SIGN_IN_EVENT_COLUMNS.join(', ')} FROM sign_in_events
      WHERE developer_id = @developerId
        AND (@connectionId IS NULL OR connection_id = @connectionId)
        AND (@outcome IS NULL OR outcome = @outcome)
        AND (@email IS NULL OR email = @email)
        AND ${PAGE_FILTER}
      ORDER BY created_at DESC, id DESC LIMIT @limit`,
  );
  const selectAudits = db.prepare(
    `SELECT ${AUDIT_EVENT_COLUMNS.join(', ')} FROM audit_events
      WHERE developer_id = @developerId
        AND (@targetId IS NULL OR target_id = @targetId)
        AND (@action IS NULL OR action = @action)
        AND ${PAGE_FILTER}
      ORDER BY created_at DESC, id DESC LIMIT @limit`,
  );
  const purgeSignIns = db.prepare(
    'DELETE FROM sign_in_events WHERE rowid IN (SELECT rowid FROM sign_in_events WHERE created_at < ? LIMIT ?)',
  );
  const purgeAudits = db.prepare('DELETE FROM audit_events WHERE rowid IN (SELECT rowid FROM audit_events WHERE created_at < ? LIMIT ?)');

  const page = (q: { developerId: string; from?: string; to?: string; after?: { createdAt: string; id: string }; limit: number }) => {
    const [afterAt, afterId] = afterParams(q.after);
    return { developerId: q.developerId, from: q.from ?? null, to: q.to ?? null, afterAt, afterId, limit: q.limit };
  };

  return {
    insertSignInEvents: guarded((events) => {
      if (events.length > 0) insertSignIns.run(signInBatchJson(events));
    }),
    insertAuditEvents: guarded((events) => {
      if (events.length > 0) insertAudits.run(auditBatchJson(events));
    }),
    listSignInEvents: guarded((q) =>
      selectSignIns
        .all({ ...page(q), connectionId: q.connectionId ?? null, outcome: q.outcome ?? null, email: q.email ?? null })
        .map(toSignInEvent),
    ),
    listAuditEvents: guarded((q) =>
      selectAudits.all({ ...page(q), targetId: q.targetId ?? null, action: q.action ?? null }).map(toAuditEvent),
    ),
    purgeEventsBefore: guarded((beforeIso, batch) => purgeSignIns.run(beforeIso, batch).changes + purgeAudits.run(beforeIso, batch).changes),
  };
}
