import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dumpPostgresDatabase } from './postgres-inspect';

/** Everything the database holds: SQLite's bytes on disk (main file plus WAL), or a pg_dump of the PostgreSQL database. */
export async function databaseBytes(svc: { postgresUrl: string | undefined; dataDir: string }): Promise<Buffer> {
  if (svc.postgresUrl) return Buffer.from(await dumpPostgresDatabase(svc.postgresUrl));
  return Buffer.concat(
    readdirSync(svc.dataDir)
      .filter((f) => f.startsWith('grantex.db'))
      .map((f) => readFileSync(path.join(svc.dataDir, f))),
  );
}
