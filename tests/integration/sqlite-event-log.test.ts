/**
 * SQLite's event log file (lib/sso-service/storage/sqlite/event-log.ts): the sign-in log and the audit trail
 * live beside the database, written by the writer thread. On real files: the tables move out of an existing
 * database once, a move cut short completes without duplicates, the main file never holds an event again, the
 * writer's failures arrive as storage errors, purges go through the writer, events of an org without webhooks
 * are written while the database's write lock is held elsewhere, a writer thread that stops on its own is
 * replaced, and a database whose event log is missing refuses to open, naming the file.
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { AuditEventRecord } from '@/lib/sso-service/storage';
import { eventLogPathOf } from '@/lib/sso-service/storage/sqlite/event-log';
import { RESTART_AFTER_MS, startEventLogWriter } from '@/lib/sso-service/storage/sqlite/event-log-writer';
import { openSqliteDatabase, openSqliteStore } from '@/lib/sso-service/storage/sqlite/open-database';

const freshPath = () => path.join(mkdtempSync(path.join(tmpdir(), 'gx-event-log-')), 'grantex.db');

const audit = (id: string, createdAt = '2026-03-01T10:00:00.000Z'): AuditEventRecord => ({
  id,
  developerId: 'dev_log',
  actorKind: 'api_key',
  actorId: 'key_1',
  actorLabel: null,
  action: 'config.saved',
  targetType: 'connection',
  targetId: 'conn_1',
  changedFields: ['clientSecret'],
  createdAt,
});

/** The tables of one file, read with a plain connection (no attached event log). */
function tablesOf(file: string): string[] {
  const db = new Database(file, { fileMustExist: true });
  try {
    return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[])
      .map((r) => r.name)
      .filter((n) => n === 'audit_events' || n === 'sign_in_events')
      .sort();
  } finally {
    db.close();
  }
}

function countIn(file: string, table: string): number {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A database as the service left it before the event log file: migrated, its events in the main file. */
function databaseWithEventsInside(dbPath: string, ids: string[]): void {
  const db = openSqliteDatabase(dbPath);
  const insert = db.prepare(
    "INSERT INTO audit_events (id, developer_id, actor_kind, actor_id, actor_label, action, target_type, target_id, changed_fields, created_at) VALUES (?, 'dev_log', 'api_key', 'key_1', NULL, 'config.saved', 'connection', 'conn_1', '[]', '2026-03-01T09:00:00.000Z')",
  );
  for (const id of ids) insert.run(id);
  db.close();
}

const listed = async (store: ReturnType<typeof openSqliteStore>) =>
  (await store.events.listAuditEvents({ developerId: 'dev_log', limit: 100 })).map((e) => e.id).sort();

describe('SQLite event log file', () => {
  it('moves the events out of an existing database once; the service reads and writes them there', async () => {
    const dbPath = freshPath();
    databaseWithEventsInside(dbPath, ['aud_old_1', 'aud_old_2']);
    expect(tablesOf(dbPath)).toEqual(['audit_events', 'sign_in_events']);

    const store = openSqliteStore(dbPath);
    try {
      expect(tablesOf(dbPath)).toEqual([]);
      expect(tablesOf(eventLogPathOf(dbPath))).toEqual(['audit_events', 'sign_in_events']);
      expect(await listed(store)).toEqual(['aud_old_1', 'aud_old_2']);
      // New events go to the event log file (by the writer thread) and are read back from it.
      await store.events.insertAuditEvents([audit('aud_new_1'), audit('aud_new_2')]);
      expect(await listed(store)).toEqual(['aud_new_1', 'aud_new_2', 'aud_old_1', 'aud_old_2']);
    } finally {
      await store.close();
    }
    expect(tablesOf(dbPath)).toEqual([]);
    expect(countIn(eventLogPathOf(dbPath), 'audit_events')).toBe(4);

    // Opened again: nothing moves twice.
    const again = openSqliteStore(dbPath);
    try {
      expect(await listed(again)).toEqual(['aud_new_1', 'aud_new_2', 'aud_old_1', 'aud_old_2']);
    } finally {
      await again.close();
    }
  });

  it('a move cut short (rows in the log, the tables still in the database) completes without duplicates', async () => {
    const dbPath = freshPath();
    databaseWithEventsInside(dbPath, ['aud_a', 'aud_b']);
    // The database as it was before the move: after a crash between the two files' commits, the rows are in both.
    const before = `${dbPath}.before`;
    copyFileSync(dbPath, before);
    await openSqliteStore(dbPath).close();
    copyFileSync(before, dbPath);
    rmSync(`${dbPath}-wal`, { force: true });
    rmSync(`${dbPath}-shm`, { force: true });
    expect(tablesOf(dbPath)).toEqual(['audit_events', 'sign_in_events']);

    const store = openSqliteStore(dbPath);
    try {
      expect(tablesOf(dbPath)).toEqual([]);
      expect(await listed(store)).toEqual(['aud_a', 'aud_b']);
    } finally {
      await store.close();
    }
  });

  it('a write the log refuses rejects as a storage error; purges go through the writer', async () => {
    const store = openSqliteStore(freshPath());
    try {
      await store.events.insertAuditEvents([audit('aud_1', '2026-01-01T00:00:00.000Z'), audit('aud_2')]);
      // The same id again: SQLite's constraint error, from the writer thread, as the store's own error.
      await expect(store.events.insertAuditEvents([audit('aud_1')])).rejects.toMatchObject({
        name: 'StoreError',
        kind: 'failed',
        transient: false,
        driverCode: 'SQLITE_CONSTRAINT_PRIMARYKEY',
      });
      expect(await store.events.purgeEventsBefore('2026-02-01T00:00:00.000Z', 100)).toBe(1);
      expect(await listed(store)).toEqual(['aud_2']);
    } finally {
      await store.close();
    }
  });

  it("an org without webhooks has its events written while another connection holds the database's write lock", async () => {
    const dbPath = freshPath();
    const store = openSqliteStore(dbPath);
    // A backup tool or a second process writing: the main file's write lock, held past the 5 s busy timeout.
    const other = new Database(dbPath);
    other.exec('BEGIN IMMEDIATE');
    try {
      // The outbox names the batch's org; with no endpoint there is nothing to deliver and nothing to lock.
      await store.events.insertAuditEvents([audit('aud_while_locked')], {
        developerIds: ['dev_log'],
        eventsOf: () => [],
      });
      expect(await listed(store)).toEqual(['aud_while_locked']);
    } finally {
      other.exec('ROLLBACK');
      other.close();
      await store.close();
    }
  });

  it('a writer thread that stops on its own: writes fail as unavailable (transient), then a new thread takes them', async () => {
    const dbPath = freshPath();
    await openSqliteStore(dbPath).close();
    let clock = 0;
    const stops: Error[] = [];
    const writer = startEventLogWriter(eventLogPathOf(dbPath), { now: () => clock, onStop: (e) => stops.push(e) });
    const insert = (id: string) =>
      CompiledQuery.raw(
        `INSERT INTO audit_events (id, developer_id, actor_kind, action, target_type, changed_fields, created_at)
         VALUES (?, 'dev_log', 'api_key', 'config.saved', 'connection', '[]', '2026-03-01T10:00:00.000Z')`,
        [id],
      );
    try {
      expect(await writer.write([insert('aud_before')])).toBe(1);
      await writer.crash();
      expect(stops).toHaveLength(1);
      // Within the restart interval: refused at once, as a passing failure (the buffer drops the batch, one warning).
      await expect(writer.write([insert('aud_refused')])).rejects.toMatchObject({
        name: 'StoreError',
        kind: 'unavailable',
        transient: true,
      });
      clock += RESTART_AFTER_MS;
      expect(await writer.write([insert('aud_after')])).toBe(1);
      expect(stops).toHaveLength(1);
    } finally {
      await writer.close();
    }
    const db = new Database(eventLogPathOf(dbPath), { readonly: true });
    try {
      expect(db.prepare('SELECT id FROM audit_events ORDER BY id').pluck().all()).toEqual(['aud_after', 'aud_before']);
    } finally {
      db.close();
    }
  });

  it('a database whose event log is missing refuses to open, naming the file', async () => {
    const dbPath = freshPath();
    await openSqliteStore(dbPath).close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${eventLogPathOf(dbPath)}${suffix}`, { force: true });
    expect(() => openSqliteStore(dbPath)).toThrow(
      `${eventLogPathOf(dbPath)} does not hold the sign-in log and the audit trail`,
    );
  });
});
