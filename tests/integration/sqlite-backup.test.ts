/**
 * SQLite backup and restore (lib/sso-service/storage/sqlite/backup.ts) against the real service and the dev
 * IdP: a backup taken while the service serves a stream of writes, restored into a fresh data directory with the
 * same keys, and a service started on it finds every connection, domain, session, sign-in event and directory
 * user acknowledged before the backup began; the stored client secret still opens (a member signs in through
 * the restored service, which needs it at the IdP's token endpoint). Also: a file that is not a database, and
 * restoring over an existing database without --force, are refused.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoLoginResponseSchema } from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { startSsoService, type RunningSsoService } from '@/lib/sso-service';
import { resolveDbPath } from '@/lib/sso-service/config';
import { keysFilePath } from '@/lib/sso-service/service-keys';
import { BackupError, backupSqlite, restoreSqlite } from '@/lib/sso-service/storage/sqlite/backup';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { signupOrg } from '@/tests/support/stack';

const REDIRECT_URI = 'http://localhost:3000/sso/callback';
const ALICE = { username: 'alice', password: 'alice-password' };

let idp: DevIdp;
const running: RunningSsoService[] = [];

const start = async (dataDir: string) => {
  const service = await startSsoService({
    host: '127.0.0.1',
    port: 0,
    devMode: true,
    dataDir,
    rateLimit: { enabled: false, signupPerMin: 1, loginPerMin: 1, callbackPerMin: 1 },
    logger: () => {},
  });
  running.push(service);
  return service;
};

beforeAll(async () => {
  idp = await startDevIdp({ port: 0, redirectUris: [REDIRECT_URI] });
});
afterAll(async () => {
  await Promise.allSettled(running.map((s) => s.close()));
  await idp?.close();
});

const bearer = (apiKey: string, body?: unknown, contentType = 'application/json') => ({
  headers: { authorization: `Bearer ${apiKey}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
});

/** A member session through the real relying party: /sso/login → dev IdP → POST /sso/callback/oidc. */
async function signIn(url: string, developerId: string): Promise<Response> {
  const login = ssoLoginResponseSchema.parse(await (await fetch(`${url}/sso/login?org=${developerId}`)).json());
  const redirect = await loginAtDevIdp(login.authorizeUrl, ALICE);
  return fetch(`${url}/sso/callback/oidc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      code: redirect.searchParams.get('code'),
      state: redirect.searchParams.get('state'),
      iss: redirect.searchParams.get('iss'),
      redirect_uri: REDIRECT_URI,
    }),
  });
}

describe('SQLite backup and restore', () => {
  it('a backup taken under load restores everything acknowledged before it, secrets still opening', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-backup-'));
    const service = await start(dataDir);
    const org = await signupOrg(service.url, 'Backup Co');
    const saved = await fetch(`${service.url}/v1/sso/config`, {
      method: 'POST',
      ...bearer(org.apiKey, {
        issuerUrl: idp.issuer,
        clientId: idp.client.clientId,
        clientSecret: idp.client.clientSecret,
        redirectUri: REDIRECT_URI,
      }),
    });
    expect(saved.status).toBe(201);
    expect(
      (
        await fetch(`${service.url}/v1/sso/domains`, {
          method: 'POST',
          ...bearer(org.apiKey, { domain: 'backup.example' }),
        })
      ).status,
    ).toBe(201);
    const first = await signIn(service.url, org.developerId);
    expect(first.status, await first.clone().text()).toBe(200);
    // The sign-in log is written just after the answer (batched): wait until the attempt is stored.
    for (let i = 0; i < 100; i++) {
      const events = (await (await fetch(`${service.url}/v1/sso/events`, bearer(org.apiKey))).json()) as {
        events: unknown[];
      };
      if (events.events.length > 0) break;
      await new Promise((r) => setTimeout(r, 30));
    }
    const { token } = await org.client.scim.createToken({ label: 'load' });
    const provision = (i: number) =>
      fetch(`${service.url}/scim/v2/Users`, {
        method: 'POST',
        ...bearer(token, { userName: `user${i}@backup.example` }, 'application/scim+json'),
      });
    for (let i = 0; i < 20; i++) expect((await provision(i)).status).toBe(201);

    // The load: provisioning keeps writing while the backup copies, step by step.
    let next = 20;
    let loading = true;
    const load = (async () => {
      while (loading) await provision(next++);
    })();
    const target = path.join(mkdtempSync(path.join(tmpdir(), 'gx-backup-file-')), 'grantex-backup.db');
    const { pages } = await backupSqlite(resolveDbPath({ dataDir }), target);
    loading = false;
    await load;
    expect(pages).toBeGreaterThan(0);
    expect(next).toBeGreaterThan(20);

    // A fresh data directory with the same keys (in development they live in service-keys.json).
    const restoredDir = mkdtempSync(path.join(tmpdir(), 'gx-restored-'));
    copyFileSync(keysFilePath(dataDir), keysFilePath(restoredDir));
    restoreSqlite(target, resolveDbPath({ dataDir: restoredDir }));
    const restored = await start(restoredDir);
    const get = async (p: string, key = org.apiKey) =>
      (await (await fetch(`${restored.url}${p}`, bearer(key))).json()) as Record<string, unknown>;

    expect((await get('/v1/sso/config')).issuerUrl).toBe(idp.issuer);
    expect((await get('/v1/sso/domains')).domains).toEqual([expect.objectContaining({ domain: 'backup.example' })]);
    expect((await get('/v1/sso/sessions')).sessions).toEqual([expect.objectContaining({ email: 'alice@example.com' })]);
    expect(((await get('/v1/sso/events')).events as unknown[]).length).toBeGreaterThan(0);
    const users = await get('/scim/v2/Users?count=200', token);
    expect(users.totalResults as number).toBeGreaterThanOrEqual(20);
    // The sealed client secret opens with the same keys: the IdP's token endpoint accepts it.
    expect((await signIn(restored.url, org.developerId)).status).toBe(200);
  });

  it('refuses a file that is not a database, and a restore over an existing database without force', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gx-backup-bad-'));
    const notDb = path.join(dir, 'not-a-db');
    writeFileSync(notDb, 'hello');
    expect(() => restoreSqlite(notDb, path.join(dir, 'grantex.db'))).toThrow();

    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-backup-src-'));
    const service = await start(dataDir);
    await signupOrg(service.url, 'Existing Co');
    const target = path.join(dir, 'copy.db');
    await backupSqlite(resolveDbPath({ dataDir }), target);
    await expect(backupSqlite(resolveDbPath({ dataDir }), target)).rejects.toBeInstanceOf(BackupError);
    expect(() => restoreSqlite(target, resolveDbPath({ dataDir }))).toThrow(/--force/);
  });
});
