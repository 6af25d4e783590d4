/**
 * Backup and restore of the SQLite database, while the service keeps serving.
 *
 * Backup uses SQLite's online backup API (better-sqlite3's `backup()`): it copies the database page by page from
 * its own read connection, in steps, so the serving process keeps reading and writing; a write during the copy
 * restarts it from a consistent snapshot, and the result is one self-contained file (the WAL folded in). The
 * copy is checked (`PRAGMA integrity_check`) before it is reported done.
 *
 * Restore puts a backup in place of the data directory's database: only into a stopped service (the database
 * must not be open elsewhere; a file already there is refused unless `force`), after the same integrity check,
 * with any old `-wal`/`-shm` files removed so they cannot be replayed onto the restored file. Migrations run at
 * the next start, so a backup from an older version upgrades as it would have.
 *
 * The event log (the sign-in log and the audit trail, in `<database>-events`: event-log.ts) is copied the same way
 * right after the database, to `<backup>-events`, and restored beside it. The two copies are two snapshots a
 * moment apart: events written between them may be in the log and refer to nothing newer than the database,
 * which is harmless for an append-only log.
 *
 * What a backup does not hold: the keys that open its secrets (`GRANTEX_ENCRYPTION_KEY`, `GRANTEX_STATE_SECRET`,
 * or `<dataDir>/service-keys.json` in development). Keep them apart from the backups, and restore with the same
 * keys (docs/OPERATIONS.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { EVENT_LOG_TABLES, eventLogPathOf, hasTables } from './event-log';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** Pages copied per step: small steps let the serving process write between them. */
const PAGES_PER_STEP = 256;

/** The database holds `schema_migrations`; its event log holds the event tables. */
function checkIntegrity(file: string, kind: 'database' | 'event log' = 'database'): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new BackupError(`${file} is not a sound SQLite database (integrity check failed)`);
    const expected: readonly string[] = kind === 'database' ? ['schema_migrations'] : EVENT_LOG_TABLES;
    if (!hasTables(db, expected)) {
      throw new BackupError(
        kind === 'database'
          ? `${file} is not a Grantex SSO database (no schema_migrations table)`
          : `${file} is not a Grantex SSO event log (no ${expected.join(' and ')} tables)`,
      );
    }
  } finally {
    db.close();
  }
}

/** Copies one live SQLite file with the online backup API, in steps; returns its pages. */
async function copyLive(
  from: string,
  to: string,
  onProgress?: (p: { totalPages: number; remainingPages: number }) => void,
): Promise<number> {
  const source = new Database(from, { fileMustExist: true });
  try {
    // The serving process may hold a write lock for a moment: wait for it rather than fail the step.
    source.pragma('busy_timeout = 5000');
    const done = await source.backup(to, {
      // Called between steps only (a database copied in one step never calls it).
      progress: (p) => {
        onProgress?.(p);
        return PAGES_PER_STEP;
      },
    });
    fs.chmodSync(to, 0o600);
    return done.totalPages;
  } finally {
    source.close();
  }
}

/**
 * Copies the live database at `dbPath` to `target` (which must not exist); returns the pages copied. `onProgress`
 * sees each step's remaining/total pages.
 */
export async function backupSqlite(
  dbPath: string,
  target: string,
  onProgress?: (p: { totalPages: number; remainingPages: number }) => void,
): Promise<{ pages: number }> {
  if (!fs.existsSync(dbPath)) throw new BackupError(`no database at ${dbPath}`);
  if (fs.existsSync(target)) throw new BackupError(`${target} already exists: choose a new file name`);
  const eventLog = eventLogPathOf(dbPath);
  const eventLogTarget = eventLogPathOf(target);
  if (fs.existsSync(eventLogTarget)) throw new BackupError(`${eventLogTarget} already exists: choose a new file name`);
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  let pages = 0;
  try {
    pages = await copyLive(dbPath, target, onProgress);
    // A database from before the event log file still holds its events (they move at the next start).
    if (fs.existsSync(eventLog)) pages += await copyLive(eventLog, eventLogTarget, onProgress);
  } catch (err) {
    fs.rmSync(target, { force: true });
    fs.rmSync(eventLogTarget, { force: true });
    throw err;
  }
  checkIntegrity(target);
  if (fs.existsSync(eventLogTarget)) checkIntegrity(eventLogTarget, 'event log');
  return { pages };
}

/** Puts the backup `source` in place of `dbPath` (a stopped service's database). */
export function restoreSqlite(source: string, dbPath: string, opts: { force?: boolean } = {}): void {
  if (!fs.existsSync(source)) throw new BackupError(`no backup at ${source}`);
  checkIntegrity(source);
  const sourceLog = eventLogPathOf(source);
  const hasLog = fs.existsSync(sourceLog);
  if (hasLog) checkIntegrity(sourceLog, 'event log');
  const targetLog = eventLogPathOf(dbPath);
  if ((fs.existsSync(dbPath) || fs.existsSync(targetLog)) && !opts.force) {
    throw new BackupError(`${dbPath} already exists: stop the service and pass --force to replace it`);
  }
  fs.mkdirSync(path.dirname(dbPath), { recursive: true, mode: 0o700 });
  // Copy beside the target, then rename: a crash mid-copy never leaves a half database under the real name.
  const place = (from: string, to: string) => {
    const staging = `${to}.restoring`;
    fs.copyFileSync(from, staging);
    fs.chmodSync(staging, 0o600);
    for (const suffix of ['-wal', '-shm']) fs.rmSync(`${to}${suffix}`, { force: true });
    fs.renameSync(staging, to);
  };
  // The event log first: a database in place with the old log beside it would merge the two at the next start.
  if (hasLog) place(sourceLog, targetLog);
  else for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${targetLog}${suffix}`, { force: true });
  place(source, dbPath);
}
