/**
 * The adversarial relying-party suite (docs/RP-SECURITY.md), one named test per case,
 * each through the service's real HTTP path:
 *   POST /v1/sso/config → GET /sso/login → test OP /authorize → GET /sso/callback.
 * Outcomes: OK = 200 with the identity; REJ = 4xx/5xx, SSO_ERROR/BAD_REQUEST, no identity, no secret,
 * code, state or token in the message; UNAV = 502/503/504 quickly; CFG = refused at save (400) and
 * again at run time (a cold service — restarted on the same data dir — refuses the login with 503).
 * Rows 18 and 25–27 are console behaviours (Playwright); row 24 is covered here at the service level.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import dns from 'node:dns/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, SESSION_MESSAGES } from '@/lib/contract';
import { startTestOp, type TestOp, type TestOpOptions } from '@/tests/support/test-op';
import {
  authorize,
  callback,
  expectIdentity,
  expectCleanLogs,
  expectNoLeak,
  expectRejected,
  expectUnavailable,
  getWithKey,
  login,
  peakHeapGrowth,
  postJson,
  raw,
  REDIRECT_URI,
  runFlow,
  saveConfig,
  signup,
  startHarness,
  TEST_KEYS,
  type ConfigInput,
  type Harness,
  type Org,
  type RawResponse,
} from '@/tests/support/adversarial';
import { expectCleanEvents, readStoredEvents } from '@/tests/support/stored-events';

const SECRET = `rp client:secret%with+chars and SECRET-${randomBytes(6).toString('hex')}`;
const CLIENT = { clientId: 'adversarial-rp-client', clientSecret: SECRET, redirectUris: [REDIRECT_URI] };
const USER = { sub: 'test-op-user-1', email: 'user@test-op.example', name: 'Test User' };

/** Everything that must never reach a log line (checked by the last test). */
const sensitive = new Set<string>([SECRET]);

let h: Harness;
/** Log lines of every service this file starts. */
const logs: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

/** The console this service serves: REDIRECT_URI is its shared (legacy) callback. */
const CONSOLE_URL = 'http://localhost:3999';

beforeAll(async () => {
  h = await startHarness({ consoleUrl: CONSOLE_URL }, { logs });
});

afterEach(() => {
  h.clock.offsetMs = 0;
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

function configFor(op: TestOp, overrides: Partial<ConfigInput> = {}): ConfigInput {
  return {
    issuerUrl: op.issuer,
    clientId: CLIENT.clientId,
    clientSecret: SECRET,
    redirectUri: REDIRECT_URI,
    ...overrides,
  };
}

async function newOrg(base = h.url): Promise<Org> {
  const org = await signup(base);
  sensitive.add(org.apiKey);
  return org;
}

/** A fresh OP and org, configured (201) on the shared service. */
async function configured(opts: TestOpOptions = {}): Promise<{ op: TestOp; org: Org }> {
  const op = await newOp(opts);
  const org = await newOrg();
  const saved = await saveConfig(h.url, org, configFor(op));
  expect(saved.status, saved.text).toBe(201);
  return { op, org };
}

function remember(...values: (string | undefined)[]): void {
  for (const v of values) if (v) sensitive.add(v);
}

/** Runs the flow and returns the callback response plus the values that must not leak. */
async function flow(org: Org, op: TestOp, base = h.url) {
  const r = await runFlow(base, org, op);
  remember(r.params.code, r.params.state);
  return { ...r, secrets: [SECRET, r.params.code, r.params.state, org.apiKey] };
}

async function rejectedFlow(org: Org, op: TestOp): Promise<RawResponse> {
  const r = await flow(org, op);
  expectRejected(r.res, r.secrets);
  return r.res;
}

function tokenCalls(op: TestOp): number {
  return op.requestsTo('token').length;
}

/** CFG at save: 400 BAD_REQUEST naming issuerUrl. */
function expectRefusedAtSave(res: RawResponse): void {
  expect(res.status, res.text).toBe(400);
  expect(res.json?.code).toBe('BAD_REQUEST');
  expect(String(res.json?.message)).toMatch(/issuerUrl/);
  expectNoLeak(res.text, [SECRET]);
}

/** CFG at run time: a cold service refuses the login (503 SSO_ERROR) instead of using the bad metadata. */
function expectRefusedAtLogin(res: RawResponse): void {
  expect(res.status, res.text).toBe(503);
  expect(res.json?.code).toBe('SSO_ERROR');
  expect(res.json).not.toHaveProperty('authorizeUrl');
  expectNoLeak(res.text, [SECRET]);
}

/** A loopback listener that records whether anything ever reached it (redirect targets). */
async function canary(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const c = {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  cleanups.push(c.close);
  return c;
}

// ====================================================================== rows 1–3: must work

describe('rows 1–3: accepted', () => {
  it('#1 happy path: RS256 with kid, secret with ":%+ " → OK; state, nonce, S256 PKCE, exact redirect URI, form-encoded Basic', async () => {
    const { op, org } = await configured({ authMethods: ['client_secret_basic'] });
    const r = await flow(org, op);
    expectIdentity(r.res, org, USER);

    const q = r.authorizeUrl.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT.clientId);
    expect(q.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(q.get('state')).toBe(r.params.state);
    expect(q.get('nonce')?.length).toBeGreaterThanOrEqual(32);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('scope')?.split(' ')).toContain('openid');

    expectNoLeak(r.authorizeUrl.href, [SECRET]);
    expectNoLeak(r.loginRes.text, [SECRET]);

    const [token] = op.requestsTo('token');
    expect(op.requestsTo('token')).toHaveLength(1);
    expect(token?.form?.redirect_uri).toBe(REDIRECT_URI);
    expect(token?.form?.code_verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(token?.form?.client_secret).toBeUndefined();
    // RFC 6749 §2.3.1: id and secret are form-encoded before Base64, so the only raw ':' is the separator.
    const header = String(token?.headers.authorization);
    const decoded = Buffer.from(header.replace(/^Basic /i, ''), 'base64').toString('utf8');
    expect(decoded.split(':')).toHaveLength(2);
    expect(decoded).not.toContain(' ');
    expect(token?.basic).toEqual({ clientId: CLIENT.clientId, clientSecret: SECRET });
  });

  it('#1c S256 PKCE is sent even when discovery lists only "plain" or no challenge methods at all; the OP gets the matching verifier', async () => {
    for (const discovery of [{ code_challenge_methods_supported: ['plain'] }, null]) {
      const op = await newOp({ requirePkce: false });
      if (discovery) op.behave.discoveryOverrides = discovery;
      else op.behave.omitDiscoveryFields = ['code_challenge_methods_supported'];
      const org = await newOrg();
      expect((await saveConfig(h.url, org, configFor(op))).status).toBe(201);
      const r = await flow(org, op);
      expectIdentity(r.res, org, USER);
      expect(r.authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
      const verifier = op.requestsTo('token')[0]?.form?.code_verifier;
      expect(verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
      expect(createHash('sha256').update(String(verifier)).digest('base64url')).toBe(
        r.authorizeUrl.searchParams.get('code_challenge'),
      );
    }
  });

  it('#1b the exact configured redirect URI (a bare origin, one with a query) is sent at /authorize and at the token endpoint', async () => {
    const uris = ['http://localhost:3999', 'http://localhost:3999/sso/callback?tenant=a&x=a%20b'];
    const op = await newOp({ clients: [{ ...CLIENT, redirectUris: uris }] });
    for (const redirectUri of uris) {
      const org = await newOrg();
      const saved = await saveConfig(h.url, org, configFor(op, { redirectUri }));
      expect(saved.status, saved.text).toBe(201);
      op.requests.length = 0;
      const r = await flow(org, op);
      expectIdentity(r.res, org, USER);
      expect(r.authorizeUrl.searchParams.get('redirect_uri')).toBe(redirectUri);
      expect(op.requestsTo('token')[0]?.form?.redirect_uri).toBe(redirectUri);
    }
  });

  it('#2 IdP supports only client_secret_basic / only client_secret_post → OK with the advertised method', async () => {
    const basic = await configured({ authMethods: ['client_secret_basic'] });
    expectIdentity((await flow(basic.org, basic.op)).res, basic.org, USER);
    expect(basic.op.requestsTo('token')[0]?.basic?.clientSecret).toBe(SECRET);
    expect(basic.op.requestsTo('token')[0]?.form?.client_secret).toBeUndefined();

    const post = await configured({ authMethods: ['client_secret_post'] });
    expectIdentity((await flow(post.org, post.op)).res, post.org, USER);
    const form = post.op.requestsTo('token')[0];
    expect(form?.headers.authorization).toBeUndefined();
    expect(form?.form?.client_secret).toBe(SECRET);
    expect(form?.form?.client_id).toBe(CLIENT.clientId);
  });

  it('#2b no auth methods advertised → client_secret_basic (the default); only unsupported methods → CFG at save', async () => {
    const op = await newOp();
    op.behave.omitDiscoveryFields = ['token_endpoint_auth_methods_supported'];
    const org = await newOrg();
    expect((await saveConfig(h.url, org, configFor(op))).status).toBe(201);
    expectIdentity((await flow(org, op)).res, org, USER);
    expect(op.requestsTo('token')[0]?.basic?.clientSecret).toBe(SECRET);

    const jwtOnly = await newOp();
    jwtOnly.behave.discoveryOverrides = { token_endpoint_auth_methods_supported: ['private_key_jwt'] };
    expectRefusedAtSave(await saveConfig(h.url, await newOrg(), configFor(jwtOnly)));
  });

  it('#3 ES256- and PS256-signed ID tokens → OK', async () => {
    for (const alg of ['ES256', 'PS256'] as const) {
      const { op, org } = await configured({ alg });
      const r = await flow(org, op);
      expectIdentity(r.res, org, USER);
    }
  });
});

// ====================================================================== rows 4–12: ID token validation

describe('rows 4–12: ID token validation', () => {
  it('#4 wrong iss claim → REJ', async () => {
    const { op, org } = await configured();
    op.behave.idTokenClaims = { iss: 'https://evil.example' };
    await rejectedFlow(org, op);
    op.behave.idTokenClaims = { iss: `${op.issuer}/` };
    await rejectedFlow(org, op);
  });

  it('#5 aud wrong, aud missing, several audiences without azp → REJ (azp = client id → OK)', async () => {
    const { op, org } = await configured();
    op.behave.idTokenClaims = { aud: 'some-other-client' };
    await rejectedFlow(org, op);

    op.reset();
    op.behave.omitIdTokenClaims = ['aud'];
    await rejectedFlow(org, op);

    op.reset();
    op.behave.idTokenClaims = { aud: [CLIENT.clientId, 'some-other-client'] };
    await rejectedFlow(org, op);

    op.reset();
    op.behave.idTokenClaims = { aud: [CLIENT.clientId, 'some-other-client'], azp: 'some-other-client' };
    await rejectedFlow(org, op);

    op.reset();
    op.behave.idTokenClaims = { aud: [CLIENT.clientId, 'some-other-client'], azp: CLIENT.clientId };
    expectIdentity((await flow(org, op)).res, org, USER);
  });

  it('#6 no sub → REJ', async () => {
    const { op, org } = await configured();
    op.behave.omitIdTokenClaims = ['sub'];
    await rejectedFlow(org, op);
    op.behave.omitIdTokenClaims = [];
    op.behave.idTokenClaims = { sub: '' };
    await rejectedFlow(org, op);
  });

  it('#7 no iat; iat a day in the future → REJ', async () => {
    const { op, org } = await configured();
    op.behave.omitIdTokenClaims = ['iat'];
    await rejectedFlow(org, op);
    op.reset();
    const now = Math.floor(Date.now() / 1000);
    op.behave.idTokenClaims = { iat: now + 86_400, exp: now + 86_400 + 300 };
    await rejectedFlow(org, op);
  });

  it('#8 exp 10 minutes ago → REJ; exp 10 seconds ago → OK (clock tolerance)', async () => {
    const { op, org } = await configured();
    const now = Math.floor(Date.now() / 1000);
    op.behave.idTokenClaims = { iat: now - 900, exp: now - 600 };
    await rejectedFlow(org, op);
    op.reset();
    const later = Math.floor(Date.now() / 1000);
    op.behave.idTokenClaims = { iat: later - 60, exp: later - 10 };
    expectIdentity((await flow(org, op)).res, org, USER);
  });

  it('#9 nonce wrong or missing → REJ', async () => {
    const { op, org } = await configured();
    op.behave.idTokenClaims = { nonce: 'not-the-nonce-we-sent-0123456789abcdefghijklmnop' };
    const wrong = await rejectedFlow(org, op);
    expect(String(wrong.json?.message)).toMatch(/nonce/i);
    op.reset();
    op.behave.omitIdTokenClaims = ['nonce'];
    await rejectedFlow(org, op);
  });

  it('#10 alg none; HS256 signed with the client secret → REJ', async () => {
    const { op, org } = await configured();
    op.behave.signing = 'none';
    await rejectedFlow(org, op);
    op.reset();
    op.behave.signing = 'hs256-client-secret';
    await rejectedFlow(org, op);
  });

  it('#11 bad signature (RS256, ES256), tampered payload, key not in the JWKS → REJ', async () => {
    for (const alg of ['RS256', 'ES256'] as const) {
      const { op, org } = await configured({ alg });
      op.behave.signing = 'bad-signature';
      await rejectedFlow(org, op);
      op.behave.signing = 'tampered-payload';
      await rejectedFlow(org, op);
      op.behave.signing = 'unpublished-key';
      await rejectedFlow(org, op);
      // The token came straight from the token endpoint over a direct connection: still verified.
      expect(tokenCalls(op)).toBe(3);
    }
  });

  it('#12 no kid: one key in the JWKS → OK; two keys → REJ or the right key found by trying each', async () => {
    const one = await configured();
    one.op.behave.omitKid = true;
    expectIdentity((await flow(one.org, one.op)).res, one.org, USER);

    const two = await configured();
    await two.op.rotateKey({ keepOld: true });
    expect(two.op.keys.filter((k) => k.published)).toHaveLength(2);
    two.op.behave.omitKid = true;
    const r = await flow(two.org, two.op);
    if (r.res.status === 200) expectIdentity(r.res, two.org, USER);
    else expectRejected(r.res, r.secrets);

    // A token signed with a key that is not published, without kid, among two keys: always REJ.
    two.op.behave.signing = 'unpublished-key';
    await rejectedFlow(two.org, two.op);
  });
});

// ====================================================================== row 13: key rotation and kid floods

describe('row 13: JWKS refetch policy', () => {
  it('#13 key rotated → OK after one JWKS refetch; a flood of 70 unknown kids (50 in sequence, 20 at once) → bounded JWKS fetches', async () => {
    const { op, org } = await configured();
    expectIdentity((await flow(org, op)).res, org, USER);
    expect(op.requestsTo('jwks')).toHaveLength(1);

    await op.rotateKey();
    expectIdentity((await flow(org, op)).res, org, USER);
    expect(op.requestsTo('jwks')).toHaveLength(2);

    // A fresh OP, warm cache, then 50 logins whose tokens name random unknown kids.
    const flood = await configured();
    expectIdentity((await flow(flood.org, flood.op)).res, flood.org, USER);
    const before = flood.op.requestsTo('jwks').length;
    expect(before).toBe(1);
    for (let batch = 0; batch < 5; batch += 1) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const a = await authorize(h.url, flood.org, flood.op);
          remember(a.params.code, a.params.state);
          return a;
        }),
      ).then(async (logins) => {
        // The kid is chosen when the token is issued, i.e. at the callback; flip it per callback.
        for (const a of logins) {
          flood.op.behave.idTokenHeader = { kid: `unknown-${randomBytes(6).toString('hex')}` };
          const res = await callback(h.url, a.params);
          expectRejected(res, [SECRET, a.params.code, a.params.state]);
        }
      });
    }
    // And 20 more at once, all naming one fresh unknown kid.
    const burst = await Promise.all(Array.from({ length: 20 }, () => authorize(h.url, flood.org, flood.op)));
    flood.op.behave.idTokenHeader = { kid: `unknown-${randomBytes(6).toString('hex')}` };
    const burstResults = await Promise.all(burst.map((a) => callback(h.url, a.params)));
    burst.forEach((a, i) => {
      remember(a.params.code, a.params.state);
      expectRejected(burstResults[i] as RawResponse, [SECRET, a.params.code, a.params.state]);
    });
    const during = flood.op.requestsTo('jwks').length - before;
    expect(during, `JWKS fetched ${during} times for 70 unknown kids`).toBeLessThanOrEqual(2);
  });
});

// ====================================================================== rows 14–15: issuer identity

describe('rows 14–15: issuer identity', () => {
  it('#14 discovery issuer differs (trailing slash, another host) → CFG at save and at run time', async () => {
    const op = await newOp();
    const org = await newOrg();
    op.behave.discoveryOverrides = { issuer: `${op.issuer}/` };
    expectRefusedAtSave(await saveConfig(h.url, org, configFor(op)));
    op.behave.discoveryOverrides = { issuer: 'https://idp.example.com' };
    expectRefusedAtSave(await saveConfig(h.url, org, configFor(op)));
    // Configured with a trailing slash while the IdP's issuer has none.
    op.reset();
    expectRefusedAtSave(await saveConfig(h.url, org, configFor(op, { issuerUrl: `${op.issuer}/` })));
    expect((await raw(h.url, '/v1/sso/config', { headers: { authorization: `Bearer ${org.apiKey}` } })).status).toBe(
      404,
    );

    // Run time: saved while the IdP was right, then its discovery changes; a cold service refuses the login.
    const saved = await saveConfig(h.url, org, configFor(op));
    expect(saved.status, saved.text).toBe(201);
    op.behave.discoveryOverrides = { issuer: `${op.issuer}/` };
    await h.restart();
    op.requests.length = 0;
    expectRefusedAtLogin(await login(h.url, org));
    expect(op.requestsTo('authorize')).toHaveLength(0);
  });

  it('#15 iss authorization-response parameter present but wrong → REJ, no token call', async () => {
    const { op, org } = await configured();
    op.behave.authorizeIss = 'https://evil.example';
    const r = await flow(org, op);
    expect(r.params.iss).toBe('https://evil.example');
    expectRejected(r.res, r.secrets);
    expect(tokenCalls(op)).toBe(0);
    // The same login cannot be completed afterwards with the right iss either (state consumed).
    const retry = await callback(h.url, { ...r.params, iss: op.issuer });
    expectRejected(retry, r.secrets);
    expect(tokenCalls(op)).toBe(0);
  });
});

describe('row 15b: iss required when advertised', () => {
  it('#15b the IdP advertises the iss parameter but the response has none → REJ, no token call; the same login with iss → OK', async () => {
    const op = await newOp();
    op.behave.authorizeIss = 'omit';
    op.behave.discoveryOverrides = { authorization_response_iss_parameter_supported: true };
    const org = await newOrg();
    expect((await saveConfig(h.url, org, configFor(op))).status).toBe(201);
    const r = await flow(org, op);
    expect(r.params.iss).toBeUndefined();
    expectRejected(r.res, r.secrets, ['SSO_ERROR']);
    expect(r.res.status).toBe(400);
    expect(String(r.res.json?.message)).toMatch(/"iss" missing/);
    expect(tokenCalls(op)).toBe(0);
    // The member session callback refuses it the same way.
    const again = await authorize(h.url, org, op);
    remember(again.params.code, again.params.state);
    const post = await postJson(h.url, '/sso/callback/oidc', { code: again.params.code, state: again.params.state });
    expectRejected(post, [SECRET, again.params.code, again.params.state], ['SSO_ERROR']);
    expect(tokenCalls(op)).toBe(0);
    // With the iss the IdP promised, a fresh login completes.
    const good = await authorize(h.url, org, op);
    remember(good.params.code, good.params.state);
    expectIdentity(await callback(h.url, { ...good.params, iss: op.issuer }), org, USER);
  });
});

// ====================================================================== rows 16–17: state and code

describe('rows 16–17: state and code binding', () => {
  it('#16a state missing (absent or empty) → REJ, no token call', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    remember(a.params.code, a.params.state);
    for (const params of [{ code: a.params.code }, { code: a.params.code, state: '' }]) {
      const res = await callback(h.url, params);
      expectRejected(res, [SECRET, a.params.code, a.params.state]);
      expect(res.json?.message).toBe(MESSAGES.codeAndStateRequired);
    }
    expect(tokenCalls(op)).toBe(0);
    // The untouched login still works: nothing was consumed by the failed attempts.
    expectIdentity(await callback(h.url, a.params), org, USER);
  });

  it('#16b state tampered (bit flip, truncated, extended, foreign deployment) → REJ, no token call', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    const state = String(a.params.state);
    remember(a.params.code, state);
    const mid = Math.floor(state.length / 2);
    const flipped = state.slice(0, mid) + (state[mid] === 'A' ? 'B' : 'A') + state.slice(mid + 1);
    const other = await startHarness({ stateSecret: 'another-deployment-state-secret-0123456789ab' }, { logs });
    cleanups.push(() => other.close());
    const otherOrg = await signup(other.url);
    remember(otherOrg.apiKey);
    expect((await saveConfig(other.url, otherOrg, configFor(op))).status).toBe(201);
    const foreign = String((await authorize(other.url, otherOrg, op)).params.state);
    remember(foreign);
    for (const bad of [flipped, state.slice(0, -4), `${state}AAAA`, 'not-a-state', foreign, `${state}%00`]) {
      const res = await callback(h.url, { code: a.params.code, state: bad });
      expectRejected(res, [SECRET, a.params.code, state]);
      expect(res.status).toBe(400);
    }
    expect(tokenCalls(op)).toBe(0);
  });

  it('#16c state replayed → REJ, no further token call', async () => {
    const { op, org } = await configured();
    const r = await flow(org, op);
    expectIdentity(r.res, org, USER);
    expect(tokenCalls(op)).toBe(1);
    for (let i = 0; i < 3; i += 1) {
      const res = await callback(h.url, r.params);
      expectRejected(res, r.secrets);
      expect(res.json?.message).toBe(MESSAGES.stateExpiredOrUsed);
    }
    expect(tokenCalls(op)).toBe(1);
  });

  it('#16d state expired (> 10 min, via the service clock) → REJ with the expired message, no token call', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    remember(a.params.code, a.params.state);
    h.clock.offsetMs = 10 * 60_000 + 5_000;
    const res = await callback(h.url, a.params);
    expectRejected(res, [SECRET, a.params.code, a.params.state]);
    expect(res.json?.message).toBe(MESSAGES.stateExpiredOrUsed);
    expect(tokenCalls(op)).toBe(0);
  });

  it('#16e IdP mix-up: org A’s code with a state for the attacker’s connection, at org A’s own redirect URI → REJ before any token request; no session', async () => {
    const tag = randomBytes(4).toString('hex');
    const uriA = `${CONSOLE_URL}/sso/callback/victim-${tag}`;
    const uriB = `${CONSOLE_URL}/sso/callback/attacker-${tag}`;
    // Org A's honest IdP registers only org A's redirect URI and sends no RFC 9207 iss (nor advertises it).
    const opA = await newOp({ clients: [{ ...CLIENT, redirectUris: [uriA] }] });
    opA.behave.authorizeIss = 'omit';
    // The attacker's OP: another org's connection, configured by the attacker.
    const opB = await newOp({ clients: [{ ...CLIENT, redirectUris: [uriB] }] });
    const orgA = await newOrg();
    const orgB = await newOrg();
    for (const [org, op, redirectUri] of [
      [orgA, opA, uriA],
      [orgB, opB, uriB],
    ] as const) {
      const created = await postJson(
        h.url,
        '/v1/sso/connections',
        { name: 'IdP', protocol: 'oidc', ...configFor(op, { redirectUri }) },
        org.apiKey,
      );
      expect(created.status, created.text).toBe(201);
      expect(created.json?.redirectUri).toBe(redirectUri);
    }

    // 1. The attacker starts a login of its own at org A and keeps its authorize URL (A's client_id,
    //    redirect URI, nonce and code_challenge).
    const attackersLoginAtA = new URL(String((await login(h.url, orgA)).json?.authorizeUrl));
    // 2. The member is lured to the attacker's org: a login on the attacker's connection, whose state the
    //    member's browser carries to the attacker's authorize endpoint.
    const stateB = new URL(String((await login(h.url, orgB)).json?.authorizeUrl)).searchParams.get('state') ?? '';
    // 3. The attacker's authorize endpoint sends the member on to org A's IdP with the attacker's A parameters
    //    and the member's state; the member signs in there and org A's IdP answers at org A's redirect URI.
    const forged = new URL(attackersLoginAtA);
    forged.searchParams.set('state', stateB);
    const returned = await opA.driveAuthorize(forged);
    expect(returned.origin + returned.pathname).toBe(uriA);
    expect(returned.searchParams.has('iss')).toBe(false);
    const code = returned.searchParams.get('code') ?? '';
    expect(code).not.toBe('');
    remember(code, stateB);
    const secrets = [SECRET, code, stateB, orgA.apiKey, orgB.apiKey];

    // 4. The console forwards the response with the URI it arrived at: refused, whichever callback is used.
    const answers = [
      await raw(h.url, `/sso/callback?${new URLSearchParams({ code, state: stateB, redirect_uri: uriA })}`),
      await postJson(h.url, '/sso/callback/oidc', { code, state: stateB, redirect_uri: uriA }),
      await raw(h.url, '/sso/callback/oidc', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code, state: stateB, redirect_uri: uriA }).toString(),
      }),
      // The attacker's state arriving at the shared (legacy) URI: the attacker's connection holds its own URI.
      await raw(h.url, `/sso/callback?${new URLSearchParams({ code, state: stateB, redirect_uri: REDIRECT_URI })}`),
    ];
    for (const res of answers) {
      expectRejected(res, secrets, ['SSO_ERROR']);
      expect(res.status).toBe(400);
      expect(res.json?.message).toBe(SESSION_MESSAGES.redirectUriMismatch);
    }
    // Org A's code reached no token endpoint: not the attacker's (which would finish its own org-A login with
    // it), not org A's.
    expect(tokenCalls(opB)).toBe(0);
    expect(tokenCalls(opA)).toBe(0);
    // Nobody is signed in anywhere.
    for (const org of [orgA, orgB])
      expect((await getWithKey(h.url, '/v1/sso/sessions', org.apiKey)).json).toEqual({ sessions: [] });
    // The sign-in log says why, on the attacker's connection (the state names it).
    const refused = (await readStoredEvents(h)).filter((e) => e.developer_id === orgB.developerId);
    expect(refused.some((e) => e.reason === 'redirect_uri_mismatch')).toBe(true);

    // The honest login at org A is unaffected: its own state at its own URI completes (one token request,
    // with that URI and a PKCE verifier).
    const honest = await authorize(h.url, orgA, opA);
    remember(honest.params.code, honest.params.state);
    const ok = await raw(
      h.url,
      `/sso/callback?${new URLSearchParams({ code: String(honest.params.code), state: String(honest.params.state), redirect_uri: uriA })}`,
    );
    expectIdentity(ok, orgA, USER);
    expect(opA.requestsTo('token').map((t) => t.form?.redirect_uri)).toEqual([uriA]);
    expect(tokenCalls(opB)).toBe(0);
  });

  it('#16f state issued for another org, with the RFC 9207 iss forwarded → REJ, the code never reaches an IdP', async () => {
    const a = await configured();
    const b = await configured();
    const loginA = await authorize(h.url, a.org, a.op);
    const loginB = await authorize(h.url, b.org, b.op);
    remember(loginA.params.code, loginA.params.state, loginB.params.code, loginB.params.state);
    const withIss = await callback(h.url, {
      code: loginA.params.code,
      state: loginB.params.state,
      iss: loginA.params.iss,
    });
    expectRejected(withIss, [SECRET, loginA.params.code, loginB.params.state]);
    expect(tokenCalls(a.op)).toBe(0);
    expect(tokenCalls(b.op)).toBe(0);
  });

  it('#16g a legacy connection on the shared redirect URI still completes its own login (redirect_uri = the shared URI, or absent)', async () => {
    const { op, org } = await configured();
    for (const redirectUri of [REDIRECT_URI, undefined]) {
      const a = await authorize(h.url, org, op);
      remember(a.params.code, a.params.state);
      const q = new URLSearchParams({
        code: String(a.params.code),
        state: String(a.params.state),
        iss: String(a.params.iss),
      });
      if (redirectUri) q.set('redirect_uri', redirectUri);
      expectIdentity(await raw(h.url, `/sso/callback?${q}`), org, USER);
    }
    expect(tokenCalls(op)).toBe(2);
  });

  it('#17 authorization code replayed → never redeemed twice; REJ', async () => {
    const { op, org } = await configured();
    const r = await flow(org, op);
    expectIdentity(r.res, org, USER);

    // The same code with a fresh, valid state: the IdP refuses the second redemption.
    const fresh = await authorize(h.url, org, op);
    remember(fresh.params.code, fresh.params.state);
    const replay = await callback(h.url, { code: r.params.code, state: fresh.params.state, iss: r.params.iss });
    expectRejected(replay, [SECRET, r.params.code, fresh.params.state]);

    // A failed callback retried (as SDKs do): the real error again, and no second token request.
    op.behave.token = { kind: 'raw', status: 500, body: 'down' };
    const failed = await flow(org, op);
    expectRejected(failed.res, failed.secrets);
    op.behave.token = { kind: 'normal' };
    const callsAfterFailure = tokenCalls(op);
    const retried = await callback(h.url, failed.params);
    expectRejected(retried, failed.secrets);
    expect(retried.status).toBe(failed.res.status);
    expect(retried.json?.message).toBe(failed.res.json?.message);
    expect(tokenCalls(op)).toBe(callsAfterFailure);

    // Ten concurrent callbacks with one code and state: exactly one redemption, one identity.
    const once = await authorize(h.url, org, op);
    remember(once.params.code, once.params.state);
    const before = tokenCalls(op);
    const results = await Promise.all(Array.from({ length: 10 }, () => callback(h.url, once.params)));
    expect(results.filter((x) => x.status === 200)).toHaveLength(1);
    for (const x of results.filter((y) => y.status !== 200))
      expectRejected(x, [SECRET, once.params.code, once.params.state]);
    expect(tokenCalls(op) - before).toBe(1);
  });
});

// ====================================================================== rows 19–21: broken token/JWKS/discovery endpoints

describe('rows 19–21: failing IdP endpoints', () => {
  it('#19 token endpoint answers 500 / HTML / JSON without id_token / an OAuth error → UNAV/REJ', async () => {
    const { op, org } = await configured();
    const marker = `LEAK-${randomBytes(4).toString('hex')}`;
    const modes = [
      { kind: 'raw', status: 500, body: `<h1>Internal error ${marker}</h1>` },
      { kind: 'raw', status: 200, body: `<html><body>Welcome ${marker}</body></html>` },
      { kind: 'json', body: { access_token: marker, token_type: 'Bearer', expires_in: 300 } },
      { kind: 'json', status: 400, body: { error: 'invalid_grant', error_description: `nope ${marker}` } },
    ] as const;
    for (const mode of modes) {
      op.behave.token = mode;
      const r = await flow(org, op);
      expectRejected(r.res, [...r.secrets, marker]);
      expect(r.res.status).toBeGreaterThanOrEqual(500);
      expect(r.res.json?.code).toBe('SSO_ERROR');
    }
  });

  it('#20a token endpoint hangs → 5xx well before 60 s', async () => {
    const { op, org } = await configured();
    op.behave.token = { kind: 'hang' };
    const r = await flow(org, op);
    expectUnavailable(r.res, 20_000, r.secrets);
  });

  it('#20b JWKS hangs: a warm JWKS cache keeps working; a cold one answers 5xx quickly', async () => {
    const warm = await configured();
    expectIdentity((await flow(warm.org, warm.op)).res, warm.org, USER);
    warm.op.behave.jwks = { kind: 'hang' };
    const second = await flow(warm.org, warm.op);
    expectIdentity(second.res, warm.org, USER);
    expect(second.res.ms).toBeLessThan(5_000);

    const cold = await configured();
    cold.op.behave.jwks = { kind: 'hang' };
    const r = await flow(cold.org, cold.op);
    expectUnavailable(r.res, 20_000, r.secrets);
  });

  it('#20c discovery hangs at login (cold cache) → 5xx well before 60 s', async () => {
    const { op, org } = await configured();
    op.behave.discovery = { kind: 'hang' };
    await h.restart();
    const res = await login(h.url, org);
    expectUnavailable(res, 20_000, [SECRET]);
  });

  it('#21a discovery of 50 MB / endless → aborted at a small cap: CFG at save and at run time, heap flat', async () => {
    const op = await newOp();
    const org = await newOrg();
    for (const mode of [{ kind: 'huge' } as const, { kind: 'endless' } as const]) {
      op.behave.discovery = mode;
      const { value: res, growth } = await peakHeapGrowth(() => saveConfig(h.url, org, configFor(op)));
      expectRefusedAtSave(res);
      expect(res.ms).toBeLessThan(15_000);
      expect(growth, `heap grew ${growth} bytes`).toBeLessThan(30 * 1024 * 1024);
    }
    op.reset();
    expect((await saveConfig(h.url, org, configFor(op))).status).toBe(201);
    op.behave.discovery = { kind: 'endless' };
    await h.restart();
    const { value: res, growth } = await peakHeapGrowth(() => login(h.url, org));
    expectRefusedAtLogin(res);
    expect(growth).toBeLessThan(30 * 1024 * 1024);
  });

  it('#21b JWKS of 50 MB / endless → aborted, login fails 5xx, heap flat', async () => {
    for (const mode of [{ kind: 'huge' } as const, { kind: 'endless' } as const]) {
      const { op, org } = await configured();
      op.behave.jwks = mode;
      const { value: r, growth } = await peakHeapGrowth(() => flow(org, op));
      expectRejected(r.res, r.secrets);
      expect(r.res.status).toBeGreaterThanOrEqual(500);
      expect(r.res.ms).toBeLessThan(15_000);
      expect(growth, `heap grew ${growth} bytes`).toBeLessThan(30 * 1024 * 1024);
    }
  });

  it('#21c token response of 50 MB / endless → aborted, login fails 5xx, heap flat', async () => {
    const { op, org } = await configured();
    for (const mode of [{ kind: 'huge' } as const, { kind: 'endless' } as const]) {
      op.behave.token = mode;
      const { value: r, growth } = await peakHeapGrowth(() => flow(org, op));
      expectRejected(r.res, r.secrets);
      expect(r.res.status).toBeGreaterThanOrEqual(500);
      expect(r.res.ms).toBeLessThan(15_000);
      expect(growth, `heap grew ${growth} bytes`).toBeLessThan(30 * 1024 * 1024);
    }
  });
});

// ====================================================================== rows 22–23: SSRF and transport

const PROD_KEYS = { devMode: false, ...TEST_KEYS };

describe('rows 22–23: addresses and schemes', () => {
  it('#22a issuer on 169.254.169.254 / 10.x / [::ffff:…] → CFG at save', async () => {
    const org = await newOrg();
    const base = { clientId: CLIENT.clientId, clientSecret: SECRET, redirectUri: REDIRECT_URI };
    for (const issuerUrl of [
      'http://169.254.169.254',
      'http://169.254.169.254/latest/meta-data',
      'https://169.254.169.254',
      'http://10.0.0.5:8080',
      'https://10.1.2.3/realms/x',
      'https://[::ffff:169.254.169.254]',
      'https://[::ffff:a9fe:a9fe]',
      'http://[::ffff:10.0.0.1]',
      'https://[fd00::1]',
      'https://192.168.1.10',
      'https://100.64.0.1',
    ]) {
      const res = await saveConfig(h.url, org, { ...base, issuerUrl });
      expect(res.status, `${issuerUrl}: ${res.text}`).toBe(400);
      expect(String(res.json?.message)).toMatch(/issuerUrl/);
    }
    expect((await raw(h.url, '/v1/sso/config', { headers: { authorization: `Bearer ${org.apiKey}` } })).status).toBe(
      404,
    );
  });

  it('#22b a discovered endpoint on a blocked address → CFG at save and at run time', async () => {
    const op = await newOp();
    const org = await newOrg();
    const overrides = [
      { token_endpoint: 'http://169.254.169.254/latest/meta-data/iam' },
      { jwks_uri: 'http://10.0.0.7/jwks' },
      { token_endpoint: 'https://[::ffff:169.254.169.254]/token' },
      { jwks_uri: 'https://[::ffff:a9fe:a9fe]/jwks' },
      { userinfo_endpoint: 'https://10.20.30.40/userinfo' },
      { token_endpoint: 'https://192.168.0.1/token' },
    ];
    for (const o of overrides) {
      op.behave.discoveryOverrides = o;
      const res = await saveConfig(h.url, org, configFor(op));
      expect(res.status, `${JSON.stringify(o)}: ${res.text}`).toBe(400);
    }
    op.reset();
    expect((await saveConfig(h.url, org, configFor(op))).status).toBe(201);
    // Run time: the IdP moves its token endpoint to the metadata address after the save.
    op.behave.discoveryOverrides = { token_endpoint: 'http://169.254.169.254/latest/meta-data/iam' };
    await h.restart();
    expectRefusedAtLogin(await login(h.url, org));
    op.behave.discoveryOverrides = { jwks_uri: 'http://10.0.0.7/jwks' };
    await h.restart();
    expectRefusedAtLogin(await login(h.url, org));
  });

  it('#22c redirects are never followed: discovery 302 → CFG; token/JWKS 302 → REJ; the target is never contacted', async () => {
    const target = await canary();
    const op = await newOp();
    const org = await newOrg();
    for (const location of [
      'http://169.254.169.254/latest/meta-data/',
      `${target.url}/.well-known/openid-configuration`,
      'http://10.0.0.1/',
    ]) {
      op.behave.discovery = { kind: 'redirect', location };
      expectRefusedAtSave(await saveConfig(h.url, org, configFor(op)));
    }
    op.reset();
    expect((await saveConfig(h.url, org, configFor(op))).status).toBe(201);

    op.behave.token = { kind: 'redirect', location: `${target.url}/token`, status: 307 };
    let r = await flow(org, op);
    expectRejected(r.res, r.secrets);
    op.behave.token = { kind: 'redirect', location: 'http://169.254.169.254/latest/meta-data/' };
    r = await flow(org, op);
    expectRejected(r.res, r.secrets);

    op.reset();
    op.behave.jwks = { kind: 'redirect', location: `${target.url}/jwks` };
    r = await flow(org, op);
    expectRejected(r.res, r.secrets);
    expect(target.hits, 'the redirect target was contacted').toEqual([]);
  });

  it('#22d loopback issuers are refused without development mode ([::ffff:127.0.0.1], 127.0.0.1, localhost, a name resolving to loopback)', async () => {
    const prod = await startHarness(PROD_KEYS, { logs });
    cleanups.push(() => prod.close());
    const org = await signup(prod.url);
    remember(org.apiKey);
    const base = {
      clientId: CLIENT.clientId,
      clientSecret: SECRET,
      redirectUri: 'https://app.example.com/sso/callback',
    };
    for (const issuerUrl of [
      'https://[::ffff:127.0.0.1]:8443',
      'https://[::ffff:7f00:1]',
      'https://127.0.0.1:8443',
      'https://127.1.2.3',
      'https://[::1]',
      'https://localhost:8443',
      'https://idp.localhost',
      'https://169.254.169.254',
    ]) {
      const res = await saveConfig(prod.url, org, { ...base, issuerUrl });
      expect(res.status, `${issuerUrl}: ${res.text}`).toBe(400);
    }
    // A DNS name that resolves to loopback passes the URL rules; the address check at fetch time stops it.
    const host = os.hostname();
    const addresses = await dns.lookup(host, { all: true }).catch(() => []);
    if (addresses.length > 0 && addresses.every((a) => a.address.startsWith('127.') || a.address === '::1')) {
      const res = await saveConfig(prod.url, org, { ...base, issuerUrl: `https://${host}:8443` });
      expect(res.status, res.text).toBe(400);
      expect(String(res.json?.message)).toMatch(/private|loopback|address/i);
    }
  });

  it('#22e / #23 a config saved in development (loopback http) is refused at run time by a production service', async () => {
    const op = await newOp();
    const dev = await startHarness({ ...TEST_KEYS }, { logs });
    cleanups.push(() => dev.close());
    const org = await signup(dev.url);
    remember(org.apiKey);
    expect((await saveConfig(dev.url, org, configFor(op))).status).toBe(201);
    expectIdentity((await runFlow(dev.url, org, op)).res, org, USER);

    op.requests.length = 0;
    await dev.restart({ ...PROD_KEYS });
    expectRefusedAtLogin(await login(dev.url, org));
    expect(op.requests, 'the production service contacted a loopback http IdP').toEqual([]);
  });

  it('#23 http issuer refused with devMode false; loopback http accepted in development mode', async () => {
    const prod = await startHarness(PROD_KEYS, { logs });
    cleanups.push(() => prod.close());
    const op = await newOp();
    const org = await signup(prod.url);
    remember(org.apiKey);
    for (const issuerUrl of ['http://idp.example.com', op.issuer, 'http://localhost:8080']) {
      const res = await saveConfig(prod.url, org, {
        ...configFor(op),
        issuerUrl,
        redirectUri: 'https://app.example.com/cb',
      });
      expect(res.status, `${issuerUrl}: ${res.text}`).toBe(400);
      expect(String(res.json?.message)).toMatch(/issuerUrl/);
    }
    expect(op.requests).toEqual([]);

    // Development mode: plain http only for loopback.
    const devOrg = await newOrg();
    const remote = await saveConfig(h.url, devOrg, { ...configFor(op), issuerUrl: 'http://idp.example.com' });
    expect(remote.status, remote.text).toBe(400);
    expect((await saveConfig(h.url, devOrg, configFor(op))).status).toBe(201);
    expectIdentity((await flow(devOrg, op)).res, devOrg, USER);
  });
});

// ====================================================================== rows 18 and 25 at the service level (the pages are the console's)

describe('rows 18 and 25 (service level; the rendering is covered by Playwright)', () => {
  it('#18 (service) error=access_denied&error_description=<script> reaching the callback → 400, nothing echoed, no token call', async () => {
    const { op, org } = await configured();
    op.behave.authorizeError = { error: 'access_denied', error_description: '<script>alert(1)</script>' };
    const a = await authorize(h.url, org, op);
    remember(a.params.state);
    expect(a.returned.searchParams.get('error')).toBe('access_denied');
    const q = new URLSearchParams(a.returned.search);
    const res = await raw(h.url, `/sso/callback?${q.toString()}`);
    expectRejected(res, [SECRET, a.params.state]);
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<script>');
    expect(tokenCalls(op)).toBe(0);
  });

  it('#25 (service) hostile claims come back as inert JSON (nosniff, CSP), non-string claims as null', async () => {
    const { op, org } = await configured();
    op.behave.user = {
      ...op.behave.user,
      name: '<img src=x onerror=alert(1)>\u202egnp.exe',
      email: '"><script>alert(1)</script>',
    };
    const r = await flow(org, op);
    expect(r.res.status, r.res.text).toBe(200);
    expect(r.res.headers['content-type']).toMatch(/^application\/json/);
    expect(r.res.headers['x-content-type-options']).toBe('nosniff');
    expect(String(r.res.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(r.res.json?.name).toBe('<img src=x onerror=alert(1)>\u202egnp.exe');

    op.reset();
    op.behave.idTokenClaims = { name: { html: '<b>x</b>' }, email: ['a@example.com', 'b@example.com'] };
    const odd = await flow(org, op);
    expect(odd.res.status, odd.res.text).toBe(200);
    expect(odd.res.json).toMatchObject({ sub: USER.sub, name: null, email: null });
  });
});

// ====================================================================== row 29: IdP-error reports and the sign-in log

describe('row 29 (service level)', () => {
  const reportError = (state: string) =>
    raw(
      h.url,
      `/sso/callback?${new URLSearchParams({ error: 'access_denied', error_description: 'forged', state }).toString()}`,
    );
  const reasons = async (org: Org) => {
    await new Promise((r) => setTimeout(r, 400));
    const res = await getWithKey(h.url, '/v1/sso/events', org.apiKey);
    expect(res.status, res.text).toBe(200);
    return ((res.json?.events ?? []) as Array<{ reason: string | null }>).map((e) => e.reason).sort();
  };

  it('#29 IdP-error reports with another org’s forged, expired or used state → REJ, nothing filed; a fresh state takes one report only', async () => {
    const { op, org } = await configured();
    const used = await flow(org, op);
    expectIdentity(used.res, org, USER);
    const freshState = async () => {
      const state = new URL(String((await login(h.url, org)).json?.authorizeUrl)).searchParams.get('state') ?? '';
      remember(state);
      return state;
    };
    const expired = await freshState();
    const tampered = `${(await freshState()).slice(0, -4)}AAAA`;
    for (const state of [String(used.params.state), tampered]) expect((await reportError(state)).status).toBe(400);
    h.clock.offsetMs = 10 * 60_000 + 5_000;
    try {
      const res = await reportError(expired);
      expect(res.status).toBe(400);
      expect(res.json?.message).toBe(MESSAGES.stateExpiredOrUsed);
    } finally {
      h.clock.offsetMs = 0;
    }
    expect(await reasons(org)).toEqual([null]); // the one sign-in, nothing else

    const fresh = await freshState();
    expect((await reportError(fresh)).json?.code).toBe('SSO_ERROR');
    const again = await reportError(fresh);
    expect(again.status).toBe(400);
    expect(again.json?.message).toBe(MESSAGES.stateExpiredOrUsed);
    expect((await callback(h.url, { code: 'outsider-code', state: fresh })).status).toBe(400);
    expect(tokenCalls(op)).toBe(1);
    expect(await reasons(org)).toEqual(['idp_error', 'state_replayed', null].sort());
  });
});

// ====================================================================== row 24: redirect URI is the stored one

describe('row 24 (service level)', () => {
  it('#24 callback with a spoofed Host / X-Forwarded-Host → the token request uses the stored redirect URI', async () => {
    const { op, org } = await configured();
    const a = await authorize(h.url, org, op);
    remember(a.params.code, a.params.state);
    const res = await callback(h.url, a.params, {
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
    });
    expectIdentity(res, org, USER);
    expect(op.requestsTo('token')[0]?.form?.redirect_uri).toBe(REDIRECT_URI);

    // The authorization URL does not depend on the Host header either.
    const spoofedLogin = await raw(h.url, `/sso/login?org=${org.developerId}`, {
      headers: { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
    });
    expect(spoofedLogin.status).toBe(200);
    expect(new URL(String(spoofedLogin.json?.authorizeUrl)).searchParams.get('redirect_uri')).toBe(REDIRECT_URI);

    // A login asking for another redirect URI is refused before any state is issued.
    const other = await login(h.url, org, `&redirect_uri=${encodeURIComponent('https://evil.example/sso/callback')}`);
    expect(other.status).toBe(400);
    expect(other.json).not.toHaveProperty('authorizeUrl');
  });
});

// ====================================================================== row 28: rate limits

describe('row 28: rate limits', () => {
  it('#28 429 + Retry-After + RATE_LIMITED on /sso/login and /sso/callback; another client IP unaffected; untrusted X-Forwarded-For ignored', async () => {
    const limited = await startHarness(
      {
        rateLimit: { enabled: true, signupPerMin: 100, loginPerMin: 3, callbackPerMin: 3 },
        trustedProxies: ['127.0.0.1'],
      },
      { logs },
    );
    cleanups.push(() => limited.close());
    const op = await newOp();
    const org = await signup(limited.url);
    remember(org.apiKey);
    expect((await saveConfig(limited.url, org, configFor(op))).status).toBe(201);
    const as = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const loginPath = `/sso/login?org=${org.developerId}`;

    const expect429 = (res: RawResponse) => {
      expect(res.status, res.text).toBe(429);
      expect(res.json?.code).toBe('RATE_LIMITED');
      expect(res.json?.message).toBe(MESSAGES.rateLimited);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    };

    for (let i = 0; i < 3; i += 1) expect((await raw(limited.url, loginPath, as('203.0.113.7'))).status).toBe(200);
    expect429(await raw(limited.url, loginPath, as('203.0.113.7')));
    // Another client (a different address reported by the trusted proxy) is unaffected, for this org and another.
    expect((await raw(limited.url, loginPath, as('203.0.113.8'))).status).toBe(200);
    const otherOrg = await signup(limited.url);
    remember(otherOrg.apiKey);
    expect((await saveConfig(limited.url, otherOrg, configFor(op))).status).toBe(201);
    expect((await raw(limited.url, `/sso/login?org=${otherOrg.developerId}`, as('203.0.113.12'))).status).toBe(200);
    // The limited client cannot escape by prepending its own X-Forwarded-For entries (the proxy appends the real one).
    for (let i = 1; i <= 3; i += 1) {
      expect429(await raw(limited.url, loginPath, as(`198.51.100.${i}, 203.0.113.7`)));
    }

    const junk = callbackPath({ code: 'x', state: 'y' });
    for (let i = 0; i < 3; i += 1) expect((await raw(limited.url, junk, as('203.0.113.9'))).status).toBe(400);
    expect429(await raw(limited.url, junk, as('203.0.113.9')));
    expect((await raw(limited.url, junk, as('203.0.113.10'))).status).toBe(400);
    // A real login from the other client still completes.
    const a = await authorize(limited.url, org, op);
    remember(a.params.code, a.params.state);
    expectIdentity(await callback(limited.url, a.params, as('203.0.113.11')), org, USER);

    // An untrusted peer (127.0.0.2) cannot pick a fresh bucket with X-Forwarded-For.
    const peer = (i: number) => ({ localAddress: '127.0.0.2', headers: { 'x-forwarded-for': `198.51.100.${i}` } });
    const statuses: number[] = [];
    for (let i = 1; i <= 5; i += 1) statuses.push((await raw(limited.url, loginPath, peer(i))).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});

function callbackPath(p: { code: string; state: string }): string {
  return `/sso/callback?${new URLSearchParams(p).toString()}`;
}

// ====================================================================== logs

describe('logs', () => {
  it('service log lines contain no client secret, API key, code or state', () => {
    expectCleanLogs(logs, sensitive, 20);
  });
  it('stored sign-in and audit events (the sign-in log) contain no secret, API key, code, state, token or signature', async () => {
    expectCleanEvents(await readStoredEvents(h), sensitive, 30);
  });
});
