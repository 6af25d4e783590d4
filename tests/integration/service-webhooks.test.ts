/**
 * Webhooks, on the backend the run selects: the endpoints API (secret shown once, never listed), every delivery
 * verified by a real loopback receiver with the Standard Webhooks reference package, a check written from that
 * specification and the official Grantex SDK's `verifyWebhook`; the event payloads (shape, no secrets);
 * retries while the receiver is down (same `webhook-id`), a receiver that times out, disabling after the schedule
 * is exhausted, redelivery, rotation with overlap, the URL guard outside development mode, org isolation, a
 * kill -9 between the commit and the delivery, and two processes on PostgreSQL delivering each event once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ssoLoginResponseSchema,
  webhookDeliveryListSchema,
  webhookEventSchema,
  webhookListSchema,
  webhookSchema,
  webhookWithSecretSchema,
  type WebhookDelivery,
} from '@/lib/contract';
import { localServiceEnv, startServiceProcess, type ServiceProcess } from '@/tests/support/service-process';
import { expectCleanEvents } from '@/tests/support/stored-events';
import { testDatabaseOptions } from '@/tests/support/test-database';
import { startReceiver, verifyAll, waitFor, type Receiver } from '@/tests/support/webhook-receiver';
import {
  authed,
  saveConfig,
  signup,
  startTestService,
  TEST_KEYS,
  VALID_CONFIG,
  type TestService,
} from './service-harness';

type Org = { developerId: string; apiKey: string };

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(
    cleanups
      .splice(0)
      .reverse()
      .map((c) => c()),
  );
});

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  cleanups.push(() => r.close());
  return r;
}

/** A fast service: events flushed every 20 ms, the worker polling every 20 ms, short retries without jitter. */
async function service(extra: Parameters<typeof startTestService>[0] = {}): Promise<TestService> {
  const svc = await startTestService({
    logLevel: 'warn',
    ...TEST_KEYS,
    eventBuffer: { flushMs: 20 },
    webhookRetrySchedule: [0.2, 0.2, 0.2, 0.2, 0.2],
    webhooks: { pollMs: 20, jitter: 0, timeoutMs: 1000, ...extra.webhooks },
    ...extra,
  });
  cleanups.push(() => svc.close());
  return svc;
}

const call = (base: string, key: string, method: string, p: string, body?: unknown) =>
  fetch(`${base}${p}`, authed(key, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));

async function createEndpoint(base: string, org: Org, url: string, events: string[] = ['*']) {
  const res = await call(base, org.apiKey, 'POST', '/v1/webhooks', { url, events });
  expect(res.status, await res.clone().text()).toBe(201);
  return webhookWithSecretSchema.parse(await res.json());
}

let domainCounter = 0;
/** One audit event (`domain.added` → `sso.domain.added`) through the API. */
async function addDomain(base: string, org: Org): Promise<string> {
  const domain = `d${++domainCounter}-${Date.now()}.example.com`;
  const res = await call(base, org.apiKey, 'POST', '/v1/sso/domains', { domain });
  expect(res.status).toBe(201);
  return domain;
}

async function deliveries(base: string, org: Org, endpointId: string): Promise<WebhookDelivery[]> {
  const res = await call(base, org.apiKey, 'GET', `/v1/webhooks/${endpointId}/deliveries`);
  expect(res.status).toBe(200);
  return webhookDeliveryListSchema.parse(await res.json()).deliveries;
}

function expectVerified(secret: string, r: Receiver['received'][number]) {
  expect(verifyAll(secret, r)).toEqual({
    standardPackage: true,
    standardSpec: true,
    grantex: true,
    grantexLegacy: true,
  });
}

async function countOutboxRows(svc: { dataDir: string; postgresUrl: string | undefined }, developerId: string) {
  if (svc.postgresUrl) {
    const client = new pg.Client({ connectionString: svc.postgresUrl });
    await client.connect();
    try {
      const r = await client.query('SELECT count(*) AS n FROM webhook_deliveries WHERE developer_id = $1', [
        developerId,
      ]);
      return Number(r.rows[0].n);
    } finally {
      await client.end();
    }
  }
  const db = new Database(path.join(svc.dataDir, 'grantex.db'), { readonly: true });
  try {
    return (
      db.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE developer_id = ?').get(developerId) as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

describe('endpoints and signed deliveries', () => {
  let svc: TestService;
  let org: Org;
  let rx: Receiver;
  beforeAll(async () => {
    svc = await service();
    org = await signup(svc.url);
    rx = await receiver();
  });

  it('creates an endpoint (whsec_ secret shown once), lists it without the secret, and delivers verified events', async () => {
    const created = await createEndpoint(svc.url, org, rx.url);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(created.secret.slice(6), 'base64')).toHaveLength(32);
    expect(created).toMatchObject({ url: rx.url, events: ['*'], enabled: true });

    const listed = await call(svc.url, org.apiKey, 'GET', '/v1/webhooks');
    const listText = await listed.clone().text();
    expect(listText).not.toContain(created.secret);
    expect(listText).not.toContain(created.secret.slice(6));
    expect(webhookListSchema.parse(await listed.json()).webhooks.map((w) => w.id)).toEqual([created.id]);

    // An audit event and a member sign-in (success) and a failure: all three are delivered.
    const domain = await addDomain(svc.url, org);
    expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
    const login = ssoLoginResponseSchema.parse(
      await (await fetch(`${svc.url}/sso/login?org=${org.developerId}`)).json(),
    );
    const state = new URL(login.authorizeUrl).searchParams.get('state') ?? '';
    const code = 'code-webhook-secret-value-123';
    expect((await fetch(`${svc.url}/sso/callback?code=${code}&state=${encodeURIComponent(state)}`)).status).toBe(200);
    expect((await fetch(`${svc.url}/sso/callback?code=${code}&state=${encodeURIComponent(state)}`)).status).toBe(400);

    await waitFor(() => rx.received.length >= 4, 5_000, 'four deliveries').catch((err: unknown) => {
      throw new Error(`${String(err)}: ${rx.received.map((r) => JSON.parse(r.body).type).join(', ')}`);
    });
    const events = rx.received.map((r) => webhookEventSchema.parse(JSON.parse(r.body)));
    for (const r of rx.received) {
      expectVerified(created.secret, r);
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['webhook-id']).toBe(JSON.parse(r.body).id);
    }
    const types = events.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['sso.domain.added', 'sso.config.saved', 'sso.login', 'sso.login.failed']),
    );
    expect(events.every((e) => e.developerId === org.developerId && /^evt_/.test(e.id))).toBe(true);
    const domainEvent = events.find((e) => e.type === 'sso.domain.added');
    expect(domainEvent?.data).toMatchObject({ target: { type: 'domain', id: domain }, actor: { kind: 'api_key' } });
    const ok = events.find((e) => e.type === 'sso.login');
    expect(ok?.data).toMatchObject({ startedBy: 'member', stage: 'complete', reason: null, email: 'user@example.com' });
    const failed = events.find((e) => e.type === 'sso.login.failed');
    expect(failed?.data).toMatchObject({ stage: 'callback', reason: 'state_replayed' });

    // No secret, key, code, state or token in any payload (the sign-in log's leak scan, on the bodies).
    expectCleanEvents(
      events.map((e) => e as unknown as Record<string, unknown>),
      [org.apiKey, VALID_CONFIG.clientSecret, code, state, created.secret, created.secret.slice(6)],
      4,
    );

    await waitFor(async () => (await deliveries(svc.url, org, created.id)).every((d) => d.status === 'succeeded'));
    const log = await deliveries(svc.url, org, created.id);
    expect(log.length).toBe(rx.received.length);
    for (const d of log) {
      expect(d).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200, lastError: null });
      expect(d.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('delivers only the event types an endpoint asked for', async () => {
    const org2 = await signup(svc.url);
    const rx2 = await receiver();
    const ep = await createEndpoint(svc.url, org2, rx2.url, ['sso.connection.created']);
    await addDomain(svc.url, org2);
    const res = await call(svc.url, org2.apiKey, 'POST', '/v1/sso/connections', {
      name: 'Filtered',
      protocol: 'oidc',
      issuerUrl: 'http://127.0.0.1:9/idp',
      clientId: 'c',
      clientSecret: 'connection-secret-never-sent',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await waitFor(() => rx2.received.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx2.received.map((r) => JSON.parse(r.body).type)).toEqual(['sso.connection.created']);
    expectVerified(ep.secret, rx2.received[0]!);
    expect(rx2.received[0]!.body).not.toContain('connection-secret-never-sent');
  });

  it('an org without endpoints writes no outbox row', async () => {
    const quiet = await signup(svc.url);
    await addDomain(svc.url, quiet);
    await new Promise((r) => setTimeout(r, 200));
    expect(await countOutboxRows(svc, quiet.developerId)).toBe(0);
  });

  it('disable stops deliveries; enable resumes them', async () => {
    const org3 = await signup(svc.url);
    const rx3 = await receiver();
    const ep = await createEndpoint(svc.url, org3, rx3.url);
    const off = await call(svc.url, org3.apiKey, 'PATCH', `/v1/webhooks/${ep.id}`, { enabled: false });
    expect(webhookSchema.parse(await off.json())).toMatchObject({ enabled: false, disabledReason: null });
    await addDomain(svc.url, org3);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx3.received).toHaveLength(0);
    await call(svc.url, org3.apiKey, 'PATCH', `/v1/webhooks/${ep.id}`, { enabled: true });
    await addDomain(svc.url, org3);
    await waitFor(() => rx3.received.length === 1);
  });

  it('redelivers one delivery: the same event and webhook-id again, verified', async () => {
    const org4 = await signup(svc.url);
    const rx4 = await receiver();
    const ep = await createEndpoint(svc.url, org4, rx4.url);
    await addDomain(svc.url, org4);
    await waitFor(async () => (await deliveries(svc.url, org4, ep.id)).find((d) => d.status === 'succeeded'));
    const [first] = await deliveries(svc.url, org4, ep.id);
    const res = await call(svc.url, org4.apiKey, 'POST', `/v1/webhooks/${ep.id}/deliveries/${first!.id}/redeliver`);
    expect(res.status).toBe(202);
    await waitFor(() => rx4.received.length === 2);
    expect(rx4.received[1]!.headers['webhook-id']).toBe(rx4.received[0]!.headers['webhook-id']);
    expect(rx4.received[1]!.body).toBe(rx4.received[0]!.body);
    expectVerified(ep.secret, rx4.received[1]!);
  });

  it('deletes an endpoint (204): nothing more is delivered to it', async () => {
    const org5 = await signup(svc.url);
    const rx5 = await receiver();
    const ep = await createEndpoint(svc.url, org5, rx5.url);
    expect((await call(svc.url, org5.apiKey, 'DELETE', `/v1/webhooks/${ep.id}`)).status).toBe(204);
    await addDomain(svc.url, org5);
    await new Promise((r) => setTimeout(r, 300));
    expect(rx5.received).toHaveLength(0);
    expect((await call(svc.url, org5.apiKey, 'DELETE', `/v1/webhooks/${ep.id}`)).status).toBe(404);
  });
});

describe('retries', () => {
  it('receiver down for a while: refused attempts are retried, then one success, the same webhook-id throughout', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const rx = await receiver();
    const ep = await createEndpoint(svc.url, org, rx.url);
    await rx.stop();
    await addDomain(svc.url, org);
    const failing = await waitFor(async () => {
      const [d] = await deliveries(svc.url, org, ep.id);
      return d && d.attempts >= 2 && d;
    });
    expect(failing).toMatchObject({ status: 'pending', responseStatus: null, lastError: 'could not connect' });
    expect(failing.nextAttemptAt).not.toBeNull();
    // Back, but answering 503 once, then 200.
    rx.behave = 'error';
    await rx.start();
    await waitFor(() => rx.received.length >= 1);
    rx.behave = 'ok';
    await waitFor(async () => (await deliveries(svc.url, org, ep.id))[0]?.status === 'succeeded');
    const [done] = await deliveries(svc.url, org, ep.id);
    expect(done!.attempts).toBeGreaterThanOrEqual(4);
    expect(done!.responseStatus).toBe(200);
    expect(rx.received.length).toBe(2);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(new Set(rx.received.map((r) => r.body)).size).toBe(1);
    for (const r of rx.received) expectVerified(ep.secret, r);
  });

  it('a receiver that does not answer in time: the attempt times out and is retried', async () => {
    const svc = await service({ webhooks: { pollMs: 20, jitter: 0, timeoutMs: 300 } });
    const org = await signup(svc.url);
    const rx = await receiver();
    const ep = await createEndpoint(svc.url, org, rx.url);
    rx.behave = 'hang';
    await addDomain(svc.url, org);
    const timedOut = await waitFor(async () => {
      const [d] = await deliveries(svc.url, org, ep.id);
      return d && d.attempts >= 1 && d;
    });
    expect(timedOut).toMatchObject({ status: 'pending', responseStatus: null, lastError: 'timed out' });
    expect(timedOut.durationMs).toBeGreaterThanOrEqual(250);
    rx.behave = 'ok';
    await waitFor(async () => (await deliveries(svc.url, org, ep.id))[0]?.status === 'succeeded');
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });

  it('closing the service waits for an attempt in flight (bounded by its timeout) and records it', async () => {
    const svc = await service({ webhooks: { pollMs: 20, jitter: 0, timeoutMs: 600 } });
    const org = await signup(svc.url);
    const rx = await receiver();
    const ep = await createEndpoint(svc.url, org, rx.url);
    rx.behave = 'hang';
    await addDomain(svc.url, org);
    await waitFor(() => rx.received.length === 1);
    const started = Date.now();
    await svc.close();
    expect(Date.now() - started).toBeLessThan(3000);
    // The attempt was recorded before the database closed: after a restart the log shows it, due again.
    await svc.restart();
    const [d] = await deliveries(svc.url, org, ep.id);
    expect(d).toMatchObject({ status: 'pending', lastError: 'timed out' });
    expect(d!.attempts).toBeGreaterThanOrEqual(1);
  });

  it('an endpoint whose schedule runs out N times in a row is disabled, with the reason; no outbox rows after', async () => {
    const svc = await service({
      webhookRetrySchedule: [0.05],
      webhooks: { pollMs: 20, jitter: 0, timeoutMs: 1000, disableAfter: 2 },
    });
    const org = await signup(svc.url);
    const rx = await receiver();
    rx.behave = 'error';
    const ep = await createEndpoint(svc.url, org, rx.url);
    await addDomain(svc.url, org);
    await addDomain(svc.url, org);
    const disabled = await waitFor(async () => {
      const w = webhookSchema.parse(await (await call(svc.url, org.apiKey, 'GET', `/v1/webhooks/${ep.id}`)).json());
      return !w.enabled && w;
    });
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'delivery_failures', consecutiveFailures: 2 });
    const log = await deliveries(svc.url, org, ep.id);
    expect(log.map((d) => [d.status, d.attempts, d.responseStatus])).toEqual([
      ['failed', 2, 503],
      ['failed', 2, 503],
    ]);
    const rows = await countOutboxRows(svc, org.developerId);
    await addDomain(svc.url, org);
    await new Promise((r) => setTimeout(r, 200));
    expect(await countOutboxRows(svc, org.developerId)).toBe(rows);
    // An admin enables it again: the run is reset and deliveries resume.
    rx.behave = 'ok';
    const on = await call(svc.url, org.apiKey, 'PATCH', `/v1/webhooks/${ep.id}`, { enabled: true });
    expect(webhookSchema.parse(await on.json())).toMatchObject({
      enabled: true,
      disabledReason: null,
      consecutiveFailures: 0,
    });
    await addDomain(svc.url, org);
    await waitFor(async () => (await deliveries(svc.url, org, ep.id))[0]?.status === 'succeeded');
  });
});

describe('secret rotation', () => {
  it('during the overlap both the old and the new secret verify; after it only the new one', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const rx = await receiver();
    const ep = await createEndpoint(svc.url, org, rx.url);
    const rotated = await call(svc.url, org.apiKey, 'POST', `/v1/webhooks/${ep.id}/rotate-secret`, {
      overlapSeconds: 600,
    });
    expect(rotated.status).toBe(200);
    const { secret: next, previousSecretExpiresAt } = webhookWithSecretSchema.parse(await rotated.json());
    expect(next).not.toBe(ep.secret);
    expect(previousSecretExpiresAt).not.toBeNull();

    await addDomain(svc.url, org);
    await waitFor(() => rx.received.length === 1);
    const during = rx.received[0]!;
    expect(during.headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expectVerified(next, during);
    // A receiver still on the old secret: Standard Webhooks verifies (both secrets sign).
    expect(verifyAll(ep.secret, during)).toMatchObject({ standardPackage: true, standardSpec: true });

    // Rotating again with no overlap: the secret before is gone at once.
    const again = webhookWithSecretSchema.parse(
      await (
        await call(svc.url, org.apiKey, 'POST', `/v1/webhooks/${ep.id}/rotate-secret`, { overlapSeconds: 0 })
      ).json(),
    );
    await addDomain(svc.url, org);
    await waitFor(() => rx.received.length === 2);
    const after = rx.received[1]!;
    expect(after.headers['webhook-signature']?.split(' ')).toHaveLength(1);
    expectVerified(again.secret, after);
    expect(verifyAll(next, after)).toEqual({
      standardPackage: false,
      standardSpec: false,
      grantex: false,
      grantexLegacy: false,
    });
  });
});

describe('who may configure endpoints', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await service();
  });

  it('another org cannot see, change, rotate, read the deliveries of, redeliver or delete an endpoint (404 as unknown)', async () => {
    const owner = await signup(svc.url);
    const other = await signup(svc.url);
    const rx = await receiver();
    const ep = await createEndpoint(svc.url, owner, rx.url);
    await addDomain(svc.url, owner);
    await waitFor(() => rx.received.length === 1);
    const [delivery] = await deliveries(svc.url, owner, ep.id);
    const attempts: [string, string, unknown?][] = [
      ['GET', `/v1/webhooks/${ep.id}`],
      ['PATCH', `/v1/webhooks/${ep.id}`, { enabled: false }],
      ['POST', `/v1/webhooks/${ep.id}/rotate-secret`, {}],
      ['GET', `/v1/webhooks/${ep.id}/deliveries`],
      ['POST', `/v1/webhooks/${ep.id}/deliveries/${delivery!.id}/redeliver`],
      ['DELETE', `/v1/webhooks/${ep.id}`],
    ];
    const unknown = await call(svc.url, other.apiKey, 'GET', '/v1/webhooks/wh_unknown');
    const unknownBody = (await unknown.json()) as { message: string; code: string };
    for (const [method, p, body] of attempts) {
      const res = await call(svc.url, other.apiKey, method, p, body);
      expect(res.status, `${method} ${p}`).toBe(404);
      const b = (await res.json()) as { message: string; code: string };
      expect({ message: b.message, code: b.code }).toEqual({ message: unknownBody.message, code: unknownBody.code });
    }
    expect(
      webhookListSchema.parse(await (await call(svc.url, other.apiKey, 'GET', '/v1/webhooks')).json()).webhooks,
    ).toEqual([]);
    // The attack failed: the owner's endpoint is unchanged, enabled, its secret the same, nothing redelivered.
    const mine = webhookSchema.parse(await (await call(svc.url, owner.apiKey, 'GET', `/v1/webhooks/${ep.id}`)).json());
    expect(mine).toMatchObject({ enabled: true, previousSecretExpiresAt: null });
    await addDomain(svc.url, owner);
    await waitFor(() => rx.received.length === 2);
    expect(new Set(rx.received.map((r) => r.headers['webhook-id'])).size).toBe(2);
    expectVerified(ep.secret, rx.received[1]!);
  });

  it('needs the org API key: no key is a 401 and creates nothing', async () => {
    const res = await fetch(`${svc.url}/v1/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9/x', events: ['*'] }),
    });
    expect(res.status).toBe(401);
  });

  it('a setup session (an outside IT admin) cannot add an endpoint: 403, and none is stored', async () => {
    const org = await signup(svc.url);
    const link = await call(svc.url, org.apiKey, 'POST', '/v1/sso/setup-links', {});
    const { token } = (await link.json()) as { token: string };
    const redeemed = await call(svc.url, token, 'POST', '/v1/sso/setup-links/session', {
      name: 'Iris IT',
      email: 'iris@example.com',
    });
    const { sessionToken } = (await redeemed.json()) as { sessionToken: string };
    const res = await call(svc.url, sessionToken, 'POST', '/v1/webhooks', {
      url: 'http://127.0.0.1:9/x',
      events: ['*'],
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe('FORBIDDEN');
    expect((await call(svc.url, sessionToken, 'GET', '/v1/webhooks')).status).toBe(403);
    const listed = await call(svc.url, org.apiKey, 'GET', '/v1/webhooks');
    expect(webhookListSchema.parse(await listed.json()).webhooks).toEqual([]);
  });

  it('refuses an unknown event type and a non-http URL', async () => {
    const org = await signup(svc.url);
    expect(
      (await call(svc.url, org.apiKey, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/', events: ['nope'] }))
        .status,
    ).toBe(400);
    expect(
      (await call(svc.url, org.apiKey, 'POST', '/v1/webhooks', { url: 'ftp://127.0.0.1/', events: ['*'] })).status,
    ).toBe(400);
  });
});

describe('the URL guard outside development mode', () => {
  it('refuses loopback, private, link-local and plain-http targets; nothing is stored and nothing is sent', async () => {
    const svc = await service({ devMode: false, consoleSecret: 'webhook-test-console-secret-0123456789abcdef' });
    const org = await signup(svc.url);
    const rx = await receiver();
    const targets = [
      rx.url,
      `https://127.0.0.1:${rx.port}/hooks`,
      'https://10.0.0.1/hooks',
      'https://192.168.1.10/hooks',
      'https://169.254.169.254/latest',
      `https://[::1]:${rx.port}/hooks`,
      'https://localhost/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
    ];
    for (const url of targets) {
      const res = await call(svc.url, org.apiKey, 'POST', '/v1/webhooks', { url, events: ['*'] });
      expect(res.status, url).toBe(400);
      const body = (await res.json()) as { errors: { field: string; code: string }[] };
      expect(body.errors[0]?.field).toBe('url');
      expect(['https_required', 'blocked_address']).toContain(body.errors[0]?.code);
    }
    expect(
      webhookListSchema.parse(await (await call(svc.url, org.apiKey, 'GET', '/v1/webhooks')).json()).webhooks,
    ).toEqual([]);
    await addDomain(svc.url, org);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received).toHaveLength(0);
  });
});

describe('across processes', () => {
  it('kill -9 between the commit and the delivery: the event is delivered after a restart', async () => {
    const database = await testDatabaseOptions();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-webhooks-crash-'));
    const env = localServiceEnv(dataDir, TEST_KEYS, {
      RATE_LIMIT: 'off',
      WEBHOOK_RETRY_SCHEDULE: '0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2,0.2',
      ...(database.postgres ? { DATABASE_URL: database.postgres.url } : {}),
    });
    const rx = await receiver();
    let child: ServiceProcess = await startServiceProcess(env);
    cleanups.push(() => child.kill('SIGKILL'));
    const org = await signup(child.url);
    const ep = await createEndpoint(child.url, org, rx.url);
    // The receiver is down: the delivery is committed but cannot happen.
    await rx.stop();
    await addDomain(child.url, org);
    const target = { dataDir, postgresUrl: database.postgres?.url };
    await waitFor(async () => (await countOutboxRows(target, org.developerId)) === 1, 10_000, 'the outbox row');
    await child.kill('SIGKILL');
    expect(rx.received).toHaveLength(0);

    await rx.start();
    child = await startServiceProcess(env);
    await waitFor(() => rx.received.length >= 1, 20_000, 'the delivery after the restart');
    expect(JSON.parse(rx.received[0]!.body).type).toBe('sso.domain.added');
    expectVerified(ep.secret, rx.received[0]!);
    await child.kill('SIGTERM');
  }, 60_000);

  it.runIf(process.env.GRANTEX_TEST_DATABASE_URL)(
    'two processes on PostgreSQL: every event delivered exactly once (claims never overlap)',
    async () => {
      const database = await testDatabaseOptions();
      const dataDirs = [0, 1].map(() => mkdtempSync(path.join(tmpdir(), 'gx-webhooks-pair-')));
      const envs = dataDirs.map((d) =>
        localServiceEnv(d, TEST_KEYS, { RATE_LIMIT: 'off', DATABASE_URL: database.postgres!.url }),
      );
      const a = await startServiceProcess(envs[0]!);
      cleanups.push(() => a.kill('SIGKILL'));
      const b = await startServiceProcess(envs[1]!);
      cleanups.push(() => b.kill('SIGKILL'));
      const rx = await receiver();
      const org = await signup(a.url);
      const ep = await createEndpoint(a.url, org, rx.url);
      const n = 40;
      await Promise.all(Array.from({ length: n }, (_, i) => addDomain(i % 2 ? a.url : b.url, org)));
      await waitFor(() => rx.received.length >= n, 20_000, `${n} deliveries`);
      await new Promise((r) => setTimeout(r, 1500));
      const ids = rx.received.map((r) => r.headers['webhook-id']);
      expect(ids).toHaveLength(n);
      expect(new Set(ids).size).toBe(n);
      for (const r of rx.received) expectVerified(ep.secret, r);
      await a.kill('SIGTERM');
      await b.kill('SIGTERM');
    },
    60_000,
  );
});
