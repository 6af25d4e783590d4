/**
 * Compatibility with the official Grantex TypeScript SDK's enterprise SSO calls. The SDK is not installable
 * here, so this test sends exactly what its calls send, as read from the official SDK's published source:
 * the same methods, paths, query strings and JSON bodies, and the same headers on every request
 * (`Authorization: Bearer <key>`, `User-Agent: @grantex/sdk/0.6.0`, `Accept: application/json`, and
 * `Content-Type: application/json` only when there is a body; no retries matter here). Answers are checked
 * against zod mirrors of the SDK's declared response types, through a real sign-in at the dev IdP.
 *
 * The SDK's calls covered: createConnection (no redirectUri: the SDK has no such field), listConnections,
 * getConnection, testConnection, getLoginUrl, handleOidcCallback, listSessions, revokeSession, setEnforcement.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import type { RunningSsoService } from '@/lib/sso-service';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

const CONSOLE = 'http://localhost:3999';
const ALICE = { username: 'alice', password: 'alice-password' };

let idp: DevIdp;
let service: RunningSsoService;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'grantex-sdk-'));
  // The dev IdP accepts every per-connection callback of the console, as `npm run dev` registers it.
  idp = await startDevIdp({
    port: 0,
    host: '127.0.0.1',
    redirectUris: [`${CONSOLE}/sso/callback`, `${CONSOLE}/sso/callback/*`],
  });
  service = await startLocalSsoService(dataDir, { ...(await testDatabaseOptions()), consoleUrl: CONSOLE });
});
afterAll(async () => {
  await service?.close();
  await idp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------- the SDK's requests

interface Sent {
  status: number;
  body: unknown;
  headers: Headers;
}

/** One request as the SDK's HTTP client builds it (base URL without its trailing slash, then the path). */
async function sdkRequest(
  apiKey: string,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  pathAndQuery: string,
  body?: unknown,
): Promise<Sent> {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${apiKey.trim()}`,
    'User-Agent': '@grantex/sdk/0.6.0',
    Accept: 'application/json',
  };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${service.url.replace(/\/$/, '')}${pathAndQuery}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  // The SDK answers undefined for a 204 and parses JSON otherwise.
  return { status: res.status, headers: res.headers, body: res.status === 204 ? undefined : await res.json() };
}

const sdk = (apiKey: string) => ({
  createConnection: (params: Record<string, unknown>) => sdkRequest(apiKey, 'POST', '/v1/sso/connections', params),
  listConnections: () => sdkRequest(apiKey, 'GET', '/v1/sso/connections'),
  getConnection: (id: string) => sdkRequest(apiKey, 'GET', `/v1/sso/connections/${encodeURIComponent(id)}`),
  testConnection: (id: string) => sdkRequest(apiKey, 'POST', `/v1/sso/connections/${encodeURIComponent(id)}/test`, {}),
  getLoginUrl: (org: string, domain?: string) =>
    sdkRequest(
      apiKey,
      'GET',
      `/sso/login?org=${encodeURIComponent(org)}${domain ? `&domain=${encodeURIComponent(domain)}` : ''}`,
    ),
  handleOidcCallback: (params: Record<string, unknown>) => sdkRequest(apiKey, 'POST', '/sso/callback/oidc', params),
  listSessions: () => sdkRequest(apiKey, 'GET', '/v1/sso/sessions'),
  revokeSession: (id: string) => sdkRequest(apiKey, 'DELETE', `/v1/sso/sessions/${encodeURIComponent(id)}`),
  setEnforcement: (params: { enforce: boolean }) => sdkRequest(apiKey, 'POST', '/v1/sso/enforce', params),
});

// ---------------------------------------------------------------- the SDK's declared response types, as zod

const protocol = z.enum(['oidc', 'saml', 'ldap']);
/**
 * The SDK's SsoConnection. One declared field differs from what this service answers, asserted separately below
 * so a change is noticed: `groupAttribute` (declared `string | undefined`; this service answers null when none is
 * set). `enforce` (declared required) is answered as the SDK declares it.
 */
const sdkConnection = z.object({
  id: z.string(),
  developerId: z.string(),
  name: z.string(),
  protocol,
  status: z.enum(['active', 'inactive', 'testing']),
  issuerUrl: z.string().optional(),
  clientId: z.string().optional(),
  domains: z.array(z.string()),
  jitProvisioning: z.boolean(),
  groupMappings: z.record(z.string(), z.array(z.string())),
  defaultScopes: z.array(z.string()),
  enforce: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const sdkConnectionList = z.object({ connections: z.array(sdkConnection) });
const sdkConnectionTest = z.object({
  success: z.boolean(),
  protocol,
  issuer: z.string().optional(),
  authorizationEndpoint: z.string().optional(),
  tokenEndpoint: z.string().optional(),
  jwksUri: z.string().optional(),
  error: z.string().optional(),
});
const sdkLoginResponse = z.object({
  authorizeUrl: z.string(),
  protocol: protocol.optional(),
  connectionId: z.string().optional(),
});
const sdkCallbackResult = z.object({
  sessionId: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  sub: z.string().nullable(),
  groups: z.array(z.string()),
  mappedScopes: z.array(z.string()),
  principalId: z.string().nullable(),
  developerId: z.string(),
  expiresAt: z.string(),
});
const sdkSession = z.object({
  id: z.string(),
  connectionId: z.string(),
  principalId: z.string().nullable(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  idpSubject: z.string(),
  groups: z.array(z.string()),
  mappedScopes: z.array(z.string()),
  expiresAt: z.string(),
  createdAt: z.string(),
});
const sdkSessionList = z.object({ sessions: z.array(sdkSession) });
/** The SDK's `setEnforcement` answer. */
const sdkEnforceResponse = z.object({ enforce: z.boolean(), developerId: z.string() });
/** The SDK's error reading: `message` and `code` at the top level. */
const sdkError = z.object({ message: z.string(), code: z.string() });

function expectStatus(sent: Sent, status: number): void {
  expect(sent.status, JSON.stringify(sent.body)).toBe(status);
}

describe('the official TypeScript SDK’s enterprise SSO calls', () => {
  it('createConnection without redirectUri → the connection’s own callback; a real sign-in ends in a session the SDK can list and revoke', async () => {
    const org = await signupOrg(service.url, 'SDK Customer');
    const api = sdk(org.apiKey);

    // createConnection: the SDK's CreateSsoConnectionParams has no redirectUri.
    const created = await api.createConnection({
      name: 'Dev IdP',
      protocol: 'oidc',
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      domains: ['example.com'],
      jitProvisioning: true,
      groupMappings: {},
      defaultScopes: ['read'],
    });
    expectStatus(created, 201);
    const connection = sdkConnection.parse(created.body);
    const raw = created.body as Record<string, unknown>;
    expect(raw.redirectUri).toBe(`${CONSOLE}/sso/callback/${connection.id}`);
    expect(raw.enforce).toBe(false);
    expect(raw.groupAttribute).toBeNull();
    expect(raw).not.toHaveProperty('clientSecret');

    const list = await api.listConnections();
    expectStatus(list, 200);
    expect(sdkConnectionList.parse(list.body).connections.map((c) => c.id)).toEqual([connection.id]);
    const one = await api.getConnection(connection.id);
    expectStatus(one, 200);
    expect(sdkConnection.parse(one.body).id).toBe(connection.id);
    const tested = await api.testConnection(connection.id);
    expectStatus(tested, 200);
    expect(sdkConnectionTest.parse(tested.body)).toMatchObject({ success: true, protocol: 'oidc', issuer: idp.issuer });

    // getLoginUrl(org): the IdP is sent the connection's own callback, which the dev IdP accepts.
    const start = async () => {
      const login = await api.getLoginUrl(org.developerId);
      expectStatus(login, 200);
      const { authorizeUrl } = sdkLoginResponse.parse(login.body);
      expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toBe(`${CONSOLE}/sso/callback/${connection.id}`);
      const back = await loginAtDevIdp(authorizeUrl, ALICE);
      expect(back.origin + back.pathname).toBe(`${CONSOLE}/sso/callback/${connection.id}`);
      return {
        code: back.searchParams.get('code') ?? '',
        state: back.searchParams.get('state') ?? '',
        iss: back.searchParams.get('iss') ?? '',
      };
    };
    // getLoginUrl(org, domain) routes the same way.
    expect(sdkLoginResponse.parse((await api.getLoginUrl(org.developerId, 'example.com')).body).connectionId).toBe(
      connection.id,
    );

    // handleOidcCallback with the fields the SDK declares (code, state, redirect_uri). The dev IdP advertises the
    // RFC 9207 iss parameter, so a response without it is refused (no token request): an SDK caller must pass
    // it along, which the SDK forwards as given although its type does not list it.
    const first = await start();
    const withoutIss = await api.handleOidcCallback({
      code: first.code,
      state: first.state,
      redirect_uri: `${CONSOLE}/sso/callback/${connection.id}`,
    });
    expectStatus(withoutIss, 400);
    expect(sdkError.parse(withoutIss.body)).toMatchObject({
      code: 'SSO_ERROR',
      message: expect.stringMatching(/"iss" missing/),
    });

    const second = await start();
    const signedIn = await api.handleOidcCallback({
      ...second,
      redirect_uri: `${CONSOLE}/sso/callback/${connection.id}`,
    });
    expectStatus(signedIn, 200);
    const session = sdkCallbackResult.parse(signedIn.body);
    expect(session).toMatchObject({
      email: 'alice@example.com',
      name: 'Alice Anderson',
      developerId: org.developerId,
      mappedScopes: ['read'],
    });

    // A redirect_uri other than the connection's (the SDK passes what the caller gives) is refused.
    const third = await start();
    const elsewhere = await api.handleOidcCallback({ ...third, redirect_uri: `${CONSOLE}/sso/callback` });
    expectStatus(elsewhere, 400);
    expect(sdkError.parse(elsewhere.body).message).toBe(
      'redirect_uri does not match the redirect URI configured for this connection',
    );

    const sessions = await api.listSessions();
    expectStatus(sessions, 200);
    expect(sdkSessionList.parse(sessions.body).sessions.map((s) => s.id)).toEqual([session.sessionId]);
    const revoked = await api.revokeSession(session.sessionId);
    expectStatus(revoked, 204);
    expect(revoked.body).toBeUndefined();
    expect(sdkSessionList.parse((await api.listSessions()).body).sessions).toEqual([]);
  });

  it('setEnforcement: POST /v1/sso/enforce {enforce} → 200 {enforce, developerId} once an owner signed in to the console through SSO', async () => {
    const org = await signupOrg(service.url, 'SDK Enforcer');
    const api = sdk(org.apiKey);
    // Without an owner's SSO console sign-in within the hour: refused, and the SDK reads why.
    const early = await api.setEnforcement({ enforce: true });
    expectStatus(early, 409);
    expect(sdkError.parse(early.body).code).toBe('ENFORCEMENT_NEEDS_OWNER_SSO');
    expect((await org.client.sso.getEnforcement()).enforce).toBe(false);

    // The org maps the dev IdP's sso-owners group to the owner role; alice signs in to the console.
    const connection = await org.client.sso.connections.create({
      name: 'Dev IdP',
      protocol: 'oidc',
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      groupAttribute: 'groups',
      consoleRoleMappings: { 'sso-owners': 'owner' },
    });
    const { authorizeUrl } = await org.client.sso.getLoginUrl(org.developerId, { intent: 'console' });
    const back = await loginAtDevIdp(authorizeUrl, ALICE);
    const signedIn = await org.client.sso.handleOidcCallback(
      back.searchParams.get('code') ?? '',
      back.searchParams.get('state') ?? '',
      { iss: back.searchParams.get('iss') ?? undefined, redirectUri: `${CONSOLE}/sso/callback/${connection.id}` },
    );
    expect(signedIn.console?.role).toBe('owner');

    const on = await api.setEnforcement({ enforce: true });
    expectStatus(on, 200);
    expect(sdkEnforceResponse.parse(on.body)).toEqual({ enforce: true, developerId: org.developerId });
    expect(Object.keys(on.body as object).sort()).toEqual(['developerId', 'enforce']);
    expect((await org.client.sso.getEnforcement()).enforce).toBe(true);
    // Repeating it is harmless; switching it off needs nothing.
    expectStatus(await api.setEnforcement({ enforce: true }), 200);
    const off = await api.setEnforcement({ enforce: false });
    expectStatus(off, 200);
    expect(sdkEnforceResponse.parse(off.body)).toEqual({ enforce: false, developerId: org.developerId });
    expect((await org.client.sso.getEnforcement()).enforce).toBe(false);
    // A malformed body is the contract's 400.
    const bad = await sdkRequest(org.apiKey, 'POST', '/v1/sso/enforce', { enforce: 'yes' });
    expectStatus(bad, 400);
  });

  it('errors read as the SDK reads them (message and code at the top level)', async () => {
    const org = await signupOrg(service.url);
    const missing = await sdk(org.apiKey).getConnection('sso_does_not_exist');
    expectStatus(missing, 404);
    expect(sdkError.parse(missing.body).code).toBe('NOT_FOUND');
    const unauthorized = await sdk('gx_test_' + 'A'.repeat(43)).listSessions();
    expectStatus(unauthorized, 401);
    expect(sdkError.parse(unauthorized.body).code).toBe('UNAUTHORIZED');
  });
});
