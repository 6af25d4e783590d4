/** Reads a test PostgreSQL database from outside the service: what storage tests check about what is stored. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { findPostgresBin } from './postgres-server';

/** pg_dump's plain-SQL dump of the database (schema and data). */
export async function dumpPostgresDatabase(url: string): Promise<string> {
  const bin = findPostgresBin();
  if (!bin) throw new Error('pg_dump not found: install Debian package postgresql');
  const { stdout } = await promisify(execFile)(path.join(bin, 'pg_dump'), ['--no-owner', `--dbname=${url}`], {
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30_000,
  });
  return stdout;
}

export async function postgresMigrationVersions(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    return rows.map((r) => r.version);
  } finally {
    await client.end();
  }
}
