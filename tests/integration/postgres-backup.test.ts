/**
 * PostgreSQL backup and restore with PostgreSQL's own tools, as docs/OPERATIONS.md documents them (PostgreSQL only:
 * run it through scripts/with-postgres.ts). `pg_dump --format=custom` taken while members keep signing in, restored
 * with `pg_restore` into a fresh database; a service started on it with the same keys finds every connection,
 * domain, session and sign-in event acknowledged before the dump began, and the sealed client secret still
 * opens: a member signs in through the restored service, which needs it at the IdP's token endpoint.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { signInEventListSchema, ssoSessionCallbackResponseSchema } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex';
import { startSsoService, type RunningSsoService } from '@/lib/sso-service';
import type { PostgresConfig } from '@/lib/sso-service/config';
import { createDatabaseAt, findPostgresBin } from '@/tests/support/postgres-server';
import { signupOrg } from '@/tests/support/stack';
import { onPostgres, pgTestConfig, TEST_PG_ADMIN_URL, testDatabaseOptions } from '@/tests/support/test-database';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import { TEST_KEYS } from './service-harness';

const run = promisify(execFile);
const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const OP_CLIENT = { clientId: 'backup-client', clientSecret: 'backup secret:%+', redirectUris: [REDIRECT_URI] };

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function start(postgres: PostgresConfig): Promise<RunningSsoService> {
  const service = await startSsoService({
    host: '127.0.0.1',
    port: 0,
    devMode: true,
    dataDir: mkdtempSync(path.join(tmpdir(), 'gx-pg-backup-')),
    postgres,
    ...TEST_KEYS,
    rateLimit: { enabled: false, signupPerMin: 1, loginPerMin: 1, callbackPerMin: 1 },
    logLevel: 'silent',
  });
  cleanups.push(() => service.close());
  return service;
}

/** A member sign-in through the real relying party and the test OP; resolves to the new session's id. */
async function signIn(url: string, developerId: string, op: TestOp): Promise<string> {
  const { authorizeUrl } = await new GrantexClient({ baseUrl: url, retries: 0 }).sso.getLoginUrl(developerId);
  const back = await op.driveAuthorize(authorizeUrl);
  const res = await fetch(`${url}/sso/callback/oidc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      code: back.searchParams.get('code'),
      state: back.searchParams.get('state'),
      iss: op.issuer,
    }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ssoSessionCallbackResponseSchema.parse(await res.json()).sessionId;
}

async function eventIds(url: string, apiKey: string): Promise<string[]> {
  const res = await fetch(`${url}/v1/sso/events?limit=200`, { headers: { authorization: `Bearer ${apiKey}` } });
  return signInEventListSchema.parse(await res.json()).events.map((e) => e.id);
}

describe.skipIf(!onPostgres)('PostgreSQL backup (pg_dump) and restore (pg_restore)', () => {
  it('a dump taken under load restores everything acknowledged before it, secrets still opening', async () => {
    const bin = findPostgresBin();
    if (!bin || !TEST_PG_ADMIN_URL) throw new Error('PostgreSQL binaries are needed (scripts/with-postgres.ts)');
    const op = await startTestOp({ issuerPath: '/backup', clients: [OP_CLIENT] });
    cleanups.push(() => op.close());

    const { postgres } = await testDatabaseOptions();
    const service = await start(postgres!);
    const org = await signupOrg(service.url, 'Backup Co');
    const connection = await org.client.sso.connections.create({
      name: 'Backup IdP',
      protocol: 'oidc',
      issuerUrl: op.issuer,
      clientId: OP_CLIENT.clientId,
      clientSecret: OP_CLIENT.clientSecret,
      redirectUri: REDIRECT_URI,
    });
    await org.client.sso.domains.create('backup.example');
    const sessions: string[] = [];
    for (let i = 0; i < 5; i++) sessions.push(await signIn(service.url, org.developerId, op));
    // The sign-in log is written just after the answers (batched): wait until the five are stored.
    let events: string[] = [];
    for (let i = 0; i < 100 && events.length < 5; i++) {
      events = await eventIds(service.url, org.apiKey);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(events).toHaveLength(5);

    // The load: members keep signing in while pg_dump runs; each session answered before the dump began counts.
    let loading = true;
    let dumpStartedAt = Infinity;
    const answeredBeforeDump: string[] = [];
    let answeredDuring = 0;
    const load = (async () => {
      while (loading) {
        const id = await signIn(service.url, org.developerId, op);
        if (performance.now() < dumpStartedAt) answeredBeforeDump.push(id);
        else answeredDuring++;
      }
    })();
    while (answeredBeforeDump.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));

    const dump = path.join(mkdtempSync(path.join(tmpdir(), 'gx-pg-dump-')), 'grantex.dump');
    dumpStartedAt = performance.now();
    await run(path.join(bin, 'pg_dump'), ['--format=custom', `--file=${dump}`, postgres!.url]);
    // Keep writing a little after the snapshot, then stop.
    while (answeredDuring < 1) await new Promise((resolve) => setTimeout(resolve, 10));
    loading = false;
    await load;

    // A fresh, empty database; pg_restore as documented.
    const restoredUrl = await createDatabaseAt(TEST_PG_ADMIN_URL, `gx_restored_${Date.now().toString(36)}`);
    await run(path.join(bin, 'pg_restore'), [
      '--no-owner',
      '--exit-on-error',
      '--single-transaction',
      `--dbname=${restoredUrl}`,
      dump,
    ]);
    await service.close();
    const restored = await start(pgTestConfig(restoredUrl));
    expect((await fetch(`${restored.url}/health/ready`)).status).toBe(200);
    const client = new GrantexClient({ baseUrl: restored.url, apiKey: org.apiKey, retries: 0 });

    expect((await client.sso.connections.list()).map((c) => c.id)).toEqual([connection.id]);
    expect((await client.sso.domains.list()).map((d) => d.domain)).toEqual(['backup.example']);
    const restoredSessions = new Set((await client.sso.sessions.list()).map((s) => s.id));
    for (const id of [...sessions, ...answeredBeforeDump]) expect(restoredSessions.has(id), id).toBe(true);
    const restoredEvents = new Set(await eventIds(restored.url, org.apiKey));
    for (const id of events) expect(restoredEvents.has(id), id).toBe(true);

    // The sealed client secret opens with the same keys: the IdP's token endpoint authenticates the client with it.
    op.requests.length = 0;
    const after = await signIn(restored.url, org.developerId, op);
    expect(op.requestsTo('token')).toHaveLength(1);
    expect((await client.sso.sessions.list()).map((s) => s.id)).toContain(after);
  });
});
