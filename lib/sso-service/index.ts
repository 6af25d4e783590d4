/**
 * The embedded Grantex-compatible SSO service. Programmatic entry used by scripts/grantex.ts, the dev
 * stack, tests and benchmarks: `startSsoService({ port: 0, dataDir })` → `{ url, close }`.
 */
import type Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { buildServiceApp } from './app';
import { loadServiceConfig, resolveDbPath, type ServiceConfig } from './config';
import type { ServiceContext } from './context';
import { createStateSealer, STATE_TTL_MS } from './crypto/login-state';
import { createSecretBox } from './crypto/secret-box';
import { openDatabase } from './db/open-database';
import { createStore } from './db/store';
import { createServiceLogger, type LogSink } from './http/logger';
import { createIssuerCheckMemo } from './issuer-check-memo';
import { createRelyingParty } from './oidc';
import type { RelyingPartyPort } from './relying-party-port';
import { resolveServiceKeys } from './service-keys';

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
   * Receives the opened, migrated database. Fault tests use it to put SQLite into the states a
   * real disk produces (`PRAGMA max_page_count` → SQLITE_FULL, `query_only` → SQLITE_READONLY),
   * which root cannot simulate with file permissions.
   */
  database?: (db: Database.Database) => void;
}

export type SsoServiceOptions = Partial<ServiceConfig> & ServiceHooks;

export interface RunningSsoService {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

const PURGE_INTERVAL_MS = 60_000;

function formatUrl(host: string, port: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

export async function startSsoService(options: SsoServiceOptions = {}): Promise<RunningSsoService> {
  const { logger: sink, now = Date.now, relyingParty, database, ...overrides } = options;
  const fromEnv = loadServiceConfig();
  const config: ServiceConfig = {
    ...fromEnv,
    ...overrides,
    // A caller that picks its own data dir means the database inside it, not an env GRANTEX_DB_PATH elsewhere.
    dbPath: 'dbPath' in overrides ? overrides.dbPath : overrides.dataDir !== undefined ? undefined : fromEnv.dbPath,
  };
  const keys = resolveServiceKeys(config);
  const logger = createServiceLogger(config.logLevel, sink);
  const db = openDatabase(resolveDbPath(config));
  database?.(db);
  const store = createStore(db);
  const rp = relyingParty ?? createRelyingParty({ devMode: config.devMode, now });
  const ctx: ServiceContext = {
    config,
    store,
    secretBox: createSecretBox(keys.encryptionKey),
    states: createStateSealer(keys.stateSecret, now),
    rp,
    issuerChecks: createIssuerCheckMemo((url) => rp.checkIssuer(url), { now }),
    logger,
    now,
  };

  let app: FastifyInstance;
  try {
    app = await buildServiceApp(ctx);
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    db.close();
    throw err;
  }

  // Consumed states matter only until the state itself expires; keep a margin for clock skew.
  const purge = () => {
    try {
      store.purgeConsumedStates(now() - STATE_TTL_MS);
    } catch (err) {
      logger.log('error', { msg: 'purging consumed states failed', err: (err as Error).message });
    }
  };
  purge();
  const timer = setInterval(purge, PURGE_INTERVAL_MS);
  timer.unref();

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = formatUrl(config.host, port);
  logger.log('info', { msg: 'grantex sso service listening', url, devMode: config.devMode });

  let closed: Promise<void> | undefined;
  return {
    url,
    app,
    close() {
      closed ??= (async () => {
        clearInterval(timer);
        try {
          await app.close();
        } finally {
          db.close();
        }
      })();
      return closed;
    },
  };
}
