/**
 * The embedded Grantex-compatible SSO service. Programmatic entry used by scripts/grantex.ts, the dev
 * stack, tests and benchmarks: `startSsoService({ port: 0, dataDir })` → `{ url, close }`.
 */
import type { FastifyInstance } from 'fastify';
import { buildServiceApp } from './app';
import { loadServiceConfig, type ServiceConfig } from './config';
import type { ServiceContext } from './context';
import { createStateSealer, STATE_TTL_MS } from './crypto/login-state';
import { createRelayHandles } from './crypto/relay-handle';
import { createSecretBox } from './crypto/secret-box';
import { spDecryptionKeysFor, spMetadataCertificates, spSigningKeyFor } from './features/sp-keys/service';
import { describeError } from './http/describe-error';
import { createServiceLogger, type LogSink, type ServiceLogger } from './http/logger';
import { createIssuerCheckMemo } from './features/connections/issuer-check-memo';
import { createEventRecorders, SQLITE_EVENT_WRITE_CHUNK, type EventBufferOptions } from './features/events/recorder';
import { purgeOldEvents } from './features/events/retention';
import { createTxtResolver, DEFAULT_DNS_TIMEOUT_MS } from './features/domains/dns-txt';
import { recheckDomains } from './features/domains/recheck';
import { DEFAULT_METADATA_REFRESH_MINUTES, refreshDueMetadata } from './features/connections/metadata-refresh';
import type { EventStreamOptions } from './features/event-stream/routes';
import { startMetrics } from './features/metrics';
import { startWebhookWorker, type WebhookWorkerOptions } from './features/webhooks/delivery';
import { createUnattributedAttempts } from './features/events/unattributed';
import { createRelayStates } from './features/login/relay-state';
import { createRelyingParty } from './oidc';
import { createLoginProtocols } from './protocols';
import type { RelyingPartyPort } from './relying-party-port';
import { resolveServiceKeys } from './service-keys';
import { openStore, type ServiceStore } from './storage';

export { buildServiceApp } from './app';
export { loadServiceConfig, ServiceConfigError, type ServiceConfig } from './config';
export type { LogSink } from './http/logger';

/** Test and benchmark seams; none of them is reachable from the environment. */
export interface ServiceHooks {
  /** Receives each JSON log line instead of stdout. */
  logger?: LogSink;
  /** Milliseconds since the epoch; drives state expiry and timestamps. */
  now?: () => number;
  /** Replaces the OIDC relying party (e.g. to simulate an IdP failure). */
  relyingParty?: RelyingPartyPort;
  /**
   * Wraps the opened, migrated store (SQLite or PostgreSQL). Fault tests put a fault-injecting layer here
   * (storage errors of a chosen kind, as each backend maps a full disk or a read-only database); routes see
   * only the ServiceStore interface either way.
   */
  wrapStore?: (store: ServiceStore) => ServiceStore;
  /** The event buffer's flush interval and batch size (default 250 ms, 500 events). */
  eventBuffer?: EventBufferOptions;
  /** How often the verified-domain re-check runs (default hourly; each domain is still checked at most daily). */
  domainRecheck?: { intervalMs?: number };
  /**
   * The IdP metadata refresh: how often a run looks for due connections (default every 5 minutes) and, for
   * tests, each connection's interval in ms (default GRANTEX_SAML_METADATA_REFRESH_MINUTES).
   */
  metadataRefresh?: { runMs?: number; intervalMs?: number };
  /** The webhook delivery worker's poll interval, per-attempt timeout, lease, jitter (features/webhooks/delivery.ts). */
  webhooks?: WebhookWorkerOptions;
  /** The event stream's intervals and bounds (features/event-stream/routes.ts). */
  eventStream?: EventStreamOptions;
  /** How often expired states and events past retention are purged (default every minute; the bench's soak). */
  purge?: { runMs?: number };
}

export type SsoServiceOptions = Partial<ServiceConfig> & ServiceHooks;

export interface RunningSsoService {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

const PURGE_INTERVAL_MS = 60_000;
/** How often the re-check looks for verified domains not checked for 24 h (features/domains/recheck.ts). */
const DOMAIN_RECHECK_RUN_MS = 60 * 60_000;
/** How often the metadata refresh looks for SAML connections due (features/connections/metadata-refresh.ts). */
const METADATA_REFRESH_RUN_MS = 5 * 60_000;

/** How long requests in flight may finish at shutdown when the configuration does not say (SSO_SHUTDOWN_DRAIN_MS). */
export const DEFAULT_SHUTDOWN_DRAIN_MS = 15_000;
/** While draining, how often connections that became idle (their last request answered) are closed. */
const DRAIN_POLL_MS = 50;

/**
 * Closes the server the way a rolling deploy needs: Fastify's close stops listening at once, closes idle
 * connections and answers 503 (`Connection: close`) to requests that arrive on open ones, and waits for the
 * requests in flight. A keep-alive connection whose request finished during the drain would otherwise stay open
 * until its keep-alive timeout, so idle connections are closed as they appear; after `drainMs` the remaining
 * ones are cut (their requests get no answer) and a warning says how many.
 */
async function drainRequests(app: FastifyInstance, drainMs: number, logger: ServiceLogger): Promise<void> {
  const reap = setInterval(() => app.server.closeIdleConnections(), DRAIN_POLL_MS);
  let cut = false;
  const deadline = setTimeout(() => {
    cut = true;
    app.server.getConnections((_err, open) => {
      logger.log('warn', { msg: 'shutdown drain timed out; cutting the connections still open', drainMs, open });
      app.server.closeAllConnections();
    });
  }, drainMs);
  try {
    await app.close();
  } finally {
    clearInterval(reap);
    clearTimeout(deadline);
  }
  if (!cut) logger.log('info', { msg: 'requests in flight finished; stopped listening' });
}

function formatUrl(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

export async function startSsoService(options: SsoServiceOptions = {}): Promise<RunningSsoService> {
  const {
    logger: sink,
    now = Date.now,
    relyingParty,
    wrapStore,
    eventBuffer,
    domainRecheck,
    metadataRefresh,
    webhooks,
    eventStream,
    purge: purgeOptions,
    ...overrides
  } = options;
  const fromEnv = loadServiceConfig();
  const config: ServiceConfig = {
    ...fromEnv,
    ...overrides,
    // A caller that picks its own data dir means the database inside it, not an env GRANTEX_DB_PATH elsewhere.
    dbPath: 'dbPath' in overrides ? overrides.dbPath : overrides.dataDir !== undefined ? undefined : fromEnv.dbPath,
    // Likewise for DATABASE_URL: a test that picks a data dir never lands in a real PostgreSQL by accident.
    postgres:
      'postgres' in overrides ? overrides.postgres : overrides.dataDir !== undefined ? undefined : fromEnv.postgres,
  };
  const keys = resolveServiceKeys(config);
  const logger = createServiceLogger(config.logLevel, sink);
  const opened = await openStore(config, {
    // An idle PostgreSQL connection dropped (the pool replaces it), or SQLite's event log writer thread stopped
    // (the next event write starts another).
    onBackgroundError: (err) =>
      logger.log('warn', { msg: 'database failure outside a request', err: describeError(err) }),
  });
  const store = wrapStore ? wrapStore(opened) : opened;
  const rp = relyingParty ?? createRelyingParty({ devMode: config.devMode, now });
  const secretBox = createSecretBox(keys.encryptionKeys);
  const issuerChecks = createIssuerCheckMemo((url) => rp.checkIssuer(url), { now });
  const metrics = await startMetrics(
    config.otlpMetrics,
    { webhookQueueDepth: () => store.countPendingWebhookDeliveries() },
    (err) => logger.log('warn', { msg: 'metrics export failed', err: describeError(err) }),
  );
  // Every recorded sign-in passes the recorder: the one place metrics hear of them, off the request path.
  const recorders = createEventRecorders(store.events, logger, now, {
    ...(config.postgres ? {} : { writeChunk: SQLITE_EVENT_WRITE_CHUNK }),
    ...eventBuffer,
    onSignIn: metrics.signIn,
  });
  const relayStates = createRelayStates(store, createRelayHandles(keys.stateSecrets));
  const shutdown = { draining: false };
  const ctx: ServiceContext = {
    config,
    store,
    secretBox,
    states: createStateSealer(keys.stateSecrets, now),
    relayStates,
    rp,
    issuerChecks,
    protocols: createLoginProtocols({
      rp,
      secretBox,
      issuerChecks,
      saml: {
        devMode: config.devMode,
        now,
        saveRelayState: (login) => relayStates.save(login),
        spKeys: {
          signingKey: (connection) => spSigningKeyFor({ store, secretBox }, connection),
          decryptionKeys: (connection) => spDecryptionKeysFor({ store, secretBox }, connection),
          metadataCertificates: (connection) => spMetadataCertificates({ store }, connection),
        },
        claimAssertionId: (connection, assertionId, expiresAt) =>
          store.claimAssertionId({
            idpEntityId: connection.saml.idpEntityId,
            assertionId,
            developerId: connection.developerId,
            connectionId: connection.id,
            expiresAtMs: expiresAt.getTime(),
          }),
      },
    }),
    logger,
    now,
    signIns: recorders.signIns,
    audit: recorders.audit,
    unattributed: createUnattributedAttempts(logger),
    metadataRefresh: {
      store,
      audit: recorders.audit,
      now,
      devMode: config.devMode,
      intervalMs:
        metadataRefresh?.intervalMs ?? (config.samlMetadataRefreshMinutes ?? DEFAULT_METADATA_REFRESH_MINUTES) * 60_000,
    },
    samlLogoutSigningKey: (connection) => spSigningKeyFor({ store, secretBox }, connection),
    dns: createTxtResolver({ servers: config.dnsServers, timeoutMs: config.dnsTimeoutMs ?? DEFAULT_DNS_TIMEOUT_MS }),
    metrics,
    eventStream,
    shutdown,
  };

  let app: FastifyInstance;
  try {
    app = await buildServiceApp(ctx);
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await metrics.close();
    await store.close();
    throw err;
  }

  // Consumed states matter only until the state itself expires; keep a margin for clock skew.
  const purge = async () => {
    await store.purgeExpired(now() - STATE_TTL_MS, now()).catch((err: unknown) => {
      logger.log('error', { msg: 'purging expired states failed', err: describeError(err) });
    });
    // Sign-in and audit events past their retention, in small chunks (events/retention.ts).
    await purgeOldEvents(store.events, config.eventRetentionDays, now()).catch((err: unknown) => {
      logger.log('error', { msg: 'purging old events failed', err: describeError(err) });
    });
    // Finished webhook deliveries (the delivery log) past the same retention; pending ones are kept.
    const deliveriesBefore = new Date(now() - config.eventRetentionDays * 86_400_000).toISOString();
    await store.purgeWebhookDeliveriesBefore(deliveriesBefore, 1000).catch((err: unknown) => {
      logger.log('error', { msg: 'purging old webhook deliveries failed', err: describeError(err) });
    });
  };
  void purge();
  const timer = setInterval(() => void purge(), purgeOptions?.runMs ?? PURGE_INTERVAL_MS);
  timer.unref();

  // Verified domains whose TXT record is gone are released after a week (features/domains/recheck.ts). One run at a time
  // per process; several processes split the due domains between them through the database.
  const stopRecheck = new AbortController();
  const recheckDeps = {
    signal: stopRecheck.signal,
    store,
    dns: ctx.dns,
    audit: recorders.audit,
    now,
  };
  let rechecking: Promise<void> | null = null;
  const recheck = () => {
    rechecking ??= recheckDomains(recheckDeps)
      .then((summary) => {
        if (summary.checked > 0) logger.log('info', { msg: 'verified domains re-checked', ...summary });
      })
      .catch((err: unknown) =>
        logger.log('error', { msg: 're-checking verified domains failed', err: describeError(err) }),
      )
      .finally(() => {
        rechecking = null;
      });
  };
  recheck();
  const recheckTimer = setInterval(recheck, domainRecheck?.intervalMs ?? DOMAIN_RECHECK_RUN_MS);
  recheckTimer.unref();

  // SAML connections' IdP metadata from its URL (features/connections/metadata-refresh.ts): one run at a time per
  // process; several processes split the due connections between them through the database.
  const refreshDeps = { ...ctx.metadataRefresh, signal: stopRecheck.signal };
  let refreshing: Promise<void> | null = null;
  const refreshMetadata = () => {
    refreshing ??= refreshDueMetadata(refreshDeps)
      .then((summary) => {
        if (summary.refreshed > 0) logger.log('info', { msg: 'IdP metadata refreshed', ...summary });
      })
      .catch((err: unknown) => logger.log('error', { msg: 'refreshing IdP metadata failed', err: describeError(err) }))
      .finally(() => {
        refreshing = null;
      });
  };
  refreshMetadata();
  const refreshTimer = setInterval(refreshMetadata, metadataRefresh?.runMs ?? METADATA_REFRESH_RUN_MS);
  refreshTimer.unref();

  // Webhook deliveries from the outbox, in every process (claims are leases in the database).
  const webhookWorker = startWebhookWorker(ctx, webhooks);

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = formatUrl(config.host, port);
  logger.log('info', {
    msg: 'grantex sso service listening',
    url,
    devMode: config.devMode,
    database: store.backend,
    // Key ids only (never a key): lets an operator check each process runs a rotation's step before the next.
    encryptionKeyIds: keys.encryptionKeys.map((k) => k.id),
    stateSecretIds: keys.stateSecrets.map((s) => s.id),
  });

  let closed: Promise<void> | undefined;
  return {
    url,
    app,
    close() {
      closed ??= (async () => {
        // Readiness answers 503 from now on; then the listener closes at once (drainRequests).
        shutdown.draining = true;
        clearInterval(timer);
        clearInterval(recheckTimer);
        clearInterval(refreshTimer);
        stopRecheck.abort();
        try {
          // New connections are refused and new requests on open ones get 503, while the requests in flight (a
          // sign-in waiting for its IdP) finish, for at most the drain timeout.
          await drainRequests(app, config.shutdownDrainMs ?? DEFAULT_SHUTDOWN_DRAIN_MS, logger);
          // A re-check in progress stops after its current lookup (bounded by the DNS timeout), before the database closes.
          await rechecking;
          // Likewise a metadata refresh, after its current fetch (bounded by the outbound guard's timeout).
          await refreshing;
          // Attempts in flight finish (each bounded by its timeout) and are recorded before the database closes.
          await webhookWorker.close();
          await metrics.close();
        } finally {
          // The events still queued (those of the drained sign-ins too) are written before the database closes.
          await recorders.close();
          await store.close();
        }
      })();
      return closed;
    },
  };
}
