/**
 * PostgreSQL's migration runner over the steps written once in ../migrations.ts. They run at start under a
 * session advisory lock, so processes starting together apply each step once: the first takes the lock and
 * migrates, the others wait, then find nothing left to do. Each step commits together with its schema_migrations
 * row.
 */
import type { Pool } from 'pg';
import { POSTGRES_SCHEMA, renderMigrations } from '../migrations';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = renderMigrations(POSTGRES_SCHEMA);

/** Any fixed 64-bit number; it names "grantex schema migrations" among the database's advisory locks. */
const MIGRATION_LOCK_ID = '7163825590127346211';
/** How long a starting process waits for another one's migration before giving up. */
const LOCK_WAIT = '60s';

export async function migratePg(pool: Pool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  let locked = false;
  try {
    // The lock wait is bounded; once held, a long migration is not cut short by the pool's statement timeout.
    await client.query(`SET statement_timeout = '${LOCK_WAIT}'`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    locked = true;
    await client.query('SET statement_timeout = 0');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      applied_at  text NOT NULL
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    let count = 0;
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      count++;
    }
    return count;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    // A client whose session settings were changed is not handed back to the pool.
    client.release(true);
  }
}
