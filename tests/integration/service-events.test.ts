/**
 * The sign-in log and the audit trail, on the backend the run selects: each failing stage of the
 * relying-party security cases and faults leaves an event with its reason code; successes carry the identity;
 * filters, cursor paging and org isolation of GET /v1/sso/events and /v1/sso/audit; a scan of every stored
 * event for secrets, tokens, codes and signatures; the retention purge; and what a kill -9 loses.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MESSAGES } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex/client';
import { startTestOp, type TestOp, type TestOpOptions } from '@/tests/support/test-op';
import {
  authorize,
  callback,
  getWithKey,
  postJson,
  raw,
  REDIRECT_URI,
  runFlow,
  saveConfig,
  signup,
  startHarness,
  TEST_KEYS,
  type Harness,
  type Org,
} from '@/tests/support/adversarial';
import { localServiceEnv, startServiceProcess } from '@/tests/support/service-process';
import { expectCleanEvents, readStoredEvents } from '@/tests/support/stored-events';
import { testDatabaseOptions } from '@/tests/support/test-database';
import { eventLogPathOf } from '@/lib/sso-service/storage/sqlite/event-log';

const SECRET = `events client:secret%with+chars SECRET-${randomBytes(6).toString('hex')}`;
const CLIENT = { clientId: 'events-rp-client', clientSecret: SECRET, redirectUris: [REDIRECT_URI] };
const USER = { sub: 'test-op-user-1', email: 'user@test-op.example', name: 'Test User' };

/** Every value that must never be stored in an event (codes, states, keys, the secret). */
const sensitive = new Set<string>([SECRET]);

let h: Harness;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  h = await startHarness({ logLevel: 'warn' });
});

afterAll(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
  await h?.close();
});

async function newOp(opts: TestOpOptions = {}): Promise<TestOp> {
  const op = await startTestOp({ clients: [CLIENT], ...opts });
  cleanups.push(() => op.close());
  return op;
}

async function newOrg(): Promise<Org> {
  const org = await signup(h.url);
  sensitive.add(org.apiKey);
  return org;
}

async function configured(opts: TestOpOptions = {}): Promise<{ op: TestOp; org: Org }> {
  const op = await newOp(opts);
  const org = await newOrg();
  // Every org here has a webhook endpoint, so the outbox holds an event per sign-in and audit entry for the scan
  // of what is stored (the receiver's port is closed: the deliveries stay pending).
  const hook = await postJson(h.url, '/v1/webhooks', { url: 'http://127.0.0.1:9/hooks', events: ['*'] }, org.apiKey);
  expect(hook.status, hook.text).toBe(201);
  sensitive.add((JSON.parse(hook.text) as { secret: string }).secret);
  const saved = await saveConfig(h.url, org, {
    issuerUrl: op.issuer,
    clientId: CLIENT.clientId,
    clientSecret: SECRET,
    redirectUri: REDIRECT_URI,
  });
  expect(saved.status, saved.text).toBe(201);
  return { op, org };
}

async function flow(org: Org, op: TestOp) {
  const r = await runFlow(h.url, org, op);
  for (const v of [r.params.code, r.params.state]) if (v) sensitive.add(v);
  return r;
}

interface WireEvent {
  id: string;
  outcome: string;
  stage: string;
  reason: string | null;
  email: string | null;
  sub: string | null;
  name: string | null;
  connectionId: string | null;
  idpError: string | null;
  idpErrorDescription: string | null;
  requestId: string;
  durationMs: number;
  startedBy: string;
  trace: {
    issuer?: string;
    claims?: Record<string, unknown>;
    claimsVerified?: boolean;
    clockSkewSec?: number;
    timings?: Record<string, number>;
    steps?: { name: string; startMs: number; endMs: number; ok: boolean }[];
  };
  createdAt: string;
}

async function listEvents(org: Org, query = '', kind: 'events' | 'audit' = 'events') {
  const res = await getWithKey(h.url, `/v1/sso/${kind}${query ? `?${query}` : ''}`, org.apiKey);
  expect(res.status, res.text).toBe(200);
  return res.json as { events: WireEvent[]; nextCursor: string | null };
}

/** The org's events once `count` are stored (the buffer writes within ~250 ms). */
async function eventsOf(org: Org, count: number, query = ''): Promise<WireEvent[]> {
  return vi.waitFor(
    async () => {
      const { events } = await listEvents(org, query);
      expect(events.length).toBeGreaterThanOrEqual(count);
      return events;
    },
    { timeout: 5000, interval: 50 },
  );
}

/** Runs one failing flow on a fresh org + OP and returns its one event. */
async function failedEvent(setup: (op: TestOp) => void, opts: TestOpOptions = {}): Promise<WireEvent> {
  const { op, org } = await configured(opts);
  setup(op);
  const r = await flow(org, op);
  expect(r.res.status, r.res.text).toBeGreaterThanOrEqual(400);
  const [event] = await eventsOf(org, 1);
  expect(event?.outcome).toBe('failure');
  expect(event?.requestId).toBe(r.res.headers['x-request-id']);
  return event as WireEvent;
}

describe('sign-in events: one per attempt, with the stage and reason', () => {
  it('a success carries email, sub, name, the connection, the verified claims (no nonce), issuer and timings', async () => {
    const { op, org } = await configured();
    const r = await flow(org, op);
    expect(r.res.status, r.res.text).toBe(200);
    const [event] = await eventsOf(org, 1);
    expect(event).toMatchObject({ outcome: 'success', stage: 'complete', reason: null, startedBy: 'member', ...USER });
    expect(event?.connectionId).toBe(r.loginRes.json?.connectionId);
    expect(event?.trace.issuer).toBe(op.issuer);
    expect(event?.trace.claimsVerified).toBe(true);
    expect(event?.trace.claims).toMatchObject({
      iss: op.issuer,
      sub: USER.sub,
      aud: CLIENT.clientId,
      email: USER.email,
    });
    expect(event?.trace.claims).not.toHaveProperty('nonce');
    expect(event?.trace.timings?.tokenMs).toBeGreaterThan(0);
    expect(event?.durationMs).toBeGreaterThan(0);
  });

  it('the trace times each step from the start of the callback, in order; a failed step is marked where it failed', async () => {
    const { op, org } = await configured();
    expect((await flow(org, op)).res.status).toBe(200);
    op.behave.signing = 'bad-signature';
    expect((await flow(org, op)).res.status).toBe(502);
    const [failed, ok] = await eventsOf(org, 2);
    const steps = ok?.trace.steps ?? [];
    expect(steps.map((s) => [s.name, s.ok])).toEqual([
      ['discovery', true],
      ['token', true],
      ['id_token', true],
      ['userinfo', true],
    ]);
    let previous = 0;
    for (const step of steps) {
      expect(step.startMs).toBeGreaterThanOrEqual(previous);
      expect(step.endMs).toBeGreaterThanOrEqual(step.startMs);
      previous = step.endMs;
    }
    expect(previous).toBeLessThanOrEqual((ok?.durationMs ?? 0) + 1);
    expect(failed?.reason).toBe('id_token_signature_invalid');
    expect(failed?.trace.steps?.map((s) => [s.name, s.ok])).toEqual([
      ['discovery', true],
      ['token', true],
      ['id_token', false],
    ]);
    // Names and numbers only.
    for (const step of [...steps, ...(failed?.trace.steps ?? [])])
      expect(Object.keys(step).sort()).toEqual(['endMs', 'name', 'ok', 'startMs']);
  });

  it.each<[string, (op: TestOp) => void, string]>([
    [
      '#4 wrong iss claim',
      (op) => (op.behave.idTokenClaims = { iss: 'https://evil.example' }),
      'id_token_issuer_mismatch',
    ],
    ['#5 wrong aud', (op) => (op.behave.idTokenClaims = { aud: 'some-other-client' }), 'id_token_audience_mismatch'],
    [
      '#5 several audiences without azp',
      (op) => (op.behave.idTokenClaims = { aud: [CLIENT.clientId, 'other'] }),
      'id_token_audience_mismatch',
    ],
    ['#6 no sub', (op) => (op.behave.omitIdTokenClaims = ['sub']), 'id_token_claim_missing'],
    [
      '#8 exp 10 minutes ago',
      (op) => (op.behave.idTokenClaims = { exp: Math.floor(Date.now() / 1000) - 600 }),
      'id_token_expired',
    ],
    ['#9 wrong nonce', (op) => (op.behave.idTokenClaims = { nonce: 'not-the-nonce' }), 'id_token_nonce_mismatch'],
    ['#10 alg none', (op) => (op.behave.signing = 'none'), 'id_token_alg_not_allowed'],
    ['#11 bad signature', (op) => (op.behave.signing = 'bad-signature'), 'id_token_signature_invalid'],
    ['#13 key not published', (op) => (op.behave.signing = 'unpublished-key'), 'id_token_signature_invalid'],
    ['#15 wrong RFC 9207 iss', (op) => (op.behave.authorizeIss = 'https://evil.example'), 'idp_iss_mismatch'],
    [
      '#19 token endpoint 500',
      (op) => (op.behave.token = { kind: 'raw', status: 500, body: 'boom' }),
      'token_http_error',
    ],
    [
      '#19 token endpoint HTML',
      (op) => (op.behave.token = { kind: 'raw', status: 200, body: '<html></html>', contentType: 'text/html' }),
      'token_not_json',
    ],
    [
      '#19 no id_token',
      (op) => (op.behave.token = { kind: 'json', body: { access_token: 'at', token_type: 'Bearer' } }),
      'token_no_id_token',
    ],
    [
      '#21 huge token response',
      (op) => (op.behave.token = { kind: 'huge', bytes: 3 * 1024 * 1024 }),
      'token_too_large',
    ],
    ['JWKS answers 500', (op) => (op.behave.jwks = { kind: 'raw', status: 500, body: 'down' }), 'jwks_unavailable'],
    [
      'client credentials refused',
      (op) => (op.behave.token = { kind: 'json', status: 401, body: { error: 'invalid_client' } }),
      'token_client_auth_rejected',
    ],
    [
      'code refused (invalid_grant)',
      (op) => (op.behave.token = { kind: 'json', status: 400, body: { error: 'invalid_grant' } }),
      'token_oauth_error',
    ],
  ])('%s → %s', async (_name, setup, reason) => {
    const event = await failedEvent(setup);
    expect(event.reason).toBe(reason);
    expect(event.stage).toBe(reason.startsWith('idp_') ? 'idp' : reason.startsWith('token_') ? 'token' : 'id_token');
    expect(event.sub).toBeNull();
  });

  it('#7 iat 6 minutes ahead → id_token_issued_in_future, with the IdP clock skew in the trace', async () => {
    const event = await failedEvent((op) => (op.behave.idTokenClaims = { iat: Math.floor(Date.now() / 1000) + 360 }));
    expect(event.reason).toBe('id_token_issued_in_future');
    expect(event.trace.claimsVerified).toBe(false);
    expect(event.trace.clockSkewSec).toBeGreaterThanOrEqual(350);
    expect(event.trace.clockSkewSec).toBeLessThanOrEqual(370);
  });

  it('nbf 6 minutes ahead → id_token_not_yet_valid, with the skew', async () => {
    const event = await failedEvent((op) => (op.behave.idTokenClaims = { nbf: Math.floor(Date.now() / 1000) + 360 }));
    expect(['id_token_not_yet_valid', 'id_token_expired']).toContain(event.reason);
    if (event.reason === 'id_token_not_yet_valid') expect(event.trace.clockSkewSec).toBeGreaterThanOrEqual(350);
  });

  it('userinfo failing when the ID token lacks email → userinfo_http_error', async () => {
    const event = await failedEvent((op) => {
      op.behave.omitIdTokenClaims = ['email'];
      op.behave.userinfo = { kind: 'raw', status: 500, body: 'down' };
    });
    expect(event.reason).toBe('userinfo_http_error');
    expect(event.stage).toBe('userinfo');
  });

  it('#16 an expired state → state_expired; a replayed one → state_replayed (no token request)', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    for (const v of [a.params.code, a.params.state]) if (v) sensitive.add(v);
    h.clock.offsetMs = 11 * 60_000;
    try {
      expect((await callback(h.url, a.params)).status).toBe(400);
    } finally {
      h.clock.offsetMs = 0;
    }
    const ok = await flow(org, op);
    expect(ok.res.status).toBe(200);
    expect((await callback(h.url, ok.params)).status).toBe(400);
    const events = await eventsOf(org, 3);
    // The expired attempt ran on a clock 11 minutes ahead, so it is stamped (and listed) first.
    expect(events.map((e) => e.reason)).toEqual(['state_expired', 'state_replayed', null]);
    expect(events.map((e) => e.stage)).toEqual(['callback', 'callback', 'complete']);
  });

  it('#16 a tampered state names no org: nothing is recorded for anyone', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    const res = await callback(h.url, { ...a.params, state: `${a.params.state?.slice(0, -4)}AAAA` });
    expect(res.status).toBe(400);
    await new Promise((r) => setTimeout(r, 400));
    expect((await listEvents(org)).events).toEqual([]);
  });

  it('#18 the IdP says access_denied with a hostile description → idp_error, escaped and capped', async () => {
    const { op, org } = await configured();
    const hostile = `<script>alert(1)</script>\u0000\u202e"quote"\\ ${'x'.repeat(2000)}`;
    op.behave.authorizeError = { error: 'access_denied', error_description: hostile };
    const loginRes = await raw(h.url, `/sso/login?org=${org.developerId}`);
    const returned = await op.driveAuthorize(String(loginRes.json?.authorizeUrl));
    const state = returned.searchParams.get('state') ?? '';
    sensitive.add(state);
    const q = new URLSearchParams({ error: 'access_denied', error_description: hostile, state });
    const res = await raw(h.url, `/sso/callback?${q.toString()}`);
    expect(res.status, res.text).toBe(400);
    expect(res.json).toMatchObject({ code: 'SSO_ERROR' });
    expect(String(res.json?.message)).toContain('access_denied');
    const [event] = await eventsOf(org, 1);
    expect(event).toMatchObject({ outcome: 'failure', stage: 'idp', reason: 'idp_error', idpError: 'access_denied' });
    expect(event?.idpErrorDescription?.length).toBeLessThanOrEqual(512);
    expect(event?.idpErrorDescription).toMatch(/^<script>alert\(1\)<\/script>\?\?\?quote\?\? x+…$/);
    expect(op.requestsTo('token')).toHaveLength(0);
  });

  it('GrantexClient.sso.reportIdpError (what the console calls on an IdP error) is recorded; a server without it says false', async () => {
    const { op, org } = await configured();
    op.behave.authorizeError = { error: 'temporarily_unavailable', error_description: 'maintenance' };
    const loginRes = await raw(h.url, `/sso/login?org=${org.developerId}`);
    const state = (await op.driveAuthorize(String(loginRes.json?.authorizeUrl))).searchParams.get('state') ?? '';
    sensitive.add(state);
    expect(
      await new GrantexClient({ baseUrl: h.url }).sso.reportIdpError(state, 'temporarily_unavailable', 'maintenance'),
    ).toBe(true);
    const [event] = await eventsOf(org, 1);
    expect(event).toMatchObject({
      reason: 'idp_error',
      idpError: 'temporarily_unavailable',
      idpErrorDescription: 'maintenance',
    });
    // A state that does not open is not recorded (no org to file it under): the route's own 400.
    expect(await new GrantexClient({ baseUrl: h.url }).sso.reportIdpError('garbage', 'access_denied')).toBe(false);
    const hosted = new GrantexClient({
      baseUrl: 'https://api.grantex.example',
      fetch: async () =>
        new Response(JSON.stringify({ message: 'code and state are required', code: 'BAD_REQUEST' }), { status: 400 }),
    });
    expect(await hosted.sso.reportIdpError(state, 'access_denied')).toBe(false);
  });

  it('an outsider cannot file IdP-error reports in another org: a forged, expired or used state files nothing', async () => {
    const { op, org } = await configured();
    const outsider = new GrantexClient({ baseUrl: h.url });
    const done = await flow(org, op);
    expect(done.res.status).toBe(200);
    const [success] = await eventsOf(org, 1);
    const used = String(done.params.state);
    // Anyone can fetch states of any org from its public login URL: here, one the IdP never saw.
    const fresh = async () => {
      const state =
        new URL(String((await raw(h.url, `/sso/login?org=${org.developerId}`)).json?.authorizeUrl)).searchParams.get(
          'state',
        ) ?? '';
      sensitive.add(state);
      return state;
    };
    const forged = `${(await fresh()).slice(0, -4)}AAAA`;
    const expired = await fresh();
    const before = h.logs.filter((l) => l.includes('idp_error_report_refused')).length;
    expect(await outsider.sso.reportIdpError(used, 'access_denied', 'used state')).toBe(false);
    expect(await outsider.sso.reportIdpError(forged, 'access_denied', 'forged state')).toBe(false);
    h.clock.offsetMs = 11 * 60_000;
    try {
      expect(await outsider.sso.reportIdpError(expired, 'access_denied', 'expired state')).toBe(false);
    } finally {
      h.clock.offsetMs = 0;
    }
    // The used and the expired one are counted (the forged one names no org at all).
    expect(h.logs.filter((l) => l.includes('idp_error_report_refused')).length).toBe(before + 2);
    await new Promise((r) => setTimeout(r, 400));
    expect((await listEvents(org)).events.map((e) => e.id)).toEqual([success?.id]);
  });

  it('a report consumes its state: a second report is refused, a later callback repeats the refusal without reaching the IdP', async () => {
    const { op, org } = await configured();
    op.behave.authorizeError = { error: 'access_denied', error_description: 'user said no' };
    const loginRes = await raw(h.url, `/sso/login?org=${org.developerId}`);
    const state = (await op.driveAuthorize(String(loginRes.json?.authorizeUrl))).searchParams.get('state') ?? '';
    sensitive.add(state);
    const client = new GrantexClient({ baseUrl: h.url });
    expect(await client.sso.reportIdpError(state, 'access_denied', 'user said no')).toBe(true);
    expect(await client.sso.reportIdpError(state, 'access_denied', 'user said no')).toBe(false);
    const late = await callback(h.url, { code: 'late-code', state });
    expect(late.status).toBe(400);
    expect(String(late.json?.message)).toContain('did not complete the sign-in (access_denied)');
    expect(op.requestsTo('token')).toHaveLength(0);
    const events = await eventsOf(org, 2);
    await new Promise((r) => setTimeout(r, 300));
    const all = (await listEvents(org)).events;
    // One idp_error (never two), and the late callback is logged as the replay it is.
    expect(all.map((e) => e.reason).sort()).toEqual(['idp_error', 'state_replayed']);
    expect(events.filter((e) => e.reason === 'idp_error')).toHaveLength(1);
  });

  it('a connection deleted mid-login → callback_connection_gone', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    for (const v of [a.params.code, a.params.state]) if (v) sensitive.add(v);
    expect(
      (await raw(h.url, '/v1/sso/config', { method: 'DELETE', headers: { authorization: `Bearer ${org.apiKey}` } }))
        .status,
    ).toBe(204);
    expect((await callback(h.url, a.params)).status).toBe(404);
    const [event] = await eventsOf(org, 1);
    expect(event).toMatchObject({ outcome: 'failure', stage: 'callback', reason: 'callback_connection_gone' });
  });

  it('a retried callback after its connection went away repeats the 404 with its reason code, logged alike', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    for (const v of [a.params.code, a.params.state]) if (v) sensitive.add(v);
    expect(
      (await raw(h.url, '/v1/sso/config', { method: 'DELETE', headers: { authorization: `Bearer ${org.apiKey}` } }))
        .status,
    ).toBe(204);
    const first = await callback(h.url, a.params);
    const retry = await callback(h.url, a.params);
    for (const res of [first, retry]) {
      expect(res.status, res.text).toBe(404);
      // The replay is rebuilt from the stored failure: the same code in `errors`, not inferred from the message.
      expect(res.json).toMatchObject({
        code: 'NOT_FOUND',
        message: MESSAGES.ssoNotConfigured,
        errors: [{ code: 'sso_not_configured', message: MESSAGES.ssoNotConfigured }],
      });
    }
    expect(op.requestsTo('token')).toHaveLength(0);
    const events = await eventsOf(org, 2);
    expect(events.map((e) => e.reason)).toEqual(['callback_connection_gone', 'callback_connection_gone']);
  });

  it('the login URL writes nothing: logins alone leave no event', async () => {
    const { org } = await configured();
    for (let i = 0; i < 3; i++) expect((await raw(h.url, `/sso/login?org=${org.developerId}`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 400));
    expect((await listEvents(org)).events).toEqual([]);
  });
});

describe('GET /v1/sso/events: filters, paging, isolation', () => {
  let org: Org;
  let other: Org;
  let connectionId: string;

  beforeAll(async () => {
    const c = await configured();
    org = c.org;
    other = await newOrg();
    for (let i = 0; i < 5; i++) {
      c.op.behave.user = {
        ...c.op.behave.user,
        sub: `user-${i}`,
        email: i === 0 ? 'Mixed.Case@Example.com' : `user${i}@test-op.example`,
      };
      expect((await flow(org, c.op)).res.status).toBe(200);
    }
    c.op.behave.signing = 'bad-signature';
    for (let i = 0; i < 2; i++) expect((await flow(org, c.op)).res.status).toBe(502);
    const events = await eventsOf(org, 7);
    connectionId = String(events[0]?.connectionId);
  });

  it('pages newest first with an opaque cursor, no duplicates, no gaps', async () => {
    const all = (await listEvents(org)).events;
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { events: WireEvent[]; nextCursor: string | null } = await listEvents(
        org,
        `limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.events.length).toBeLessThanOrEqual(2);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
    const times = all.map((e) => e.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('filters by outcome, email (any case), connection and time range', async () => {
    expect((await listEvents(org, 'outcome=failure')).events.map((e) => e.reason)).toEqual([
      'id_token_signature_invalid',
      'id_token_signature_invalid',
    ]);
    expect((await listEvents(org, 'outcome=success')).events).toHaveLength(5);
    expect((await listEvents(org, 'email=mixed.case@example.COM')).events.map((e) => e.sub)).toEqual(['user-0']);
    expect((await listEvents(org, `connectionId=${connectionId}`)).events).toHaveLength(7);
    expect((await listEvents(org, 'connectionId=sso_unknown')).events).toHaveLength(0);
    const all = (await listEvents(org)).events;
    const middle = all[3]?.createdAt ?? '';
    const newer = (await listEvents(org, `from=${encodeURIComponent(middle)}`)).events;
    expect(newer.every((e) => e.createdAt >= middle)).toBe(true);
    const older = (await listEvents(org, `to=${encodeURIComponent(middle)}`)).events;
    expect(older.every((e) => e.createdAt <= middle)).toBe(true);
    expect(new Set([...newer, ...older].map((e) => e.id)).size).toBe(7);
  });

  it('filters by reason code; an unknown code matches nothing, a malformed one is a 400', async () => {
    const failed = (await listEvents(org, 'reason=id_token_signature_invalid')).events;
    expect(failed.map((e) => e.reason)).toEqual(['id_token_signature_invalid', 'id_token_signature_invalid']);
    expect((await listEvents(org, 'reason=state_expired')).events).toEqual([]);
    expect((await listEvents(other, 'reason=id_token_signature_invalid')).events).toEqual([]);
    const res = await getWithKey(h.url, '/v1/sso/events?reason=Not%20A%20Code', org.apiKey);
    expect(res.status).toBe(400);
  });

  it('another org sees none of them, even with the connection id; bad input is a 400; no key is a 401', async () => {
    expect((await listEvents(other)).events).toEqual([]);
    expect((await listEvents(other, `connectionId=${connectionId}`)).events).toEqual([]);
    for (const q of ['limit=0', 'limit=201', 'outcome=maybe', 'from=yesterday', 'cursor=not-a-cursor']) {
      const res = await getWithKey(h.url, `/v1/sso/events?${q}`, org.apiKey);
      expect(res.status, q).toBe(400);
      expect(res.json?.code).toBe('BAD_REQUEST');
    }
    expect((await raw(h.url, '/v1/sso/events')).status).toBe(401);
  });

  it('GrantexClient reads pages, and reports a server without the endpoint as not supported', async () => {
    const client = new GrantexClient({ baseUrl: h.url, apiKey: org.apiKey });
    const page = await client.sso.events.list({ outcome: 'failure', limit: 1 });
    expect(page.supported).toBe(true);
    if (page.supported) {
      expect(page.events).toHaveLength(1);
      expect(page.nextCursor).not.toBeNull();
    }
    const audit = await client.sso.audit.list();
    // The fixture's webhook endpoint: its creation is audited too.
    expect(audit.supported && audit.events.map((e) => e.action)).toEqual(['config.saved', 'webhook.created']);

    const hosted = new GrantexClient({
      baseUrl: 'https://api.grantex.example',
      apiKey: org.apiKey,
      fetch: async () =>
        new Response(
          JSON.stringify({ message: 'Route GET:/v1/sso/events not found', error: 'Not Found', statusCode: 404 }),
          { status: 404 },
        ),
    });
    expect(await hosted.sso.events.list()).toEqual({ supported: false });
    expect(await hosted.sso.audit.list()).toEqual({ supported: false });
  });
});

describe('audit trail', () => {
  it('records config and connection changes with field names, never values; another org sees none', async () => {
    const { org } = await configured();
    const created = await postJson(
      h.url,
      '/v1/sso/connections',
      {
        name: 'Second',
        protocol: 'oidc',
        issuerUrl: 'http://127.0.0.1:9/idp',
        clientId: 'c2',
        clientSecret: SECRET,
        redirectUri: REDIRECT_URI,
      },
      org.apiKey,
    );
    expect(created.status, created.text).toBe(201);
    const id = String(created.json?.id);
    const patched = await raw(h.url, `/v1/sso/connections/${id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Renamed', clientSecret: `${SECRET}-2` }),
    });
    expect(patched.status, patched.text).toBe(200);
    sensitive.add(`${SECRET}-2`);
    expect(
      (
        await raw(h.url, `/v1/sso/connections/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${org.apiKey}` },
        })
      ).status,
    ).toBe(204);

    const audit = await vi.waitFor(async () => {
      const page = await listEvents(org, '', 'audit');
      expect(page.events.length).toBe(5);
      return page.events as unknown as {
        id: string;
        action: string;
        changedFields: string[];
        actor: { kind: string; id: string };
        target: { id: string };
      }[];
    });
    expect(audit.map((e) => e.action)).toEqual([
      'connection.deleted',
      'connection.updated',
      'connection.created',
      'config.saved',
      'webhook.created',
    ]);
    expect(audit[1]?.changedFields).toEqual(['name', 'clientSecret']);
    expect(audit[2]?.changedFields).toEqual(
      expect.arrayContaining(['name', 'issuerUrl', 'clientId', 'clientSecret', 'redirectUri']),
    );
    expect(audit[0]?.target.id).toBe(id);
    // Ids begin with their creation time (so the id index grows at its end): newest first is ids descending too.
    const ids = audit.map((e) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(audit.every((e) => e.actor.kind === 'api_key' && /^key_[A-Za-z0-9_-]{12}$/.test(e.actor.id))).toBe(true);
    expect((await listEvents(org, `targetId=${id}`, 'audit')).events).toHaveLength(3);
    expect((await listEvents(await newOrg(), '', 'audit')).events).toEqual([]);
  });
});

describe('audit trail of domains, setup links and sessions', () => {
  it('records a revoked session with the admin key as actor', async () => {
    const { op, org } = await configured();
    const { params } = await authorize(h.url, org, op);
    for (const v of [params.code, params.state]) if (v) sensitive.add(v);
    const opened = await postJson(h.url, '/sso/callback/oidc', {
      code: params.code,
      state: params.state,
      ...(params.iss ? { iss: params.iss } : {}),
    });
    expect(opened.status, opened.text).toBe(200);
    const sessionId = String(opened.json?.sessionId);
    const listed = await getWithKey(h.url, '/v1/sso/connections', org.apiKey);
    const connectionId = (listed.json?.connections as { id: string }[] | undefined)?.[0]?.id;
    const tested = await postJson(h.url, `/v1/sso/connections/${String(connectionId)}/test`, {}, org.apiKey);
    expect(tested.status, tested.text).toBe(200);
    const revoked = await raw(h.url, `/v1/sso/sessions/${sessionId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${org.apiKey}` },
    });
    expect(revoked.status, revoked.text).toBe(204);
    const audit = await vi.waitFor(async () => {
      const page = await listEvents(org, '', 'audit');
      // With the fixture's webhook.created.
      expect(page.events.length).toBe(4);
      return page.events as unknown as {
        action: string;
        actor: { kind: string };
        target: { type: string; id: string };
      }[];
    });
    expect(audit[0]).toMatchObject({
      action: 'session.revoked',
      actor: { kind: 'api_key' },
      target: { type: 'session', id: sessionId },
    });
    expect(audit[1]).toMatchObject({
      action: 'connection.tested',
      actor: { kind: 'api_key' },
      target: { type: 'connection' },
    });
  });

  it('records domains added and removed, setup links created, used and revoked, each with its actor', async () => {
    const org = await newOrg();
    const link = await postJson(h.url, '/v1/sso/setup-links', { label: 'Customer IT' }, org.apiKey);
    expect(link.status, link.text).toBe(201);
    const linkId = String(link.json?.id);
    const token = String(link.json?.token);
    sensitive.add(token);
    const redeemed = await postJson(
      h.url,
      '/v1/sso/setup-links/session',
      { name: 'Iris IT', email: 'iris@customer.example' },
      token,
    );
    expect(redeemed.status, redeemed.text).toBe(201);
    const sessionToken = String(redeemed.json?.sessionToken);
    sensitive.add(sessionToken);
    // The IT admin adds a domain in the link's session; the admin removes it with the key.
    expect((await postJson(h.url, '/v1/sso/domains', { domain: 'audit-acme.example' }, sessionToken)).status).toBe(201);
    const removed = await raw(h.url, '/v1/sso/domains/audit-acme.example', {
      method: 'DELETE',
      headers: { authorization: `Bearer ${org.apiKey}` },
    });
    expect(removed.status, removed.text).toBe(204);
    const revoked = await raw(h.url, `/v1/sso/setup-links/${linkId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${org.apiKey}` },
    });
    expect(revoked.status, revoked.text).toBe(204);

    const audit = await vi.waitFor(async () => {
      const page = await listEvents(org, '', 'audit');
      expect(page.events.length).toBe(5);
      return page.events as unknown as {
        action: string;
        actor: { kind: string; id: string | null; label: string | null };
        target: { type: string; id: string };
      }[];
    });
    expect(audit.map((e) => [e.action, e.actor.kind, e.target.type, e.target.id])).toEqual([
      ['setup_link.revoked', 'api_key', 'setup_link', linkId],
      ['domain.removed', 'api_key', 'domain', 'audit-acme.example'],
      ['domain.added', 'setup_link', 'domain', 'audit-acme.example'],
      ['setup_link.used', 'setup_link', 'setup_link', linkId],
      ['setup_link.created', 'api_key', 'setup_link', linkId],
    ]);
    expect(audit[2]?.actor).toMatchObject({ id: linkId, label: 'Iris IT' });
    expect(audit[3]?.actor).toMatchObject({ id: linkId, label: 'Iris IT' });
  });
});

describe('what is stored', () => {
  it('no stored event or trace contains a secret, API key, code, state, token or signature', async () => {
    const stored = await readStoredEvents(h);
    expect(stored.filter((row) => 'webhookEvent' in row).length).toBeGreaterThanOrEqual(20);
    expectCleanEvents(stored, sensitive, 40);
  });

  it('events past the retention are purged in the background (at start and every minute)', async () => {
    const { op, org } = await configured();
    h.clock.offsetMs = -40 * 24 * 60 * 60_000;
    try {
      await flow(org, op);
      await eventsOf(org, 1);
    } finally {
      h.clock.offsetMs = 0;
    }
    expect((await flow(org, op)).res.status).toBe(200);
    // The new sign-in is stored. (The old one may already be gone: the minute purge can run from here on.)
    const recent = (e: WireEvent) => Date.parse(e.createdAt) > Date.now() - 24 * 60 * 60_000;
    const fresh = await vi.waitFor(
      async () => {
        const { events } = await listEvents(org);
        const found = events.find(recent);
        expect(found).toBeDefined();
        return found!;
      },
      { timeout: 5000, interval: 50 },
    );
    await h.restart();
    // The purge at start (or the minute purge before it) has removed the old one: only the new sign-in is left.
    const left = await vi.waitFor(async () => {
      const { events } = await listEvents(org);
      expect(events).toHaveLength(1);
      return events;
    });
    expect(left[0]?.id).toBe(fresh.id);
  });
});

describe('a crash loses at most one flush interval of events', () => {
  it('kill -9 right after a burst: every sign-in older than one flush interval is stored', async () => {
    const op = await newOp();
    const database = await testDatabaseOptions();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gx-events-crash-'));
    const child = await startServiceProcess(
      localServiceEnv(dataDir, TEST_KEYS, {
        RATE_LIMIT: 'off',
        ...(database.postgres ? { DATABASE_URL: database.postgres.url } : {}),
      }),
    );
    cleanups.push(() => child.kill('SIGKILL'));
    const org = await signup(child.url);
    const saved = await saveConfig(child.url, org, {
      issuerUrl: op.issuer,
      clientId: CLIENT.clientId,
      clientSecret: SECRET,
      redirectUri: REDIRECT_URI,
    });
    expect(saved.status, saved.text).toBe(201);

    const early = 10;
    for (let i = 0; i < early; i++) expect((await runFlow(child.url, org, op)).res.status).toBe(200);
    // Longer than one flush interval (250 ms): these must survive the crash.
    await new Promise((r) => setTimeout(r, 750));
    const late = 5;
    for (let i = 0; i < late; i++) expect((await runFlow(child.url, org, op)).res.status).toBe(200);
    await child.kill('SIGKILL');

    let stored: number;
    if (database.postgres) {
      const client = new pg.Client({ connectionString: database.postgres.url });
      await client.connect();
      stored = Number(
        (await client.query('SELECT count(*) AS n FROM sign_in_events WHERE developer_id = $1', [org.developerId]))
          .rows[0].n,
      );
      await client.end();
    } else {
      const db = new Database(eventLogPathOf(path.join(dataDir, 'grantex.db')));
      stored = (
        db.prepare('SELECT count(*) AS n FROM sign_in_events WHERE developer_id = ?').get(org.developerId) as {
          n: number;
        }
      ).n;
      db.close();
    }
    const lost = early + late - stored;
    console.info(
      `crash test: ${early + late} sign-ins, ${stored} stored, ${lost} lost (bound: the ${late} of the last flush interval)`,
    );
    expect(stored).toBeGreaterThanOrEqual(early);
    expect(lost).toBeLessThanOrEqual(late);
  }, 60_000);
});
