/** What readiness asks of the database: which migrations it has, and whether it (and its event log) takes a write now. */
import { sql } from 'kysely';
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import type { EventLog } from '../events/store';

export interface HealthStore {
  /**
   * The applied migration versions, read inside a write transaction that changes nothing: it fails when the
   * database is read-only, locked past the busy timeout (SQLite's transactions take the write lock at BEGIN) or
   * unreachable, as every write would.
   */
  readiness(): Promise<{ appliedVersions: number[] }>;
  /**
   * Resolves when SQLite's event log file (features/events/store.ts) takes a write now: an empty job through its
   * writer thread, which takes the file's write lock, commits nothing, and so also says the thread is there to
   * answer. Absent where the events live in the database itself (PostgreSQL, in-memory SQLite), which
   * `readiness` already checks.
   */
  eventLogReadiness?(): Promise<void>;
}

const versionRow = z.object({ version: z.coerce.number().int() });

export function createHealthStore({ db }: StoreDatabase, eventLog?: Pick<EventLog, 'write'>): HealthStore {
  return {
    async readiness() {
      return db.transaction().execute(async (tx) => {
        // schema_migrations belongs to the runners, not to the typed schema: plain SQL, no row changed.
        const { rows } = await sql`SELECT version FROM schema_migrations`.execute(tx);
        await sql`UPDATE schema_migrations SET name = name WHERE version < 0`.execute(tx);
        return { appliedVersions: rows.map((r) => versionRow.parse(r).version) };
      });
    },
    ...(eventLog
      ? {
          async eventLogReadiness() {
            await eventLog.write([]);
          },
        }
      : {}),
  };
}
