/**
 * GET /v1/sso/stats on the backend the run selects: real sign-ins through the test OP are counted by outcome and
 * reason per connection, in hour buckets for 24 h and UTC-day buckets for 7 d / 30 d, with the last hour and the
 * newest success; another org's sign-ins are never counted; bad input is a 400, no key a 401. The SQL's
 * bucketing across hours, days and connections is checked on rows written through the real store.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GrantexClient } from '@/lib/grantex/client';
import type { SignInStats } from '@/lib/contract';
import type { ServiceStore, SignInEventRecord } from '@/lib/sso-service/storage';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import {
  getWithKey,
  raw,
  REDIRECT_URI,
  runFlow,
  saveConfig,
  signup,
  startHarness,
  type Harness,
  type Org,
} from '@/tests/support/adversarial';

const CLIENT = { clientId: 'stats-rp-client', clientSecret: 'stats-secret', redirectUris: [REDIRECT_URI] };
const DAY_MS = 86_400_000;

let h: Harness;
let store: ServiceStore | null = null;
const ops: TestOp[] = [];

beforeAll(async () => {
  h = await startHarness({
    logLevel: 'warn',
    wrapStore: (s) => {
      store = s;
      return s;
    },
  });
});

afterAll(async () => {
  await Promise.allSettled(ops.map((op) => op.close()));
  await h?.close();
});

async function configured(): Promise<{ op: TestOp; org: Org }> {
  const op = await startTestOp({ clients: [CLIENT] });
  ops.push(op);
  const org = await signup(h.url);
  const saved = await saveConfig(h.url, org, {
    issuerUrl: op.issuer,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
  });
  expect(saved.status, saved.text).toBe(201);
  return { op, org };
}

async function stats(org: Org, period = '24h'): Promise<SignInStats> {
  const res = await getWithKey(h.url, `/v1/sso/stats?period=${period}`, org.apiKey);
  expect(res.status, res.text).toBe(200);
  return res.json as unknown as SignInStats;
}

const sum = (s: SignInStats, key: 'success' | 'failure') => s.buckets.reduce((n, b) => n + b[key], 0);
const reasons = (s: SignInStats) => {
  const out: Record<string, number> = {};
  for (const b of s.buckets) for (const [r, n] of Object.entries(b.failuresByReason)) out[r] = (out[r] ?? 0) + n;
  return out;
};

describe('GET /v1/sso/stats: real sign-ins', () => {
  let org: Org;
  let other: Org;
  let connectionId: string;

  beforeAll(async () => {
    const a = await configured();
    org = a.org;
    for (let i = 0; i < 2; i++) expect((await runFlow(h.url, org, a.op)).res.status).toBe(200);
    a.op.behave.signing = 'bad-signature';
    for (let i = 0; i < 3; i++) expect((await runFlow(h.url, org, a.op)).res.status).toBe(502);
    a.op.behave.authorizeError = { error: 'access_denied', error_description: 'no' };
    const loginRes = await raw(h.url, `/sso/login?org=${org.developerId}`);
    const returned = await a.op.driveAuthorize(String(loginRes.json?.authorizeUrl));
    const q = new URLSearchParams({ error: 'access_denied', state: returned.searchParams.get('state') ?? '' });
    expect((await raw(h.url, `/sso/callback?${q.toString()}`)).status).toBe(400);

    const b = await configured();
    other = b.org;
    for (let i = 0; i < 4; i++) expect((await runFlow(h.url, other, b.op)).res.status).toBe(200);
    // The event buffer writes within ~250 ms.
    await vi.waitFor(
      async () => {
        expect(sum(await stats(org), 'failure')).toBe(4);
        expect(sum(await stats(other), 'success')).toBe(4);
      },
      { timeout: 5000, interval: 50 },
    );
    connectionId = String((await stats(org)).buckets[0]?.connectionId);
  });

  it('counts successes and failures by reason per connection, in hour buckets, with the last hour and the newest success', async () => {
    const s = await stats(org);
    expect(s.period).toBe('24h');
    expect(s.bucketSize).toBe('hour');
    expect(Date.parse(s.to) - Date.parse(s.from)).toBeGreaterThan(23 * 3_600_000);
    expect(Date.parse(s.to) - Date.parse(s.from)).toBeLessThanOrEqual(24 * 3_600_000);
    expect(s.from).toMatch(/T\d{2}:00:00\.000Z$/);
    expect(connectionId).toMatch(/^conn_/);
    for (const b of s.buckets) {
      expect(b.connectionId).toBe(connectionId);
      expect(b.start).toMatch(/T\d{2}:00:00\.000Z$/);
      expect(b.start >= s.from).toBe(true);
    }
    expect(sum(s, 'success')).toBe(2);
    expect(reasons(s)).toEqual({ id_token_signature_invalid: 3, idp_error: 1 });
    expect(s.connections).toHaveLength(1);
    expect(s.connections[0]).toMatchObject({
      connectionId,
      success: 2,
      failure: 4,
      lastHour: { success: 2, failure: 4 },
    });
    expect(Date.parse(String(s.connections[0]?.lastSuccessAt))).toBeLessThanOrEqual(Date.now());
    expect(s.connections[0]?.lastFailureAt).not.toBeNull();
  });

  it('another org never counts them, and its own are not counted here', async () => {
    const s = await stats(other);
    expect(sum(s, 'success')).toBe(4);
    expect(sum(s, 'failure')).toBe(0);
    expect(s.connections.map((c) => c.connectionId)).not.toContain(connectionId);
    expect(s.buckets.every((b) => b.connectionId !== connectionId)).toBe(true);
  });

  it('three days on: gone from 24 h and the last hour, counted in UTC-day buckets of 7 d and 30 d', async () => {
    h.clock.offsetMs = 3 * DAY_MS;
    try {
      const day = await stats(org);
      expect(day.buckets).toEqual([]);
      expect(day.connections[0]).toMatchObject({
        connectionId,
        success: 0,
        failure: 0,
        lastHour: { success: 0, failure: 0 },
      });
      expect(day.connections[0]?.lastSuccessAt).not.toBeNull();
      for (const period of ['7d', '30d']) {
        const s = await stats(org, period);
        expect(s.bucketSize).toBe('day');
        expect(s.from).toMatch(/T00:00:00\.000Z$/);
        expect(s.buckets.every((b) => /T00:00:00\.000Z$/.test(b.start))).toBe(true);
        expect(sum(s, 'success')).toBe(2);
        expect(reasons(s)).toEqual({ id_token_signature_invalid: 3, idp_error: 1 });
      }
    } finally {
      h.clock.offsetMs = 0;
    }
  });

  it('bad input is a 400; no key is a 401; GrantexClient reads it', async () => {
    for (const q of ['period=1y', 'period=', 'period=24h&period=7d']) {
      const res = await getWithKey(h.url, `/v1/sso/stats?${q}`, org.apiKey);
      expect(res.status, q).toBe(400);
      expect(res.json?.code).toBe('BAD_REQUEST');
    }
    expect((await raw(h.url, '/v1/sso/stats')).status).toBe(401);
    const client = new GrantexClient({ baseUrl: h.url, apiKey: org.apiKey });
    const s = await client.sso.events.stats({ period: '7d' });
    expect(s.supported).toBe(true);
    if (s.supported) expect(s.connections[0]?.success).toBe(2);
  });
});

describe('GET /v1/sso/stats: buckets over hours, days and connections', () => {
  it('cuts stored rows into the right hour and day, per connection, with failures without a reason as unknown', async () => {
    const org = await signup(h.url);
    const now = Date.now();
    const hourStart = Math.floor(now / 3_600_000) * 3_600_000;
    const base: Omit<SignInEventRecord, 'id' | 'connectionId' | 'outcome' | 'reason' | 'createdAt'> = {
      developerId: org.developerId,
      protocol: 'oidc',
      startedBy: 'member',
      stage: 'complete',
      idpError: null,
      idpErrorDescription: null,
      email: null,
      sub: null,
      name: null,
      durationMs: 1,
      requestId: 'req',
      trace: {},
    };
    const at = (ms: number) => new Date(ms).toISOString();
    const rows: SignInEventRecord[] = [
      { ...base, id: 'evt_s1', connectionId: 'sso_a', outcome: 'success', reason: null, createdAt: at(hourStart + 1) },
      { ...base, id: 'evt_s2', connectionId: 'sso_b', outcome: 'success', reason: null, createdAt: at(hourStart + 2) },
      {
        ...base,
        id: 'evt_f1',
        connectionId: 'sso_a',
        outcome: 'failure',
        reason: 'state_expired',
        createdAt: at(hourStart - 3_600_000 + 5),
      },
      {
        ...base,
        id: 'evt_f2',
        connectionId: 'sso_a',
        outcome: 'failure',
        reason: null,
        createdAt: at(hourStart - 3_600_000 + 6),
      },
      {
        ...base,
        id: 'evt_f3',
        connectionId: null,
        outcome: 'failure',
        reason: 'state_invalid',
        createdAt: at(hourStart - 2 * DAY_MS),
      },
    ];
    await store!.events.insertSignInEvents(rows);

    const s = await stats(org);
    expect(s.buckets).toEqual([
      {
        start: at(hourStart - 3_600_000),
        connectionId: 'sso_a',
        success: 0,
        failure: 2,
        failuresByReason: { state_expired: 1, unknown: 1 },
      },
      { start: at(hourStart), connectionId: 'sso_a', success: 1, failure: 0, failuresByReason: {} },
      { start: at(hourStart), connectionId: 'sso_b', success: 1, failure: 0, failuresByReason: {} },
    ]);
    const week = await stats(org, '7d');
    const dayOf = (ms: number) => at(Math.floor(ms / DAY_MS) * DAY_MS);
    expect(week.buckets.find((b) => b.connectionId === null)).toEqual({
      start: dayOf(hourStart - 2 * DAY_MS),
      connectionId: null,
      success: 0,
      failure: 1,
      failuresByReason: { state_invalid: 1 },
    });
    expect(week.connections.map((c) => [c.connectionId, c.success, c.failure])).toEqual([
      [null, 0, 1],
      ['sso_a', 1, 2],
      ['sso_b', 1, 0],
    ]);
  });
});
