import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY_PATTERN,
  MESSAGES,
  errorBodySchema,
  meResponseSchema,
  signupResponseSchema,
  ssoConfigSchema,
} from '@/lib/contract';
import { authed, json, saveConfig, signup, startTestService, VALID_CONFIG, type TestService } from './service-harness';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${svc.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('POST /v1/signup', () => {
  it('creates a developer and answers the key once', async () => {
    const res = await post('/v1/signup', { name: 'Acme', email: 'owner@acme.test', mode: 'sandbox' });
    expect(res.status).toBe(201);
    const body = signupResponseSchema.parse(await res.json());
    expect(body.developerId).toMatch(/^dev_/);
    expect(body.apiKey).toMatch(API_KEY_PATTERN);
    expect(body.apiKey.startsWith('gx_test_')).toBe(true);
    expect(body).toMatchObject({ name: 'Acme', email: 'owner@acme.test', mode: 'sandbox' });
  });

  it('defaults to live mode with a gx_live_ key and a null email', async () => {
    const body = signupResponseSchema.parse(await (await post('/v1/signup', { name: 'Solo' })).json());
    expect(body.mode).toBe('live');
    expect(body.email).toBeNull();
    expect(body.apiKey.startsWith('gx_live_')).toBe(true);
  });

  it.each([
    [{}, 'name: is required'],
    [{ name: '' }, 'name'],
    [{ name: 'x', email: 'not-an-email' }, 'email'],
    [{ name: 'x', mode: 'prod' }, 'mode: must be one of live, sandbox'],
    [[1, 2], 'JSON object'],
    [{ name: 'Acme\u0000Corp' }, 'name: must not contain control'],
    [{ name: 'Acme \u001b[31mCorp' }, 'name: must not contain control'],
    [{ name: 'Acme \u202eproC' }, 'name: must not contain control'],
  ])('rejects %j with 400', async (payload, fragment) => {
    const res = await post('/v1/signup', payload);
    expect(res.status).toBe(400);
    const body = errorBodySchema.parse(await res.json());
    expect(body.code).toBe('BAD_REQUEST');
    expect(body.message).toContain(fragment);
  });

  it('does not tell whether an email is known: a second signup with it answers with the same status and shape', async () => {
    const answer = async (name: string, email: string) => {
      const res = await post('/v1/signup', { name, email });
      const body = (await json(res)) as Record<string, unknown>;
      return { status: res.status, keys: Object.keys(body).sort(), body };
    };
    const first = await answer('First', 'dup@acme.test');
    const second = await answer('Second', 'DUP@acme.test');
    const fresh = await answer('Third', `fresh-${Date.now()}@acme.test`);
    expect(first.status).toBe(201);
    expect(second.status).toBe(first.status);
    expect(fresh.status).toBe(first.status);
    expect(second.keys).toEqual(first.keys);
    expect(fresh.keys).toEqual(first.keys);
    // Two separate organizations, each with its own working key and its contact email.
    expect(second.body.developerId).not.toBe(first.body.developerId);
    for (const { body } of [first, second]) {
      const me = await fetch(`${svc.url}/v1/me`, authed(String(body.apiKey)));
      expect(me.status).toBe(200);
      expect(meResponseSchema.parse(await me.json()).email).toBe(body.email);
    }
  });
});

describe('authentication', () => {
  it('GET /v1/me answers the key owner', async () => {
    const dev = await signup(svc.url, { name: 'Me Inc', email: 'me@me.test' });
    const res = await fetch(`${svc.url}/v1/me`, authed(dev.apiKey));
    expect(res.status).toBe(200);
    const me = meResponseSchema.parse(await res.json());
    expect(me).toMatchObject({ developerId: dev.developerId, name: 'Me Inc', email: 'me@me.test', plan: 'free' });
    expect(me.createdAt).toBe(dev.createdAt);
  });

  it('accepts the scheme in any case', async () => {
    const dev = await signup(svc.url);
    const res = await fetch(`${svc.url}/v1/me`, { headers: { authorization: `bEaReR ${dev.apiKey}` } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['no header', undefined, MESSAGES.missingAuth],
    ['basic scheme', 'Basic dXNlcjpwYXNzd29yZA==', MESSAGES.missingAuth],
    ['too short', 'Bearer short', MESSAGES.missingAuth],
    ['a space in the key', 'Bearer gx_live_aaaaaaaaaaaa aaaaaaaa', MESSAGES.missingAuth],
    ['unknown key', `Bearer gx_live_${'A'.repeat(43)}`, MESSAGES.invalidKey],
  ])('401 for %s', async (_name, header, message) => {
    const res = await fetch(`${svc.url}/v1/me`, header ? { headers: { authorization: header } } : {});
    expect(res.status).toBe(401);
    const body = errorBodySchema.parse(await res.json());
    expect(body).toMatchObject({ code: 'UNAUTHORIZED', message });
  });

  it("a key from another org can neither see nor delete this org's config", async () => {
    const owner = await signup(svc.url);
    const other = await signup(svc.url);
    expect((await saveConfig(svc.url, owner.apiKey)).status).toBe(201);

    expect((await fetch(`${svc.url}/v1/sso/config`, authed(other.apiKey))).status).toBe(404);
    expect((await fetch(`${svc.url}/v1/sso/config`, authed(other.apiKey, { method: 'DELETE' }))).status).toBe(404);
    const mine = await fetch(`${svc.url}/v1/sso/config`, authed(owner.apiKey));
    expect(mine.status).toBe(200);
    expect((await json(mine)).clientId).toBe(VALID_CONFIG.clientId);
  });
});

describe('/v1/sso/config', () => {
  it('creates (201), updates (201, createdAt kept), reads without the secret, deletes (204), then 404', async () => {
    const dev = await signup(svc.url);
    const created = await saveConfig(svc.url, dev.apiKey);
    expect(created.status).toBe(201);
    const first = ssoConfigSchema.parse(await created.json());
    expect(first).toMatchObject({
      issuerUrl: VALID_CONFIG.issuerUrl,
      clientId: VALID_CONFIG.clientId,
      redirectUri: VALID_CONFIG.redirectUri,
    });

    await new Promise((r) => setTimeout(r, 5)); // distinct updatedAt millisecond
    const updated = await saveConfig(svc.url, dev.apiKey, { ...VALID_CONFIG, clientId: 'second-client' });
    expect(updated.status).toBe(201);
    const second = ssoConfigSchema.parse(await updated.json());
    expect(second.clientId).toBe('second-client');
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.updatedAt > first.updatedAt).toBe(true);

    const read = await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey));
    expect(read.status).toBe(200);
    const text = await read.text();
    expect(text).not.toContain(VALID_CONFIG.clientSecret);
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual(
      ['clientId', 'createdAt', 'issuerUrl', 'redirectUri', 'updatedAt'].sort(),
    );

    const del = await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey, { method: 'DELETE' }));
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    const gone = await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey));
    expect(gone.status).toBe(404);
    expect(await json(gone)).toMatchObject({ code: 'NOT_FOUND', message: MESSAGES.configNotFound });
    expect((await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey, { method: 'DELETE' }))).status).toBe(404);
  });

  it('ignores unknown fields and never echoes the secret', async () => {
    const dev = await signup(svc.url);
    const res = await saveConfig(svc.url, dev.apiKey, { ...VALID_CONFIG, extra: 'x' });
    expect(res.status).toBe(201);
    expect(await res.text()).not.toContain(VALID_CONFIG.clientSecret);
  });

  it.each([
    [{ ...VALID_CONFIG, clientSecret: undefined }],
    [{ ...VALID_CONFIG, clientId: 42 }],
    [{ ...VALID_CONFIG, issuerUrl: '' }],
    [{}],
  ])('400 with the contract message for missing or non-string fields (%#)', async (payload) => {
    const dev = await signup(svc.url);
    const res = await saveConfig(svc.url, dev.apiKey, payload as Record<string, unknown>);
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'BAD_REQUEST', message: MESSAGES.configFieldsRequired });
  });

  it('400 naming every bad URL field in one message', async () => {
    const dev = await signup(svc.url);
    const res = await saveConfig(svc.url, dev.apiKey, {
      ...VALID_CONFIG,
      issuerUrl: 'ftp://idp.example.com',
      redirectUri: 'not a url',
    });
    expect(res.status).toBe(400);
    const { message } = await json(res);
    expect(message).toMatch(/^issuerUrl: .+; redirectUri: .+$/);
  });

  it('400 for over-long or control-character credentials', async () => {
    const dev = await signup(svc.url);
    const res = await saveConfig(svc.url, dev.apiKey, {
      ...VALID_CONFIG,
      clientId: 'x'.repeat(256),
      clientSecret: 'a\u0000b',
    });
    expect(res.status).toBe(400);
    const { message } = await json(res);
    expect(message).toContain('clientId: must be at most 255 characters');
    expect(message).toContain('clientSecret: must not contain control, zero-width or text-direction characters');
    expect(message).not.toContain('a\u0000b');
  });

  it('refuses an issuer whose discovery is wrong, but accepts one that is merely unreachable', async () => {
    const dev = await signup(svc.url);
    const config = { ...VALID_CONFIG, issuerUrl: 'http://127.0.0.1:9/never-checked-before' };
    svc.rp.issuerCheck = { ok: false, reason: 'issuer_mismatch', message: 'discovery names another issuer' };
    const refused = await saveConfig(svc.url, dev.apiKey, config);
    expect(refused.status).toBe(400);
    expect((await json(refused)).message).toBe('issuerUrl: discovery names another issuer');
    expect((await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey))).status).toBe(404);

    svc.rp.issuerCheck = { ok: false, reason: 'unreachable', message: 'could not connect' };
    const accepted = await saveConfig(svc.url, dev.apiKey, config);
    svc.rp.issuerCheck = { ok: true };
    expect(accepted.status).toBe(201);
  });

  it('remembers a successful issuer check briefly, but re-checks after a failure', async () => {
    const dev = await signup(svc.url);
    const config = { ...VALID_CONFIG, issuerUrl: 'http://127.0.0.1:9/memo' };
    const checks = () =>
      svc.rp.calls.filter((c) => c.method === 'checkIssuer' && c.args[0] === config.issuerUrl).length;
    svc.rp.issuerCheck = { ok: false, reason: 'not_json', message: 'not JSON' };
    expect((await saveConfig(svc.url, dev.apiKey, config)).status).toBe(400);
    svc.rp.issuerCheck = { ok: true };
    expect((await saveConfig(svc.url, dev.apiKey, config)).status).toBe(201);
    expect((await saveConfig(svc.url, dev.apiKey, config)).status).toBe(201);
    expect(checks()).toBe(2);
  });

  it('a refused update leaves the previous config intact, and a save does not flush the shared RP caches', async () => {
    const dev = await signup(svc.url);
    expect((await saveConfig(svc.url, dev.apiKey)).status).toBe(201);
    const before = await json(await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey)));
    const bad = await saveConfig(svc.url, dev.apiKey, { ...VALID_CONFIG, issuerUrl: 'http://example.com' });
    expect(bad.status).toBe(400);
    const after = await json(await fetch(`${svc.url}/v1/sso/config`, authed(dev.apiKey)));
    expect(after).toEqual(before);
    // One tenant's save must not evict the issuer's discovery/JWKS for every other tenant.
    expect(svc.rp.calls.some((c) => c.method === 'forget')).toBe(false);
  });
});

describe('production mode', () => {
  let prod: TestService;
  beforeAll(async () => {
    prod = await startTestService({
      devMode: false,
      stateSecret: 'p'.repeat(40),
      encryptionKey: Buffer.alloc(32, 1).toString('base64url'),
      consoleSecret: 'c'.repeat(40),
    });
  });
  afterAll(async () => {
    await prod?.close();
  });

  it('refuses http and loopback issuers, accepts https', async () => {
    const dev = await signup(prod.url);
    const http = await saveConfig(prod.url, dev.apiKey, {
      ...VALID_CONFIG,
      issuerUrl: 'http://idp.example.com',
      redirectUri: 'http://localhost:3000/sso/callback',
    });
    expect(http.status).toBe(400);
    expect((await json(http)).message).toMatch(/^issuerUrl: must use https; redirectUri: must use https$/);

    const ok = await saveConfig(prod.url, dev.apiKey, {
      ...VALID_CONFIG,
      issuerUrl: 'https://idp.example.com',
      redirectUri: 'https://console.example.com/sso/callback',
    });
    expect(ok.status).toBe(201);
  });
});
