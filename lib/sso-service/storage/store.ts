/**
 * The one factory: the feature slices over one database, and the driver's errors mapped to StoreError for
 * every method in one place (a slice never sees a raw driver error escape; it may test one it expects, e.g. a
 * unique violation, through the dialect).
 */
import { createConnectionsStore } from '../features/connections/store';
import { createConsoleAccessStore, purgeExpiredConsoleSessions } from '../features/console-access/store';
import { createDirectoryStore } from '../features/directory/store';
import { createDomainsStore } from '../features/domains/store';
import { createHealthStore } from '../features/health/store';
import { createEventsStore, type EventLog } from '../features/events/store';
import { createLoginStore, purgeExpiredLogins } from '../features/login/store';
import { createMetadataRefreshStore } from '../features/connections/metadata-refresh-store';
import { createLogoutStore, purgeExpiredLogoutClaims } from '../features/logout/store';
import { createOrgsStore } from '../features/orgs/store';
import { createRateLimitsStore, purgeFinishedRateLimits } from '../features/rate-limits/store';
import { createSessionsStore, purgeExpiredSessions } from '../features/sessions/store';
import { createSetupLinksStore, purgeExpiredSetupSessions } from '../features/setup-links/store';
import { createSpKeysStore } from '../features/sp-keys/store';
import { createWebhooksStore } from '../features/webhooks/store';
import { createKeyRotationStore } from '../features/key-rotation/store';
import type { StoreDatabase } from './connect';
import type { ServiceStore } from './types';

/** Every function of `target` (all async: they never throw synchronously) rejecting with the dialect's StoreError instead of the driver's error. */
function mapErrors<T extends object>(target: T, mapError: (err: unknown) => Error): T {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(target)) {
    out[key] =
      typeof value === 'function'
        ? (...args: unknown[]) =>
            (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch((err: unknown) => {
              throw mapError(err);
            })
        : value;
  }
  return out as T;
}

export function createStore(database: StoreDatabase, eventLog?: EventLog): ServiceStore {
  const { db, dialect } = database;
  const { events } = createEventsStore(database, eventLog);
  const rateLimits = createRateLimitsStore(database);
  const store: Omit<ServiceStore, 'events' | 'sharedRateLimits'> = {
    backend: dialect.name,
    ...createOrgsStore(database),
    ...createConnectionsStore(database),
    ...createMetadataRefreshStore(database),
    ...createLoginStore(database),
    ...createSessionsStore(database),
    ...createLogoutStore(database),
    ...createDomainsStore(database),
    ...createSetupLinksStore(database),
    ...createDirectoryStore(database),
    ...createHealthStore(database, eventLog),
    ...createSpKeysStore(database),
    ...createWebhooksStore(database),
    ...createKeyRotationStore(database),
    ...createConsoleAccessStore(database),
    async purgeExpired(beforeMs, nowMs) {
      const nowIso = new Date(nowMs).toISOString();
      const states = await purgeExpiredLogins(database, beforeMs, nowMs);
      await purgeFinishedRateLimits(database, nowMs);
      await purgeExpiredSessions(database, nowIso);
      await purgeExpiredLogoutClaims(database, nowMs);
      await purgeExpiredSetupSessions(database, nowIso);
      await purgeExpiredConsoleSessions(database, nowIso);
      return states;
    },
    async close() {
      await eventLog?.close();
      await db.destroy();
    },
  };
  return {
    ...mapErrors(store, dialect.mapError),
    events: mapErrors(events, dialect.mapError),
    sharedRateLimits: rateLimits.sharedRateLimits && mapErrors(rateLimits.sharedRateLimits, dialect.mapError),
  };
}
