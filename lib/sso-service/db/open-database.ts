import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate } from './migrations';

export function openDatabase(dbPath: string): Database.Database {
  if (dbPath !== ':memory:') {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true, mode: 0o700 });
    // Create the file owner-only before SQLite does: its -wal and -shm files copy the database's mode.
    fs.closeSync(fs.openSync(dbPath, 'a', 0o600));
  }
  const db = new Database(dbPath);
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
  return db;
}
