/**
 * Upgrading a schema-version-1 database (one `sso_configs` row per org, no connections): the service migrates
 * it on start, the legacy endpoints serve the same config from the org's default connection, a login runs end
 * to end, and a state without a connection id (as a pre-connections service sealed it) still finishes.
 * Also: upgrading a version-7 database to migration 10 keeps the SAML assertion ids already claimed.
 * Runs on the backend the run selects (SQLite by default, PostgreSQL with GRANTEX_TEST_DATABASE_URL).
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveStateKey } from '@/lib/sso-service/crypto/login-state';
import { createSecretBox } from '@/lib/sso-service/crypto/secret-box';
import { migratePg, PG_MIGRATIONS } from '@/lib/sso-service/storage/postgres/migrations';
import { createPgPool } from '@/lib/sso-service/storage/postgres/store';
import { migrate, MIGRATIONS } from '@/lib/sso-service/storage/sqlite/migrations';
import { openStore } from '@/lib/sso-service/storage';
import { testDatabaseOptions } from '@/tests/support/test-database';
import { authed, json, startTestService, TEST_KEYS, type TestService } from './service-harness';

const DEV_ID = 'dev_legacy_0001';
const API_KEY = 'gx_test_legacy-key-0123456789abcdefghijklmnopqrstu';
const CONNECTION_ID = 'conn_legacy_0001';
const STAMP = '2026-01-02T03:04:05.678Z';
const LEGACY = {
  issuerUrl: 'http://127.0.0.1:9/legacy-idp',
  clientId: 'legacy-client',
  clientSecret: 'legacy-secret:keep+me',
  redirectUri: 'http://localhost:3000/sso/callback',
};

/** The version-1 rows: a developer, its API key (sha256 only) and its config with the secret sealed. */
function legacyRows() {
  const sealed = Buffer.from(
    createSecretBox(Buffer.from(TEST_KEYS.encryptionKey, 'base64url')).seal(LEGACY.clientSecret, DEV_ID),
    'base64url',
  );
  const keyHash = createHash('sha256').update(API_KEY).digest();
  return [
    [
      'INSERT INTO developers (id, name, email, mode, plan, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      [DEV_ID, 'Legacy', null, 'live', 'free', STAMP],
    ],
    ['INSERT INTO api_keys (key_hash, developer_id, created_at) VALUES ($1, $2, $3)', [keyHash, DEV_ID, STAMP]],
    [
      `INSERT INTO sso_configs (developer_id, connection_id, issuer_url, client_id, client_secret_enc, redirect_uri, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [DEV_ID, CONNECTION_ID, LEGACY.issuerUrl, LEGACY.clientId, sealed, LEGACY.redirectUri, STAMP, STAMP],
    ],
  ] as const;
}

const VERSION_1 = {
  sqlite: MIGRATIONS.filter((m) => m.version === 1),
  postgres: PG_MIGRATIONS.filter((m) => m.version === 1),
};

/** A database at schema version 1 holding one org with a config; returns the service options that point at it. */
async function versionOneDatabase() {
  const database = await testDatabaseOptions();
  if (database.postgres) {
    const pool = createPgPool(database.postgres, () => undefined);
    try {
      await migratePg(pool, VERSION_1.postgres);
      for (const [sql, params] of legacyRows()) await pool.query(sql, [...params]);
    } finally {
      await pool.end();
    }
    return { postgres: database.postgres, dataDir: mkdtempSync(path.join(tmpdir(), 'gx-migrate-')) };
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-migrate-'));
  const db = new Database(path.join(dataDir, 'grantex.db'));
  try {
    migrate(db, VERSION_1.sqlite);
    for (const [sql, params] of legacyRows()) db.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
  } finally {
    db.close();
  }
  return { dataDir };
}

/** A state as the code before connections sealed it: the same layout and key, no connection id. */
function stateWithoutConnection(nowMs: number): string {
  const iat = Math.floor(nowMs / 1000);
  const payload = {
    sid: randomBytes(16).toString('base64url'),
    dev: DEV_ID,
    nonce: randomBytes(32).toString('base64url'),
    cv: randomBytes(32).toString('base64url'),
    iat,
    exp: iat + 600,
  };
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', deriveStateKey(TEST_KEYS.stateSecret), iv);
  cipher.setAAD(Buffer.from('grantex-login-state', 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(2), iv, cipher.getAuthTag(), body]).toString('base64url');
}

describe('upgrading a database from before connections', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ ...(await versionOneDatabase()), ...TEST_KEYS });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('serves the legacy config unchanged from the default connection', async () => {
    const res = await fetch(`${svc.url}/v1/sso/config`, authed(API_KEY));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      issuerUrl: LEGACY.issuerUrl,
      clientId: LEGACY.clientId,
      redirectUri: LEGACY.redirectUri,
      createdAt: STAMP,
      updatedAt: STAMP,
    });
  });

  it('runs a full login on it: same connection id, the secret still opens, the callback names the org', async () => {
    const login = await fetch(`${svc.url}/sso/login?org=${DEV_ID}`);
    expect(login.status).toBe(200);
    const started = (await json(login)) as { authorizeUrl: string; connectionId: string; protocol: string };
    expect(started).toMatchObject({ protocol: 'oidc', connectionId: CONNECTION_ID });
    const state = new URL(started.authorizeUrl).searchParams.get('state') ?? '';

    const callback = await fetch(`${svc.url}/sso/callback?code=abc&state=${state}`);
    expect(callback.status).toBe(200);
    expect(await json(callback)).toEqual({
      developerId: DEV_ID,
      email: 'user@example.com',
      emailVerified: true,
      name: 'User One',
      sub: 'user-1',
    });
    const redeem = svc.rp.calls.filter((c) => c.method === 'redeem').at(-1)?.args[0] as {
      clientSecret: string;
      clientId: string;
    };
    expect(redeem.clientId).toBe(LEGACY.clientId);
    expect(redeem.clientSecret).toBe(LEGACY.clientSecret);
  });

  it('lets every member of a migrated config sign in with a session (JIT on legacy connections)', async () => {
    const connection = await json(await fetch(`${svc.url}/v1/sso/connections/${CONNECTION_ID}`, authed(API_KEY)));
    expect(connection.jitProvisioning).toBe(true);
    const started = (await json(await fetch(`${svc.url}/sso/login?org=${DEV_ID}`))) as { authorizeUrl: string };
    const state = new URL(started.authorizeUrl).searchParams.get('state') ?? '';
    const res = await fetch(`${svc.url}/sso/callback/oidc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'abc', state }),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ developerId: DEV_ID, sub: 'user-1', email: 'user@example.com' });
  });

  it('finishes a login whose state was sealed before the upgrade (no connection id) on the default connection', async () => {
    const callback = await fetch(`${svc.url}/sso/callback?code=abc&state=${stateWithoutConnection(Date.now())}`);
    expect(callback.status).toBe(200);
    expect((await json(callback)).developerId).toBe(DEV_ID);
  });

  it('keeps the contract after the upgrade: a save keeps createdAt, a delete removes it', async () => {
    const saved = await fetch(
      `${svc.url}/v1/sso/config`,
      authed(API_KEY, { method: 'POST', body: JSON.stringify({ ...LEGACY, clientId: 'renamed-client' }) }),
    );
    expect(saved.status).toBe(201);
    expect(await json(saved)).toMatchObject({ clientId: 'renamed-client', createdAt: STAMP });
    expect((await json(await fetch(`${svc.url}/sso/login?org=${DEV_ID}`))).connectionId).toBe(CONNECTION_ID);
    expect((await fetch(`${svc.url}/v1/sso/config`, authed(API_KEY, { method: 'DELETE' }))).status).toBe(204);
    expect((await fetch(`${svc.url}/sso/login?org=${DEV_ID}`)).status).toBe(404);
  });
});

/**
 * A database from before principals were keyed by their IdP (every step before 9): its members keep their
 * principal, and their sessions survive the table rebuild.
 */
describe('upgrading a database with members to principals keyed by the IdP issuer', () => {
  const PRINCIPAL_ID = 'prn_existing_member';
  const SESSION_ID = 'ssn_existing_session';
  const CONNECTION = 'sso_members_0001';
  const FUTURE = '2999-01-01T00:00:00.000Z';
  const BEFORE_9 = {
    sqlite: MIGRATIONS.filter((m) => m.version < 9),
    postgres: PG_MIGRATIONS.filter((m) => m.version < 9),
  };

  /** An org, its OIDC connection without JIT (only known members sign in), one member and their live session. */
  function memberRows() {
    const sealed = Buffer.from(
      createSecretBox(Buffer.from(TEST_KEYS.encryptionKey, 'base64url')).seal(LEGACY.clientSecret, DEV_ID),
      'base64url',
    );
    const keyHash = createHash('sha256').update(API_KEY).digest();
    const settings = JSON.stringify({
      issuerUrl: LEGACY.issuerUrl,
      clientId: LEGACY.clientId,
      redirectUri: LEGACY.redirectUri,
    });
    const provisioning = JSON.stringify({
      jitProvisioning: false,
      groupAttribute: null,
      groupMappings: {},
      defaultScopes: [],
    });
    return [
      [
        'INSERT INTO developers (id, name, email, mode, plan, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [DEV_ID, 'Members', null, 'live', 'free', STAMP],
      ],
      ['INSERT INTO api_keys (key_hash, developer_id, created_at) VALUES ($1, $2, $3)', [keyHash, DEV_ID, STAMP]],
      [
        `INSERT INTO sso_connections (id, developer_id, default_for, name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at)
         VALUES ($1, $2, $3, 'Okta', 'oidc', 'active', $4, $5, '[]', $6, $7, $8)`,
        [CONNECTION, DEV_ID, DEV_ID, settings, sealed, provisioning, STAMP, STAMP],
      ],
      [
        `INSERT INTO sso_principals (id, developer_id, connection_id, idp_subject, email, name, groups, created_at, updated_at, last_sign_in_at)
         VALUES ($1, $2, $3, 'member-1', 'member@example.com', 'Member One', '[]', $4, $5, $6)`,
        [PRINCIPAL_ID, DEV_ID, CONNECTION, STAMP, STAMP, STAMP],
      ],
      [
        `INSERT INTO sso_sessions (id, developer_id, connection_id, principal_id, email, name, idp_subject, groups, mapped_scopes, expires_at, created_at)
         VALUES ($1, $2, $3, $4, 'member@example.com', 'Member One', 'member-1', '[]', '[]', $5, $6)`,
        [SESSION_ID, DEV_ID, CONNECTION, PRINCIPAL_ID, FUTURE, STAMP],
      ],
    ] as const;
  }

  async function databaseBeforeVersion9() {
    const database = await testDatabaseOptions();
    if (database.postgres) {
      const pool = createPgPool(database.postgres, () => undefined);
      try {
        await migratePg(pool, BEFORE_9.postgres);
        for (const [sql, params] of memberRows()) await pool.query(sql, [...params]);
      } finally {
        await pool.end();
      }
      return { postgres: database.postgres, dataDir: mkdtempSync(path.join(tmpdir(), 'gx-migrate-')) };
    }
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-migrate-'));
    const db = new Database(path.join(dataDir, 'grantex.db'));
    try {
      db.pragma('foreign_keys = ON');
      migrate(db, BEFORE_9.sqlite);
      for (const [sql, params] of memberRows()) db.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
    } finally {
      db.close();
    }
    return { dataDir };
  }

  let svc: TestService;
  beforeAll(async () => {
    svc = await startTestService({ ...(await databaseBeforeVersion9()), ...TEST_KEYS });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('keeps the member and their session; the unchanged IdP signs them in as the same principal (JIT off)', async () => {
    const before = (await json(await fetch(`${svc.url}/v1/sso/sessions`, authed(API_KEY)))).sessions as Record<
      string,
      unknown
    >[];
    // The rebuild of sso_principals did not cascade into the sessions that reference it.
    expect(before).toEqual([
      expect.objectContaining({ id: SESSION_ID, principalId: PRINCIPAL_ID, emailVerified: false }),
    ]);

    svc.rp.redeemResult = { sub: 'member-1', email: 'member@example.com', emailVerified: true, name: 'Member One' };
    const started = (await json(await fetch(`${svc.url}/sso/login?org=${DEV_ID}&connection=${CONNECTION}`))) as {
      authorizeUrl: string;
    };
    const state = new URL(started.authorizeUrl).searchParams.get('state') ?? '';
    const res = await fetch(`${svc.url}/sso/callback/oidc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'abc', state }),
    });
    // JIT is off: only a principal found under (connection, the connection's issuer, sub) signs in.
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ principalId: PRINCIPAL_ID, sub: 'member-1', emailVerified: true });
    const after = (await json(await fetch(`${svc.url}/v1/sso/sessions`, authed(API_KEY)))).sessions as Record<
      string,
      unknown
    >[];
    expect(after.map((s) => s.principalId)).toEqual([PRINCIPAL_ID, PRINCIPAL_ID]);
  });
});

describe('upgrading to migration 10: SAML assertion ids claimed per org become claims per IdP entity id', () => {
  const IDP = 'https://idp.example/saml/metadata';
  const pre10 = {
    sqlite: MIGRATIONS.filter((m) => m.version <= 7),
    postgres: PG_MIGRATIONS.filter((m) => m.version <= 7),
  };
  const rows = [
    [
      'INSERT INTO developers (id, name, email, mode, plan, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      ['dev_saml_a', 'A', null, 'live', 'free', STAMP],
    ],
    [
      `INSERT INTO sso_connections (id, developer_id, default_for, name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at)
       VALUES ($1, $2, NULL, $3, 'saml', 'active', $4, NULL, '[]', $5, $6, $7)`,
      [
        'sso_saml_a',
        'dev_saml_a',
        'SAML',
        JSON.stringify({ idpEntityId: IDP }),
        JSON.stringify({ jitProvisioning: true }),
        STAMP,
        STAMP,
      ],
    ],
    [
      'INSERT INTO saml_assertions (developer_id, assertion_id, connection_id, expires_at) VALUES ($1, $2, $3, $4)',
      ['dev_saml_a', '_in-flight', 'sso_saml_a', 9e12],
    ],
  ] as const;

  it('keeps an assertion accepted before the upgrade single use, now at every org trusting that IdP', async () => {
    const database = await testDatabaseOptions();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-migrate-'));
    if (database.postgres) {
      const pool = createPgPool(database.postgres, () => undefined);
      try {
        await migratePg(pool, pre10.postgres);
        for (const [sql, params] of rows) await pool.query(sql, [...params]);
      } finally {
        await pool.end();
      }
    } else {
      const db = new Database(path.join(dataDir, 'grantex.db'));
      try {
        migrate(db, pre10.sqlite);
        for (const [sql, params] of rows) db.prepare(sql.replace(/\$\d+/g, '?')).run(...params);
      } finally {
        db.close();
      }
    }
    const store = await openStore({ dataDir, dbPath: undefined, ...database });
    try {
      const claim = (developerId: string, connectionId: string, idpEntityId = IDP) =>
        store.claimAssertionId({
          idpEntityId,
          assertionId: '_in-flight',
          developerId,
          connectionId,
          expiresAtMs: 9e12,
        });
      expect(await claim('dev_saml_b', 'sso_saml_b')).toBe(false);
      expect(await claim('dev_saml_a', 'sso_saml_a')).toBe(false);
      expect(await claim('dev_saml_b', 'sso_saml_b', 'https://another-idp.example')).toBe(true);
    } finally {
      await store.close();
    }
  });
});
