/**
 * The audit export (webhook endpoints in a SIEM format), on the backend the run selects: real loopback receivers
 * get signed newline-delimited JSON batches; every line validates against the OCSF / ECS subsets the docs map
 * (lib/contract/siem.ts, strict: no field beyond them); no secret, code, state or key in a line or in the stored
 * outbox; a failed batch is retried whole (same webhook-id, same lines) and its final failure counts once
 * against the endpoint. Also the audit trail of webhook endpoint changes (created, updated, enabled, disabled,
 * secret rotated, deleted; the service's own disable), and that an endpoint is not sent the events about itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ecsLineSchema,
  ecsSignInSchema,
  ocsfApiActivitySchema,
  ocsfAuthenticationSchema,
  ocsfLineSchema,
  ssoLoginResponseSchema,
  webhookDeliveryListSchema,
  webhookEventSchema,
  webhookSchema,
  webhookWithSecretSchema,
  type WebhookDelivery,
} from '@/lib/contract';
import { CLIENT_ADDRESS_HEADER, CONSOLE_SECRET_HEADER } from '@/lib/contract/limits';
import { expectCleanEvents, readStoredEvents } from '@/tests/support/stored-events';
import {
  startReceiver,
  verifyStandardBySpec,
  verifyWithPackage,
  waitFor,
  grantexVerifyWebhook,
  grantexVerifySignature,
  type Received,
  type Receiver,
} from '@/tests/support/webhook-receiver';
import path from 'node:path';
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

/**
 * Events flushed every 500 ms (the events of one test step land in one transaction, so their outbox rows are due
 * together) and the worker polling every 50 ms: an ndjson endpoint gets a step's events as one batch.
 */
async function service(extra: Parameters<typeof startTestService>[0] = {}): Promise<TestService> {
  const svc = await startTestService({
    logLevel: 'warn',
    ...TEST_KEYS,
    eventBuffer: { flushMs: 500 },
    webhookRetrySchedule: [0.2, 0.2, 0.2, 0.2, 0.2],
    ...extra,
    webhooks: { pollMs: 50, jitter: 0, timeoutMs: 1000, ...extra.webhooks },
  });
  cleanups.push(() => svc.close());
  return svc;
}

const call = (base: string, key: string, method: string, p: string, body?: unknown) =>
  fetch(`${base}${p}`, authed(key, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));

async function createEndpoint(base: string, org: Org, url: string, format?: string, events: string[] = ['*']) {
  const res = await call(base, org.apiKey, 'POST', '/v1/webhooks', { url, events, ...(format ? { format } : {}) });
  expect(res.status, await res.clone().text()).toBe(201);
  return webhookWithSecretSchema.parse(await res.json());
}

let domainCounter = 0;
async function addDomain(base: string, org: Org): Promise<string> {
  const domain = `x${++domainCounter}-${Date.now()}.example.com`;
  const res = await call(base, org.apiKey, 'POST', '/v1/sso/domains', { domain });
  expect(res.status).toBe(201);
  return domain;
}

async function deliveries(base: string, org: Org, endpointId: string): Promise<WebhookDelivery[]> {
  const res = await call(base, org.apiKey, 'GET', `/v1/webhooks/${endpointId}/deliveries`);
  expect(res.status).toBe(200);
  return webhookDeliveryListSchema.parse(await res.json()).deliveries;
}

/** The lines of an ndjson POST (each ends with a newline, none is empty). */
function linesOf(r: Received): unknown[] {
  expect(r.headers['content-type']).toBe('application/x-ndjson');
  expect(r.body.endsWith('\n')).toBe(true);
  const lines = r.body.slice(0, -1).split('\n');
  expect(lines.every((l) => l.length > 0)).toBe(true);
  return lines.map((l) => JSON.parse(l) as unknown);
}

/**
 * A batch verifies like any delivery: the Standard Webhooks check from the specification and both Grantex
 * schemes. The reference package checks the signature, then parses the body as ONE JSON document, so on a batch
 * of several lines it throws a SyntaxError after the signature passed (a wrong signature throws its own error).
 */
function expectBatchVerified(secret: string, r: Received) {
  expect(r.headers['webhook-id']).toMatch(/^bat_[A-Za-z0-9_-]{32}$/);
  expect(verifyStandardBySpec(secret, r)).toBe(true);
  const grantexArgs = { payload: r.body, timestamp: r.headers['x-grantex-timestamp'] ?? '', secret };
  expect(grantexVerifyWebhook({ ...grantexArgs, signature: r.headers['x-grantex-signature-v2'] ?? '' })).toBe(true);
  expect(grantexVerifySignature(r.body, r.headers['x-grantex-signature'] ?? '', secret)).toBe(true);
  try {
    verifyWithPackage(secret, r);
  } catch (err) {
    expect(err).toBeInstanceOf(SyntaxError);
  }
}

const CONSOLE_SECRET = 'console-secret-for-the-audit-export-tests';

/**
 * A success named by the console (its secret and the member's address), then the same state replayed by a client
 * that names an address without the secret: that header is not believed, its own address is recorded.
 */
async function signInTwice(svc: TestService, org: Org) {
  expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
  const login = ssoLoginResponseSchema.parse(await (await fetch(`${svc.url}/sso/login?org=${org.developerId}`)).json());
  const state = new URL(login.authorizeUrl).searchParams.get('state') ?? '';
  const code = 'code-siem-secret-value-456';
  const cb = `${svc.url}/sso/callback?code=${code}&state=${encodeURIComponent(state)}`;
  const named = { [CLIENT_ADDRESS_HEADER]: '203.0.113.9', [CONSOLE_SECRET_HEADER]: CONSOLE_SECRET };
  expect((await fetch(cb, { headers: named })).status).toBe(200);
  // The same state again: a failure (state_replayed), from a client naming an address it cannot vouch for.
  const forged = { [CLIENT_ADDRESS_HEADER]: '198.51.100.66', [CONSOLE_SECRET_HEADER]: 'a guess' };
  expect((await fetch(cb, { headers: forged })).status).toBe(400);
  return { code, state };
}

describe('SIEM formats: OCSF and ECS batches', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await service({ consoleSecret: CONSOLE_SECRET });
  });

  it('the API takes and answers the format (grantex by default); an unknown one is refused', async () => {
    const org = await signup(svc.url);
    const rx = await receiver();
    const plain = await createEndpoint(svc.url, org, rx.url);
    expect(plain.format).toBe('grantex');
    const siem = await createEndpoint(svc.url, org, rx.url, 'ocsf');
    expect(siem.format).toBe('ocsf');
    const listed = await (await call(svc.url, org.apiKey, 'GET', '/v1/webhooks')).json();
    expect((listed as { webhooks: { format: string }[] }).webhooks.map((w) => w.format)).toEqual(['grantex', 'ocsf']);
    const changed = await call(svc.url, org.apiKey, 'PATCH', `/v1/webhooks/${siem.id}`, { format: 'ecs' });
    expect(webhookSchema.parse(await changed.json()).format).toBe('ecs');
    const bad = await call(svc.url, org.apiKey, 'POST', '/v1/webhooks', { url: rx.url, events: ['*'], format: 'cef' });
    expect(bad.status).toBe(400);
    const badPatch = await call(svc.url, org.apiKey, 'PATCH', `/v1/webhooks/${siem.id}`, { format: 'syslog' });
    expect(badPatch.status).toBe(400);
  });

  it('sign-ins and audit entries arrive as signed ndjson batches; every line validates; nothing secret in them', async () => {
    const org = await signup(svc.url);
    const [rxOcsf, rxEcs, rxGrantex] = [await receiver(), await receiver(), await receiver()];
    const ocsf = await createEndpoint(svc.url, org, rxOcsf.url, 'ocsf');
    const ecs = await createEndpoint(svc.url, org, rxEcs.url, 'ecs');
    const grantex = await createEndpoint(svc.url, org, rxGrantex.url);

    const domain = await addDomain(svc.url, org);
    const { code, state } = await signInTwice(svc, org);

    // ocsf: webhook.created of the two others, the domain, the config, two sign-ins.
    const ocsfLines = await waitFor(
      () => {
        const lines = rxOcsf.received.flatMap(linesOf);
        const logins = lines.filter((l) => ocsfAuthenticationSchema.safeParse(l).success);
        return lines.length >= 6 && logins.length === 2 && lines;
      },
      10_000,
      'six OCSF lines',
    );
    // ecs: the grantex endpoint's creation, the domain, the config, two sign-ins (the OCSF endpoint's creation too
    // when it was flushed after this endpoint existed, which depends on timing).
    const ecsLines = await waitFor(
      () => {
        const lines = rxEcs.received.flatMap(linesOf);
        const logins = lines.filter((l) => ecsSignInSchema.safeParse(l).success);
        return lines.length >= 5 && logins.length === 2 && lines;
      },
      10_000,
      'five ECS lines, the two sign-ins among them',
    );
    for (const r of rxOcsf.received) expectBatchVerified(ocsf.secret, r);
    for (const r of rxEcs.received) expectBatchVerified(ecs.secret, r);
    // Batching: the two sign-ins, stored by one flush of the event buffer, went out in one POST.
    expect(Math.max(...rxOcsf.received.map((r) => linesOf(r).length))).toBeGreaterThan(1);

    const parsedOcsf = ocsfLines.map((l) => ocsfLineSchema.parse(l));
    const auth = parsedOcsf.flatMap((l) => {
      const r = ocsfAuthenticationSchema.safeParse(l);
      return r.success ? [r.data] : [];
    });
    const success = auth.find((a) => a.status_id === 1);
    expect(success).toMatchObject({
      class_uid: 3002,
      category_uid: 3,
      activity_id: 1,
      type_uid: 300201,
      status: 'Success',
      status_detail: 'complete',
      user: { uid: 'user-1', email_addr: 'user@example.com', name: 'User One' },
      auth_protocol_id: 4,
      auth_protocol: 'OpenID',
      // The member's address as the console named it.
      src_endpoint: { ip: '203.0.113.9' },
      metadata: { tenant_uid: org.developerId, product: { name: 'Grantex SSO' } },
    });
    expect(Math.abs(success!.time - Date.now())).toBeLessThan(60_000);
    expect(auth.find((a) => a.status_id === 2)).toMatchObject({
      status: 'Failure',
      status_code: 'state_replayed',
      severity_id: 2,
      // Not the address the client named without the console's secret: the one it connected from.
      src_endpoint: { ip: '127.0.0.1' },
    });
    const api = parsedOcsf.flatMap((l) => {
      const r = ocsfApiActivitySchema.safeParse(l);
      return r.success ? [r.data] : [];
    });
    expect(api.find((a) => a.api.operation === 'sso.domain.added')).toMatchObject({
      class_uid: 6003,
      category_uid: 6,
      activity_id: 1,
      type_uid: 600301,
      resources: [{ type: 'domain', uid: domain }],
      actor: { user: { type: 'api_key', type_id: 99 } },
      src_endpoint: { ip: '127.0.0.1' },
    });
    // The endpoints created after this one are in its trail; its own creation is not sent to itself.
    const created = api.filter((a) => a.api.operation === 'webhook.created').map((a) => a.resources[0]?.uid);
    expect(created).toEqual(expect.arrayContaining([ecs.id, grantex.id]));
    expect(created).not.toContain(ocsf.id);

    const parsedEcs = ecsLines.map((l) => ecsLineSchema.parse(l));
    const ecsLogin = parsedEcs.flatMap((l) => {
      const r = ecsSignInSchema.safeParse(l);
      return r.success ? [r.data] : [];
    });
    expect(ecsLogin.find((e) => e.event.outcome === 'success')).toMatchObject({
      event: { kind: 'event', category: ['authentication'], type: ['start'], action: 'sso.login' },
      user: { id: 'user-1', email: 'user@example.com', full_name: 'User One' },
      source: { ip: '203.0.113.9' },
      organization: { id: org.developerId },
      grantex: { protocol: 'oidc', stage: 'complete', started_by: 'member' },
    });
    expect(ecsLogin.find((e) => e.event.outcome === 'failure')?.event.reason).toBe('state_replayed');

    // One event, one id across formats: the Grantex delivery's id is the OCSF uid and the ECS event.id.
    await waitFor(() => rxGrantex.received.length >= 4, 10_000, 'Grantex deliveries');
    const grantexEvents = rxGrantex.received.map((r) => webhookEventSchema.parse(JSON.parse(r.body)));
    expect(rxGrantex.received.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
    const login = grantexEvents.find((e) => e.type === 'sso.login')!;
    expect(success!.metadata.uid).toBe(login.id);
    expect(ecsLogin.find((e) => e.event.outcome === 'success')!.event.id).toBe(login.id);

    // No secret, key, code, state, token or signature: in the lines received, nor in the stored outbox.
    const sensitive = [
      CONSOLE_SECRET,
      org.apiKey,
      VALID_CONFIG.clientSecret,
      code,
      state,
      ocsf.secret,
      ocsf.secret.slice(6),
      ecs.secret,
      ecs.secret.slice(6),
      grantex.secret,
      grantex.secret.slice(6),
    ];
    expectCleanEvents([...ocsfLines, ...ecsLines] as Record<string, unknown>[], sensitive, 11);
    const stored = await readStoredEvents({
      dbPath: path.join(svc.dataDir, 'grantex.db'),
      postgresUrl: svc.postgresUrl,
    });
    expectCleanEvents(stored, sensitive, 12);
  });
});

describe('SIEM batches: retries and disabling', () => {
  it('a failed batch is retried whole: the same webhook-id and lines, then succeeded', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const rx = await receiver();
    rx.behave = 'error';
    const ep = await createEndpoint(svc.url, org, rx.url, 'ecs');
    await Promise.all([addDomain(svc.url, org), addDomain(svc.url, org), addDomain(svc.url, org)]);
    await waitFor(() => rx.received.length >= 2, 10_000, 'an attempt and a retry');
    rx.behave = 'ok';
    const [first, retry] = rx.received;
    expect(linesOf(first!).length).toBe(3);
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(retry!.body).toBe(first!.body);
    expectBatchVerified(ep.secret, retry!);
    const log = await waitFor(async () => {
      const d = await deliveries(svc.url, org, ep.id);
      return d.length === 3 && d.every((x) => x.status === 'succeeded') && d;
    });
    // One attempt count for the batch: its rows share it.
    expect(new Set(log.map((d) => d.attempts)).size).toBe(1);
    expect(log[0]!.attempts).toBeGreaterThanOrEqual(2);
    const endpoint = webhookSchema.parse(
      await (await call(svc.url, org.apiKey, 'GET', `/v1/webhooks/${ep.id}`)).json(),
    );
    expect(endpoint).toMatchObject({ enabled: true, consecutiveFailures: 0 });
  });

  it('a format change applies to events stored after it: a pending retry keeps the body it was written with', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const rx = await receiver();
    rx.behave = 'error';
    const ep = await createEndpoint(svc.url, org, rx.url, undefined, ['sso.domain.added']);
    await addDomain(svc.url, org);
    await waitFor(() => rx.received.length >= 1, 10_000, 'the first attempt');
    expect((await call(svc.url, org.apiKey, 'PATCH', `/v1/webhooks/${ep.id}`, { format: 'ocsf' })).status).toBe(200);
    await addDomain(svc.url, org);
    rx.behave = 'ok';
    await waitFor(async () => {
      const d = await deliveries(svc.url, org, ep.id);
      return d.length === 2 && d.every((x) => x.status === 'succeeded');
    });
    const ok = rx.received.filter((r) => r.headers['content-type'] === 'application/json');
    // The first event, written in the Grantex format, went out as it was written, on every attempt.
    expect(new Set(ok.map((r) => r.body)).size).toBe(1);
    expect(webhookEventSchema.parse(JSON.parse(ok[0]!.body)).type).toBe('sso.domain.added');
    const batches = rx.received.filter((r) => r.headers['content-type'] !== 'application/json');
    expect(batches.flatMap(linesOf).map((l) => ocsfApiActivitySchema.parse(l).api.operation)).toEqual([
      'sso.domain.added',
    ]);
  });

  it("a batch's final failure counts once against the endpoint; the service's disable is in the audit trail", async () => {
    const svc = await service({
      webhookRetrySchedule: [0.05],
      webhooks: { disableAfter: 2 },
    });
    const org = await signup(svc.url);
    const rx = await receiver();
    rx.behave = 'error';
    const ep = await createEndpoint(svc.url, org, rx.url, 'ocsf');
    await Promise.all([addDomain(svc.url, org), addDomain(svc.url, org), addDomain(svc.url, org)]);
    await waitFor(async () => {
      const d = await deliveries(svc.url, org, ep.id);
      return d.length === 3 && d.every((x) => x.status === 'failed');
    });
    // Three rows, one batch: one exhausted schedule, so still enabled (disableAfter is 2).
    const after = webhookSchema.parse(await (await call(svc.url, org.apiKey, 'GET', `/v1/webhooks/${ep.id}`)).json());
    expect(after).toMatchObject({ enabled: true, consecutiveFailures: 1 });

    await addDomain(svc.url, org);
    const disabled = await waitFor(async () => {
      const w = webhookSchema.parse(await (await call(svc.url, org.apiKey, 'GET', `/v1/webhooks/${ep.id}`)).json());
      return !w.enabled && w;
    });
    expect(disabled).toMatchObject({ disabledReason: 'delivery_failures', consecutiveFailures: 2 });
    const audit = await waitFor(async () => {
      const rows = await readStoredEvents({
        dbPath: path.join(svc.dataDir, 'grantex.db'),
        postgresUrl: svc.postgresUrl,
      });
      const row = rows.find((r) => r.action === 'webhook.disabled');
      return row;
    });
    expect(audit).toMatchObject({ actor_kind: 'system', target_type: 'webhook', target_id: ep.id });
  });
});

describe('audit trail of webhook endpoint changes', () => {
  it('created, updated, enabled, disabled, secret rotated and deleted are recorded, and delivered to the other endpoints', async () => {
    const svc = await service({ eventBuffer: { flushMs: 20 }, webhooks: { pollMs: 20 } });
    const org = await signup(svc.url);
    const watcher = await receiver();
    const target = await receiver();
    const watch = await createEndpoint(svc.url, org, watcher.url);
    const ep = await createEndpoint(svc.url, org, target.url);
    const patch = (body: unknown) => call(svc.url, org.apiKey, 'PATCH', `/v1/webhooks/${ep.id}`, body);
    expect((await patch({ events: ['sso.login'], format: 'ecs' })).status).toBe(200);
    expect((await patch({ enabled: false })).status).toBe(200);
    expect((await patch({ enabled: true })).status).toBe(200);
    const rotated = await call(svc.url, org.apiKey, 'POST', `/v1/webhooks/${ep.id}/rotate-secret`, {});
    const { secret: rotatedSecret } = webhookWithSecretSchema.parse(await rotated.json());
    expect((await call(svc.url, org.apiKey, 'DELETE', `/v1/webhooks/${ep.id}`)).status).toBe(204);

    const expected = [
      ['webhook.created', []],
      ['webhook.updated', ['events', 'format']],
      ['webhook.disabled', ['enabled']],
      ['webhook.enabled', ['enabled']],
      ['webhook.secret_rotated', ['secret']],
      ['webhook.deleted', []],
    ];
    const events = await waitFor(
      () => {
        const got = watcher.received
          .map((r) => webhookEventSchema.parse(JSON.parse(r.body)))
          .filter((e) => e.type.startsWith('webhook.'));
        return got.length >= expected.length && got;
      },
      10_000,
      'the webhook events',
    );
    const aboutEp = events
      .filter((e) => 'target' in e.data && e.data.target.id === ep.id)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .map((e) => ('target' in e.data ? [e.type, e.data.changedFields] : []));
    expect(aboutEp).toEqual(expected);
    for (const e of events) {
      expect(e.data).toMatchObject({ actor: { kind: 'api_key' }, target: { type: 'webhook' } });
    }
    // The endpoint the events are about heard none of them (its own creation included).
    const aboutItself = target.received
      .flatMap((r) => r.body.trimEnd().split('\n'))
      .filter((line) => line.includes(ep.id));
    expect(aboutItself).toEqual([]);
    expect(events.some((e) => 'target' in e.data && e.data.target.id === watch.id)).toBe(false);

    const stored = await readStoredEvents({
      dbPath: path.join(svc.dataDir, 'grantex.db'),
      postgresUrl: svc.postgresUrl,
    });
    expectCleanEvents(stored, [org.apiKey, watch.secret, ep.secret, rotatedSecret, rotatedSecret.slice(6)], 6);
  });
});
