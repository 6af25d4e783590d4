/**
 * What every connection to the service's SQLite files shares: the file created owner-only, the pragmas, and a
 * statement cache. The event log's writer thread imports this file too, loaded by Node itself (type stripping):
 * it imports nothing relative, and its types are erasable.
 */
import fs from 'node:fs';
import type Database from 'better-sqlite3';

/** Creates the file owner-only before SQLite does (its -wal and -shm files copy the file's mode). */
export function createOwnerOnly(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}

/** The service's pragmas; `foreign_keys` for the main file (the event log's tables reference nothing). */
export function applyPragmas(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  // NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Hot reads (API-key and config look-ups; the console's activity pages on the event log) stay in memory at 10k+
  // orgs: ~32 MB page cache, reads via mmap.
  db.pragma('cache_size = -32000');
  db.pragma('mmap_size = 268435456');
  db.pragma('temp_store = MEMORY');
}

/** Statements prepared once per SQL text, at most `max` kept (better-sqlite3 has no cache; Kysely prepares per call). */
export function statementCache(db: Database.Database, max: number): (text: string) => Database.Statement {
  const statements = new Map<string, Database.Statement>();
  return (text) => {
    let statement = statements.get(text);
    if (statement === undefined) {
      if (statements.size >= max) statements.clear();
      statement = db.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
}
