/**
 * SQLite's migration runner over the steps written once in ../migrations.ts. All pending steps run in one
 * transaction together with their schema_migrations rows, so a failed step leaves the database at the previous
 * version.
 */
import type Database from 'better-sqlite3';
import { renderMigrations, SQLITE_SCHEMA } from '../migrations';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** See MigrationStep.rebuildsReferencedTable. */
  rebuildsReferencedTable?: boolean;
}

export const MIGRATIONS: readonly Migration[] = renderMigrations(SQLITE_SCHEMA);

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
  ) STRICT`);
  const appliedVersions = db.prepare('SELECT version FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched before one (read outside the lock:
  // at worst the keys are off for a transaction that finds the step already applied by another process).
  const appliedBefore = new Set((appliedVersions.all() as { version: number }[]).map((r) => r.version));
  const keysOff =
    ordered.some((m) => m.rebuildsReferencedTable && !appliedBefore.has(m.version)) &&
    db.pragma('foreign_keys', { simple: true }) === 1;
  if (keysOff) db.pragma('foreign_keys = OFF');
  // One IMMEDIATE transaction is the lock: a second process starting on the same file waits (busy_timeout), then
  // reads the versions the first one recorded, so no step is applied twice.
  try {
    return db
      .transaction(() => {
        const applied = new Set((appliedVersions.all() as { version: number }[]).map((r) => r.version));
        let count = 0;
        for (const m of ordered) {
          if (applied.has(m.version)) continue;
          db.exec(m.sql);
          if (m.rebuildsReferencedTable && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
            throw new Error(`migration ${m.version} left rows whose foreign keys point nowhere`);
          }
          record.run(m.version, m.name, new Date().toISOString());
          count++;
        }
        return count;
      })
      .immediate();
  } finally {
    if (keysOff) db.pragma('foreign_keys = ON');
  }
}
