/**
 * Ways for fault tests to make the service's database misbehave without holding the service's own handle:
 * - `holdWriteLock`: a real lock from a second connection (SQLite: BEGIN EXCLUSIVE on the file; PostgreSQL:
 *   LOCK TABLE … IN EXCLUSIVE MODE, which, like SQLite's WAL, still lets readers through).
 * - `storeFaults`: a layer around the ServiceStore (the `wrapStore` hook) that makes writes fail with the
 *   storage error a backend maps a full disk or a read-only database to; the mapping itself is tested on
 *   real driver errors in storage-contract.test.ts.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { StoreError, type StoreErrorKind } from '@/lib/sso-service/storage';
import type { ServiceStore } from '@/lib/sso-service/storage/types';

export interface DatabaseTarget {
  dbPath: string;
  postgresUrl: string | undefined;
}

export interface HeldLock {
  release(): Promise<void>;
}

const PG_TABLES = 'developers, api_keys, sso_connections, consumed_states';

export async function holdWriteLock(target: DatabaseTarget): Promise<HeldLock> {
  if (target.postgresUrl) {
    const client = new pg.Client({ connectionString: target.postgresUrl });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${PG_TABLES} IN EXCLUSIVE MODE`);
    return {
      async release() {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end();
      },
    };
  }
  const db = new Database(target.dbPath);
  db.pragma('busy_timeout = 100');
  db.exec('BEGIN EXCLUSIVE');
  return {
    async release() {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

const WRITES = new Set<keyof ServiceStore>([
  'createDeveloper',
  'saveDefaultOidcConnection',
  'deleteDefaultConnection',
  'createConnection',
  'replaceConnection',
  'deleteConnection',
  'claimState',
  'recordStateFailure',
  'purgeExpired',
]);

export interface StoreFaults {
  /** Pass as the service's `wrapStore` hook. */
  wrap(store: ServiceStore): ServiceStore;
  /** From now on every write fails with a StoreError of this kind; reads keep working. */
  failWrites(kind: StoreErrorKind, driverCode?: string): void;
  heal(): void;
}

export function storeFaults(): StoreFaults {
  let failing: StoreError | null = null;
  return {
    wrap(store) {
      return new Proxy(store, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function' || !WRITES.has(prop as keyof ServiceStore)) return value;
          return (...args: unknown[]) => (failing ? Promise.reject(failing) : (value as (...a: unknown[]) => unknown).apply(target, args));
        },
      });
    },
    failWrites(kind, driverCode) {
      failing = new StoreError(kind, driverCode);
    },
    heal() {
      failing = null;
    },
  };
}
