/**
 * Keeps SQLite's write-ahead log bounded. SQLite's automatic checkpoint copies the log back into the database
 * after a commit once it holds 1,000 pages, but it never makes the file smaller, and it cannot finish while a
 * reader (a backup, another process) still reads an older snapshot, so the log can grow under sustained writes.
 * Here: `journal_size_limit` truncates the log to its limit whenever it is reset, and a timer runs a TRUNCATE
 * checkpoint whenever the file has grown past the limit anyway (it waits at most the busy timeout for readers,
 * and tries again at the next tick if they are still there).
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';

/** The log's size past which a checkpoint shrinks it (64 MiB). */
export const WAL_MAX_BYTES = 64 * 1024 * 1024;
/** How often the log's size is looked at. */
export const WAL_CHECK_MS = 30_000;

function walSize(dbPath: string): number {
  try {
    return fs.statSync(`${dbPath}-wal`).size;
  } catch {
    return 0;
  }
}

/** Checkpoints and truncates the log when it is larger than `maxBytes`; returns its size afterwards. */
export function checkpointIfLarge(db: Database.Database, dbPath: string, maxBytes = WAL_MAX_BYTES): number {
  if (walSize(dbPath) <= maxBytes) return walSize(dbPath);
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // Busy past the timeout (a writer or reader elsewhere): the next tick tries again.
  }
  return walSize(dbPath);
}

/** Sets the size limit and starts the timer; the returned function stops it. */
export function boundWal(db: Database.Database, dbPath: string, maxBytes = WAL_MAX_BYTES): () => void {
  if (dbPath === ':memory:') return () => {};
  db.pragma(`journal_size_limit = ${maxBytes}`);
  const timer = setInterval(() => checkpointIfLarge(db, dbPath, maxBytes), WAL_CHECK_MS);
  timer.unref();
  return () => clearInterval(timer);
}
