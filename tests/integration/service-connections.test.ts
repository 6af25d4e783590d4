/**
 * The connections API over real HTTP (raw fetch: exact statuses, shapes, write-only secret, cross-org 404s) and
 * through the console's GrantexClient; and the model it shares with the legacy endpoints (an org's first
 * connection is its default: the legacy config and `?org=` login use it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, perConnectionRedirectUri, ssoConnectionSchema } from '@/lib/contract';
import { GrantexClient, GrantexError } from '@/lib/grantex';
import { loadServiceConfig } from '@/lib/sso-service';
import {
  authed,
  json,
  saveConfig,
  signup,
  startTestService,
  VALID_CONFIG,
  type TestService,
  callService,
  expectApiError,
  type Answer,
  OIDC_CONNECTION,
} from './service-harness';

/** The console this service serves: OIDC_CONNECTION's redirect URI is its shared (legacy) callback. */
const CONSOLE = 'http://localhost:3000';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ consoleUrl: CONSOLE });
});
afterAll(async () => {
  await svc?.close();
});

const OIDC = OIDC_CONNECTION;

const WIRE_KEYS = [
  'backchannelLogoutUri',
  'clientId',
  'consoleRoleMappings',
  'createdAt',
  'defaultScopes',
  'developerId',
  'directoryUsersOnly',
  'domains',
  'enforce',
  'groupAttribute',
  'groupMappings',
  'id',
  'isDefault',
  'issuerUrl',
  'jitProvisioning',
  'lastSignInAt',
  'maxAuthAgeSeconds',
  'maxSessionSeconds',
  'name',
  'protocol',
  'redirectUri',
  'status',
  'updatedAt',
  'verifiedDomainsOnly',
];

const call = (method: string, path: string, apiKey: string | null, body?: unknown): Promise<Answer> =>
  callService(svc.url, method, path, { bearer: apiKey, json: body });

const expectError = expectApiError;

describe('connections API (raw HTTP)', () => {
  it('creates a connection: 201, the full shape, an sso_ id, lower-cased domains, never the secret', async () => {
    const org = await signup(svc.url);
    const res = await call('POST', '/v1/sso/connections', org.apiKey, {
      ...OIDC,
      domains: ['Acme.COM', ' acme.com', 'eu.acme.com'],
    });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(WIRE_KEYS);
    expect(ssoConnectionSchema.parse(res.body)).toMatchObject({
      developerId: org.developerId,
      name: OIDC.name,
      protocol: 'oidc',
      status: 'active',
      isDefault: true,
      issuerUrl: OIDC.issuerUrl,
      clientId: OIDC.clientId,
      redirectUri: OIDC.redirectUri,
      domains: ['acme.com', 'eu.acme.com'],
      // Members are provisioned just in time unless the connection says otherwise (no API creates principals ahead).
      jitProvisioning: true,
      groupAttribute: null,
      groupMappings: {},
      defaultScopes: [],
    });
    expect(res.body.id).toMatch(/^sso_/);
    expect(res.text).not.toContain(OIDC.clientSecret);
    expect(res.body.createdAt).toBe(res.body.updatedAt);
  });

  it("lists the org's connections oldest first; only the first is the default", async () => {
    const org = await signup(svc.url);
    expect((await call('GET', '/v1/sso/connections', org.apiKey)).body).toEqual({ connections: [] });
    const first = (await call('POST', '/v1/sso/connections', org.apiKey, OIDC)).body;
    const second = (
      await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, name: 'Staging', status: 'testing' })
    ).body;
    expect(second).toMatchObject({ isDefault: false, status: 'testing' });
    const list = await call('GET', '/v1/sso/connections', org.apiKey);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ connections: [first, second] });
    expect(list.text).not.toContain(OIDC.clientSecret);
  });

  it('reads, updates and deletes by id; PATCH changes only what it names and moves updatedAt', async () => {
    const org = await signup(svc.url);
    const created = (await call('POST', '/v1/sso/connections', org.apiKey, OIDC)).body;
    const path = `/v1/sso/connections/${String(created.id)}`;
    expect((await call('GET', path, org.apiKey)).body).toEqual(created);

    const patched = await call('PATCH', path, org.apiKey, {
      name: 'Okta (prod)',
      groupAttribute: 'groups',
      groupMappings: { admins: ['admin:all'] },
      defaultScopes: ['read'],
      clientSecret: 'rotated-secret-never-returned',
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toEqual({
      ...created,
      name: 'Okta (prod)',
      groupAttribute: 'groups',
      groupMappings: { admins: ['admin:all'] },
      defaultScopes: ['read'],
      updatedAt: patched.body.updatedAt,
    });
    expect(Date.parse(String(patched.body.updatedAt))).toBeGreaterThan(Date.parse(String(created.updatedAt)));
    expect(patched.text).not.toContain('rotated-secret');
    expect((await call('PATCH', path, org.apiKey, { groupAttribute: null })).body.groupAttribute).toBeNull();

    // Moving to another issuer needs that IdP's secret: the saved one is never sent to a different party.
    const otherIssuer = 'http://127.0.0.1:9/okta-eu';
    expectError(
      await call('PATCH', path, org.apiKey, { issuerUrl: otherIssuer }),
      400,
      MESSAGES.secretNeededForNewIssuer,
    );
    expect((await call('GET', path, org.apiKey)).body.issuerUrl).toBe(OIDC.issuerUrl);
    const moved = await call('PATCH', path, org.apiKey, { issuerUrl: otherIssuer, clientSecret: 'okta-eu-secret' });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.issuerUrl).toBe(otherIssuer);
    // The same issuer again is no move: no secret needed.
    expect((await call('PATCH', path, org.apiKey, { issuerUrl: otherIssuer, name: 'Okta (EU)' })).status).toBe(200);

    expect((await call('DELETE', path, org.apiKey)).status).toBe(204);
    expectError(await call('GET', path, org.apiKey), 404, MESSAGES.connectionNotFound);
    expectError(await call('DELETE', path, org.apiKey), 404, MESSAGES.connectionNotFound);
  });

  it("answers 404 for another org's connection on GET, PATCH and DELETE, and leaves it alone", async () => {
    const owner = await signup(svc.url);
    const other = await signup(svc.url);
    const theirs = (await call('POST', '/v1/sso/connections', owner.apiKey, OIDC)).body;
    const path = `/v1/sso/connections/${String(theirs.id)}`;
    const unknown = await call('GET', '/v1/sso/connections/sso_does-not-exist', other.apiKey);
    expectError(unknown, 404, MESSAGES.connectionNotFound);
    for (const [method, body] of [['GET'], ['PATCH', { name: 'Mine now' }], ['DELETE']] as const) {
      const res = await call(method, path, other.apiKey, body);
      expectError(res, 404, MESSAGES.connectionNotFound);
      // Exactly what an unknown id gets, so nothing tells that the id exists.
      expect({ ...res.body, requestId: null }).toEqual({ ...unknown.body, requestId: null });
    }
    expect((await call('GET', '/v1/sso/connections', other.apiKey)).body).toEqual({ connections: [] });
    expect((await call('GET', path, owner.apiKey)).body).toEqual(theirs);
  });

  it('refuses bad input with every field problem named, and an empty PATCH', async () => {
    const org = await signup(svc.url);
    const missing = await call('POST', '/v1/sso/connections', org.apiKey, { protocol: 'oidc' });
    // redirectUri is optional on create: the service assigns the connection its own console callback.
    expectError(missing, 400, /name.*issuerUrl.*clientId.*clientSecret/);
    expect(String(missing.body.message)).not.toMatch(/redirectUri/);
    expectError(await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, protocol: 'ldap' }), 400, /protocol/);
    expectError(
      await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, status: 'paused' }),
      400,
      /status: must be one of active, inactive, testing/,
    );
    expectError(
      await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, domains: ['not a domain'] }),
      400,
      /domains\.0: must be a domain/,
    );
    expectError(
      await call('POST', '/v1/sso/connections', org.apiKey, {
        ...OIDC,
        issuerUrl: 'ftp://idp.example',
        redirectUri: 'nope',
      }),
      400,
      /^issuerUrl: .*; redirectUri: /,
    );
    svc.rp.issuerCheck = {
      ok: false,
      reason: 'issuer_mismatch',
      message: 'the discovery document names another issuer',
    };
    try {
      // An issuer never checked before (successful checks are remembered for a minute).
      const wrongIssuer = { ...OIDC, issuerUrl: 'http://127.0.0.1:9/wrong-issuer' };
      expectError(
        await call('POST', '/v1/sso/connections', org.apiKey, wrongIssuer),
        400,
        'issuerUrl: the discovery document names another issuer',
      );
    } finally {
      svc.rp.issuerCheck = { ok: true };
    }
    expect((await call('GET', '/v1/sso/connections', org.apiKey)).body).toEqual({ connections: [] });

    const created = (await call('POST', '/v1/sso/connections', org.apiKey, OIDC)).body;
    const path = `/v1/sso/connections/${String(created.id)}`;
    expectError(await call('PATCH', path, org.apiKey, {}), 400, MESSAGES.connectionPatchEmpty);
    expectError(await call('PATCH', path, org.apiKey, { redirectUri: 'nope' }), 400, /^redirectUri: /);
    expect((await call('GET', path, org.apiKey)).body).toEqual(created);
  });

  it('requires an API key on every route', async () => {
    for (const [method, path] of [
      ['GET', '/v1/sso/connections'],
      ['POST', '/v1/sso/connections'],
      ['GET', '/v1/sso/connections/sso_x'],
      ['PATCH', '/v1/sso/connections/sso_x'],
      ['DELETE', '/v1/sso/connections/sso_x'],
    ] as const) {
      expectError(
        await call(method, path, null, method === 'POST' || method === 'PATCH' ? OIDC : undefined),
        401,
        MESSAGES.missingAuth,
      );
    }
  });
});

describe('one model with the legacy endpoints', () => {
  it("an org's first connection is its default: the legacy config shows it and ?org= logs in on it", async () => {
    const org = await signup(svc.url);
    const created = (await call('POST', '/v1/sso/connections', org.apiKey, OIDC)).body;
    const config = await json(await fetch(`${svc.url}/v1/sso/config`, authed(org.apiKey)));
    expect(config).toEqual({
      issuerUrl: OIDC.issuerUrl,
      clientId: OIDC.clientId,
      redirectUri: OIDC.redirectUri,
      createdAt: created.createdAt,
      updatedAt: created.updatedAt,
    });
    const login = await json(await fetch(`${svc.url}/sso/login?org=${org.developerId}`));
    expect(login).toMatchObject({ protocol: 'oidc', connectionId: created.id });

    // An inactive default takes no logins; a login started before the switch cannot finish either.
    const state = new URL(String(login.authorizeUrl)).searchParams.get('state') ?? '';
    await call('PATCH', `/v1/sso/connections/${String(created.id)}`, org.apiKey, { status: 'inactive' });
    expectError(await call('GET', `/sso/login?org=${org.developerId}`, null), 404, MESSAGES.ssoNotConfigured);
    expectError(await call('GET', `/sso/callback?code=c&state=${state}`, null), 404, MESSAGES.ssoNotConfigured);
  });

  it('a legacy config is listed as the default connection; a secret rotated by PATCH is the one the callback uses', async () => {
    const org = await signup(svc.url);
    expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
    const [legacy] = (await call('GET', '/v1/sso/connections', org.apiKey)).body.connections as Record<
      string,
      unknown
    >[];
    expect(legacy).toMatchObject({
      isDefault: true,
      name: 'Default connection',
      issuerUrl: VALID_CONFIG.issuerUrl,
      status: 'active',
    });
    expect(legacy?.id).toMatch(/^conn_/);

    await call('PATCH', `/v1/sso/connections/${String(legacy?.id)}`, org.apiKey, { clientSecret: 'rotated-by-patch' });
    const login = await json(await fetch(`${svc.url}/sso/login?org=${org.developerId}`));
    const state = new URL(String(login.authorizeUrl)).searchParams.get('state') ?? '';
    expect((await fetch(`${svc.url}/sso/callback?code=c&state=${state}`)).status).toBe(200);
    const redeem = svc.rp.calls.filter((c) => c.method === 'redeem').at(-1)?.args[0] as { clientSecret: string };
    expect(redeem.clientSecret).toBe('rotated-by-patch');

    // A second connection never takes the default's place; deleting the default through the API is the legacy delete.
    await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, name: 'Second' });
    expect((await call('DELETE', `/v1/sso/connections/${String(legacy?.id)}`, org.apiKey)).status).toBe(204);
    expect((await fetch(`${svc.url}/v1/sso/config`, authed(org.apiKey))).status).toBe(404);
  });
});

describe('connections through the GrantexClient', () => {
  it('creates, lists, reads, updates and deletes; another org reads not_found', async () => {
    const org = await signup(svc.url);
    const other = await signup(svc.url);
    const client = new GrantexClient({ baseUrl: svc.url, apiKey: org.apiKey });
    const otherClient = new GrantexClient({ baseUrl: svc.url, apiKey: other.apiKey });

    const created = await client.sso.connections.create({
      ...OIDC,
      protocol: 'oidc',
      domains: ['Acme.com'],
      jitProvisioning: true,
    });
    expect(created).toMatchObject({ domains: ['acme.com'], jitProvisioning: true, isDefault: true });
    expect(await client.sso.connections.list()).toEqual([created]);
    expect(await client.sso.connections.get(created.id)).toEqual(created);
    const updated = await client.sso.connections.update(created.id, { status: 'testing', domains: [] });
    expect(updated).toMatchObject({ status: 'testing', domains: [], name: OIDC.name });

    const foreign = await otherClient.sso.connections.get(created.id).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(GrantexError);
    expect(foreign).toMatchObject({ kind: 'not_found', code: 'NOT_FOUND' });

    await client.sso.connections.delete(created.id);
    expect(await client.sso.connections.list()).toEqual([]);
    // The client's own check: no request is sent for a body the contract refuses.
    await expect(client.sso.connections.update(created.id, { status: 'paused' as 'active' })).rejects.toMatchObject({
      kind: 'validation',
    });
  });
});

describe('per-connection redirect URIs (the IdP mix-up defence)', () => {
  const { redirectUri: _shared, ...withoutRedirectUri } = OIDC;
  void _shared;
  const TAKEN = 'This redirect URI is already registered for another connection; use the one this form proposes';

  it('assigns <console>/sso/callback/<connection id> when the create body has no redirectUri (as the official SDKs send it)', async () => {
    const org = await signup(svc.url);
    const res = await call('POST', '/v1/sso/connections', org.apiKey, withoutRedirectUri);
    expect(res.status, res.text).toBe(201);
    const id = String(res.body.id);
    expect(res.body.redirectUri).toBe(`${CONSOLE}/sso/callback/${id}`);
    expect(res.body.redirectUri).toBe(perConnectionRedirectUri(CONSOLE, id));
    expect((await call('GET', `/v1/sso/connections/${id}`, org.apiKey)).body.redirectUri).toBe(
      `${CONSOLE}/sso/callback/${id}`,
    );
    // The login sends that URI to the IdP.
    const login = await callService(svc.url, 'GET', `/sso/login?org=${org.developerId}&connection=${id}`, {});
    expect(new URL(String(login.body.authorizeUrl)).searchParams.get('redirect_uri')).toBe(
      `${CONSOLE}/sso/callback/${id}`,
    );
  });

  it("refuses another connection's own URI with a 409 that names nothing (another org's, or the same org's)", async () => {
    const victim = await signup(svc.url, { name: 'Victim Corp' });
    const attacker = await signup(svc.url, { name: 'Attacker Ltd' });
    const theirs = await call('POST', '/v1/sso/connections', victim.apiKey, withoutRedirectUri);
    const uri = String(theirs.body.redirectUri);
    // The same URL spelled differently is the same URI.
    const spellings = [
      uri,
      uri.replace('http://localhost:3000', 'HTTP://LOCALHOST:3000'),
      uri.replace('localhost:3000/', 'localhost:3000/sso/../'),
    ];
    for (const spelling of spellings) {
      const taken = await call('POST', '/v1/sso/connections', attacker.apiKey, { ...OIDC, redirectUri: spelling });
      expectError(taken, 409, TAKEN);
      expect(taken.body.code).toBe('CONFLICT');
      for (const hint of [victim.developerId, String(theirs.body.id), 'Victim', OIDC.name])
        expect(taken.text).not.toContain(hint);
    }
    // PATCH and the legacy config follow the same rule.
    const own = await call('POST', '/v1/sso/connections', attacker.apiKey, withoutRedirectUri);
    expectError(
      await call('PATCH', `/v1/sso/connections/${String(own.body.id)}`, attacker.apiKey, { redirectUri: uri }),
      409,
      TAKEN,
    );
    expectError(await saveConfigAnswer(attacker.apiKey, { ...VALID_CONFIG, redirectUri: uri }), 409, TAKEN);
    // A second connection of the victim's own org cannot share it either.
    expectError(await call('POST', '/v1/sso/connections', victim.apiKey, { ...OIDC, redirectUri: uri }), 409, TAKEN);
    expect((await call('GET', `/v1/sso/connections/${String(theirs.body.id)}`, victim.apiKey)).body.redirectUri).toBe(
      uri,
    );
  });

  it('refuses a URI below <console>/sso/callback/ that is not of the per-connection form', async () => {
    const org = await signup(svc.url);
    for (const bad of [
      `${CONSOLE}/sso/callback/`,
      `${CONSOLE}/sso/callback/short`,
      `${CONSOLE}/sso/callback/${'k'.repeat(65)}`,
      `${CONSOLE}/sso/callback/abcdefgh/more`,
      `${CONSOLE}/sso/callback/abcdefgh?x=1`,
      `${CONSOLE}/sso/callback/abc%2Fdefgh`,
      `${CONSOLE}/sso/callback/oidc`,
      `${CONSOLE}/sso/callback/saml`,
    ]) {
      const res = await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, redirectUri: bad });
      expectError(
        res,
        400,
        /^redirectUri: a redirect URI below http:\/\/localhost:3000\/sso\/callback\/ must be http:\/\/localhost:3000\/sso\/callback\/<key>/,
      );
    }
    // A custom key, the shared legacy URI and URIs outside the console stay accepted.
    for (const fine of [
      `${CONSOLE}/sso/callback/interop-key-1`,
      `${CONSOLE}/sso/callback`,
      'http://localhost:4000/sso/callback/x',
      'https://app.example/auth/callback',
    ]) {
      const res = await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, redirectUri: fine });
      expect(res.status, `${fine}: ${res.text}`).toBe(201);
      expect(res.body.redirectUri).toBe(fine);
    }
    // Two connections may share the legacy URI or an outside one (an SDK user's one callback for its connections).
    expect(
      (
        await call('POST', '/v1/sso/connections', org.apiKey, {
          ...OIDC,
          redirectUri: 'https://app.example/auth/callback',
        })
      ).status,
    ).toBe(201);
  });

  it('moves a connection from the shared URI to its own with a PATCH of redirectUri alone (no secret needed)', async () => {
    const org = await signup(svc.url);
    const created = await call('POST', '/v1/sso/connections', org.apiKey, OIDC);
    expect(created.body.redirectUri).toBe(`${CONSOLE}/sso/callback`);
    const id = String(created.body.id);
    const moved = await call('PATCH', `/v1/sso/connections/${id}`, org.apiKey, {
      redirectUri: `${CONSOLE}/sso/callback/${id}`,
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({
      redirectUri: `${CONSOLE}/sso/callback/${id}`,
      issuerUrl: OIDC.issuerUrl,
      clientId: OIDC.clientId,
    });
    // Saving its own URI again is not a conflict with itself.
    expect(
      (
        await call('PATCH', `/v1/sso/connections/${id}`, org.apiKey, {
          redirectUri: `${CONSOLE}/sso/callback/${id}`,
          name: 'Renamed',
        })
      ).status,
    ).toBe(200);
    // The legacy config of an org whose default connection holds its own URI saves that URI again.
    expect(
      (await saveConfigAnswer(org.apiKey, { ...VALID_CONFIG, redirectUri: `${CONSOLE}/sso/callback/${id}` })).status,
    ).toBe(201);
  });

  it('test sign-in: a given redirect_uri must be the registered one; absent means the registered one', async () => {
    const org = await signup(svc.url);
    const created = await call('POST', '/v1/sso/connections', org.apiKey, withoutRedirectUri);
    const id = String(created.body.id);
    const path = `/v1/sso/connections/${id}/test-sign-in`;
    for (const wrong of [`${CONSOLE}/sso/callback`, `${CONSOLE}/sso/callback/sso_someoneelse1`]) {
      expectError(
        await call('POST', path, org.apiKey, { redirect_uri: wrong }),
        400,
        'redirect_uri does not match the redirect URI configured for this connection',
      );
    }
    for (const body of [{}, { redirect_uri: `${CONSOLE}/sso/callback/${id}` }]) {
      const res = await call('POST', path, org.apiKey, body);
      expect(res.status, res.text).toBe(200);
      expect(new URL(String(res.body.authorizeUrl)).searchParams.get('redirect_uri')).toBe(
        `${CONSOLE}/sso/callback/${id}`,
      );
    }
    const client = new GrantexClient({ baseUrl: svc.url, apiKey: org.apiKey });
    await expect(
      client.sso.connections.startTestSignIn(id, { redirectUri: `${CONSOLE}/sso/callback` }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('the console URL comes from GRANTEX_CONSOLE_URL, else APP_URL, else http://localhost:3000 (no trailing slash)', () => {
    expect(
      loadServiceConfig({ GRANTEX_CONSOLE_URL: 'https://console.example/', APP_URL: 'https://app.example' }).consoleUrl,
    ).toBe('https://console.example');
    expect(loadServiceConfig({ APP_URL: 'https://app.example/' }).consoleUrl).toBe('https://app.example');
    expect(loadServiceConfig({}).consoleUrl).toBe('http://localhost:3000');
    expect(() => loadServiceConfig({ GRANTEX_CONSOLE_URL: 'ftp://console.example' })).toThrow(/GRANTEX_CONSOLE_URL/);
    expect(() => loadServiceConfig({ GRANTEX_CONSOLE_URL: 'https://console.example/?x=1' })).toThrow(
      /GRANTEX_CONSOLE_URL/,
    );
  });
});

async function saveConfigAnswer(apiKey: string, config: Record<string, unknown>): Promise<Answer> {
  return callService(svc.url, 'POST', '/v1/sso/config', { bearer: apiKey, json: config });
}
