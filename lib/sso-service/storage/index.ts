/**
 * The one place that picks a storage backend: PostgreSQL when the configuration has `postgres`
 * (DATABASE_URL), otherwise SQLite in the data dir. Either way the schema is migrated before this returns.
 */
import { resolveDbPath, type ServiceConfig } from '../config';
import { asStoreError } from './errors';
import { openPostgresStore } from './postgres/store';
import { openSqliteStore } from './sqlite/open-database';
import type { ServiceStore } from './types';

export type * from './types';
export type * from './events-types';
export {
  redirectUriMismatch,
  principalIssuer,
  ISSUER_CHANGED,
  DEFAULT_CONNECTION_NAME,
  NO_PROVISIONING,
  LEGACY_PROVISIONING,
} from './types';
export { createStore } from './store';
export { asStoreError, StoreError, type StoreErrorKind } from './errors';

export interface OpenStoreOptions {
  /**
   * Reports a failure outside any request (an idle PostgreSQL connection dropped by a restart, SQLite's event log
   * writer thread stopping on its own).
   */
  onBackgroundError?: (err: Error) => void;
}

export async function openStore(
  config: Pick<ServiceConfig, 'dataDir' | 'dbPath' | 'postgres'>,
  opts: OpenStoreOptions = {},
): Promise<ServiceStore> {
  if (!config.postgres) return openSqliteStore(resolveDbPath(config), opts);
  try {
    return await openPostgresStore(config.postgres, { onIdleError: opts.onBackgroundError });
  } catch (err) {
    const storeError = asStoreError(err);
    // Say what to check without printing the URL: it may carry a password.
    if (storeError?.transient) {
      throw new Error(
        `Cannot reach PostgreSQL (${storeError.driverCode ?? storeError.kind}): check DATABASE_URL, the network and that the server is running`,
        { cause: err },
      );
    }
    throw err;
  }
}
