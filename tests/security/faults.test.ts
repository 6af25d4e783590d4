/**
 * Service-level faults: a restart in the middle of a login, a locked database during writes, a full or
 * read-only database, two admins saving at once, bad input on every endpoint, and the log lines written
 * across all of it. Real service (in-process, port 0, temp data dir; SQLite, or PostgreSQL when
 * GRANTEX_TEST_DATABASE_URL is set), real test OP, raw HTTP.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '@/lib/contract';
import { STORAGE_UNAVAILABLE_MESSAGE } from '@/lib/sso-service/http/api-error';
import { MIGRATION_STEPS } from '@/lib/sso-service/storage/migrations';
import { holdEventLogWriteLock, holdWriteLock, storeFaults } from '@/tests/support/database-faults';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import {
  authorize,
  callback,
  expectIdentity,
  expectCleanLogs,
  expectNoLeak,
  getWithKey,
  login,
  postJson,
  raw,
  REDIRECT_URI,
  runFlow,
  saveConfig,
  signup,
  startHarness,
  type ConfigInput,
  type Harness,
  type Org,
  type RawResponse,
} from '@/tests/support/adversarial';
import { expectCleanEvents, readStoredEvents } from '@/tests/support/stored-events';

const USER = { sub: 'test-op-user-1', email: 'user@test-op.example', name: 'Test User' };
const tag = randomBytes(4).toString('hex');
const CLIENT_A = {
  clientId: 'faults-client-a',
  clientSecret: `secret A:%+ ${tag}-AAAA`,
  redirectUris: ['http://localhost:3999/a/callback'],
};
const CLIENT_B = {
  clientId: 'faults-client-b',
  clientSecret: `secret B:%+ ${tag}-BBBB`,
  redirectUris: ['http://localhost:3999/b/callback'],
};

const logs: string[] = [];
const sensitive = new Set<string>([CLIENT_A.clientSecret, CLIENT_B.clientSecret]);
const remember = (...values: (string | undefined)[]) => values.forEach((v) => v && sensitive.add(v));

let h: Harness;
/** Makes the service's store writes fail as a full or read-only database would (the `wrapStore` hook). */
const faults = storeFaults();
let opA: TestOp;
let opB: TestOp;

beforeAll(async () => {
  [h, opA, opB] = await Promise.all([
    startHarness({ wrapStore: faults.wrap }, { logs }),
    startTestOp({ clients: [CLIENT_A] }),
    startTestOp({ clients: [CLIENT_B], alg: 'ES256' }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([h?.close(), opA?.close(), opB?.close()]);
});

function configA(): ConfigInput {
  return {
    issuerUrl: opA.issuer,
    clientId: CLIENT_A.clientId,
    clientSecret: CLIENT_A.clientSecret,
    redirectUri: CLIENT_A.redirectUris[0] ?? '',
  };
}
function configB(): ConfigInput {
  return {
    issuerUrl: opB.issuer,
    clientId: CLIENT_B.clientId,
    clientSecret: CLIENT_B.clientSecret,
    redirectUri: CLIENT_B.redirectUris[0] ?? '',
  };
}

async function newOrg(): Promise<Org> {
  const org = await signup(h.url);
  remember(org.apiKey);
  return org;
}

async function configuredOrg(cfg = configA()): Promise<Org> {
  const org = await newOrg();
  const res = await saveConfig(h.url, org, cfg);
  expect(res.status, res.text).toBe(201);
  return org;
}

async function storedConfig(org: Org): Promise<RawResponse> {
  return getWithKey(h.url, '/v1/sso/config', org.apiKey);
}

/** Completes a login for `org` against whichever test OP its stored config names. */
async function loginWorks(org: Org): Promise<void> {
  const stored = await storedConfig(org);
  const op = stored.json?.issuerUrl === opA.issuer ? opA : opB;
  const r = await runFlow(h.url, org, op);
  remember(r.params.code, r.params.state);
  expectIdentity(r.res, org, USER);
}

/** A transient storage failure: 503, a message that says to retry, nothing about the database's internals. */
function expectStorageUnavailable(res: RawResponse): void {
  expect(res.status, res.text).toBe(503);
  expect(res.json).toMatchObject({ code: 'INTERNAL_ERROR', message: STORAGE_UNAVAILABLE_MESSAGE });
}

// ====================================================================== restart

describe('restart in the middle of a login', () => {
  it('state issued, service restarted on the same data dir → the callback completes (or says the login expired), never a crash', async () => {
    const org = await configuredOrg();
    const a = await authorize(h.url, org, opA);
    remember(a.params.code, a.params.state);
    const done = await runFlow(h.url, org, opA);
    remember(done.params.code, done.params.state);
    expectIdentity(done.res, org, USER);

    await h.restart();

    const res = await callback(h.url, a.params);
    if (res.status === 200) expectIdentity(res, org, USER);
    else {
      expect(res.status, res.text).toBe(400);
      expect(res.json?.message).toBe(MESSAGES.stateExpiredOrUsed);
    }
    // A state consumed before the restart stays consumed after it.
    const replay = await callback(h.url, done.params);
    expect(replay.status, replay.text).toBe(400);
    expect(replay.json?.message).toBe(MESSAGES.stateExpiredOrUsed);
    // And the service works normally after the restart.
    await loginWorks(org);
  });
});

describe('service stopped while a callback is in flight', () => {
  it('token endpoint hanging, graceful stop, restart → the in-flight callback ends with a 5xx, a retry repeats it or says expired; never a 500', async () => {
    const org = await configuredOrg(configA());
    const a = await authorize(h.url, org, opA);
    remember(a.params.code, a.params.state);
    opA.behave.token = { kind: 'hang' };
    try {
      const before = opA.requestsTo('token').length;
      const inFlight = callback(h.url, a.params).catch((err: unknown) => err);
      const deadline = Date.now() + 5_000;
      while (opA.requestsTo('token').length === before && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(opA.requestsTo('token').length).toBe(before + 1);
      await h.stop();
      const first = await inFlight;
      if (!(first instanceof Error)) {
        const res = first as RawResponse;
        expect([502, 503, 504], res.text).toContain(res.status);
        expect(res.json?.code).toBe('SSO_ERROR');
      }
      await h.restart();
      opA.behave.token = { kind: 'normal' };
      const retry = await callback(h.url, a.params);
      expect(retry.status, retry.text).not.toBe(500);
      expect(retry.status).toBeGreaterThanOrEqual(400);
      expect(['SSO_ERROR', 'BAD_REQUEST']).toContain(retry.json?.code);
      expectNoLeak(retry.text, [a.params.code, a.params.state, CLIENT_A.clientSecret]);
      expect(opA.requestsTo('token').length).toBe(before + 1);
    } finally {
      opA.behave.token = { kind: 'normal' };
    }
    await loginWorks(org);
  });
});

// ====================================================================== locked database

describe('database locked', () => {
  it('config save while another connection holds a write lock → 503 "try again", no partial write, previous config served', async () => {
    const org = await configuredOrg(configA());
    const before = await storedConfig(org);
    expect(before.status).toBe(200);

    const lock = await holdWriteLock(h);
    try {
      const res = await saveConfig(h.url, org, configB());
      expectStorageUnavailable(res);
      expectNoLeak(res.text, [CLIENT_B.clientSecret, org.apiKey]);
      expect(res.text).not.toMatch(/SQLITE|locked|busy|LOCK TABLE|57014/i);
      // Readers are not blocked (SQLite's WAL; PostgreSQL's EXCLUSIVE lock mode): the previous config is still served.
      expect((await storedConfig(org)).json).toEqual(before.json);
    } finally {
      await lock.release();
    }
    expect((await storedConfig(org)).json).toEqual(before.json);
    await loginWorks(org);
  });

  it('callback while the database is locked → 5xx generic, no token call; the same login completes after the lock is gone', async () => {
    const org = await configuredOrg(configA());
    const a = await authorize(h.url, org, opA);
    remember(a.params.code, a.params.state);
    const tokenCallsBefore = opA.requestsTo('token').length;
    const lock = await holdWriteLock(h);
    try {
      const res = await callback(h.url, a.params);
      expectStorageUnavailable(res);
      expectNoLeak(res.text, [a.params.code, a.params.state]);
      expect(opA.requestsTo('token').length).toBe(tokenCallsBefore);
    } finally {
      await lock.release();
    }
    const retry = await callback(h.url, a.params);
    expectIdentity(retry, org, USER);
  });

  it('config delete while the database is locked → 5xx, the config is still there', async () => {
    const org = await configuredOrg(configB());
    const before = await storedConfig(org);
    const lock = await holdWriteLock(h);
    try {
      const res = await raw(h.url, '/v1/sso/config', {
        method: 'DELETE',
        headers: { authorization: `Bearer ${org.apiKey}` },
      });
      expectStorageUnavailable(res);
    } finally {
      await lock.release();
    }
    expect((await storedConfig(org)).json).toEqual(before.json);
    await loginWorks(org);
  });
});

// ====================================================================== full / read-only database

describe('database full or read-only', () => {
  it('disk full during a config save → 500 generic message, previous config intact; saving works once space is back', async () => {
    const org = await configuredOrg(configA());
    const before = await storedConfig(org);
    // A full disk fails only the writes that need new pages: this row (~3 KB) spills into overflow pages.
    const large: ConfigInput = {
      ...configB(),
      clientId: `c${'i'.repeat(250)}`,
      clientSecret: `s${'x'.repeat(1000)}`,
      redirectUri: `${CLIENT_B.redirectUris[0]}?pad=${'p'.repeat(1500)}`,
    };
    remember(large.clientSecret);
    faults.failWrites('full', 'SQLITE_FULL');
    try {
      const res = await saveConfig(h.url, org, large);
      expect(res.status, res.text).toBe(500);
      expect(res.json).toMatchObject({ code: 'INTERNAL_ERROR', message: MESSAGES.internal });
      expectNoLeak(res.text, [large.clientSecret, org.apiKey]);
      expect(res.text).not.toMatch(/SQLITE|full|disk/i);
      expect((await storedConfig(org)).json).toEqual(before.json);
    } finally {
      faults.heal();
    }
    expect((await storedConfig(org)).json).toEqual(before.json);
    await loginWorks(org);
    const after = await saveConfig(h.url, org, configB());
    expect(after.status, after.text).toBe(201);
    expect((await storedConfig(org)).json).toMatchObject({ issuerUrl: opB.issuer, clientId: CLIENT_B.clientId });
  });

  it('read-only database → save, delete and callback answer 500 generic with no token call; reads keep working; the login completes once writable', async () => {
    const org = await configuredOrg(configA());
    const before = await storedConfig(org);
    const a = await authorize(h.url, org, opA);
    remember(a.params.code, a.params.state);
    const tokenCallsBefore = opA.requestsTo('token').length;
    faults.failWrites('read_only', 'SQLITE_READONLY');
    try {
      const save = await saveConfig(h.url, org, configB());
      expect(save.status, save.text).toBe(500);
      expect(save.json).toMatchObject({ code: 'INTERNAL_ERROR', message: MESSAGES.internal });
      expect(save.text).not.toMatch(/SQLITE|readonly|read-only/i);

      const del = await raw(h.url, '/v1/sso/config', {
        method: 'DELETE',
        headers: { authorization: `Bearer ${org.apiKey}` },
      });
      expect(del.status, del.text).toBe(500);

      const cb = await callback(h.url, a.params);
      expect(cb.status, cb.text).toBe(500);
      expectNoLeak(cb.text, [a.params.code, a.params.state]);
      expect(opA.requestsTo('token').length).toBe(tokenCallsBefore);

      expect((await storedConfig(org)).json).toEqual(before.json);
      expect((await login(h.url, org)).status).toBe(200);
    } finally {
      faults.heal();
    }
    expectIdentity(await callback(h.url, a.params), org, USER);
  });
});

// ====================================================================== concurrent admins

describe('readiness: /health/ready says whether the service can serve, /health/live that it runs', () => {
  const ready = async () => {
    const res = await fetch(`${h.url}/health/ready`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('ready while the database takes writes and every migration is applied', async () => {
    expect(await ready()).toEqual({
      status: 200,
      body: { status: 'ready', checks: { database: 'ok', migrations: 'ok', eventLog: 'ok' } },
    });
    expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
  });

  it('not ready while the database is read-only, ready again once it is writable; live all along', async () => {
    faults.failWrites('read_only', 'SQLITE_READONLY');
    try {
      const res = await ready();
      expect(res).toEqual({
        status: 503,
        body: {
          status: 'not_ready',
          checks: { database: 'read_only', migrations: 'unavailable', eventLog: 'read_only' },
        },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/SQLITE|readonly/i);
      expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
    } finally {
      faults.heal();
    }
    expect((await ready()).status).toBe(200);
  });

  // PostgreSQL has no database-wide write lock (table locks leave readiness alone) and no second file.
  it.each([
    ['the SQLite file', holdWriteLock, { database: 'unavailable', migrations: 'unavailable', eventLog: 'ok' }],
    [
      'the SQLite event log file (its writer thread cannot write)',
      holdEventLogWriteLock,
      { database: 'ok', migrations: 'ok', eventLog: 'unavailable' },
    ],
  ])('not ready while %s is locked by another writer, naming that check', async (_file, holdLock, checks) => {
    if (h.postgresUrl) return;
    const lock = await holdLock(h);
    try {
      expect(await ready()).toEqual({ status: 503, body: { status: 'not_ready', checks } });
    } finally {
      await lock.release();
    }
    expect((await ready()).status).toBe(200);
  });

  it('not ready while a migration is pending, naming it', async () => {
    const latest = MIGRATION_STEPS.at(-1)!;
    const forget = `DELETE FROM schema_migrations WHERE version = ${latest.version}`;
    const restore = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (${latest.version}, 'restored', '2026-01-01T00:00:00.000Z')`;
    await rawSql(forget);
    try {
      expect(await ready()).toEqual({
        status: 503,
        body: {
          status: 'not_ready',
          checks: { database: 'ok', migrations: 'pending', eventLog: 'ok' },
          pendingMigrations: [latest.version],
        },
      });
    } finally {
      await rawSql(restore);
    }
    expect((await ready()).status).toBe(200);
  });
});

/** A statement on the service's database from a second connection (bookkeeping the service never writes itself). */
async function rawSql(statement: string): Promise<void> {
  if (h.postgresUrl) {
    const client = new pg.Client({ connectionString: h.postgresUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
    return;
  }
  const db = new Database(h.dbPath);
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}

describe('two admins saving at the same time', () => {
  it('many concurrent POSTs of two full configs → the stored config is one of the two, whole (incl. the secret)', async () => {
    const org = await configuredOrg(configA());
    for (let round = 0; round < 3; round += 1) {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) => saveConfig(h.url, org, (i + round) % 2 === 0 ? configA() : configB())),
      );
      for (const r of results) expect(r.status, r.text).toBe(201);
      const storedRes = await storedConfig(org);
      expectNoLeak(storedRes.text, [CLIENT_A.clientSecret, CLIENT_B.clientSecret]);
      const stored = storedRes.json ?? {};
      const expected = stored.issuerUrl === opA.issuer ? configA() : configB();
      expect(stored.issuerUrl).toBe(expected.issuerUrl);
      expect(stored.clientId).toBe(expected.clientId);
      expect(stored.redirectUri).toBe(expected.redirectUri);
      // Each OP knows only its own client and secret: a login completes only when the stored secret matches.
      await loginWorks(org);
    }
  });
});

// ====================================================================== bad input

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('bad input on every endpoint → a clear 4xx and nothing changed', () => {
  let org: Org;
  let original: Record<string, unknown> | undefined;

  beforeAll(async () => {
    org = await configuredOrg(configA());
    original = (await storedConfig(org)).json;
  });

  function expectClear4xx(res: RawResponse, statuses: number[] = [400]): void {
    expect(statuses, res.text).toContain(res.status);
    expect(res.json, res.text).toBeDefined();
    expect(typeof res.json?.message).toBe('string');
    expect(String(res.json?.message).length).toBeGreaterThan(3);
    expect(typeof res.json?.code).toBe('string');
    expect(res.text).not.toMatch(/\n\s+at |node_modules|SQLITE|TypeError|ZodError/);
  }

  const longUrl = (n: number) => `http://127.0.0.1:1/${'a'.repeat(n)}`;
  const base = () => configA();
  const configCases: [string, () => unknown][] = [
    ['empty object', () => ({})],
    ['missing clientSecret', () => ({ ...base(), clientSecret: undefined })],
    ['empty secret', () => ({ ...base(), clientSecret: '' })],
    ['empty issuerUrl', () => ({ ...base(), issuerUrl: '' })],
    ['issuerUrl a number', () => ({ ...base(), issuerUrl: 42 })],
    ['clientId null', () => ({ ...base(), clientId: null })],
    ['clientSecret an array', () => ({ ...base(), clientSecret: [CLIENT_A.clientSecret] })],
    ['redirectUri an object', () => ({ ...base(), redirectUri: { href: REDIRECT_URI } })],
    ['issuerUrl an array', () => ({ ...base(), issuerUrl: [opA.issuer] })],
    ['body an array', () => [base()]],
    ['body null', () => null],
    ['body a string', () => 'issuerUrl'],
    ['body a number', () => 42],
    ['issuerUrl 3000 chars', () => ({ ...base(), issuerUrl: longUrl(3000) })],
    ['redirectUri 3000 chars', () => ({ ...base(), redirectUri: `http://localhost:3999/${'r'.repeat(3000)}` })],
    ['clientId 300 chars', () => ({ ...base(), clientId: 'c'.repeat(300) })],
    ['clientSecret 2000 chars', () => ({ ...base(), clientSecret: 's'.repeat(2000) })],
    ['issuerUrl javascript:', () => ({ ...base(), issuerUrl: 'javascript:alert(1)' })],
    ['redirectUri javascript:', () => ({ ...base(), redirectUri: 'javascript:alert(document.cookie)//' })],
    ['redirectUri data:', () => ({ ...base(), redirectUri: 'data:text/html,<script>alert(1)</script>' })],
    ['issuerUrl data:', () => ({ ...base(), issuerUrl: 'data:application/json,{"issuer":"x"}' })],
    ['issuerUrl file:', () => ({ ...base(), issuerUrl: 'file:///etc/passwd' })],
    [
      'issuerUrl with credentials',
      () => ({ ...base(), issuerUrl: opA.issuer.replace('http://', 'http://admin:hunter2@') }),
    ],
    ['issuerUrl with a user name', () => ({ ...base(), issuerUrl: opA.issuer.replace('http://', 'http://admin@') })],
    ['redirectUri with credentials', () => ({ ...base(), redirectUri: 'http://user:pw@localhost:3999/sso/callback' })],
    ['issuerUrl with a query', () => ({ ...base(), issuerUrl: `${opA.issuer}?tenant=x` })],
    ['issuerUrl with a fragment', () => ({ ...base(), issuerUrl: `${opA.issuer}#x` })],
    ['redirectUri with a fragment', () => ({ ...base(), redirectUri: `${REDIRECT_URI}#frag` })],
    ['issuerUrl relative', () => ({ ...base(), issuerUrl: '/realms/x' })],
    ['issuerUrl with a bidi override', () => ({ ...base(), issuerUrl: `${opA.issuer}/\u202egnp.exe` })],
    ['redirectUri with a bidi isolate', () => ({ ...base(), redirectUri: `http://localhost:3999/\u2066sso/callback` })],
    ['clientId with a bidi override', () => ({ ...base(), clientId: `faults-client-a\u202e` })],
    ['clientId with a NUL', () => ({ ...base(), clientId: 'faults-client-a\u0000' })],
    ['clientSecret with a newline', () => ({ ...base(), clientSecret: `${CLIENT_A.clientSecret}\n` })],
    ['issuerUrl with a tab', () => ({ ...base(), issuerUrl: `${opA.issuer}\t` })],
    ['redirectUri with CRLF', () => ({ ...base(), redirectUri: `${REDIRECT_URI}\r\nSet-Cookie: x=1` })],
    ['issuerUrl with a zero-width space', () => ({ ...base(), issuerUrl: opA.issuer.replace('127', '1\u200b27') })],
  ];

  it.each(configCases)('POST /v1/sso/config: %s → 4xx, config unchanged', async (_name, body) => {
    const res = await postJson(h.url, '/v1/sso/config', body(), org.apiKey);
    try {
      expectClear4xx(res);
      expect(res.json?.code).toBe('BAD_REQUEST');
      expectNoLeak(res.text, [CLIENT_A.clientSecret, org.apiKey]);
    } finally {
      const after = (await storedConfig(org)).json;
      // Restore whatever a wrongly accepted save changed, so each case is judged on its own.
      if (JSON.stringify(after) !== JSON.stringify(original)) {
        await saveConfig(h.url, org, configA());
        original = (await storedConfig(org)).json;
      }
      expect(after, 'the stored config changed').toEqual(original);
    }
  });

  const rawBodyCases: [string, Record<string, string>, string | Buffer, number[]][] = [
    ['truncated JSON', JSON_HEADERS, '{"issuerUrl":', [400]],
    ['JSON with a trailing comma', JSON_HEADERS, '{"issuerUrl":"x",}', [400]],
    ['invalid UTF-8', JSON_HEADERS, Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), [400]],
    [
      'a 100 KB body',
      JSON_HEADERS,
      JSON.stringify({ issuerUrl: 'x', clientId: 'y', clientSecret: 'z', redirectUri: 'w', pad: 'p'.repeat(100_000) }),
      [413],
    ],
    ['text/plain', { 'content-type': 'text/plain' }, JSON.stringify({ issuerUrl: 'x' }), [415]],
    [
      'form encoded',
      { 'content-type': 'application/x-www-form-urlencoded' },
      'issuerUrl=x&clientId=y&clientSecret=z&redirectUri=w',
      [415],
    ],
    [
      'multipart',
      { 'content-type': 'multipart/form-data; boundary=x' },
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
      [415],
    ],
    ['no content type', {}, JSON.stringify({ issuerUrl: 'x' }), [400, 415]],
  ];

  it.each(rawBodyCases)(
    'POST /v1/sso/config with %s → 4xx, config unchanged',
    async (_name, headers, body, statuses) => {
      const res = await raw(h.url, '/v1/sso/config', {
        method: 'POST',
        headers: { ...headers, authorization: `Bearer ${org.apiKey}` },
        body,
      });
      expectClear4xx(res, statuses);
      expect((await storedConfig(org)).json).toEqual(original);
    },
  );

  it('DELETE /v1/sso/config with a bad key or a malformed body → 4xx, config still there', async () => {
    for (const auth of ['', 'Bearer', `Bearer ${org.apiKey}x`, `Basic ${Buffer.from('a:b').toString('base64')}`]) {
      const res = await raw(h.url, '/v1/sso/config', {
        method: 'DELETE',
        headers: auth ? { authorization: auth } : {},
      });
      expectClear4xx(res, [401]);
    }
    const bad = await raw(h.url, '/v1/sso/config', {
      method: 'DELETE',
      headers: { ...JSON_HEADERS, authorization: `Bearer ${org.apiKey}` },
      body: '{"oops":',
    });
    expectClear4xx(bad, [400]);
    expect((await storedConfig(org)).json).toEqual(original);
  });

  const signupCases: [string, unknown][] = [
    ['empty name', { name: '' }],
    ['blank name', { name: '   ' }],
    ['missing name', {}],
    ['name 101 chars', { name: 'n'.repeat(101) }],
    ['name 100 KB', { name: 'n'.repeat(15_000) }],
    ['name a number', { name: 42 }],
    ['name an array', { name: ['a'] }],
    ['name an object', { name: { toString: 'x' } }],
    ['invalid email', { name: 'ok', email: 'not-an-email' }],
    ['email 300 chars', { name: 'ok', email: `${'e'.repeat(290)}@example.com` }],
    ['unknown mode', { name: 'ok', mode: 'admin' }],
    ['body an array', [{ name: 'ok' }]],
    ['body null', null],
    ['name with a NUL', { name: 'Acme\u0000Corp' }],
    ['name with an ANSI escape', { name: 'Acme \u001b[31mCorp' }],
    ['name with a bidi override', { name: 'Acme \u202eproC' }],
  ];

  it.each(signupCases)('POST /v1/signup: %s → 4xx, no key issued', async (_name, body) => {
    const res = await postJson(h.url, '/v1/signup', body);
    if (res.json?.apiKey) remember(String(res.json.apiKey));
    expectClear4xx(res, [400]);
    expect(res.json).not.toHaveProperty('apiKey');
  });

  it.each([
    ['truncated JSON', JSON_HEADERS, '{"name":', [400]],
    ['text/plain', { 'content-type': 'text/plain' }, '{"name":"x"}', [415]],
    ['a 100 KB body', JSON_HEADERS, JSON.stringify({ name: 'x', pad: 'p'.repeat(100_000) }), [413]],
  ] as [string, Record<string, string>, string, number[]][])(
    'POST /v1/signup with %s → 4xx',
    async (_name, headers, body, statuses) => {
      const res = await raw(h.url, '/v1/signup', { method: 'POST', headers, body });
      expectClear4xx(res, statuses);
    },
  );

  it('GET /v1/me with malformed Authorization headers → 401', async () => {
    for (const auth of [
      '',
      'Bearer',
      'Bearer ',
      'bearer  x',
      `Bearer ${'k'.repeat(600)}`,
      'Bearer gx_live_short',
      'Token abcdefghijklmnopqrstuvwxyz',
      `Bearer ${org.apiKey} extra`,
    ]) {
      const res = await raw(h.url, '/v1/me', { headers: auth ? { authorization: auth } : {} });
      expectClear4xx(res, [401]);
      expect(res.json?.code).toBe('UNAUTHORIZED');
    }
  });

  it('GET /sso/login with bad parameters → 4xx, no authorization URL', async () => {
    for (const query of [
      '',
      'org=',
      `org=${org.developerId}&org=${org.developerId}`,
      `org=${'x'.repeat(5000)}`,
      'org=%00',
      'org=..%2F..%2Fetc%2Fpasswd',
      `org=${org.developerId}%E2%80%AE`,
      `org=${org.developerId}&redirect_uri=javascript%3Aalert(1)`,
      `org=${org.developerId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
      `org=${org.developerId}&redirect_uri=a&redirect_uri=b`,
      'org[]=x',
    ]) {
      const res = await raw(h.url, `/sso/login?${query}`);
      expectClear4xx(res, [400, 404]);
      expect(res.json).not.toHaveProperty('authorizeUrl');
    }
  });

  it('GET /sso/callback with bad parameters → 4xx, no token call', async () => {
    const a = await authorize(h.url, org, opA);
    remember(a.params.code, a.params.state);
    const code = encodeURIComponent(String(a.params.code));
    const state = encodeURIComponent(String(a.params.state));
    const calls = opA.requestsTo('token').length;
    for (const query of [
      '',
      `code=${code}`,
      `state=${state}`,
      `code=${code}&code=${code}&state=${state}`,
      `code=${code}&state=${state}&state=${state}`,
      `code=${code}&state=${state}&iss=a&iss=b`,
      `code=${'c'.repeat(5000)}&state=${state}`,
      `code=${code}&state=${'s'.repeat(3000)}`,
      `code=${code}&state=${state}&iss=${'i'.repeat(3000)}`,
      `code=${code}&state=${state}%00`,
      `code=${code}&state=${state}%E2%80%AE`,
      `code[]=x&state[]=y`,
    ]) {
      const res = await raw(h.url, `/sso/callback?${query}`);
      expectClear4xx(res, [400]);
      expectNoLeak(res.text, [a.params.code, a.params.state]);
    }
    expect(opA.requestsTo('token').length).toBe(calls);
    // None of that consumed the real login.
    expectIdentity(await callback(h.url, a.params), org, USER);
  });

  it('the org and its config survived all of the above', async () => {
    expect((await storedConfig(org)).json).toEqual(original);
    await loginWorks(org);
    const loginRes = await login(h.url, org);
    expect(loginRes.status).toBe(200);
  });
});

// ====================================================================== logs

describe('logs', () => {
  it('log lines across all of this contain no client secret, API key, code or state', () => {
    expectCleanLogs(logs, sensitive, 50);
    // Error lines exist (the locked database) and carry no SQL or message text that could quote input.
    const errors = logs.filter((l) => l.includes('"level":"error"'));
    expect(errors.length).toBeGreaterThan(0);
  });
  it('stored sign-in and audit events (the sign-in log) contain no secret, API key, code, state, token or signature', async () => {
    expectCleanEvents(await readStoredEvents(h), sensitive, 10);
  });
});
