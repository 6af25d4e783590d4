/**
 * The connections API over real HTTP (raw fetch: exact statuses, shapes, write-only secret, cross-org 404s) and
 * through the console's GrantexClient; and the model it shares with the legacy endpoints (an org's first
 * connection is its default: the legacy config and `?org=` login use it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, ssoConnectionSchema } from '@/lib/contract';
import { GrantexClient, GrantexError } from '@/lib/grantex';
import { authed, json, saveConfig, signup, startTestService, VALID_CONFIG, type TestService, callService, expectApiError, type Answer, OIDC_CONNECTION } from './service-harness';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const OIDC = OIDC_CONNECTION;

const WIRE_KEYS = [
  'clientId',
  'createdAt',
  'defaultScopes',
  'developerId',
  'domains',
  'groupAttribute',
  'groupMappings',
  'id',
  'isDefault',
  'issuerUrl',
  'jitProvisioning',
  'lastSignInAt',
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
    const res = await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, domains: ['Acme.COM', ' acme.com', 'eu.acme.com'] });
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

  it('lists the org\'s connections oldest first; only the first is the default', async () => {
    const org = await signup(svc.url);
    expect((await call('GET', '/v1/sso/connections', org.apiKey)).body).toEqual({ connections: [] });
    const first = (await call('POST', '/v1/sso/connections', org.apiKey, OIDC)).body;
    const second = (await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, name: 'Staging', status: 'testing' })).body;
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
    expectError(await call('PATCH', path, org.apiKey, { issuerUrl: otherIssuer }), 400, MESSAGES.secretNeededForNewIssuer);
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
    expectError(missing, 400, /name.*issuerUrl.*clientId.*clientSecret.*redirectUri/);
    expectError(await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, protocol: 'ldap' }), 400, /protocol/);
    expectError(await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, status: 'paused' }), 400, /status: must be one of active, inactive, testing/);
    expectError(await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, domains: ['not a domain'] }), 400, /domains\.0: must be a domain/);
    expectError(
      await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, issuerUrl: 'ftp://idp.example', redirectUri: 'nope' }),
      400,
      /^issuerUrl: .*; redirectUri: /,
    );
    svc.rp.issuerCheck = { ok: false, reason: 'issuer_mismatch', message: 'the discovery document names another issuer' };
    try {
      // An issuer never checked before (successful checks are remembered for a minute).
      const wrongIssuer = { ...OIDC, issuerUrl: 'http://127.0.0.1:9/wrong-issuer' };
      expectError(await call('POST', '/v1/sso/connections', org.apiKey, wrongIssuer), 400, 'issuerUrl: the discovery document names another issuer');
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
      expectError(await call(method, path, null, method === 'POST' || method === 'PATCH' ? OIDC : undefined), 401, MESSAGES.missingAuth);
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
    const [legacy] = (await call('GET', '/v1/sso/connections', org.apiKey)).body.connections as Record<string, unknown>[];
    expect(legacy).toMatchObject({ isDefault: true, name: 'Default connection', issuerUrl: VALID_CONFIG.issuerUrl, status: 'active' });
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

    const created = await client.createConnection({ ...OIDC, protocol: 'oidc', domains: ['Acme.com'], jitProvisioning: true });
    expect(created).toMatchObject({ domains: ['acme.com'], jitProvisioning: true, isDefault: true });
    expect(await client.listConnections()).toEqual([created]);
    expect(await client.getConnection(created.id)).toEqual(created);
    const updated = await client.updateConnection(created.id, { status: 'testing', domains: [] });
    expect(updated).toMatchObject({ status: 'testing', domains: [], name: OIDC.name });

    const foreign = await otherClient.getConnection(created.id).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(GrantexError);
    expect(foreign).toMatchObject({ kind: 'not_found', code: 'NOT_FOUND' });

    await client.deleteConnection(created.id);
    expect(await client.listConnections()).toEqual([]);
    // The client's own check: no request is sent for a body the contract refuses.
    await expect(client.updateConnection(created.id, { status: 'paused' as 'active' })).rejects.toMatchObject({ kind: 'validation' });
  });
});
