import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ServiceStore } from '../types';
import { migrate } from './migrations';
import { createSqliteStore } from './store';
import { boundWal } from './wal';

/** Opens (creating owner-only if needed) and migrates the database file. */
export function openSqliteDatabase(dbPath: string): Database.Database {
  if (dbPath !== ':memory:') {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true, mode: 0o700 });
    // Create the file owner-only before SQLite does: its -wal and -shm files copy the database's mode.
    fs.closeSync(fs.openSync(dbPath, 'a', 0o600));
  }
  const db = new Database(dbPath);
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // Hot reads (API-key and config look-ups) stay in memory at 10k+ orgs: ~32 MB page cache, reads via mmap.
    db.pragma('cache_size = -32000');
    db.pragma('mmap_size = 268435456');
    db.pragma('temp_store = MEMORY');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function openSqliteStore(dbPath: string): ServiceStore {
  const db = openSqliteDatabase(dbPath);
  const stopWal = boundWal(db, dbPath);
  const store = createSqliteStore(db);
  return {
    ...store,
    async close() {
      stopWal();
      await store.close();
    },
  };
}
