/**
 * Ways for fault tests to make the service's database misbehave without holding the service's own handle:
 * - `holdWriteLock`: a real lock from a second connection (SQLite: BEGIN EXCLUSIVE on the file; PostgreSQL:
 *   LOCK TABLE … IN EXCLUSIVE MODE, which, like SQLite's WAL, still lets readers through).
 * - `storeFaults`: a layer around the ServiceStore (the `wrapStore` hook) that makes writes fail with the
 *   storage error a backend maps a full disk or a read-only database to; every store method (events and the
 *   shared rate limiter included) is classified read or write here, and a store with an unclassified method is
 *   refused. The mapping itself is tested on real driver errors in storage-contract.test.ts.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { StoreError, type StoreErrorKind } from '@/lib/sso-service/storage';
import type { EventStore, ServiceStore, SharedRateLimiter } from '@/lib/sso-service/storage';
import { eventLogPathOf } from '@/lib/sso-service/storage/sqlite/event-log';

export interface DatabaseTarget {
  dbPath: string;
  postgresUrl: string | undefined;
}

export interface HeldLock {
  release(): Promise<void>;
}

const PG_TABLES = 'developers, api_keys, sso_connections, consumed_states';

/** Another connection holds this SQLite file's write lock until released. */
function holdSqliteWriteLock(file: string): HeldLock {
  const db = new Database(file);
  db.pragma('busy_timeout = 100');
  db.exec('BEGIN EXCLUSIVE');
  return {
    async release() {
      db.exec('ROLLBACK');
      db.close();
    },
  };
}

/** SQLite only: another connection holds the event log file's write lock (storage/sqlite/event-log.ts). */
export async function holdEventLogWriteLock(target: DatabaseTarget): Promise<HeldLock> {
  return holdSqliteWriteLock(eventLogPathOf(target.dbPath));
}

/**
 * Another connection blocks every write to the sign-in log and the audit trail: on SQLite the event log file's
 * write lock, on PostgreSQL an EXCLUSIVE lock on the two tables (the rest of the database stays writable).
 */
export async function holdEventTablesLock(target: DatabaseTarget): Promise<HeldLock> {
  if (!target.postgresUrl) return holdEventLogWriteLock(target);
  return holdPostgresTableLock(target.postgresUrl, 'sign_in_events, audit_events');
}

export async function holdWriteLock(target: DatabaseTarget): Promise<HeldLock> {
  if (target.postgresUrl) return holdPostgresTableLock(target.postgresUrl, PG_TABLES);
  return holdSqliteWriteLock(target.dbPath);
}

/** Another connection holds an EXCLUSIVE lock on these PostgreSQL tables until released (readers pass). */
async function holdPostgresTableLock(url: string, tables: string): Promise<HeldLock> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${tables} IN EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}

type MethodsOf<T> = { [K in keyof T]-?: NonNullable<T[K]> extends (...args: never[]) => unknown ? K : never }[keyof T];
type Access = 'read' | 'write' | 'lifecycle';

/**
 * Every method of the store, by what it does to the database. A Record over the interface's method names, so a
 * method added to ServiceStore without a line here fails the typecheck; `uncoveredStoreMethods` finds a function
 * of a real store that is missing here (storage-contract.test.ts runs it on both backends).
 */
export const STORE_METHODS: Record<MethodsOf<ServiceStore>, Access> = {
  createDeveloper: 'write',
  findDeveloperByKey: 'read',
  getDeveloper: 'read',
  findLegacyConfigByKey: 'read',
  findDeveloperWithDefaultByKey: 'read',
  getDefaultConnection: 'read',
  getDefaultConnectionForLogin: 'read',
  getConnection: 'read',
  saveDefaultOidcConnection: 'write',
  deleteDefaultConnection: 'write',
  listConnections: 'read',
  createConnection: 'write',
  replaceConnection: 'write',
  deleteConnection: 'write',
  getConnectionById: 'read',
  findOidcConnectionIdsByRedirectUri: 'read',
  listMetadataRefreshDue: 'read',
  claimMetadataRefresh: 'write',
  recordMetadataRefresh: 'write',
  getMetadataRefresh: 'read',
  createSetupLink: 'write',
  findSetupLinkByToken: 'read',
  listSetupLinks: 'read',
  revokeSetupLink: 'write',
  createSetupSession: 'write',
  findSetupSessionByToken: 'read',
  createScimToken: 'write',
  listScimTokens: 'read',
  revokeScimToken: 'write',
  findScimToken: 'read',
  touchScimToken: 'write',
  insertScimUser: 'write',
  getScimUser: 'read',
  listScimUsers: 'read',
  updateScimUser: 'write',
  deleteScimUser: 'write',
  insertScimGroup: 'write',
  getScimGroup: 'read',
  listScimGroups: 'read',
  updateScimGroup: 'write',
  deleteScimGroup: 'write',
  scimGroupMembers: 'read',
  existingScimUserIds: 'read',
  directoryUsersForSignIn: 'read',
  revokeDirectoryUserSessions: 'write',
  createConsoleSession: 'write',
  findConsoleSessionByToken: 'read',
  revokeConsoleSession: 'write',
  hasRecentOwnerSsoSession: 'read',
  revokeConsoleSessionsByEmail: 'write',
  revokeConsoleSessionsOfSsoSessions: 'write',
  revokeConsoleSessionsOfConnection: 'write',
  liveConsoleSessionsOfConnection: 'read',
  revokeConsoleSessionsByIds: 'write',
  directoryUserEmailKeys: 'read',
  getSsoEnforcement: 'read',
  setSsoEnforcement: 'write',
  createBreakGlass: 'write',
  listBreakGlass: 'read',
  revokeBreakGlass: 'write',
  findBreakGlassBySecret: 'read',
  useBreakGlass: 'write',
  lastBreakGlassUse: 'read',
  groupNamesOfUsers: 'read',
  readiness: 'write',
  eventLogReadiness: 'write',
  scimGroupMemberCounts: 'read',
  claimState: 'write',
  getStateFailure: 'read',
  saveRelayState: 'write',
  findRelayState: 'read',
  listSpKeys: 'read',
  addSpKey: 'write',
  listSealedValues: 'read',
  replaceSealedValue: 'write',
  promoteSpKey: 'write',
  deleteSpKey: 'write',
  insertWebhookEndpoint: 'write',
  listWebhookEndpoints: 'read',
  findWebhookEndpoint: 'read',
  updateWebhookEndpoint: 'write',
  rotateWebhookSecret: 'write',
  deleteWebhookEndpoint: 'write',
  listWebhookDeliveries: 'read',
  redeliverWebhookDelivery: 'write',
  hasDueWebhookDeliveries: 'read',
  claimWebhookDeliveries: 'write',
  completeWebhookAttempt: 'write',
  completeWebhookAttempts: 'write',
  countPendingWebhookDeliveries: 'read',
  purgeWebhookDeliveriesBefore: 'write',
  recordStateFailure: 'write',
  claimAssertionId: 'write',
  signInMember: 'write',
  lastSignIns: 'read',
  listActiveSessions: 'read',
  getActiveSession: 'read',
  revokeSession: 'write',
  claimLogoutMessage: 'write',
  getSessionForLogout: 'read',
  revokeIdpSessions: 'write',
  listDomains: 'read',
  getDomain: 'read',
  addDomain: 'write',
  markDomainVerified: 'write',
  markDomainChecked: 'write',
  listDomainsDueForRecheck: 'read',
  claimDomainRecheck: 'write',
  recordDomainRecheck: 'write',
  releaseDomain: 'write',
  deleteDomain: 'write',
  findVerifiedDomainConnections: 'read',
  findOrgDomainConnections: 'read',
  purgeExpired: 'write',
  close: 'lifecycle',
};

export const EVENT_STORE_METHODS: Record<MethodsOf<EventStore>, Access> = {
  insertSignInEvents: 'write',
  insertAuditEvents: 'write',
  listSignInEvents: 'read',
  listAuditEvents: 'read',
  listEventsAfter: 'read',
  countSignIns: 'read',
  lastSignIns: 'read',
  purgeEventsBefore: 'write',
};

export const RATE_LIMITER_METHODS: Record<MethodsOf<SharedRateLimiter>, Access> = { hit: 'write' };

/** Functions of `store` (its events and shared rate limiter included) that the tables above do not classify. */
export function uncoveredStoreMethods(store: ServiceStore): string[] {
  const missing = (target: object | null, table: Record<string, Access>, prefix: string) =>
    target === null
      ? []
      : Object.keys(target)
          .filter((key) => typeof (target as Record<string, unknown>)[key] === 'function' && !(key in table))
          .map((key) => `${prefix}${key}`);
  return [
    ...missing(store, STORE_METHODS, ''),
    ...missing(store.events, EVENT_STORE_METHODS, 'events.'),
    ...missing(store.sharedRateLimits, RATE_LIMITER_METHODS, 'sharedRateLimits.'),
  ];
}

export interface StoreFaults {
  /** Pass as the service's `wrapStore` hook. */
  wrap(store: ServiceStore): ServiceStore;
  /** From now on every write fails with a StoreError of this kind; reads keep working. */
  failWrites(kind: StoreErrorKind, driverCode?: string): void;
  heal(): void;
}

export function storeFaults(): StoreFaults {
  let failing: StoreError | null = null;
  /** `target` with its writes (per `table`) failing while `failing` is set. */
  function failingWrites<T extends object>(target: T, table: Record<string, Access>): T {
    return new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function' || table[prop as string] !== 'write') return value;
        return (...args: unknown[]) =>
          failing ? Promise.reject(failing) : (value as (...a: unknown[]) => unknown).apply(t, args);
      },
    });
  }
  return {
    wrap(store) {
      const uncovered = uncoveredStoreMethods(store);
      if (uncovered.length > 0)
        throw new Error(`storeFaults does not cover ${uncovered.join(', ')}: classify them in database-faults.ts`);
      const events = failingWrites(store.events, EVENT_STORE_METHODS);
      const sharedRateLimits = store.sharedRateLimits && failingWrites(store.sharedRateLimits, RATE_LIMITER_METHODS);
      const wrapped = failingWrites(store, STORE_METHODS);
      return new Proxy(wrapped, {
        get(t, prop, receiver) {
          if (prop === 'events') return events;
          if (prop === 'sharedRateLimits') return sharedRateLimits;
          return Reflect.get(t, prop, receiver);
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
