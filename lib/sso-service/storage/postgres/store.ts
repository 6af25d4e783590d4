/**
 * PostgreSQL: the `pg` pool (size, connect timeout, statement timeout, idle errors absorbed) and the store on
 * it. Migrations run before the store is handed out.
 */
import pg from 'pg';
import type { PostgresConfig } from '../../config';
import { postgresDatabase } from '../connect';
import { createStore } from '../store';
import type { ServiceStore } from '../types';
import { mapPgError } from './errors';
import { migratePg } from './migrations';

/** A pool configured from PostgresConfig, with idle-client errors absorbed (a restart must not crash us). */
export function createPgPool(config: PostgresConfig, onIdleError: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    // The server cancels at statement_timeout; this catches a server that no longer answers at all.
    query_timeout: config.statementTimeoutMs + config.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'grantex-sso',
  });
  // An idle connection dropped by the server (restart, failover) emits here; the pool replaces it on demand.
  pool.on('error', onIdleError);
  return pool;
}

export async function openPostgresStore(
  config: PostgresConfig,
  opts: { onIdleError?: (err: Error) => void } = {},
): Promise<ServiceStore> {
  const pool = createPgPool(config, opts.onIdleError ?? (() => undefined));
  try {
    await migratePg(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw mapPgError(err);
  }
  return createPostgresStore(pool);
}

export function createPostgresStore(pool: pg.Pool): ServiceStore {
  return createStore(postgresDatabase(pool));
}
