/**
 * Which storage backend the service tests run on. Unset: SQLite in each test's temp data dir (the default).
 * GRANTEX_TEST_DATABASE_URL=postgres://… (set by scripts/with-postgres.ts): PostgreSQL, a fresh database per
 * service harness, so test files never share state.
 */
import { randomBytes } from 'node:crypto';
import type { PostgresConfig } from '@/lib/sso-service/config';
import { createDatabaseAt } from './postgres-server';

export const TEST_PG_ADMIN_URL = process.env.GRANTEX_TEST_DATABASE_URL || undefined;
export const onPostgres = TEST_PG_ADMIN_URL !== undefined;
export const testBackend: 'sqlite' | 'postgres' = onPostgres ? 'postgres' : 'sqlite';

/** Short timeouts: a fault test waits for them, and nothing in a test should take longer. */
export function pgTestConfig(url: string, overrides: Partial<PostgresConfig> = {}): PostgresConfig {
  return { url, poolMax: 10, statementTimeoutMs: 2000, connectTimeoutMs: 2000, ...overrides };
}

/** Service options that put one harness on the selected backend: `{}` for SQLite, a fresh database for PostgreSQL. */
export async function testDatabaseOptions(): Promise<{ postgres?: PostgresConfig }> {
  if (!TEST_PG_ADMIN_URL) return {};
  const url = await createDatabaseAt(TEST_PG_ADMIN_URL, `gx_${randomBytes(6).toString('hex')}`);
  return { postgres: pgTestConfig(url) };
}
