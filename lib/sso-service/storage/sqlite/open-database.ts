import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { EventLog } from '../../features/events/store';
import type { ServiceStore } from '../types';
import { sqliteDatabase } from '../connect';
import { applyPragmas, createOwnerOnly } from './connection-setup';
import { EVENT_LOG_TABLES, eventLogPathOf, hasTables, moveEventTables, openEventLogDatabase } from './event-log';
import { startEventLogWriter } from './event-log-writer';
import { migrate } from './migrations';
import { createSqliteStore } from './store';
import { boundWal } from './wal';

/** Opens (creating owner-only if needed) and migrates the database file. */
export function openSqliteDatabase(dbPath: string): Database.Database {
  if (dbPath !== ':memory:') {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true, mode: 0o700 });
    createOwnerOnly(dbPath);
  }
  const db = new Database(dbPath);
  try {
    applyPragmas(db);
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * The event tables' file beside the database (event-log.ts): moved there if they are still in the main file, read
 * and purged through a connection of this thread, written by the writer thread.
 */
function openEventLog(main: Database.Database, dbPath: string, opts: OpenSqliteStoreOptions): EventLog {
  const file = eventLogPathOf(dbPath);
  moveEventTables(main, file);
  const reader = openEventLogDatabase(file);
  if (!hasTables(reader, EVENT_LOG_TABLES)) {
    reader.close();
    throw new Error(
      `${file} does not hold the sign-in log and the audit trail: it belongs with ${dbPath} (restore both from the same backup)`,
    );
  }
  const writer = startEventLogWriter(file, { onStop: opts.onBackgroundError });
  const database = sqliteDatabase(reader);
  return {
    database,
    write: (statements) => writer.write(statements),
    async close() {
      await writer.close();
      await database.db.destroy();
      // Kysely closes only a connection it has used: a store closed before its first event read would keep it.
      reader.close();
    },
  };
}

export interface OpenSqliteStoreOptions {
  /** Reports a failure outside any request: the event log's writer thread stopping on its own. */
  onBackgroundError?: (err: Error) => void;
}

export function openSqliteStore(dbPath: string, opts: OpenSqliteStoreOptions = {}): ServiceStore {
  const db = openSqliteDatabase(dbPath);
  let eventLog: EventLog | undefined;
  try {
    // An in-memory database (tests) has no file beside it: its events stay in it, written on this thread.
    eventLog = dbPath === ':memory:' ? undefined : openEventLog(db, dbPath, opts);
  } catch (err) {
    db.close();
    throw err;
  }
  const stopWal = boundWal(db, dbPath);
  const store = createSqliteStore(db, eventLog);
  return {
    ...store,
    async close() {
      stopWal();
      await store.close();
      db.close();
    },
  };
}
