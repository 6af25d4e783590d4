import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGES, ssoCallbackResponseSchema, ssoLoginResponseSchema } from '@/lib/contract';
import {
  json,
  RpError,
  saveConfig,
  signup,
  startTestService,
  TEST_KEYS,
  VALID_CONFIG,
  type TestService,
} from './service-harness';

let clock = Date.now();
let svc: TestService;
let org: { developerId: string; apiKey: string };

beforeAll(async () => {
  svc = await startTestService({ now: () => clock, ...TEST_KEYS });
  org = await signup(svc.url);
  expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
});
afterAll(async () => {
  await svc?.close();
});
beforeEach(() => {
  clock = Date.now();
  svc.rp.calls.length = 0;
  svc.rp.authorizeError = null;
  svc.rp.redeemResult = { sub: 'user-1', email: 'user@example.com', emailVerified: true, name: 'User One' };
});

const get = (path: string) => fetch(`${svc.url}${path}`);

async function startLogin(query = `org=${org.developerId}`) {
  const res = await get(`/sso/login?${query}`);
  expect(res.status).toBe(200);
  const body = ssoLoginResponseSchema.parse(await res.json());
  const state = new URL(body.authorizeUrl).searchParams.get('state');
  if (!state) throw new Error('no state in authorize URL');
  return { body, state };
}

const callback = (state: string, code = 'code-123', extra = '') =>
  get(`/sso/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}${extra}`);

const redeemCalls = () => svc.rp.calls.filter((c) => c.method === 'redeem').length;

describe('GET /sso/login', () => {
  it('answers an authorization URL with the configured redirect URI and a stable connection id', async () => {
    const { body } = await startLogin();
    expect(body.protocol).toBe('oidc');
    expect(body.connectionId).toMatch(/^conn_/);
    expect(new URL(body.authorizeUrl).searchParams.get('redirect_uri')).toBe(VALID_CONFIG.redirectUri);
    const call = svc.rp.calls.find((c) => c.method === 'authorizationUrl');
    const [cfg, p] = call?.args as [Record<string, string>, Record<string, string>];
    // The relying party gets the decrypted secret; nonce and verifier are fresh 32-byte values.
    expect(cfg.clientSecret).toBe(VALID_CONFIG.clientSecret);
    expect(p.nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.nonce).not.toBe(p.codeVerifier);

    const again = await startLogin();
    expect(again.body.connectionId).toBe(body.connectionId);
    expect(again.state).not.toBe(new URL(body.authorizeUrl).searchParams.get('state'));

    // An update keeps the connection id.
    expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
    expect((await startLogin()).body.connectionId).toBe(body.connectionId);
  });

  it('accepts the configured redirect_uri (or an empty one) and rejects any other', async () => {
    await startLogin(`org=${org.developerId}&redirect_uri=${encodeURIComponent(VALID_CONFIG.redirectUri)}`);
    await startLogin(`org=${org.developerId}&redirect_uri=`);
    const res = await get(
      `/sso/login?org=${org.developerId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`,
    );
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain('redirect_uri');
  });

  it('400 without org, 404 for an org without SSO', async () => {
    const missing = await get('/sso/login');
    expect(missing.status).toBe(400);
    expect(await json(missing)).toMatchObject({ code: 'BAD_REQUEST', message: MESSAGES.orgRequired });
    expect((await get('/sso/login?org=')).status).toBe(400);

    const other = await signup(svc.url);
    for (const o of [other.developerId, 'dev_nope', 'x'.repeat(500)]) {
      const res = await get(`/sso/login?org=${o}`);
      expect(res.status).toBe(404);
      expect(await json(res)).toMatchObject({ code: 'NOT_FOUND', message: MESSAGES.ssoNotConfigured });
    }
  });

  it('maps a relying-party failure to its status with SSO_ERROR', async () => {
    svc.rp.authorizeError = new RpError('discovery_failed', 503, 'The identity provider is unavailable');
    const res = await get(`/sso/login?org=${org.developerId}`);
    expect(res.status).toBe(503);
    expect(await json(res)).toMatchObject({ code: 'SSO_ERROR', message: 'The identity provider is unavailable' });
  });

  it('an unexpected failure is a generic 500', async () => {
    svc.rp.authorizeError = new Error(`boom ${VALID_CONFIG.clientSecret}`);
    const res = await get(`/sso/login?org=${org.developerId}`);
    expect(res.status).toBe(500);
    const body = await json(res);
    expect(body).toMatchObject({ code: 'INTERNAL_ERROR', message: MESSAGES.internal });
    expect(JSON.stringify(body)).not.toContain('boom');
  });
});

describe('GET /sso/callback', () => {
  it('redeems once and answers the identity; a replay is refused without a second redeem', async () => {
    const { state } = await startLogin();
    const res = await callback(state, 'the-code', '&iss=' + encodeURIComponent(VALID_CONFIG.issuerUrl));
    expect(res.status).toBe(200);
    const identity = ssoCallbackResponseSchema.parse(await res.json());
    expect(identity).toEqual({
      developerId: org.developerId,
      email: 'user@example.com',
      emailVerified: true,
      name: 'User One',
      sub: 'user-1',
    });
    const redeem = svc.rp.calls.find((c) => c.method === 'redeem');
    const [cfg, p] = redeem?.args as [Record<string, string>, Record<string, string>];
    expect(cfg.redirectUri).toBe(VALID_CONFIG.redirectUri);
    expect(p).toMatchObject({ code: 'the-code', state, iss: VALID_CONFIG.issuerUrl });
    const login = svc.rp.calls.find((c) => c.method === 'authorizationUrl');
    expect(p.nonce).toBe((login?.args[1] as Record<string, string>).nonce);
    expect(p.codeVerifier).toBe((login?.args[1] as Record<string, string>).codeVerifier);

    const replay = await callback(state, 'the-code');
    expect(replay.status).toBe(400);
    expect((await json(replay)).message).toBe(MESSAGES.stateExpiredOrUsed);
    expect(redeemCalls()).toBe(1);
  });

  it('absent claims are null', async () => {
    svc.rp.redeemResult = { sub: 'only-sub', email: null, emailVerified: false, name: null };
    const { state } = await startLogin();
    expect(await json(await callback(state))).toEqual({
      developerId: org.developerId,
      email: null,
      emailVerified: false,
      name: null,
      sub: 'only-sub',
    });
  });

  it('400 when code or state is missing', async () => {
    for (const q of ['', '?code=x', '?state=y', '?code=&state=y']) {
      const res = await get(`/sso/callback${q}`);
      expect(res.status).toBe(400);
      expect((await json(res)).message).toBe(MESSAGES.codeAndStateRequired);
    }
  });

  it('400 for garbage and tampered states, without calling the IdP', async () => {
    const { state } = await startLogin();
    const chars = state.split('');
    const i = Math.floor(chars.length / 2);
    chars[i] = chars[i] === 'A' ? 'B' : 'A';
    for (const bad of ['garbage', 'AAAA', chars.join(''), state.slice(0, -4), 'x'.repeat(5000)]) {
      const res = await callback(bad);
      expect(res.status).toBe(400);
      expect((await json(res)).message).toBe(MESSAGES.invalidState);
    }
    expect(redeemCalls()).toBe(0);
  });

  it('400 for a state sealed with another secret', async () => {
    const foreign = await startTestService({
      stateSecret: 'another-secret-'.repeat(3),
      encryptionKey: TEST_KEYS.encryptionKey,
    });
    try {
      const dev = await signup(foreign.url);
      await saveConfig(foreign.url, dev.apiKey);
      const res = await fetch(`${foreign.url}/sso/login?org=${dev.developerId}`);
      const state = new URL(((await res.json()) as { authorizeUrl: string }).authorizeUrl).searchParams.get('state');
      const cb = await callback(state ?? '');
      expect(cb.status).toBe(400);
      expect((await json(cb)).message).toBe(MESSAGES.invalidState);
    } finally {
      await foreign.close();
    }
  });

  it('400 for an expired state (10 minutes), without calling the IdP', async () => {
    const { state } = await startLogin();
    clock += 10 * 60 * 1000 + 1000;
    const res = await callback(state);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toBe(MESSAGES.stateExpiredOrUsed);
    expect(redeemCalls()).toBe(0);
  });

  it('a state still inside its 10 minutes works', async () => {
    const { state } = await startLogin();
    clock += 9 * 60 * 1000;
    expect((await callback(state)).status).toBe(200);
  });

  it('a retried failed callback answers the original failure again, without a second redeem', async () => {
    svc.rp.redeemResult = new RpError('token_exchange_failed', 502, MESSAGES.tokenExchangeFailed);
    const { state } = await startLogin();
    const first = await callback(state);
    expect(first.status).toBe(502);
    expect(await json(first)).toMatchObject({ code: 'SSO_ERROR', message: MESSAGES.tokenExchangeFailed });

    svc.rp.redeemResult = { sub: 'late', email: null, emailVerified: false, name: null };
    const retry = await callback(state);
    expect(retry.status).toBe(502);
    expect(await json(retry)).toMatchObject({ code: 'SSO_ERROR', message: MESSAGES.tokenExchangeFailed });
    expect(redeemCalls()).toBe(1);
  });

  it('404 when the config was deleted between login and callback', async () => {
    const dev = await signup(svc.url);
    await saveConfig(svc.url, dev.apiKey);
    const res = await get(`/sso/login?org=${dev.developerId}`);
    const state = new URL(((await res.json()) as { authorizeUrl: string }).authorizeUrl).searchParams.get('state');
    await fetch(`${svc.url}/v1/sso/config`, { method: 'DELETE', headers: { authorization: `Bearer ${dev.apiKey}` } });
    const cb = await callback(state ?? '');
    expect(cb.status).toBe(404);
    expect((await json(cb)).message).toBe(MESSAGES.ssoNotConfigured);
    expect(redeemCalls()).toBe(0);
  });

  it('a login started before a restart completes after it, and stays single-use across restarts', async () => {
    const { state } = await startLogin();
    await svc.restart();
    const res = await callback(state);
    expect(res.status).toBe(200);
    await svc.restart();
    const replay = await callback(state);
    expect(replay.status).toBe(400);
    expect((await json(replay)).message).toBe(MESSAGES.stateExpiredOrUsed);
  });
});
