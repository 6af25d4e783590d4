/**
 * The whole Grantex SSO wire contract over real HTTP: the embedded service and the dev IdP run
 * in-process on ephemeral ports; requests go both as raw fetch (exact statuses, bodies, headers)
 * and through the console's GrantexClient (typed values, GrantexError kinds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY_PATTERN, MESSAGES, isoTimestampSchema } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { devIdpConfig, signupOrg, startStack, type Stack } from '@/tests/support/stack';
import { failure } from '@/tests/support/grantex-failure';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

interface RawResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function raw(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  opts: { key?: string; authorization?: string; body?: unknown; rawBody?: string } = {},
): Promise<RawResult> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const authorization = opts.authorization ?? (opts.key ? `Bearer ${opts.key}` : undefined);
  if (authorization) headers.authorization = authorization;
  let body: string | undefined;
  if (opts.rawBody !== undefined || opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = opts.rawBody ?? JSON.stringify(opts.body);
  }
  const res = await fetch(new URL(path, stack.serviceUrl), { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Every error answer: the contract's shape, with the request id also in the header. */
function expectError(res: RawResult, status: number, code: string, message?: string | RegExp): void {
  expect(res.status, res.text).toBe(status);
  const body = res.json as { message: unknown; code: unknown; requestId?: unknown };
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  if (typeof message === 'string') expect(body.message).toBe(message);
  else if (message) expect(body.message).toMatch(message);
  expect(typeof body.requestId).toBe('string');
  expect(res.headers.get('x-request-id')).toBe(body.requestId);
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
}

function expectCommonHeaders(res: RawResult): void {
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-request-id')).toBeTruthy();
}

function uniqueEmail(): string {
  return `admin-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`;
}

async function discoveredAuthorizationEndpoint(): Promise<string> {
  const res = await fetch(`${stack.idp.issuer}/.well-known/openid-configuration`);
  const doc = (await res.json()) as { authorization_endpoint: string };
  return doc.authorization_endpoint;
}

function alice() {
  const user = stack.idp.users.find((u) => u.username === 'alice');
  if (!user) throw new Error('dev IdP has no alice');
  return user;
}

function bob() {
  const user = stack.idp.users.find((u) => u.username === 'bob');
  if (!user) throw new Error('dev IdP has no bob');
  return user;
}

// ------------------------------------------------------------------ signup and me

describe('POST /v1/signup and GET /v1/me', () => {
  it('signs up with 201, a well-formed key, camelCase fields and ISO ms timestamps', async () => {
    const email = uniqueEmail();
    const res = await raw('POST', '/v1/signup', { body: { name: 'Acme Corp', email } });
    expect(res.status, res.text).toBe(201);
    expectCommonHeaders(res);
    const body = res.json as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['apiKey', 'createdAt', 'developerId', 'email', 'mode', 'name']);
    expect(body.name).toBe('Acme Corp');
    expect(body.email).toBe(email);
    expect(['live', 'sandbox']).toContain(body.mode);
    expect(body.apiKey).toMatch(API_KEY_PATTERN);
    expect(typeof body.developerId).toBe('string');
    expect(isoTimestampSchema.safeParse(body.createdAt).success).toBe(true);
  });

  it('issues a gx_test_ key for sandbox mode and null email when none is given', async () => {
    const res = await raw('POST', '/v1/signup', { body: { name: 'Sandbox Org', mode: 'sandbox' } });
    expect(res.status).toBe(201);
    const body = res.json as { apiKey: string; email: unknown; mode: string };
    expect(body.mode).toBe('sandbox');
    expect(body.email).toBeNull();
    expect(body.apiKey.startsWith('gx_test_')).toBe(true);
  });

  it('refuses a signup without a name (400); a known email signs up like any other (201, no oracle)', async () => {
    expectError(await raw('POST', '/v1/signup', { body: { email: uniqueEmail() } }), 400, 'BAD_REQUEST');
    expectError(await raw('POST', '/v1/signup', { rawBody: '{"name": ' }), 400, 'BAD_REQUEST');
    const email = uniqueEmail();
    expect((await raw('POST', '/v1/signup', { body: { name: 'First', email } })).status).toBe(201);
    expect((await raw('POST', '/v1/signup', { body: { name: 'Second', email } })).status).toBe(201);
  });

  it('answers /v1/me for the key, and 401 with the exact messages otherwise', async () => {
    const org = await signupOrg(stack.serviceUrl, 'Me Org');
    const res = await raw('GET', '/v1/me', { key: org.apiKey });
    expect(res.status).toBe(200);
    expectCommonHeaders(res);
    const me = res.json as Record<string, unknown>;
    expect(me).toMatchObject({ developerId: org.developerId, name: 'Me Org' });
    expect(typeof me.plan).toBe('string');
    expect(isoTimestampSchema.safeParse(me.createdAt).success).toBe(true);
    expect(res.text).not.toContain(org.apiKey);

    // The scheme is case-insensitive.
    expect((await raw('GET', '/v1/me', { authorization: `bearer ${org.apiKey}` })).status).toBe(200);

    expectError(await raw('GET', '/v1/me'), 401, 'UNAUTHORIZED', MESSAGES.missingAuth);
    expectError(
      await raw('GET', '/v1/me', { authorization: `Basic ${org.apiKey}` }),
      401,
      'UNAUTHORIZED',
      MESSAGES.missingAuth,
    );
    const wrongKey = `gx_live_${'B'.repeat(43)}`;
    const wrong = await raw('GET', '/v1/me', { key: wrongKey });
    expectError(wrong, 401, 'UNAUTHORIZED', MESSAGES.invalidKey);
    expect(wrong.text).not.toContain(wrongKey);
  });

  it("joins the console's request id: the service echoes a safe x-request-id into header and error body", async () => {
    const requestId = 'console-req-12345678';
    const error = await failure(
      new GrantexClient({ baseUrl: stack.serviceUrl, apiKey: `gx_live_${'E'.repeat(43)}`, requestId }).orgs.me(),
    );
    expect(error.requestId).toBe(requestId);
    const res = await fetch(new URL('/v1/me', stack.serviceUrl), { headers: { 'x-request-id': requestId } });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    // An id that is not safe to log is replaced, not echoed.
    const unsafe = await fetch(new URL('/v1/me', stack.serviceUrl), { headers: { 'x-request-id': 'x' } });
    expect(unsafe.headers.get('x-request-id')).not.toBe('x');
  });

  it('works the same through GrantexClient', async () => {
    const anonymous = new GrantexClient({ baseUrl: stack.serviceUrl });
    const signedUp = await anonymous.orgs.signup({ name: 'Client Org', email: uniqueEmail() });
    expect(signedUp.apiKey).toMatch(API_KEY_PATTERN);
    const me = await new GrantexClient({ baseUrl: `${stack.serviceUrl}/`, apiKey: signedUp.apiKey }).orgs.me();
    expect(me.developerId).toBe(signedUp.developerId);

    const badKey = `gx_live_${'C'.repeat(43)}`;
    const error = await failure(new GrantexClient({ baseUrl: stack.serviceUrl, apiKey: badKey }).orgs.me());
    expect(error.kind).toBe('unauthorized');
    expect(error.message).toBe(MESSAGES.invalidKey);
    expect(error.requestId).toBeTruthy();
    expect(JSON.stringify(error)).not.toContain(badKey);

    // A known email is no conflict: the answer must not tell whether an address has an account.
    const again = await anonymous.orgs.signup({ name: 'Again', email: signedUp.email ?? '' });
    expect(again.developerId).not.toBe(signedUp.developerId);
  });
});

// ------------------------------------------------------------------ config CRUD

describe('/v1/sso/config', () => {
  it('runs the whole CRUD cycle with the contract statuses', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const config = devIdpConfig(stack);

    expectError(await raw('GET', '/v1/sso/config', { key: org.apiKey }), 404, 'NOT_FOUND', MESSAGES.configNotFound);

    const created = await raw('POST', '/v1/sso/config', {
      key: org.apiKey,
      body: { ...config, unknownField: 'ignored' },
    });
    expect(created.status, created.text).toBe(201);
    expectCommonHeaders(created);
    const first = created.json as Record<string, string>;
    expect(Object.keys(first).sort()).toEqual(['clientId', 'createdAt', 'issuerUrl', 'redirectUri', 'updatedAt']);
    expect(first).toMatchObject({
      issuerUrl: config.issuerUrl,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
    });
    expect(isoTimestampSchema.safeParse(first.createdAt).success).toBe(true);
    expect(isoTimestampSchema.safeParse(first.updatedAt).success).toBe(true);
    expect(created.text).not.toContain(config.clientSecret);

    await new Promise((resolve) => setTimeout(resolve, 5)); // so an updated timestamp can differ
    const updated = await raw('POST', '/v1/sso/config', { key: org.apiKey, body: config });
    expect(updated.status).toBe(201);
    const second = updated.json as Record<string, string>;
    expect(second.createdAt).toBe(first.createdAt);
    expect(Date.parse(second.updatedAt!)).toBeGreaterThan(Date.parse(first.updatedAt!));

    const fetched = await raw('GET', '/v1/sso/config', { key: org.apiKey });
    expect(fetched.status).toBe(200);
    expectCommonHeaders(fetched);
    expect(fetched.json).toEqual(second);
    expect(fetched.text).not.toContain(config.clientSecret);
    expect(fetched.text).not.toMatch(/secret/i);

    const deleted = await raw('DELETE', '/v1/sso/config', { key: org.apiKey });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectError(await raw('GET', '/v1/sso/config', { key: org.apiKey }), 404, 'NOT_FOUND', MESSAGES.configNotFound);
    expectError(await raw('DELETE', '/v1/sso/config', { key: org.apiKey }), 404, 'NOT_FOUND');
  });

  it('requires all four fields (missing, empty, or not strings)', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const config = devIdpConfig(stack);
    const { clientSecret: _secret, ...withoutSecret } = config;
    void _secret;
    for (const body of [{}, withoutSecret, { ...config, clientId: '' }, { ...config, redirectUri: 42 }]) {
      expectError(
        await raw('POST', '/v1/sso/config', { key: org.apiKey, body }),
        400,
        'BAD_REQUEST',
        MESSAGES.configFieldsRequired,
      );
    }
    expectError(await raw('GET', '/v1/sso/config', { key: org.apiKey }), 404, 'NOT_FOUND');
  });

  it('names each bad URL in one message and never echoes the secret', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const config = devIdpConfig(stack);
    const bad = await raw('POST', '/v1/sso/config', {
      key: org.apiKey,
      body: { ...config, issuerUrl: 'ftp://idp.example.com', redirectUri: 'not a url' },
    });
    expectError(bad, 400, 'BAD_REQUEST', /issuerUrl: .+; redirectUri: .+/);
    expect(bad.text).not.toContain(config.clientSecret);

    for (const issuerUrl of [
      'http://169.254.169.254/latest',
      'https://user:pw@idp.example.com',
      'https://idp.example.com/#x',
    ]) {
      const res = await raw('POST', '/v1/sso/config', { key: org.apiKey, body: { ...config, issuerUrl } });
      expectError(res, 400, 'BAD_REQUEST', /^issuerUrl: /);
    }
    expectError(await raw('GET', '/v1/sso/config', { key: org.apiKey }), 404, 'NOT_FOUND');
  });

  it('needs a valid key for every config operation', async () => {
    const config = devIdpConfig(stack);
    expectError(await raw('POST', '/v1/sso/config', { body: config }), 401, 'UNAUTHORIZED', MESSAGES.missingAuth);
    expectError(await raw('GET', '/v1/sso/config'), 401, 'UNAUTHORIZED', MESSAGES.missingAuth);
    expectError(
      await raw('DELETE', '/v1/sso/config', { key: `gx_live_${'D'.repeat(43)}` }),
      401,
      'UNAUTHORIZED',
      MESSAGES.invalidKey,
    );
  });

  it("keeps one org's config out of another org's reach", async () => {
    const a = await signupOrg(stack.serviceUrl);
    const b = await signupOrg(stack.serviceUrl);
    await a.client.sso.createConfig(devIdpConfig(stack));

    expectError(await raw('GET', '/v1/sso/config', { key: b.apiKey }), 404, 'NOT_FOUND');
    expectError(await raw('DELETE', '/v1/sso/config', { key: b.apiKey }), 404, 'NOT_FOUND');
    await expect(b.client.sso.getConfig()).resolves.toBeNull();
    await expect(a.client.sso.getConfig()).resolves.toMatchObject({ clientId: stack.idp.client.clientId });
  });

  it('works the same through GrantexClient', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const config = devIdpConfig(stack);
    await expect(org.client.sso.getConfig()).resolves.toBeNull();
    const created = await org.client.sso.createConfig(config);
    expect(created).toMatchObject({
      issuerUrl: config.issuerUrl,
      clientId: config.clientId,
      redirectUri: config.redirectUri,
    });
    const updated = await org.client.sso.createConfig(config);
    expect(updated.createdAt).toBe(created.createdAt);
    await expect(org.client.sso.getConfig()).resolves.toEqual(updated);

    const invalid = await failure(org.client.sso.createConfig({ ...config, issuerUrl: 'http://10.0.0.1' }));
    expect(invalid.kind).toBe('validation');
    expect(invalid.status).toBe(400);
    expect(invalid.message).toMatch(/^issuerUrl: /);
    expect(invalid.fieldErrors).toEqual({ issuerUrl: expect.any(String) });
    expect(invalid.message).not.toContain(config.clientSecret);

    await org.client.sso.deleteConfig();
    await expect(org.client.sso.getConfig()).resolves.toBeNull();
    const again = await failure(org.client.sso.deleteConfig());
    expect(again.kind).toBe('not_found');
    expect(again.message).toBe(MESSAGES.configNotFound);
  });
});

// ------------------------------------------------------------------ login and callback

describe('/sso/login and /sso/callback', () => {
  it('refuses a login without org (400) and for an org without SSO (404)', async () => {
    expectError(await raw('GET', '/sso/login'), 400, 'BAD_REQUEST', MESSAGES.orgRequired);
    expectError(await raw('GET', '/sso/login?org='), 400, 'BAD_REQUEST', MESSAGES.orgRequired);
    expectError(await raw('GET', '/sso/login?org=dev_unknown'), 404, 'NOT_FOUND', MESSAGES.ssoNotConfigured);
    const org = await signupOrg(stack.serviceUrl);
    expectError(await raw('GET', `/sso/login?org=${org.developerId}`), 404, 'NOT_FOUND', MESSAGES.ssoNotConfigured);
    const error = await failure(new GrantexClient({ baseUrl: stack.serviceUrl }).sso.getLoginUrl(org.developerId));
    expect(error.kind).toBe('not_found');
  });

  it('refuses a callback without code or state, and with a forged state', async () => {
    expectError(await raw('GET', '/sso/callback'), 400, 'BAD_REQUEST', MESSAGES.codeAndStateRequired);
    expectError(await raw('GET', '/sso/callback?code=abc'), 400, 'BAD_REQUEST', MESSAGES.codeAndStateRequired);
    expectError(await raw('GET', '/sso/callback?state=abc'), 400, 'BAD_REQUEST', MESSAGES.codeAndStateRequired);
    expectError(await raw('GET', '/sso/callback?code=abc&state=forged'), 400, 'BAD_REQUEST', MESSAGES.invalidState);
  });

  it('runs the whole flow: login URL → dev IdP as alice → callback → identity; the state is single-use', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const config = devIdpConfig(stack);
    await org.client.sso.createConfig(config);

    // Raw: the exact login answer.
    const loginRes = await raw('GET', `/sso/login?org=${encodeURIComponent(org.developerId)}`);
    expect(loginRes.status, loginRes.text).toBe(200);
    expectCommonHeaders(loginRes);
    const login = loginRes.json as { authorizeUrl: string; protocol: string; connectionId: string };
    expect(Object.keys(login).sort()).toEqual(['authorizeUrl', 'connectionId', 'protocol', 'ssoRequired']);
    expect((login as unknown as { ssoRequired: unknown }).ssoRequired).toBe(false);
    expect(login.protocol).toBe('oidc');
    expect(typeof login.connectionId).toBe('string');

    const authorize = new URL(login.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(await discoveredAuthorizationEndpoint());
    const params = authorize.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('scope')?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(params.get('client_id')).toBe(config.clientId);
    expect(params.get('redirect_uri')).toBe(config.redirectUri);
    expect(params.get('state')).toBeTruthy();
    expect(params.get('nonce')).toBeTruthy();
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(login.authorizeUrl).not.toContain(encodeURIComponent(config.clientSecret));

    // A second login gets fresh state, nonce and PKCE.
    const other = new URL(
      (await new GrantexClient({ baseUrl: stack.serviceUrl }).sso.getLoginUrl(org.developerId)).authorizeUrl,
    );
    expect(other.searchParams.get('state')).not.toBe(params.get('state'));
    expect(other.searchParams.get('nonce')).not.toBe(params.get('nonce'));
    expect(other.searchParams.get('code_challenge')).not.toBe(params.get('code_challenge'));

    const redirect = await loginAtDevIdp(login.authorizeUrl, alice());
    expect(`${redirect.origin}${redirect.pathname}`).toBe(config.redirectUri);
    const code = redirect.searchParams.get('code');
    const state = redirect.searchParams.get('state');
    expect(code).toBeTruthy();
    expect(state).toBe(params.get('state'));
    const iss = redirect.searchParams.get('iss') ?? undefined;

    const publicClient = new GrantexClient({ baseUrl: stack.serviceUrl });
    const identity = await publicClient.sso.handleCallback(code!, state!, { iss });
    expect(identity).toEqual({
      developerId: org.developerId,
      email: alice().email,
      emailVerified: true,
      name: alice().name,
      sub: alice().sub,
    });

    // Replay of the same state (and code): refused without a second identity.
    const replay = await failure(publicClient.sso.handleCallback(code!, state!, { iss }));
    expect(replay.kind).toBe('validation');
    expect(replay.status).toBe(400);
    expect(replay.message).toBe(MESSAGES.stateExpiredOrUsed);
    const rawReplay = await raw(
      'GET',
      `/sso/callback?${new URLSearchParams({ code: code!, state: state! }).toString()}`,
    );
    expectError(rawReplay, 400, 'BAD_REQUEST', MESSAGES.stateExpiredOrUsed);
  });

  it('answers the callback over raw HTTP with exactly developerId, email, emailVerified, name, sub', async () => {
    const org = await signupOrg(stack.serviceUrl);
    await org.client.sso.createConfig(devIdpConfig(stack));
    const { authorizeUrl } = await new GrantexClient({ baseUrl: stack.serviceUrl }).sso.getLoginUrl(org.developerId);
    const redirect = await loginAtDevIdp(authorizeUrl, bob());
    const res = await raw('GET', `/sso/callback${redirect.search}`);
    expect(res.status, res.text).toBe(200);
    expectCommonHeaders(res);
    expect(res.json).toEqual({
      developerId: org.developerId,
      email: bob().email,
      emailVerified: true,
      name: bob().name,
      sub: bob().sub,
    });
  });

  it('accepts the redirect_uri parameter only when it is the configured one', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const config = devIdpConfig(stack);
    await org.client.sso.createConfig(config);
    const client = new GrantexClient({ baseUrl: stack.serviceUrl });
    const same = await client.sso.getLoginUrl(org.developerId, { redirectUri: config.redirectUri });
    expect(new URL(same.authorizeUrl).searchParams.get('redirect_uri')).toBe(config.redirectUri);
    const other = await raw(
      'GET',
      `/sso/login?${new URLSearchParams({ org: org.developerId, redirect_uri: 'https://evil.example/cb' }).toString()}`,
    );
    expect(other.status).toBe(400);
  });

  it("refuses org A's state once A's config is deleted (404)", async () => {
    const org = await signupOrg(stack.serviceUrl);
    await org.client.sso.createConfig(devIdpConfig(stack));
    const { authorizeUrl } = await new GrantexClient({ baseUrl: stack.serviceUrl }).sso.getLoginUrl(org.developerId);
    const redirect = await loginAtDevIdp(authorizeUrl, alice());
    await org.client.sso.deleteConfig();

    const res = await raw('GET', `/sso/callback${redirect.search}`);
    expectError(res, 404, 'NOT_FOUND');
    expect(JSON.stringify(res.json)).not.toContain(alice().email);
  });

  it('a state from org A does not log anyone into org B', async () => {
    const a = await signupOrg(stack.serviceUrl);
    const b = await signupOrg(stack.serviceUrl);
    await a.client.sso.createConfig(devIdpConfig(stack));
    await b.client.sso.createConfig(devIdpConfig(stack));
    const { authorizeUrl } = await new GrantexClient({ baseUrl: stack.serviceUrl }).sso.getLoginUrl(a.developerId);
    const redirect = await loginAtDevIdp(authorizeUrl, alice());
    const identity = await new GrantexClient({ baseUrl: stack.serviceUrl }).sso.handleCallback(
      redirect.searchParams.get('code')!,
      redirect.searchParams.get('state')!,
      { iss: redirect.searchParams.get('iss') ?? undefined },
    );
    // The org is bound to the state, not chosen by the caller.
    expect(identity.developerId).toBe(a.developerId);
    expect(identity.developerId).not.toBe(b.developerId);
  });
});

// ------------------------------------------------------------------ rate limits

describe('rate limits (a separate stack with limits on)', () => {
  let limited: Stack;

  beforeAll(async () => {
    limited = await startStack({
      service: { rateLimit: { enabled: true, signupPerMin: 1_000, loginPerMin: 2, callbackPerMin: 1_000 } },
    });
  });

  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After, and the client reports it without hammering', async () => {
    const org = await signupOrg(limited.serviceUrl);
    await org.client.sso.createConfig(devIdpConfig(limited));
    const loginPath = `/sso/login?org=${encodeURIComponent(org.developerId)}`;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 3; i++) {
      last = await fetch(new URL(loginPath, limited.serviceUrl));
      statuses.push(last.status);
      if (last.status !== 429) await last.body?.cancel();
    }
    expect(statuses).toEqual([200, 200, 429]);
    const body = (await last!.json()) as { code: string; message: string; requestId?: string };
    expect(body.code).toBe('RATE_LIMITED');
    expect(body.message).toBe(MESSAGES.rateLimited);
    expect(last!.headers.get('x-request-id')).toBe(body.requestId);
    expect(last!.headers.get('cache-control')).toBe('no-store');
    const retryAfter = Number(last!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);

    const error = await failure(
      new GrantexClient({ baseUrl: limited.serviceUrl, timeoutMs: 2_000 }).sso.getLoginUrl(org.developerId),
    );
    expect(error.kind).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBeGreaterThan(0);
  });
});
