/**
 * SSO sessions end to end, on the real service, the real dev IdP and the programmable test OP (runs on SQLite
 * and, with GRANTEX_TEST_DATABASE_URL, on PostgreSQL): POST /sso/callback/oidc (JSON and form), JIT principals,
 * group → scope mapping from a custom claim, replay, test sign-ins (refused at POST, finished at GET, any
 * status), the sessions list / read / revoke, the connection test, `lastSignInAt`, and cross-org 404s —
 * over raw HTTP and through the GrantexClient.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  MESSAGES,
  SESSION_MESSAGES,
  ssoCallbackResponseSchema,
  ssoConnectionSchema,
  ssoSessionCallbackResponseSchema,
  ssoSessionCheckResponseSchema,
  ssoSessionListSchema,
  ssoSessionSchema,
  type SsoSessionCallbackResponse,
} from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex';
import { failure } from '@/tests/support/grantex-failure';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { devIdpConfig, signupOrg, startStack, type Stack } from '@/tests/support/stack';
import { DEFAULT_USER, startTestOp, type TestOp } from '@/tests/support/test-op';
import {
  authed,
  callService,
  expectApiError,
  json,
  saveConfig,
  signup,
  startTestService,
  TEST_KEYS,
  type Answer,
} from './service-harness';

const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const OP_CLIENT = {
  clientId: 'sessions-op-client',
  clientSecret: 'sessions op:secret%with+chars',
  redirectUris: [REDIRECT_URI],
};
const ALICE = { username: 'alice', password: 'alice-password' };
const BOB = { username: 'bob', password: 'bob-password' };
const EIGHT_HOURS_MS = 8 * 60 * 60 * 1000;

let stack: Stack;
let op: TestOp;
let publicClient: GrantexClient;

beforeAll(async () => {
  [stack, op] = await Promise.all([
    // Rate limits on (generous): the POST callback keys its bucket from the parsed body.
    startStack({
      redirectUri: REDIRECT_URI,
      service: { rateLimit: { enabled: true, signupPerMin: 1000, loginPerMin: 1000, callbackPerMin: 1000 } },
    }),
    startTestOp({ issuerPath: '/sessions', clients: [OP_CLIENT] }),
  ]);
  publicClient = new GrantexClient({ baseUrl: stack.serviceUrl, retries: 0 });
});
afterAll(async () => {
  await Promise.all([stack?.close(), op?.close()]);
});
beforeEach(() => {
  op.reset();
});

const call = (
  method: string,
  path: string,
  opts: { apiKey?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<Answer> =>
  callService(stack.serviceUrl, method, path, { bearer: opts.apiKey ?? null, json: opts.json, form: opts.form });

const expectError = expectApiError;

/** A member login on the org's default connection at the dev IdP: the code, state and iss it came back with. */
async function devIdpLogin(developerId: string, user = ALICE) {
  const { authorizeUrl } = await publicClient.sso.getLoginUrl(developerId);
  return callbackParams(await loginAtDevIdp(authorizeUrl, user));
}

function callbackParams(redirect: URL): { code: string; state: string; iss?: string } {
  const iss = redirect.searchParams.get('iss');
  return {
    code: redirect.searchParams.get('code')!,
    state: redirect.searchParams.get('state')!,
    ...(iss ? { iss } : {}),
  };
}

async function devIdpOrg() {
  const org = await signupOrg(stack.serviceUrl);
  await org.client.sso.createConfig(devIdpConfig(stack));
  const [connection] = await org.client.sso.connections.list();
  return { ...org, connectionId: connection!.id };
}

const SESSION_CALLBACK_KEYS = [
  'developerId',
  'email',
  'emailVerified',
  'expiresAt',
  'groups',
  'mappedScopes',
  'name',
  'principalId',
  'sessionId',
  'sub',
];
const SESSION_KEYS = [
  'connectionId',
  'createdAt',
  'email',
  'emailVerified',
  'expiresAt',
  'groups',
  'id',
  'idpSubject',
  'mappedScopes',
  'name',
  'principalId',
];

describe('POST /sso/callback/oidc through the dev IdP', () => {
  it('opens a session (200, exact shape), lists it, refuses a replay, and the connection shows lastSignInAt', async () => {
    const org = await devIdpOrg();
    expect((await org.client.sso.connections.get(org.connectionId)).lastSignInAt).toBeNull();
    const before = Date.now();
    const res = await call('POST', '/sso/callback/oidc', { json: await devIdpLogin(org.developerId) });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(SESSION_CALLBACK_KEYS);
    const signedIn = ssoSessionCallbackResponseSchema.parse(res.body);
    expect(signedIn).toMatchObject({
      developerId: org.developerId,
      email: 'alice@example.com',
      name: 'Alice Anderson',
      groups: [],
      mappedScopes: [],
    });
    expect(signedIn.sessionId).toMatch(/^ssn_/);
    expect(signedIn.principalId).toMatch(/^prn_/);
    const ttl = Date.parse(signedIn.expiresAt) - before;
    expect(ttl).toBeGreaterThanOrEqual(EIGHT_HOURS_MS - 1000);
    expect(ttl).toBeLessThanOrEqual(EIGHT_HOURS_MS + 60_000);

    const list = await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey });
    expect(list.status).toBe(200);
    const { sessions } = ssoSessionListSchema.parse(list.body);
    expect(sessions).toHaveLength(1);
    expect(Object.keys((list.body.sessions as Record<string, unknown>[])[0]!).sort()).toEqual(SESSION_KEYS);
    expect(sessions[0]).toEqual({
      id: signedIn.sessionId,
      connectionId: org.connectionId,
      principalId: signedIn.principalId,
      email: signedIn.email,
      emailVerified: signedIn.emailVerified,
      name: signedIn.name,
      idpSubject: signedIn.sub,
      groups: [],
      mappedScopes: [],
      expiresAt: signedIn.expiresAt,
      createdAt: expect.any(String),
    });

    const connection = await org.client.sso.connections.get(org.connectionId);
    expect(connection.lastSignInAt).toBe(sessions[0]!.createdAt);
    expect((await org.client.sso.connections.list())[0]!.lastSignInAt).toBe(sessions[0]!.createdAt);
  });

  it('refuses a replayed POST without a second session', async () => {
    const org = await devIdpOrg();
    const params = await devIdpLogin(org.developerId);
    expect((await call('POST', '/sso/callback/oidc', { json: params })).status).toBe(200);
    expectError(await call('POST', '/sso/callback/oidc', { json: params }), 400, MESSAGES.stateExpiredOrUsed);
    // The same state at the legacy callback is just as used.
    const legacy = await fetch(`${stack.serviceUrl}/sso/callback?${new URLSearchParams(params)}`);
    expect(legacy.status).toBe(400);
    expect(await org.client.sso.sessions.list()).toHaveLength(1);
  });

  it('accepts a form-encoded body, and the same principal signs in again (JIT upsert) through the client', async () => {
    const org = await devIdpOrg();
    const first = await call('POST', '/sso/callback/oidc', { form: await devIdpLogin(org.developerId, BOB) });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ email: 'bob@example.com', name: 'Bob Brown' });

    const again = await devIdpLogin(org.developerId, BOB);
    const second = await publicClient.sso.handleOidcCallback(again.code, again.state, {
      iss: again.iss,
      redirectUri: REDIRECT_URI,
    });
    expect(second.principalId).toBe(first.body.principalId);
    expect(second.sessionId).not.toBe(first.body.sessionId);
    // Newest first.
    expect((await org.client.sso.sessions.list()).map((s) => s.id)).toEqual([second.sessionId, first.body.sessionId]);
  });

  it('answers 400 for a missing code or state, a bad state, a wrong redirect_uri or a non-object body', async () => {
    const org = await devIdpOrg();
    expectError(await call('POST', '/sso/callback/oidc', { json: { state: 'x' } }), 400, MESSAGES.codeAndStateRequired);
    expectError(
      await call('POST', '/sso/callback/oidc', { json: { code: 'c', state: '' } }),
      400,
      MESSAGES.codeAndStateRequired,
    );
    expectError(await call('POST', '/sso/callback/oidc', {}), 400, MESSAGES.codeAndStateRequired);
    expectError(
      await call('POST', '/sso/callback/oidc', { json: { code: 'c', state: 'not-a-state' } }),
      400,
      MESSAGES.invalidState,
    );
    expectError(
      await call('POST', '/sso/callback/oidc', { json: { code: 1, state: 'x' } }),
      400,
      MESSAGES.codeAndStateRequired,
    );
    const params = await devIdpLogin(org.developerId);
    const wrong = await call('POST', '/sso/callback/oidc', {
      json: { ...params, redirect_uri: 'http://localhost:3999/other' },
    });
    expectError(wrong, 400, SESSION_MESSAGES.redirectUriMismatch);
    // A retry of that failed callback repeats the real error.
    expectError(
      await call('POST', '/sso/callback/oidc', { json: { ...params, redirect_uri: 'http://localhost:3999/other' } }),
      400,
      SESSION_MESSAGES.redirectUriMismatch,
    );
    expect(await org.client.sso.sessions.list()).toEqual([]);
  });

  it('keeps GET /sso/callback exactly as it was: the identity only, no session', async () => {
    const org = await devIdpOrg();
    const params = await devIdpLogin(org.developerId);
    const res = await fetch(`${stack.serviceUrl}/sso/callback?${new URLSearchParams(params)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['developerId', 'email', 'emailVerified', 'name', 'sub']);
    expect(ssoCallbackResponseSchema.parse(body)).toMatchObject({
      developerId: org.developerId,
      email: 'alice@example.com',
    });
    expect(await org.client.sso.sessions.list()).toEqual([]);
    expect((await org.client.sso.connections.get(org.connectionId)).lastSignInAt).toBeNull();
  });
});

describe('sessions list, read and revoke', () => {
  it('reads an active session, revokes it (204), then it is gone everywhere; another org gets 404s', async () => {
    const org = await devIdpOrg();
    const other = await devIdpOrg();
    const params = await devIdpLogin(org.developerId);
    const session = await publicClient.sso.handleOidcCallback(params.code, params.state, { iss: params.iss });
    const path = `/v1/sso/sessions/${session.sessionId}`;

    const read = await call('GET', path, { apiKey: org.apiKey });
    expect(read.status).toBe(200);
    expect(ssoSessionSchema.parse(read.body)).toMatchObject({
      id: session.sessionId,
      principalId: session.principalId,
    });
    expect(await org.client.sso.sessions.get(session.sessionId)).toEqual(read.body);

    // Another org: the same answers as an unknown id, and the session survives.
    expectError(await call('GET', path, { apiKey: other.apiKey }), 404, SESSION_MESSAGES.sessionNotFound);
    expectError(await call('DELETE', path, { apiKey: other.apiKey }), 404, SESSION_MESSAGES.sessionNotFound);
    expect((await failure(other.client.sso.sessions.revoke(session.sessionId))).kind).toBe('not_found');
    expect(await other.client.sso.sessions.list()).toEqual([]);
    expectError(
      await call('GET', '/v1/sso/sessions/ssn_unknown', { apiKey: org.apiKey }),
      404,
      SESSION_MESSAGES.sessionNotFound,
    );

    const revoked = await call('DELETE', path, { apiKey: org.apiKey });
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    expect(await org.client.sso.sessions.list()).toEqual([]);
    expectError(await call('GET', path, { apiKey: org.apiKey }), 404, SESSION_MESSAGES.sessionNotFound);
    expectError(await call('DELETE', path, { apiKey: org.apiKey }), 404, SESSION_MESSAGES.sessionNotFound);
    expect((await failure(org.client.sso.sessions.get(session.sessionId))).kind).toBe('not_found');
  });

  it('revokes through the client; the sessions API needs a key', async () => {
    const org = await devIdpOrg();
    const params = await devIdpLogin(org.developerId);
    // The dev IdP advertises RFC 9207 `iss`, so the callback must carry it.
    const session = await publicClient.sso.handleOidcCallback(params.code, params.state, { iss: params.iss });
    await org.client.sso.sessions.revoke(session.sessionId);
    expect(await org.client.sso.sessions.list()).toEqual([]);
    expect((await call('GET', '/v1/sso/sessions')).status).toBe(401);
    expect((await call('DELETE', `/v1/sso/sessions/${session.sessionId}`)).status).toBe(401);
    expect((await call('GET', '/v1/sso/sessions', { apiKey: 'gx_test_' + 'A'.repeat(43) })).status).toBe(401);
  });
});

describe('POST /sso/sessions/check (public: the console re-checks a member session)', () => {
  const check = (developerId: string, sessionId: string) =>
    call('POST', '/sso/sessions/check', { json: { developerId, sessionId } });

  it("answers active with the expiry and nothing personal; revoked, unknown and another org's id answer alike", async () => {
    const org = await devIdpOrg();
    const other = await devIdpOrg();
    const params = await devIdpLogin(org.developerId);
    const session = await publicClient.sso.handleOidcCallback(params.code, params.state, { iss: params.iss });
    const theirs = await (async () => {
      const p = await devIdpLogin(other.developerId, BOB);
      return publicClient.sso.handleOidcCallback(p.code, p.state, { iss: p.iss });
    })();

    const active = await check(org.developerId, session.sessionId);
    expect(active.status, active.text).toBe(200);
    expect(active.body).toEqual({ active: true, expiresAt: session.expiresAt });
    for (const personal of [session.email ?? '', session.name ?? '', session.sub, session.principalId])
      expect(active.text).not.toContain(personal);
    expect(
      await publicClient.sso.sessions.check({ developerId: org.developerId, sessionId: session.sessionId }),
    ).toEqual(active.body);

    // Inactive answers are one and the same body: a guessed or borrowed id learns nothing more.
    const inactive = { active: false, expiresAt: null };
    const unknown = await check(org.developerId, `ssn_${'A'.repeat(22)}`);
    // Another org's live session, asked under this org (and this org's session under the other org).
    const crossed = await check(org.developerId, theirs.sessionId);
    const crossedBack = await check(other.developerId, session.sessionId);
    for (const res of [unknown, crossed, crossedBack]) {
      expect(res.status, res.text).toBe(200);
      expect(res.text).toBe(JSON.stringify(inactive));
    }
    // Both sessions are still active for their own org: the cross-org checks changed nothing.
    expect((await check(other.developerId, theirs.sessionId)).body).toMatchObject({ active: true });

    await org.client.sso.sessions.revoke(session.sessionId);
    const revoked = await check(org.developerId, session.sessionId);
    expect(revoked.text).toBe(JSON.stringify(inactive));
    expect(ssoSessionCheckResponseSchema.parse(revoked.body)).toEqual(inactive);
  });

  it('answers 400 for a malformed body, without a lookup', async () => {
    for (const body of [
      {},
      { developerId: 'dev_x' },
      { developerId: 'dev_x', sessionId: 'x'.repeat(129) },
      { developerId: 1, sessionId: 'ssn_x' },
    ]) {
      const res = await call('POST', '/sso/sessions/check', { json: body });
      expect(res.status, res.text).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
    }
  });

  it("is rate-limited per client IP and org: one org's flood leaves another org's checks alone", async () => {
    const svc = await startTestService({
      rateLimit: { enabled: true, signupPerMin: 100, loginPerMin: 3, callbackPerMin: 100 },
      ...TEST_KEYS,
    });
    try {
      const ask = (developerId: string) =>
        callService(svc.url, 'POST', '/sso/sessions/check', { json: { developerId, sessionId: 'ssn_guess' } });
      for (let i = 0; i < 3; i++) expect((await ask('dev_flooded')).status).toBe(200);
      const limited = await ask('dev_flooded');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect((await ask('dev_other')).status).toBe(200);
    } finally {
      await svc.close();
    }
  });
});

describe('test sign-ins', () => {
  it('starts one (200 shape), refuses it at POST without using it up, and finishes it at GET with no session', async () => {
    const org = await devIdpOrg();
    const started = await call('POST', `/v1/sso/connections/${org.connectionId}/test-sign-in`, {
      apiKey: org.apiKey,
      json: {},
    });
    expect(started.status, started.text).toBe(200);
    expect(Object.keys(started.body).sort()).toEqual(['authorizeUrl', 'connectionId', 'protocol']);
    expect(started.body).toMatchObject({ protocol: 'oidc', connectionId: org.connectionId });

    const params = callbackParams(await loginAtDevIdp(String(started.body.authorizeUrl), ALICE));
    expectError(
      await call('POST', '/sso/callback/oidc', { json: params }),
      400,
      SESSION_MESSAGES.testStateAtSessionCallback,
    );
    const identity = await publicClient.sso.handleCallback(params.code, params.state, { iss: params.iss });
    expect(identity).toMatchObject({ developerId: org.developerId, email: 'alice@example.com' });
    expect(await org.client.sso.sessions.list()).toEqual([]);
    expect((await org.client.sso.connections.get(org.connectionId)).lastSignInAt).toBeNull();
  });

  it('works on a testing and an inactive connection, where member sign-ins are refused', async () => {
    const org = await devIdpOrg();
    const memberState = await devIdpLogin(org.developerId);
    await org.client.sso.connections.update(org.connectionId, { status: 'testing' });
    // A member login that started while it was active is refused with a clear message.
    expectError(
      await call('POST', '/sso/callback/oidc', { json: memberState }),
      403,
      SESSION_MESSAGES.connectionTesting,
    );

    const test = await org.client.sso.connections.startTestSignIn(org.connectionId, { redirectUri: REDIRECT_URI });
    const params = callbackParams(await loginAtDevIdp(test.authorizeUrl, BOB));
    expect(await publicClient.sso.handleCallback(params.code, params.state, { iss: params.iss })).toMatchObject({
      email: 'bob@example.com',
    });

    await org.client.sso.connections.update(org.connectionId, { status: 'inactive' });
    const inactive = await org.client.sso.connections.startTestSignIn(org.connectionId);
    const again = callbackParams(await loginAtDevIdp(inactive.authorizeUrl, BOB));
    expect(await publicClient.sso.handleCallback(again.code, again.state, { iss: again.iss })).toMatchObject({
      email: 'bob@example.com',
    });
  });

  it('is 404 for another org or an unknown connection, 400 for a wrong redirect_uri, 401 without a key', async () => {
    const org = await devIdpOrg();
    const other = await signupOrg(stack.serviceUrl);
    const path = `/v1/sso/connections/${org.connectionId}/test-sign-in`;
    expectError(await call('POST', path, { apiKey: other.apiKey, json: {} }), 404, MESSAGES.connectionNotFound);
    expect((await failure(other.client.sso.connections.startTestSignIn(org.connectionId))).kind).toBe('not_found');
    expectError(
      await call('POST', '/v1/sso/connections/sso_unknown/test-sign-in', { apiKey: org.apiKey }),
      404,
      MESSAGES.connectionNotFound,
    );
    expectError(
      await call('POST', path, { apiKey: org.apiKey, json: { redirect_uri: 'http://localhost:3999/elsewhere' } }),
      400,
      SESSION_MESSAGES.redirectUriMismatch,
    );
    expect((await call('POST', path, { json: {} })).status).toBe(401);
  });
});

describe('POST /v1/sso/connections/:id/test', () => {
  it('answers 200 with the discovered endpoints, 422 when discovery fails, 404 across orgs', async () => {
    const org = await devIdpOrg();
    const ok = await call('POST', `/v1/sso/connections/${org.connectionId}/test`, { apiKey: org.apiKey });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toEqual({
      success: true,
      protocol: 'oidc',
      issuer: stack.idp.issuer,
      authorizationEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      tokenEndpoint: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
      jwksUri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//),
    });
    expect(await org.client.sso.connections.test(org.connectionId)).toEqual(ok.body);

    // An unreachable IdP is saved (it may come back) and then fails the test.
    const down = await org.client.sso.connections.create({
      name: 'Down',
      protocol: 'oidc',
      issuerUrl: 'http://127.0.0.1:9/down',
      clientId: 'c',
      clientSecret: 's',
      redirectUri: REDIRECT_URI,
    });
    const failed = await call('POST', `/v1/sso/connections/${down.id}/test`, { apiKey: org.apiKey });
    expect(failed.status, failed.text).toBe(422);
    expect(failed.body).toEqual({ success: false, protocol: 'oidc', error: expect.any(String) });
    expect(await org.client.sso.connections.test(down.id)).toEqual(failed.body);

    const other = await signupOrg(stack.serviceUrl);
    expectError(
      await call('POST', `/v1/sso/connections/${org.connectionId}/test`, { apiKey: other.apiKey }),
      404,
      MESSAGES.connectionNotFound,
    );
    expect((await failure(other.client.sso.connections.test(org.connectionId))).kind).toBe('not_found');
    expect((await call('POST', `/v1/sso/connections/${org.connectionId}/test`)).status).toBe(401);
  });
});

describe('JIT provisioning and group → scope mapping (test OP with a custom claim)', () => {
  /** An org whose default connection is on the test OP, with a `roles` claim and mappings. */
  async function opOrg(jitProvisioning = true) {
    const org = await signupOrg(stack.serviceUrl);
    const connection = await org.client.sso.connections.create({
      name: 'Test OP',
      protocol: 'oidc',
      issuerUrl: op.issuer,
      clientId: OP_CLIENT.clientId,
      clientSecret: OP_CLIENT.clientSecret,
      redirectUri: REDIRECT_URI,
      jitProvisioning,
      groupAttribute: 'roles',
      groupMappings: { admins: ['admin:all', 'read'], eng: ['deploy'], constructor: ['never'] },
      defaultScopes: ['read', 'profile'],
    });
    expect(ssoConnectionSchema.parse(connection).isDefault).toBe(true);
    return { ...org, connectionId: connection.id };
  }

  async function opSignIn(developerId: string): Promise<SsoSessionCallbackResponse> {
    const { authorizeUrl } = await publicClient.sso.getLoginUrl(developerId);
    const params = callbackParams(await op.driveAuthorize(authorizeUrl));
    return publicClient.sso.handleOidcCallback(params.code, params.state, { iss: params.iss });
  }

  it('maps groups from the claim (deduplicated, only strings), scopes = defaults ∪ mappings in order', async () => {
    const org = await opOrg();
    op.behave.idTokenClaims = { roles: ['eng', 'admins', 'eng', 42, ' ', 'constructor'] };
    const session = await opSignIn(org.developerId);
    expect(session.groups).toEqual(['eng', 'admins', 'constructor']);
    expect(session.mappedScopes).toEqual(['read', 'profile', 'deploy', 'admin:all', 'never']);
    expect(session.sub).toBe(DEFAULT_USER.sub);
    const [listed] = await org.client.sso.sessions.list();
    expect(listed).toMatchObject({
      groups: session.groups,
      mappedScopes: session.mappedScopes,
      idpSubject: DEFAULT_USER.sub,
    });
  });

  it('reads a single-string claim, and a missing claim is no groups (default scopes only)', async () => {
    const org = await opOrg();
    op.behave.idTokenClaims = { roles: 'admins' };
    expect(await opSignIn(org.developerId)).toMatchObject({
      groups: ['admins'],
      mappedScopes: ['read', 'profile', 'admin:all'],
    });
    op.behave.idTokenClaims = {};
    expect(await opSignIn(org.developerId)).toMatchObject({ groups: [], mappedScopes: ['read', 'profile'] });
    op.behave.idTokenClaims = { roles: { admins: true } };
    expect(await opSignIn(org.developerId)).toMatchObject({ groups: [], mappedScopes: ['read', 'profile'] });
  });

  it('upserts the principal: a second sign-in keeps it and takes the changed email, name and groups', async () => {
    const org = await opOrg();
    op.behave.idTokenClaims = { roles: ['eng'] };
    const first = await opSignIn(org.developerId);
    op.behave.user = { ...DEFAULT_USER, email: 'renamed@test-op.example', name: 'Renamed User' };
    op.behave.idTokenClaims = { roles: ['admins'] };
    const second = await opSignIn(org.developerId);
    expect(second.principalId).toBe(first.principalId);
    expect(second).toMatchObject({ email: 'renamed@test-op.example', name: 'Renamed User', groups: ['admins'] });
    const sessions = await org.client.sso.sessions.list();
    expect(sessions.map((s) => s.principalId)).toEqual([first.principalId, first.principalId]);
    // Sessions keep what was true when they opened.
    expect(sessions.map((s) => s.email)).toEqual(['renamed@test-op.example', DEFAULT_USER.email]);
  });

  it('without JIT: an unknown subject is refused (403, replayed to a retry), a known one signs in', async () => {
    const org = await opOrg(true);
    const known = await opSignIn(org.developerId);
    await org.client.sso.connections.update(org.connectionId, { jitProvisioning: false });

    expect((await opSignIn(org.developerId)).principalId).toBe(known.principalId);

    op.behave.user = { ...DEFAULT_USER, sub: 'never-seen-before', email: 'new@test-op.example' };
    const { authorizeUrl } = await publicClient.sso.getLoginUrl(org.developerId);
    const params = callbackParams(await op.driveAuthorize(authorizeUrl));
    const refused = await call('POST', '/sso/callback/oidc', { json: params });
    expectError(refused, 403, SESSION_MESSAGES.memberNotProvisioned);
    expect(refused.body.code).toBe('SSO_ERROR');
    expectError(await call('POST', '/sso/callback/oidc', { json: params }), 403, SESSION_MESSAGES.memberNotProvisioned);
    expect((await org.client.sso.sessions.list()).every((s) => s.principalId === known.principalId)).toBe(true);
  });

  it('deleting the connection removes its sessions', async () => {
    const org = await opOrg();
    await opSignIn(org.developerId);
    expect(await org.client.sso.sessions.list()).toHaveLength(1);
    await org.client.sso.connections.delete(org.connectionId);
    expect(await org.client.sso.sessions.list()).toEqual([]);
  });
});

describe('session lifetime (configured TTL, service clock)', () => {
  it('expires a session after GRANTEX_SESSION_TTL_SECONDS: it leaves the list and reads as not found', async () => {
    let clock = Date.parse('2026-03-01T10:00:00.000Z');
    const svc = await startTestService({ now: () => clock, sessionTtlSec: 120, ...TEST_KEYS });
    try {
      const org = await signup(svc.url);
      expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
      const { authorizeUrl } = (await json(await fetch(`${svc.url}/sso/login?org=${org.developerId}`))) as {
        authorizeUrl: string;
      };
      const state = new URL(authorizeUrl).searchParams.get('state')!;
      const res = await fetch(`${svc.url}/sso/callback/oidc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code: 'abc', state }),
      });
      expect(res.status).toBe(200);
      const session = ssoSessionCallbackResponseSchema.parse(await res.json());
      expect(session.expiresAt).toBe('2026-03-01T10:02:00.000Z');
      const list = async () =>
        ((await json(await fetch(`${svc.url}/v1/sso/sessions`, authed(org.apiKey)))) as { sessions: unknown[] })
          .sessions;
      expect(await list()).toHaveLength(1);

      const check = async () =>
        json(
          await fetch(`${svc.url}/sso/sessions/check`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ developerId: org.developerId, sessionId: session.sessionId }),
          }),
        );
      clock += 119_000;
      expect(await list()).toHaveLength(1);
      expect(await check()).toEqual({ active: true, expiresAt: session.expiresAt });
      clock += 1_000;
      expect(await list()).toEqual([]);
      expect(await check()).toEqual({ active: false, expiresAt: null });
      expect((await fetch(`${svc.url}/v1/sso/sessions/${session.sessionId}`, authed(org.apiKey))).status).toBe(404);
      expect(
        (await fetch(`${svc.url}/v1/sso/sessions/${session.sessionId}`, authed(org.apiKey, { method: 'DELETE' })))
          .status,
      ).toBe(404);
    } finally {
      await svc.close();
    }
  });
});
