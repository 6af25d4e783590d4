/**
 * Graceful shutdown of the service as a real OS process (`scripts/grantex.ts`, configured by environment; SQLite,
 * and PostgreSQL with GRANTEX_TEST_DATABASE_URL): on SIGTERM it stops taking new work at once (readiness and new
 * requests are refused) while a sign-in in flight at a slow IdP still completes with a session, its event is
 * stored, and the process exits 0; a request that outlives SSO_SHUTDOWN_DRAIN_MS is cut and the process still exits.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ssoSessionCallbackResponseSchema } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex';
import { startSsoService } from '@/lib/sso-service';
import { localServiceEnv, startServiceProcess, type ServiceProcess } from '@/tests/support/service-process';
import { signupOrg } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import { TEST_KEYS } from './service-harness';

const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const OP_CLIENT = { clientId: 'shutdown-client', clientSecret: 'shutdown secret', redirectUris: [REDIRECT_URI] };
/**
 * The slow IdP's token endpoint: longer than the 5 s the process used to give itself before exiting, shorter than
 * the relying party's 8 s per-request timeout and the 10 s sign-in deadline.
 */
const SLOW_TOKEN_MS = 6000;

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function startProcess(extra: Record<string, string>) {
  const op = await startTestOp({ issuerPath: '/shutdown', clients: [OP_CLIENT] });
  cleanups.push(() => op.close());
  const database = await testDatabaseOptions();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-shutdown-'));
  const child = await startServiceProcess(
    localServiceEnv(dataDir, TEST_KEYS, {
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'info',
      ...(database.postgres ? { DATABASE_URL: database.postgres.url } : {}),
      ...extra,
    }),
  );
  cleanups.push(() => child.kill('SIGKILL'));
  const org = await signupOrg(child.url);
  await org.client.sso.connections.create({
    name: 'Slow IdP',
    protocol: 'oidc',
    issuerUrl: op.issuer,
    clientId: OP_CLIENT.clientId,
    clientSecret: OP_CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
  });
  return { child, op, org, dataDir, database };
}

/** Starts a member sign-in whose callback is now waiting at the OP's (slow or hanging) token endpoint. */
async function callbackInFlight(child: ServiceProcess, op: TestOp, developerId: string) {
  const { authorizeUrl } = await new GrantexClient({ baseUrl: child.url, retries: 0 }).sso.getLoginUrl(developerId);
  const back = await op.driveAuthorize(authorizeUrl);
  const callback = fetch(`${child.url}/sso/callback/oidc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      code: back.searchParams.get('code'),
      state: back.searchParams.get('state'),
      iss: op.issuer,
    }),
  });
  while (op.requestsTo('token').length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  // Wrapped: an async function returning the promise itself would wait for it.
  return { callback };
}

/** Whether the service still takes new work: readiness 200 (a refused connection or a 503 mean no). */
async function takesNewWork(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/ready`)).status === 200;
  } catch {
    return false;
  }
}

describe('SIGTERM drains sign-ins in flight', () => {
  it('refuses new work at once, completes the slow sign-in with a session, stores its event, exits 0', async () => {
    const { child, op, org, dataDir, database } = await startProcess({});
    expect(await takesNewWork(child.url)).toBe(true);
    op.behave.delayMs = { token: SLOW_TOKEN_MS };
    const { callback } = await callbackInFlight(child, op, org.developerId);

    const signalledAt = performance.now();
    const exited = child.kill('SIGTERM');
    // Not ready, and no new sign-in starts, well before the sign-in in flight finishes.
    while (await takesNewWork(child.url)) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(performance.now() - signalledAt).toBeLessThan(1000);
    const login = await fetch(`${child.url}/sso/login?org=${org.developerId}`).then(
      (res) => res.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(login);

    const res = await callback;
    expect(res.status).toBe(200);
    const session = ssoSessionCallbackResponseSchema.parse(await res.json());
    expect(performance.now() - signalledAt).toBeGreaterThan(SLOW_TOKEN_MS - 1500);
    await exited;
    expect(child.exitCode()).toBe(0);
    expect(child.output()).toMatch(/requests in flight finished/);

    // The session and the sign-in's event are in the database the process left behind.
    const after = await startSsoService({
      host: '127.0.0.1',
      port: 0,
      devMode: true,
      dataDir,
      ...database,
      ...TEST_KEYS,
      logLevel: 'silent',
    });
    cleanups.push(() => after.close());
    const client = new GrantexClient({ baseUrl: after.url, apiKey: org.apiKey, retries: 0 });
    expect((await client.sso.sessions.list()).map((s) => s.id)).toEqual([session.sessionId]);
    const events = await fetch(`${after.url}/v1/sso/events`, { headers: { authorization: `Bearer ${org.apiKey}` } });
    expect((await events.json()) as unknown).toMatchObject({ events: [{ outcome: 'success', stage: 'complete' }] });
  });

  it('cuts a request that outlives SSO_SHUTDOWN_DRAIN_MS, and still exits', async () => {
    const { child, op, org } = await startProcess({ SSO_SHUTDOWN_DRAIN_MS: '1000' });
    op.behave.token = { kind: 'hang' };
    const { callback } = await callbackInFlight(child, op, org.developerId);
    const outcome = callback.then(
      (res) => res.status,
      () => 'cut',
    );
    const signalledAt = performance.now();
    await child.kill('SIGTERM');
    const waited = performance.now() - signalledAt;
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(5000);
    expect(child.output()).toMatch(/shutdown drain timed out/);
    // Cut: the member's request gets no answer (the console shows "unavailable"; the state stays claimed).
    expect(await outcome).toBe('cut');
  });
});
