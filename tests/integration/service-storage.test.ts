import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadServiceConfig, ServiceConfigError, startSsoService } from '@/lib/sso-service';
import { createSecretBox, SecretBoxError } from '@/lib/sso-service/crypto/secret-box';
import { PG_MIGRATIONS } from '@/lib/sso-service/storage/postgres/migrations';
import { MIGRATIONS } from '@/lib/sso-service/storage/sqlite/migrations';
import { databaseBytes } from '@/tests/support/database-bytes';
import { postgresMigrationVersions } from '@/tests/support/postgres-inspect';
import { onPostgres } from '@/tests/support/test-database';
import { authed, json, saveConfig, signup, startTestService, VALID_CONFIG } from './service-harness';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'gx-storage-'));

describe('storage', () => {
  it('keeps developers, keys and configs across a restart, with generated dev keys reused', async () => {
    const svc = await startTestService();
    try {
      const dev = await signup(svc.url, { name: 'Durable', email: 'durable@acme.test' });
      const saved = await json(await saveConfig(svc.url, dev.apiKey));
      const login = await json(await fetch(`${svc.url}/sso/login?org=${dev.developerId}`));

      await svc.restart();
      const me = await fetch(`${svc.url}/v1/me`, authed(dev.apiKey));
      expect(me.status).toBe(200);
      expect((await json(me)).email).toBe('durable@acme.test');
      expect(await json(await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey)))).toEqual(saved);
      // The secret still decrypts (same generated key) and the connection id is unchanged.
      const again = await json(await fetch(`${svc.url}/sso/login?org=${dev.developerId}`));
      expect(again.connectionId).toBe(login.connectionId);
      const cfg = svc.rp.calls.filter((c) => c.method === 'authorizationUrl').at(-1)?.args[0] as {
        clientSecret: string;
      };
      expect(cfg.clientSecret).toBe(VALID_CONFIG.clientSecret);
    } finally {
      await svc.close();
    }
  });

  it('stores the client secret encrypted and API keys only as hashes', async () => {
    const svc = await startTestService();
    const secret = 'plaintext-secret-that-must-not-hit-disk-7f3a';
    let apiKey = '';
    try {
      const dev = await signup(svc.url);
      apiKey = dev.apiKey;
      expect((await saveConfig(svc.url, dev.apiKey, { ...VALID_CONFIG, clientSecret: secret })).status).toBe(201);
    } finally {
      await svc.close();
    }
    const bytes = await databaseBytes(svc);
    expect(bytes.length).toBeGreaterThan(0);
    expect(bytes.includes(Buffer.from(secret))).toBe(false);
    // pg_dump writes bytea as hex: the plaintext must not be there in that form either.
    expect(bytes.includes(Buffer.from(Buffer.from(secret).toString('hex')))).toBe(false);
    expect(bytes.includes(Buffer.from(apiKey))).toBe(false);
    expect(bytes.includes(Buffer.from(apiKey.slice(8)))).toBe(false);
    // Sanity check that the scan can see stored text at all.
    expect(bytes.includes(Buffer.from(VALID_CONFIG.redirectUri))).toBe(true);
  });

  it('records applied migrations and does not re-apply them', async () => {
    const svc = await startTestService();
    await svc.restart();
    await svc.close();
    if (svc.postgresUrl) {
      expect(await postgresMigrationVersions(svc.postgresUrl)).toEqual(PG_MIGRATIONS.map((m) => m.version));
      return;
    }
    const db = new Database(path.join(svc.dataDir, 'grantex.db'), { readonly: true });
    try {
      const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
      expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect((db.pragma('journal_mode', { simple: true }) as string).toLowerCase()).toBe('wal');
    } finally {
      db.close();
    }
  });

  it('generates dev keys into an owner-only file in an owner-only data dir', async () => {
    const parent = tempDir();
    const dataDir = path.join(parent, 'data');
    const svc = await startTestService({ dataDir, stateSecret: undefined, encryptionKey: undefined });
    await svc.close();
    const keysFile = path.join(dataDir, 'service-keys.json');
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    if (!onPostgres) expect(statSync(path.join(dataDir, 'grantex.db')).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>;
    expect(Buffer.from(keys.encryptionKey ?? '', 'base64url')).toHaveLength(32);
    expect((keys.stateSecret ?? '').length).toBeGreaterThanOrEqual(32);
  });
});

describe('storage details', () => {
  it.skipIf(onPostgres)('a caller-chosen data dir wins over GRANTEX_DB_PATH from the environment', async () => {
    const elsewhere = path.join(tempDir(), 'elsewhere.db');
    const previous = process.env.GRANTEX_DB_PATH;
    process.env.GRANTEX_DB_PATH = elsewhere;
    try {
      const svc = await startTestService();
      await svc.close();
      expect(readdirSync(svc.dataDir)).toContain('grantex.db');
      expect(readdirSync(path.dirname(elsewhere))).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.GRANTEX_DB_PATH;
      else process.env.GRANTEX_DB_PATH = previous;
    }
  });
});

describe('production mode start-up', () => {
  const base = { host: '127.0.0.1', port: 0, devMode: false, logger: () => {} };

  it('refuses to start without the state secret, naming the variable only', async () => {
    const dataDir = tempDir();
    const key = Buffer.alloc(32, 9).toString('base64url');
    const err = await startSsoService({ ...base, dataDir, stateSecret: undefined, encryptionKey: key }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ServiceConfigError);
    expect((err as Error).message).toContain('GRANTEX_STATE_SECRET');
    expect((err as Error).message).not.toContain(key);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('refuses to start without (or with a malformed) encryption key', async () => {
    const secret = 's'.repeat(40);
    for (const encryptionKey of [undefined, 'too-short-key']) {
      const err = await startSsoService({ ...base, dataDir: tempDir(), stateSecret: secret, encryptionKey }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ServiceConfigError);
      expect((err as Error).message).toContain('GRANTEX_ENCRYPTION_KEY');
      expect((err as Error).message).not.toContain(secret);
      if (encryptionKey) expect((err as Error).message).not.toContain(encryptionKey);
    }
  });

  it('NODE_ENV=production turns dev mode off; env values are parsed and validated', () => {
    const prod = loadServiceConfig({ NODE_ENV: 'production' });
    expect(prod.devMode).toBe(false);
    expect(prod).toMatchObject({ host: 'localhost', port: 3001, dataDir: '.data', logLevel: 'info' });
    expect(prod.rateLimit).toEqual({
      enabled: true,
      signupPerMin: 20,
      loginPerMin: 120,
      callbackPerMin: 120,
      scimPerMin: 1200,
    });

    const custom = loadServiceConfig({
      GRANTEX_PORT: '4001',
      GRANTEX_DEV_MODE: 'false',
      RATE_LIMIT: 'off',
      RATE_LIMIT_LOGIN_PER_MIN: '7',
      TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16',
      LOG_LEVEL: 'WARN',
    });
    expect(custom).toMatchObject({
      port: 4001,
      devMode: false,
      trustedProxies: ['10.0.0.1', '192.168.0.0/16'],
      logLevel: 'warn',
    });
    expect(custom.rateLimit).toMatchObject({ enabled: false, loginPerMin: 7 });

    expect(() => loadServiceConfig({ TRUSTED_PROXIES: 'not-an-ip' })).toThrow(ServiceConfigError);
    expect(() => loadServiceConfig({ GRANTEX_PORT: '70000' })).toThrow(/GRANTEX_PORT/);
  });

  it('DATABASE_URL selects PostgreSQL with pool and timeout settings; a bad one names the variable, never the value', () => {
    expect(loadServiceConfig({}).postgres).toBeUndefined();
    const url = 'postgres://grantex:pw-9f2c@db.internal:5432/grantex';
    expect(loadServiceConfig({ DATABASE_URL: url }).postgres).toEqual({
      url,
      poolMax: 10,
      statementTimeoutMs: 5000,
      connectTimeoutMs: 5000,
    });
    expect(
      loadServiceConfig({ DATABASE_URL: url, DATABASE_POOL_MAX: '3', DATABASE_STATEMENT_TIMEOUT_MS: '250' }).postgres,
    ).toMatchObject({ poolMax: 3, statementTimeoutMs: 250 });
    const bad = 'mysql://root:hunter2@db/grantex';
    const err = (() => {
      try {
        loadServiceConfig({ DATABASE_URL: bad });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ServiceConfigError);
    expect((err as Error).message).toContain('DATABASE_URL');
    expect((err as Error).message).not.toContain('hunter2');
    expect(() => loadServiceConfig({ DATABASE_URL: url, DATABASE_POOL_MAX: '0' })).toThrow(/DATABASE_POOL_MAX/);
  });
});

describe('secret box', () => {
  it('binds a ciphertext to its developer: swapping orgs fails to decrypt', () => {
    const box = createSecretBox(Buffer.alloc(32, 3));
    const sealed = box.seal('s3cret', 'dev_a');
    expect(box.open(sealed, 'dev_a')).toBe('s3cret');
    expect(() => box.open(sealed, 'dev_b')).toThrow(SecretBoxError);
    const flipped = Buffer.from(sealed, 'base64url');
    flipped[flipped.length - 1] = (flipped.at(-1) ?? 0) ^ 1;
    expect(() => box.open(flipped.toString('base64url'), 'dev_a')).toThrow(SecretBoxError);
    expect(box.seal('s3cret', 'dev_a')).not.toBe(sealed); // fresh IV each time
    expect(() => createSecretBox(Buffer.alloc(32, 4)).open(sealed, 'dev_a')).toThrow(SecretBoxError);
  });
});
