/**
 * Several service processes on one PostgreSQL behind a round-robin load balancer, PostgreSQL's own faults,
 * and two processes starting on one SQLite file.
 * Needs Debian's postgresql package (scripts/setup.sh installs it); starts its own throw-away server, since
 * some tests here restart it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { startSsoService, type SsoServiceOptions } from '@/lib/sso-service';
import { STORAGE_UNAVAILABLE_MESSAGE } from '@/lib/sso-service/http/api-error';
import { PG_MIGRATIONS } from '@/lib/sso-service/storage/postgres/migrations';
import { MIGRATIONS } from '@/lib/sso-service/storage/sqlite/migrations';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { findPostgresBin, startPostgresServer, type PostgresServer } from '@/tests/support/postgres-server';
import { postgresMigrationVersions } from '@/tests/support/postgres-inspect';
import { startRoundRobinProxy, type RoundRobinProxy } from '@/tests/support/round-robin-proxy';
import { localServiceEnv, startServiceProcess, type ServiceProcess } from '@/tests/support/service-process';
import { pgTestConfig } from '@/tests/support/test-database';
import { TEST_KEYS } from './service-harness';

const REDIRECT_URI = 'http://localhost:3000/sso/callback';
const USER = { username: 'alice', password: 'alice-password' };
const SIGNUP_LIMIT = 5;

let server: PostgresServer;
let idp: DevIdp;

beforeAll(async () => {
  [server, idp] = await Promise.all([startPostgresServer(), startDevIdp({ port: 0, redirectUris: [REDIRECT_URI] })]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([server?.stop(), idp?.close()]);
});

interface Res {
  status: number;
  json: Record<string, unknown>;
}

async function call(url: string, init: RequestInit = {}): Promise<Res> {
  const res = await fetch(url, init);
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: left empty
  }
  return { status: res.status, json };
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

async function signup(base: string, name: string, ip = '198.51.100.1') {
  const res = await post(`${base}/v1/signup`, { name }, { 'x-forwarded-for': ip });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return { developerId: String(res.json.developerId), apiKey: String(res.json.apiKey) };
}

const idpConfig = (clientId = idp.client.clientId) => ({
  issuerUrl: idp.issuer,
  clientId,
  clientSecret: idp.client.clientSecret,
  redirectUri: REDIRECT_URI,
});

/** One whole login through the load balancer: /sso/login, the IdP's form, /sso/callback. */
async function loginFlow(base: string, org: string): Promise<{ callbackUrl: string; result: Res }> {
  const login = await call(`${base}/sso/login?org=${org}`);
  if (login.status !== 200) return { callbackUrl: '', result: login };
  const redirect = await loginAtDevIdp(String(login.json.authorizeUrl), USER);
  const callbackUrl = `${base}/sso/callback${redirect.search}`;
  return { callbackUrl, result: await call(callbackUrl) };
}

describe('two service processes on one PostgreSQL behind a load balancer', () => {
  let databaseUrl: string;
  const processes: (ServiceProcess | null)[] = [null, null];
  let proxy: RoundRobinProxy;
  let org: { developerId: string; apiKey: string };

  const env = () => ({
    DATABASE_URL: databaseUrl,
    DATABASE_STATEMENT_TIMEOUT_MS: '3000',
    DATABASE_CONNECT_TIMEOUT_MS: '3000',
    GRANTEX_HOST: '127.0.0.1',
    GRANTEX_PORT: '0',
    GRANTEX_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gx-mp-')),
    GRANTEX_DEV_MODE: 'true',
    GRANTEX_STATE_SECRET: TEST_KEYS.stateSecret,
    GRANTEX_ENCRYPTION_KEY: TEST_KEYS.encryptionKey,
    RATE_LIMIT: 'on',
    RATE_LIMIT_SIGNUP_PER_MIN: String(SIGNUP_LIMIT),
    RATE_LIMIT_LOGIN_PER_MIN: '100000',
    RATE_LIMIT_CALLBACK_PER_MIN: '100000',
    // The load balancer is on loopback: its X-Forwarded-For names the client.
    TRUSTED_PROXIES: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });

  beforeAll(async () => {
    databaseUrl = await server.createDatabase();
    // (e) Both processes start (and migrate) at the same time on an empty database.
    const started = await Promise.all([startServiceProcess(env()), startServiceProcess(env())]);
    processes.splice(0, 2, ...started);
    proxy = await startRoundRobinProxy(() => processes.map((p, i) => p?.url ?? `http://127.0.0.1:9/dead-${i}`));
    org = await signup(proxy.url, 'Multi Co');
    const saved = await post(`${proxy.url}/v1/sso/config`, idpConfig(), bearer(org.apiKey));
    expect(saved.status, JSON.stringify(saved.json)).toBe(201);
  }, 90_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.allSettled(processes.map((p) => p?.kill('SIGKILL')));
  });

  it('(e) two processes migrating at once leave one schema, each step applied once', async () => {
    expect(await postgresMigrationVersions(databaseUrl)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(rows.map((r) => r.table_name)).toEqual(tablesDeclaredBy(PG_MIGRATIONS));
    } finally {
      await client.end();
    }
  });

  it('(a) logins alternate between the processes and complete; (b) a replayed state is refused by either process', async () => {
    const before = proxy.served.length;
    const callbacks: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { callbackUrl, result } = await loginFlow(proxy.url, org.developerId);
      expect(result.status, JSON.stringify(result.json)).toBe(200);
      expect(result.json).toMatchObject({ developerId: org.developerId, sub: expect.any(String) });
      callbacks.push(callbackUrl);
    }
    const flow = proxy.served.slice(before).filter((s) => s.path === '/sso/login' || s.path === '/sso/callback');
    // Each login's /sso/login and /sso/callback went to different processes: state is shared, not sticky.
    for (let i = 0; i < flow.length; i += 2) expect(flow[i]?.backend).not.toBe(flow[i + 1]?.backend);
    expect(new Set(flow.map((s) => s.backend))).toEqual(new Set([0, 1]));

    const replayStart = proxy.served.length;
    for (const url of [callbacks[0], callbacks[0], callbacks[1], callbacks[1]]) {
      const replay = await call(url ?? '');
      expect(replay.status).toBe(400);
      expect(replay.json.message).toBe(MESSAGES.stateExpiredOrUsed);
    }
    expect(new Set(proxy.served.slice(replayStart).map((s) => s.backend))).toEqual(new Set([0, 1]));
  });

  it('(c) a rate limit holds across both processes', async () => {
    const ip = `203.0.113.${1 + Math.floor(Math.random() * 200)}`;
    const start = proxy.served.length;
    const statuses: number[] = [];
    for (let i = 0; i < SIGNUP_LIMIT * 2; i++) {
      statuses.push((await post(`${proxy.url}/v1/signup`, { name: `Limited ${i}` }, { 'x-forwarded-for': ip })).status);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(SIGNUP_LIMIT);
    expect(statuses.slice(SIGNUP_LIMIT)).toEqual(Array(SIGNUP_LIMIT).fill(429));
    expect(new Set(proxy.served.slice(start).map((s) => s.backend))).toEqual(new Set([0, 1]));
  });

  it('(f) a revoked SCIM token is refused at once by both processes', async () => {
    const token = await post(`${proxy.url}/v1/scim/tokens`, { label: 'Entra ID' }, bearer(org.apiKey));
    expect(token.status, JSON.stringify(token.json)).toBe(201);
    const scim = (t: string) =>
      call(`${proxy.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${String(t)}` } });
    const before = proxy.served.length;
    expect([(await scim(String(token.json.token))).status, (await scim(String(token.json.token))).status]).toEqual([
      200, 200,
    ]);
    const revoked = await call(`${proxy.url}/v1/scim/tokens/${String(token.json.id)}`, {
      method: 'DELETE',
      headers: bearer(org.apiKey),
    });
    expect(revoked.status).toBe(204);
    // The very next request on either process is refused: nothing is cached per process.
    expect([(await scim(String(token.json.token))).status, (await scim(String(token.json.token))).status]).toEqual([
      401, 401,
    ]);
    expect(
      new Set(
        proxy.served
          .slice(before)
          .filter((s) => s.path === '/scim/v2/Users')
          .map((s) => s.backend),
      ),
    ).toEqual(new Set([0, 1]));
  });

  it('(d) kill -9 of one process under load: no acknowledged save is lost, every login completes or fails cleanly', async () => {
    const savers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => signup(proxy.url, `Saver ${i}`, `198.51.100.${10 + i}`)),
    );
    const acked = savers.map(() => -1);
    const attempted = savers.map(() => -1);
    let stop = false;
    const saveLoops = savers.map(async (saver, i) => {
      for (let n = 0; !stop; n++) {
        attempted[i] = n;
        const res = await post(`${proxy.url}/v1/sso/config`, idpConfig(`client-${i}-${n}`), bearer(saver.apiKey)).catch(
          () => null,
        );
        if (res?.status === 201) acked[i] = n;
        else expect([502, 503], JSON.stringify(res?.json)).toContain(res?.status ?? 502);
      }
    });
    const outcomes: Res[] = [];
    const loginLoops = Array.from({ length: 3 }, async () => {
      while (!stop) {
        const { result } = await loginFlow(proxy.url, org.developerId).catch(() => ({
          result: { status: 502, json: {} },
        }));
        outcomes.push(result);
      }
    });
    const loadStart = proxy.served.length;
    await new Promise((r) => setTimeout(r, 700));
    // The process dies with requests in flight: both had been serving this load.
    expect(new Set(proxy.served.slice(loadStart).map((s) => s.backend))).toEqual(new Set([0, 1]));
    await processes[1]?.kill('SIGKILL');
    processes[1] = null;
    await new Promise((r) => setTimeout(r, 700));
    stop = true;
    await Promise.all([...saveLoops, ...loginLoops]);

    expect(acked.every((n) => n >= 1)).toBe(true);
    for (const [i, saver] of savers.entries()) {
      const stored = await call(`${proxy.url}/v1/sso/config`, { headers: bearer(saver.apiKey) });
      expect(stored.status).toBe(200);
      // The last acknowledged save, or the one in flight when the process died (written, answer lost).
      expect([`client-${i}-${acked[i]}`, `client-${i}-${attempted[i]}`]).toContain(stored.json.clientId);
    }
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) {
      if (o.status === 200) expect(o.json.developerId).toBe(org.developerId);
      else {
        // Cleanly failed: the load balancer's 502 for the dead process, or the contract's error shape; never a 500.
        expect([400, 502, 503], JSON.stringify(o.json)).toContain(o.status);
        expect(typeof o.json.message).toBe('string');
      }
    }
    expect(outcomes.some((o) => o.status === 200)).toBe(true);
    // The survivor carries on alone.
    expect((await loginFlow(proxy.url, org.developerId)).result.status).toBe(200);
  }, 60_000);
});

describe('two processes starting on one SQLite file', () => {
  it('migrate once (the IMMEDIATE transaction is the lock) and both serve', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-mp-sqlite-'));
    const env = localServiceEnv(dataDir, TEST_KEYS);
    const both = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
    try {
      const org = await signup(both[0].url, 'Shared file');
      expect((await call(`${both[1].url}/v1/me`, { headers: bearer(org.apiKey) })).status).toBe(200);
    } finally {
      await Promise.all(both.map((p) => p.kill()));
    }
    const db = new Database(path.join(dataDir, 'grantex.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      db.close();
    }
  }, 60_000);
});

describe('PostgreSQL faults: a clear 5xx, nothing half-written, recovery without a restart', () => {
  let databaseUrl: string;

  async function service(overrides: Partial<ReturnType<typeof pgTestConfig>> = {}, extra: SsoServiceOptions = {}) {
    return startSsoService({
      host: '127.0.0.1',
      port: 0,
      devMode: true,
      dataDir: mkdtempSync(path.join(tmpdir(), 'gx-pgf-')),
      logLevel: 'silent',
      rateLimit: { enabled: false, signupPerMin: 1, loginPerMin: 1, callbackPerMin: 1 },
      ...TEST_KEYS,
      postgres: pgTestConfig(databaseUrl, overrides),
      ...extra,
    });
  }

  /** Holds a write lock on sso_connections from another session until released. */
  async function lockConfigs(): Promise<{ release(): Promise<void>; waitForBlockedStatement(): Promise<void> }> {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    await client.query('BEGIN');
    await client.query('LOCK TABLE sso_connections IN EXCLUSIVE MODE');
    return {
      async release() {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.end().catch(() => undefined);
      },
      /** Resolves once a service statement is queued behind this lock (so the fault hits it mid-statement). */
      async waitForBlockedStatement() {
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const { rows } = await client.query<{ n: string }>(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
          );
          if (Number(rows[0]?.n) > 0) return;
          await new Promise((r) => setTimeout(r, 20));
        }
        throw new Error('no statement ever waited for the lock');
      },
    };
  }

  beforeAll(async () => {
    databaseUrl = await server.createDatabase(`gx_faults_${randomBytes(4).toString('hex')}`);
  });

  it('statement timeout → 503 "try again", previous config kept; the next save works', async () => {
    const svc = await service({ statementTimeoutMs: 400 });
    try {
      const dev = await signup(svc.url, 'Timeout Co');
      expect((await post(`${svc.url}/v1/sso/config`, idpConfig('before'), bearer(dev.apiKey))).status).toBe(201);
      const lock = await lockConfigs();
      let res: Res;
      const t0 = Date.now();
      try {
        res = await post(`${svc.url}/v1/sso/config`, idpConfig('during'), bearer(dev.apiKey));
      } finally {
        await lock.release();
      }
      expect(res.status).toBe(503);
      expect(res.json).toMatchObject({ code: 'INTERNAL_ERROR', message: STORAGE_UNAVAILABLE_MESSAGE });
      expect(Date.now() - t0).toBeLessThan(3000);
      expect((await call(`${svc.url}/v1/sso/config`, { headers: bearer(dev.apiKey) })).json.clientId).toBe('before');
      expect((await post(`${svc.url}/v1/sso/config`, idpConfig('after'), bearer(dev.apiKey))).status).toBe(201);
    } finally {
      await svc.close();
    }
  });

  it('connection pool exhausted → 503 after the connect timeout; served again once a connection is free', async () => {
    const svc = await service({ poolMax: 1, connectTimeoutMs: 300, statementTimeoutMs: 5000 });
    try {
      const dev = await signup(svc.url, 'Pool Co');
      expect((await post(`${svc.url}/v1/sso/config`, idpConfig('first'), bearer(dev.apiKey))).status).toBe(201);
      const lock = await lockConfigs();
      let blocked: Promise<Res>;
      let starved: Res;
      try {
        // This save holds the only connection, waiting for the lock...
        blocked = post(`${svc.url}/v1/sso/config`, idpConfig('second'), bearer(dev.apiKey));
        await lock.waitForBlockedStatement();
        // ...so this read finds no free connection.
        starved = await call(`${svc.url}/v1/sso/config`, { headers: bearer(dev.apiKey) });
      } finally {
        await lock.release();
      }
      expect(starved.status).toBe(503);
      expect(starved.json.message).toBe(STORAGE_UNAVAILABLE_MESSAGE);
      expect((await blocked).status).toBe(201);
      expect((await call(`${svc.url}/v1/sso/config`, { headers: bearer(dev.apiKey) })).json.clientId).toBe('second');
    } finally {
      await svc.close();
    }
  });

  it('database restarted mid-request → that request ends whole or answers 503, requests while it is down answer 503; the same process recovers by itself', async () => {
    const svc = await service();
    try {
      const dev = await signup(svc.url, 'Restart Co');
      expect((await post(`${svc.url}/v1/sso/config`, idpConfig('before'), bearer(dev.apiKey))).status).toBe(201);
      const lock = await lockConfigs();
      // A save waits on the lock; the server's fast shutdown ends every session, that one mid-statement. (The
      // lock holder dies too, so the save may just manage to commit first: then it must have been written whole.)
      const inFlight = post(`${svc.url}/v1/sso/config`, idpConfig('during'), bearer(dev.apiKey));
      await lock.waitForBlockedStatement();
      await server.halt();
      const res = await inFlight;
      await lock.release();
      expect([201, 503], JSON.stringify(res.json)).toContain(res.status);
      if (res.status === 503) expect(res.json.message).toBe(STORAGE_UNAVAILABLE_MESSAGE);

      // While the database is down: a clear 503 on reads and writes, no crash.
      const down = await call(`${svc.url}/v1/sso/config`, { headers: bearer(dev.apiKey) });
      expect(down.status).toBe(503);
      expect(down.json).toMatchObject({ code: 'INTERNAL_ERROR', message: STORAGE_UNAVAILABLE_MESSAGE });
      expect((await post(`${svc.url}/v1/sso/config`, idpConfig('down'), bearer(dev.apiKey))).status).toBe(503);

      await server.start();
      // The pool replaces its dead connections on demand: no restart of the service needed.
      let stored: Res = { status: 0, json: {} };
      for (let i = 0; i < 20 && stored.status !== 200; i++) {
        stored = await call(`${svc.url}/v1/sso/config`, { headers: bearer(dev.apiKey) });
        if (stored.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(stored.status).toBe(200);
      // Nothing half-written: the whole config before or the whole new one. A 201 promises the new one; a 503 promises
      // neither: the server can die after COMMIT and before its answer reaches the service.
      const whole = { issuerUrl: idp.issuer, redirectUri: REDIRECT_URI };
      expect(stored.json).toMatchObject(whole);
      if (res.status === 201) expect(stored.json.clientId).toBe('during');
      else expect(['before', 'during']).toContain(stored.json.clientId);
      // Writes work again, and a whole login (the IdP's real client this time) completes.
      expect((await post(`${svc.url}/v1/sso/config`, idpConfig(), bearer(dev.apiKey))).status).toBe(201);
      expect((await loginFlow(svc.url, dev.developerId)).result.status).toBe(200);
    } finally {
      await svc.close();
    }
  });
});

if (!findPostgresBin()) {
  throw new Error(
    'PostgreSQL server binaries not found: run `bash scripts/setup.sh postgres` (Debian package postgresql)',
  );
}

/** The tables the migrations leave behind (created and not dropped later), plus the runner's own, sorted. */
function tablesDeclaredBy(migrations: readonly { sql: string }[]): string[] {
  const tables = new Set<string>(['schema_migrations']);
  for (const { sql } of migrations) {
    for (const [, name] of sql.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi)) tables.add(name!);
    for (const [, name] of sql.matchAll(/DROP TABLE (?:IF EXISTS )?(\w+)/gi)) tables.delete(name!);
  }
  return [...tables].sort();
}
