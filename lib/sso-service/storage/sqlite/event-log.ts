/**
 * On SQLite the sign-in log and the audit trail live in a database file of their own, `<database>-events`, which
 * a worker thread writes (event-log-writer.ts). SQLite has one writer per file, and better-sqlite3 runs each
 * statement on the calling thread: on the main thread the event inserts would cost the busiest write, the legacy
 * config save, about a tenth of its throughput, and a second writer on the service's own file would meet the main
 * thread at the file's lock, where the loser sleeps at least a millisecond. In a file of their own, written by
 * another thread, they cost the main thread a compiled statement and a message per chunk (storage README, "The
 * event log's cost on SQLite", with the measurements).
 *
 * The tables are created by the service's migrations like every other table and moved here when the database is
 * opened (`moveEventTables`): their schema, indexes included, is copied from the main file, so there is one
 * definition of each table for both backends. A schema change to these tables on SQLite must therefore be made
 * here, in the event log file, after the move.
 */
import Database from 'better-sqlite3';
import { applyPragmas, createOwnerOnly } from './connection-setup';

/** The tables kept in the event log file (the webhook deliveries stay beside their endpoints). */
export const EVENT_LOG_TABLES = ['sign_in_events', 'audit_events'] as const;

export function eventLogPathOf(dbPath: string): string {
  return `${dbPath}-events`;
}

/** Whether `db` has every one of these tables (a database, or an event log, that is what it should be). */
export function hasTables(db: Database.Database, names: readonly string[]): boolean {
  const found = db
    .prepare(
      `SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN (${names.map(() => '?').join(', ')})`,
    )
    .get(...names) as { n: number };
  return found.n === names.length;
}

/**
 * Opens the event log file (created owner-only, like the main file) with the main file's pragmas (the writer
 * thread opens its own connection the same way, and bounds the file's WAL).
 */
export function openEventLogDatabase(file: string): Database.Database {
  createOwnerOnly(file);
  const db = new Database(file, { fileMustExist: true });
  try {
    applyPragmas(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** `CREATE TABLE x` / `CREATE INDEX x` (the name possibly quoted, as SQLite keeps it after a rename) in a schema. */
function inSchema(ddl: string, schema: string): string {
  const moved = ddl.replace(/^CREATE (TABLE|INDEX) ("?)(\w+)\2/, `CREATE $1 ${schema}.$2$3$2`);
  if (moved === ddl) throw new Error(`unexpected schema statement: ${ddl.slice(0, 60)}`);
  return moved;
}

/**
 * Moves the event tables that are still in the main file (a new database, or one from before the event log
 * file) into the event log file, rows, indexes and all. Safe to run again after a crash part-way: SQLite commits
 * a transaction over two WAL files file by file, so a crash may leave the rows in both; the copy skips rows
 * already there and the next run drops what is left in the main file.
 */
export function moveEventTables(main: Database.Database, eventLogPath: string): void {
  const schemaOf = (table: string, schema: string) =>
    main
      .prepare(
        `SELECT type, sql FROM ${schema}.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC`,
      )
      .all(table) as { type: 'table' | 'index'; sql: string }[];
  const pending = EVENT_LOG_TABLES.filter((table) => schemaOf(table, 'main').length > 0);
  if (pending.length === 0) return;
  createOwnerOnly(eventLogPath);
  main.prepare('ATTACH DATABASE ? AS event_log').run(eventLogPath);
  try {
    main.pragma('event_log.journal_mode = WAL');
    main
      .transaction(() => {
        for (const table of pending) {
          if (schemaOf(table, 'event_log').length === 0) {
            for (const { sql } of schemaOf(table, 'main')) main.exec(inSchema(sql, 'event_log'));
          }
          main.exec(`INSERT OR IGNORE INTO event_log.${table} SELECT * FROM main.${table}`);
          main.exec(`DROP TABLE main.${table}`);
        }
      })
      .immediate();
  } finally {
    main.exec('DETACH DATABASE event_log');
  }
}
