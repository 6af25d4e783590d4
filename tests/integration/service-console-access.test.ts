/**
 * Console access end to end, on the real service (SQLite, or PostgreSQL with GRANTEX_TEST_DATABASE_URL), the dev
 * IdP and the programmable test OP, through the Grantex client and raw HTTP: console sign-in with
 * `intent=console` (role mapping, highest role wins, no role → refused with nothing opened), the intent sealed in
 * the state, the service's role checks on every route, SSO enforcement (an owner's SSO sign-in within the hour,
 * on the service clock), break-glass credentials, another org's console session, SCIM revocation, and the
 * console secrets (`gxc_`, `gxbg_`) kept out of logs, stored events and webhook bodies.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLIENT_ADDRESS_HEADER,
  CONSOLE_ACCESS_MESSAGES,
  CONSOLE_ROLES,
  CONSOLE_SECRET_HEADER,
  roleAtLeast,
  consoleMeSchema,
  ssoEnforcementSchema,
  type AuditEvent,
  type ConsoleRole,
  type SignInEvent,
  type SsoSessionCallbackResponse,
} from '@/lib/contract';
import Fastify from 'fastify';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { CONSOLE_ROUTE_ROLES } from '@/lib/sso-service/features/console-access/permissions';
import { registerConsoleRouteCheck } from '@/lib/sso-service/features/console-access/routes';
import { GrantexClient } from '@/lib/grantex';
import { StoreError } from '@/lib/sso-service/storage';
import { expectCleanLogs, startHarness, type Harness } from '@/tests/support/adversarial';
import { databaseBytes } from '@/tests/support/database-bytes';
import { startLoopbackDnsServer, type LoopbackDnsServer } from '@/tests/support/dns-server';
import { failure } from '@/tests/support/grantex-failure';
import { startReceiver, type Receiver } from '@/tests/support/webhook-receiver';
import { loginAtDevIdp, type DevIdpUser } from '@/tests/support/idp-login';
import { loginAtDevSamlIdp } from '@/tests/support/saml-login';
import { expectCleanEvents, readStoredEvents } from '@/tests/support/stored-events';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import { callService, type Answer } from './service-harness';

const CONSOLE = 'http://localhost:3999';
const REDIRECT_URI = `${CONSOLE}/sso/callback`;
const OP_CLIENT = { clientId: 'console-op-client', clientSecret: 'console-op-secret', redirectUris: [REDIRECT_URI] };
const ALICE: DevIdpUser = { username: 'alice', password: 'alice-password' };
const BOB: DevIdpUser = { username: 'bob', password: 'bob-password' };
const HOUR_MS = 3600_000;
/** The console names the member's address to the service with this secret (http/client-address.ts). */
const CONSOLE_SECRET = 'console-access-test-secret-0123456789';
let addressCounter = 0;
/** A client as the console's server makes it for one member: its own address, so rate-limit buckets are theirs. */
const memberClient = (address = `198.51.100.${++addressCounter}`) =>
  new GrantexClient({
    baseUrl: h.url,
    retries: 0,
    publicHeaders: { [CLIENT_ADDRESS_HEADER]: address, [CONSOLE_SECRET_HEADER]: CONSOLE_SECRET },
  });
const breakGlassSignIn = (credential: string, address?: string) =>
  memberClient(address).console.breakGlassSignIn(credential);

let h: Harness;
let connectionWritesFail = false;
let idp: DevIdp;
let op: TestOp;
let publicClient: GrantexClient;
let receiver: Receiver;
let dns: LoopbackDnsServer;
/** Every console token and break-glass credential handed out: none may appear in logs or stored events. */
const secrets: string[] = [];

beforeAll(async () => {
  [idp, op] = await Promise.all([
    startDevIdp({ port: 0, host: '127.0.0.1', redirectUris: [REDIRECT_URI] }),
    startTestOp({ issuerPath: '/console', clients: [OP_CLIENT] }),
  ]);
  dns = await startLoopbackDnsServer();
  [h, receiver] = await Promise.all([
    startHarness({
      consoleUrl: CONSOLE,
      consoleSecret: CONSOLE_SECRET,
      dnsServers: [dns.address],
      dnsTimeoutMs: 400,
      eventStream: { pollMs: 30, settleMs: 100, keepaliveMs: 150, recheckMs: 100 },
      // A connection write that fails as a lost database does, when a test asks for it.
      wrapStore: (store) =>
        new Proxy(store, {
          get(target, prop, receiver) {
            if (prop === 'replaceConnection' && connectionWritesFail)
              return () => Promise.reject(new StoreError('unavailable', '57P01'));
            return Reflect.get(target, prop, receiver);
          },
        }),
    }),
    startReceiver(),
  ]);
  publicClient = new GrantexClient({ baseUrl: h.url, retries: 0 });
});
afterAll(async () => {
  await h?.close();
  await Promise.all([idp?.close(), op?.close(), receiver?.close(), dns?.close()]);
});
beforeEach(() => {
  op.reset();
  h.clock.offsetMs = 0;
});

const call = (method: string, path: string, bearer: string | null, json?: unknown): Promise<Answer> =>
  callService(h.url, method, path, { bearer, json });

const keep = (secret: string) => {
  secrets.push(secret);
  return secret;
};

async function newOrg() {
  const signedUp = await publicClient.orgs.signup({ name: `Console Org ${secrets.length}-${Date.now()}` });
  return {
    developerId: signedUp.developerId,
    apiKey: signedUp.apiKey,
    client: new GrantexClient({ baseUrl: h.url, apiKey: signedUp.apiKey, retries: 0 }),
  };
}
type Org = Awaited<ReturnType<typeof newOrg>>;

/** A connection on the dev IdP reading its `groups` claim; alice is in sso-owners, bob in sso-viewers. */
async function devIdpConnection(org: Org, consoleRoleMappings: Record<string, ConsoleRole>, name = 'Dev IdP') {
  return org.client.sso.connections.create({
    name,
    protocol: 'oidc',
    issuerUrl: idp.issuer,
    clientId: idp.client.clientId,
    clientSecret: idp.client.clientSecret,
    redirectUri: REDIRECT_URI,
    groupAttribute: 'groups',
    consoleRoleMappings,
  });
}

async function opConnection(org: Org, consoleRoleMappings: Record<string, ConsoleRole>) {
  return org.client.sso.connections.create({
    name: 'Test OP',
    protocol: 'oidc',
    issuerUrl: op.issuer,
    clientId: OP_CLIENT.clientId,
    clientSecret: OP_CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
    groupAttribute: 'roles',
    consoleRoleMappings,
  });
}

function callbackParams(redirect: URL) {
  return {
    code: redirect.searchParams.get('code') ?? '',
    state: redirect.searchParams.get('state') ?? '',
    iss: redirect.searchParams.get('iss') ?? undefined,
  };
}

/** A login at the dev IdP on one connection; `intent` as the console sends it. */
async function devIdpLogin(org: Org, connectionId: string, user: DevIdpUser, intent?: 'console' | 'member') {
  const { authorizeUrl } = await publicClient.sso.getLoginUrlForConnection(org.developerId, connectionId, {
    ...(intent ? { intent } : {}),
  });
  return callbackParams(await loginAtDevIdp(authorizeUrl, user));
}

async function consoleSignIn(org: Org, connectionId: string, user: DevIdpUser): Promise<SsoSessionCallbackResponse> {
  const p = await devIdpLogin(org, connectionId, user, 'console');
  const result = await publicClient.sso.handleOidcCallback(p.code, p.state, { iss: p.iss, redirectUri: REDIRECT_URI });
  if (result.console) keep(result.console.token);
  return result;
}

/** A console sign-in at the test OP whose ID token carries these `roles`. */
async function opConsoleSignIn(org: Org, connectionId: string, roles: unknown) {
  op.behave.idTokenClaims = { roles };
  const { authorizeUrl } = await publicClient.sso.getLoginUrlForConnection(org.developerId, connectionId, {
    intent: 'console',
  });
  const p = callbackParams(await op.driveAuthorize(authorizeUrl));
  const result = await publicClient.sso.handleOidcCallback(p.code, p.state, { iss: p.iss, redirectUri: REDIRECT_URI });
  if (result.console) keep(result.console.token);
  return result;
}

/** A client holding a console session token as its bearer (what the console server does). */
const asConsole = (token: string) => new GrantexClient({ baseUrl: h.url, apiKey: token, retries: 0 });

/** An org with an owner (alice via the dev IdP) and a viewer (bob), and an admin through the test OP. */
async function orgWithPeople() {
  const org = await newOrg();
  const dev = await devIdpConnection(org, { 'sso-owners': 'owner', 'sso-viewers': 'viewer' });
  const opConn = await opConnection(org, { admins: 'admin' });
  const owner = (await consoleSignIn(org, dev.id, ALICE)).console!.token;
  const viewer = (await consoleSignIn(org, dev.id, BOB)).console!.token;
  const admin = (await opConsoleSignIn(org, opConn.id, ['admins'])).console!.token;
  return { org, dev, opConn, owner, viewer, admin };
}

/** The audit trail once the buffered events landed (written every 250 ms). */
async function auditOf(org: Org, wanted: (actions: string[]) => boolean): Promise<AuditEvent[]> {
  const read = async () => {
    const page = await org.client.sso.audit.list();
    if (!page.supported) throw new Error('the service serves the audit trail');
    return page.events;
  };
  for (let i = 0; i < 40; i++) {
    const events = await read();
    if (wanted(events.map((e) => e.action))) return events;
    await new Promise((r) => setTimeout(r, 100));
  }
  return read();
}

async function signInLogOf(org: Org): Promise<SignInEvent[]> {
  const page = await org.client.sso.events.list();
  if (!page.supported) throw new Error('the service serves the sign-in log');
  return page.events;
}

describe('console sign-in through SSO (intent=console)', () => {
  it('maps the dev IdP groups to roles: alice (sso-owners) is an owner, bob (sso-viewers) a viewer', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, { 'sso-owners': 'owner', 'sso-viewers': 'viewer' });
    expect(conn.consoleRoleMappings).toEqual({ 'sso-owners': 'owner', 'sso-viewers': 'viewer' });
    const started = Date.now();
    const alice = await consoleSignIn(org, conn.id, ALICE);
    expect(alice.groups).toEqual(['sso-owners']);
    expect(alice.console).toMatchObject({ token: expect.stringMatching(/^gxc_[A-Za-z0-9_-]{43}$/), role: 'owner' });
    const ends = Date.parse(alice.console!.expiresAt);
    expect(ends).toBeGreaterThanOrEqual(started + 8 * HOUR_MS - 1000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 8 * HOUR_MS);
    expect(ends).toBeLessThanOrEqual(Date.parse(alice.expiresAt));
    expect(consoleMeSchema.parse(await asConsole(alice.console!.token).console.me())).toEqual({
      developerId: org.developerId,
      role: 'owner',
      via: 'sso',
      email: 'alice@example.com',
      subject: alice.sub,
      connectionId: conn.id,
      expiresAt: alice.console!.expiresAt,
    });
    const bob = await consoleSignIn(org, conn.id, BOB);
    expect(bob.console?.role).toBe('viewer');
    expect((await asConsole(bob.console!.token).console.me()).role).toBe('viewer');
    // The API key is an owner, via api_key.
    expect(await org.client.console.me()).toEqual({
      developerId: org.developerId,
      role: 'owner',
      via: 'api_key',
      email: null,
      subject: null,
      connectionId: null,
      expiresAt: null,
    });
  });

  it('the same works over SAML: the dev IdP sends the groups attribute', async () => {
    const org = await newOrg();
    const conn = await org.client.sso.connections.create({
      name: 'Dev SAML',
      protocol: 'saml',
      idpMetadataUrl: idp.saml.metadataUrl,
      groupAttribute: 'groups',
      consoleRoleMappings: { 'sso-owners': 'owner' },
    });
    const { authorizeUrl } = await publicClient.sso.getLoginUrlForConnection(org.developerId, conn.id, {
      intent: 'console',
    });
    const posted = await loginAtDevSamlIdp(authorizeUrl, ALICE);
    const result = await publicClient.sso.handleSamlCallback({
      samlResponse: posted.samlResponse,
      relayState: posted.relayState ?? undefined,
    });
    expect('console' in result && result.console?.role).toBe('owner');
    if ('console' in result && result.console) keep(result.console.token);
  });

  it('highest mapped role wins (test OP), and a member login never yields a console token', async () => {
    const org = await newOrg();
    const conn = await opConnection(org, { viewers: 'viewer', admins: 'admin', owners: 'owner' });
    expect((await opConsoleSignIn(org, conn.id, ['viewers', 'owners', 'admins'])).console?.role).toBe('owner');
    expect((await opConsoleSignIn(org, conn.id, ['viewers', 'admins'])).console?.role).toBe('admin');
    expect((await opConsoleSignIn(org, conn.id, 'viewers')).console?.role).toBe('viewer');
    // A member login: a session, no console grant.
    op.behave.idTokenClaims = { roles: ['owners'] };
    const { authorizeUrl } = await publicClient.sso.getLoginUrlForConnection(org.developerId, conn.id);
    const p = callbackParams(await op.driveAuthorize(authorizeUrl));
    const member = await call('POST', '/sso/callback/oidc', null, { ...p, redirect_uri: REDIRECT_URI });
    expect(member.status, member.text).toBe(200);
    expect(member.body).not.toHaveProperty('console');
  });

  it('no console role → 403 CONSOLE_ROLE_MISSING, no member session and no console session; the sign-in log says why', async () => {
    const org = await newOrg();
    const conn = await opConnection(org, { admins: 'admin' });
    const before = await org.client.sso.sessions.list();
    op.behave.idTokenClaims = { roles: ['engineering'] };
    const { authorizeUrl } = await publicClient.sso.getLoginUrlForConnection(org.developerId, conn.id, {
      intent: 'console',
    });
    const p = callbackParams(await op.driveAuthorize(authorizeUrl));
    const res = await call('POST', '/sso/callback/oidc', null, { ...p, redirect_uri: REDIRECT_URI });
    expect(res.status, res.text).toBe(403);
    expect(res.body).toMatchObject({
      code: 'CONSOLE_ROLE_MISSING',
      message: CONSOLE_ACCESS_MESSAGES.consoleRoleMissing,
    });
    expect(res.text).not.toContain('gxc_');
    expect(await org.client.sso.sessions.list()).toEqual(before);
    // No console session was opened: enforcement (which needs an owner's SSO console session) still refuses,
    // and the connection shows no sign-in.
    expect((await org.client.sso.connections.get(conn.id)).lastSignInAt).toBeNull();
    // A connection without mappings (the default) grants nobody a console role.
    const plain = await org.client.sso.connections.create({
      name: 'Plain',
      protocol: 'oidc',
      issuerUrl: op.issuer,
      clientId: OP_CLIENT.clientId,
      clientSecret: OP_CLIENT.clientSecret,
      redirectUri: REDIRECT_URI,
      groupAttribute: 'roles',
    });
    expect(plain.consoleRoleMappings).toEqual({});
    const refused = await failure(opConsoleSignIn(org, plain.id, ['admins']));
    expect(refused).toMatchObject({ status: 403, code: 'CONSOLE_ROLE_MISSING' });
    for (let i = 0; i < 40; i++) {
      const events = await signInLogOf(org);
      if (events.length >= 2) {
        expect(events.map((e) => e.reason)).toEqual(['console_role_missing', 'console_role_missing']);
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the refused console sign-ins were not logged');
  });

  it('the intent cannot be forged at the callback: a member state never yields a console token', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, { 'sso-owners': 'owner' });
    const p = await devIdpLogin(org, conn.id, ALICE, 'member');
    // The callback's body and query carry an intent of the caller's choosing: ignored.
    const res = await callService(h.url, 'POST', '/sso/callback/oidc?intent=console', {
      json: { ...p, redirect_uri: REDIRECT_URI, intent: 'console', console: true },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).not.toHaveProperty('console');
    expect(res.text).not.toContain('gxc_');
    // Only the two intents exist.
    const bogus = await call('GET', `/sso/login?org=${org.developerId}&intent=admin`, null);
    expect(bogus.status).toBe(400);
    expect(bogus.body.message).toBe('intent must be member or console');
    // A console state finished at the legacy identity callback gives the identity only.
    const c = await devIdpLogin(org, conn.id, ALICE, 'console');
    const legacy = await publicClient.sso.handleCallback(c.code, c.state, { iss: c.iss, redirectUri: REDIRECT_URI });
    expect(legacy).not.toHaveProperty('console');
    // Nothing opened a console session: switching enforcement on is still refused.
    expect(await failure(org.client.sso.setEnforcement(true))).toMatchObject({
      status: 409,
      code: 'ENFORCEMENT_NEEDS_OWNER_SSO',
    });
  });
});

describe('roles on the service (defence in depth)', () => {
  it('a viewer reads but changes nothing; each refusal names the role needed', async () => {
    const { org, dev, viewer } = await orgWithPeople();
    const v = asConsole(viewer);
    expect((await v.sso.connections.list()).map((c) => c.id)).toContain(dev.id);
    await v.sso.sessions.list();
    await v.sso.audit.list();
    await v.sso.getEnforcement();
    await v.webhooks.list();
    await v.scim.listTokens();
    const writes: Array<[string, string, unknown?]> = [
      ['PATCH', `/v1/sso/connections/${dev.id}`, { name: 'Renamed by a viewer' }],
      ['POST', '/v1/sso/domains', { domain: 'viewer.example' }],
      ['POST', '/v1/sso/setup-links', {}],
      ['POST', '/v1/webhooks', { url: 'https://hooks.example.com/x', events: ['*'] }],
      ['POST', '/v1/scim/tokens', { label: 'viewer' }],
      ['DELETE', `/v1/sso/connections/${dev.id}`],
      ['POST', '/v1/sso/enforce', { enforce: false }],
      ['POST', '/v1/sso/break-glass', { label: 'viewer' }],
    ];
    for (const [method, path, body] of writes) {
      const res = await call(method, path, viewer, body);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      expect(String(res.body.message)).toMatch(
        /needs the (admin role or higher|owner role); you are signed in as a viewer/,
      );
    }
    // Nothing changed.
    expect((await org.client.sso.connections.get(dev.id)).name).toBe('Dev IdP');
    expect(await org.client.sso.domains.list()).toEqual([]);
    expect(await org.client.sso.setupLinks.list()).toEqual([]);
    expect(await org.client.webhooks.list()).toEqual([]);
    expect(await org.client.scim.listTokens()).toEqual([]);
    expect(await org.client.sso.breakGlass.list()).toEqual([]);
  });

  it('an admin writes connections but may not delete one, enforce, manage break-glass, or grant roles above its own', async () => {
    const { org, dev, opConn, admin, owner } = await orgWithPeople();
    const a = asConsole(admin);
    expect((await a.sso.connections.update(opConn.id, { name: 'Renamed by admin' })).name).toBe('Renamed by admin');
    for (const [method, path, body] of [
      ['DELETE', `/v1/sso/connections/${dev.id}`],
      ['DELETE', '/v1/sso/config'],
      ['POST', '/v1/sso/enforce', { enforce: true }],
      ['POST', '/v1/sso/break-glass', { label: 'admin' }],
      ['GET', '/v1/sso/break-glass'],
    ] as Array<[string, string, unknown?]>) {
      const res = await call(method, path, admin, body);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(403);
      expect(res.body.message).toBe(CONSOLE_ACCESS_MESSAGES.roleRequired('owner', 'admin'));
    }
    expect((await org.client.sso.connections.get(dev.id)).id).toBe(dev.id);
    // Console roles and enforcement of a connection are an owner's call…
    const grant = await call('PATCH', `/v1/sso/connections/${opConn.id}`, admin, {
      consoleRoleMappings: { admins: 'owner' },
    });
    expect(grant.status, grant.text).toBe(403);
    expect(grant.body.message).toBe(CONSOLE_ACCESS_MESSAGES.ownerFieldsOnly);
    expect((await org.client.sso.connections.get(opConn.id)).consoleRoleMappings).toEqual({ admins: 'admin' });
    // A form that sends every field back unchanged is fine.
    const unchanged = await call('PATCH', `/v1/sso/connections/${dev.id}`, admin, {
      name: 'Dev IdP (saved by an admin)',
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      groupAttribute: 'groups',
      consoleRoleMappings: { 'sso-viewers': 'viewer', 'sso-owners': 'owner' },
      enforce: false,
    });
    expect(unchanged.status, unchanged.text).toBe(200);
    // …and ends nobody's console session.
    expect((await call('GET', '/v1/console/me', owner)).status).toBe(200);
    await org.client.sso.connections.update(dev.id, { name: 'Dev IdP' });
    // …and so is re-pointing a connection that grants the owner role at another IdP.
    const repoint = await call('PATCH', `/v1/sso/connections/${dev.id}`, admin, { issuerUrl: op.issuer });
    expect(repoint.status, repoint.text).toBe(403);
    expect(repoint.body.message).toBe(CONSOLE_ACCESS_MESSAGES.trustFieldsOwnerOnly);
    expect((await org.client.sso.connections.get(dev.id)).protocol === 'oidc').toBe(true);
    const stored = await org.client.sso.connections.get(dev.id);
    expect(stored.protocol === 'oidc' && stored.issuerUrl).toBe(idp.issuer);
    // The legacy config saves the default connection (the dev IdP one here): the same rule.
    expect(dev.isDefault).toBe(true);
    const legacy = await call('POST', '/v1/sso/config', admin, {
      issuerUrl: op.issuer,
      clientId: OP_CLIENT.clientId,
      clientSecret: OP_CLIENT.clientSecret,
      redirectUri: REDIRECT_URI,
    });
    expect(legacy.status, legacy.text).toBe(403);
    expect((await org.client.sso.getConfig())?.issuerUrl).toBe(idp.issuer);
    // Creating a connection that grants roles is an owner's too.
    const created = await call('POST', '/v1/sso/connections', admin, {
      name: 'Own IdP',
      protocol: 'oidc',
      issuerUrl: op.issuer,
      clientId: 'x',
      clientSecret: 'y',
      consoleRoleMappings: { mine: 'owner' },
    });
    expect(created.status, created.text).toBe(403);
    expect((await org.client.sso.connections.list()).map((c) => c.name)).not.toContain('Own IdP');
  });

  it('an owner may do everything; so may the API key', async () => {
    const { org, opConn, owner } = await orgWithPeople();
    const o = asConsole(owner);
    const credential = await o.sso.breakGlass.create({ label: 'Owner safe' });
    keep(credential.credential);
    expect((await o.sso.breakGlass.list()).map((c) => c.label)).toEqual(['Owner safe']);
    expect(await o.sso.setEnforcement(true)).toEqual({ enforce: true, developerId: org.developerId });
    expect(await o.sso.setEnforcement(false)).toEqual({ enforce: false, developerId: org.developerId });
    await o.sso.connections.update(opConn.id, { consoleRoleMappings: { admins: 'viewer' } });
    await o.sso.connections.delete(opConn.id);
    expect((await org.client.sso.connections.list()).map((c) => c.id)).not.toContain(opConn.id);
    await org.client.sso.breakGlass.delete(credential.id);
    expect(await org.client.sso.breakGlass.list()).toEqual([]);
  });

  it('a setup session cannot grant console roles or re-point a connection that grants one', async () => {
    const { org, dev } = await orgWithPeople();
    const link = await org.client.sso.setupLinks.create();
    const redeemed = await new GrantexClient({ baseUrl: h.url, apiKey: link.token, retries: 0 }).sso.setupLinks.redeem({
      name: 'IT admin',
      email: 'it@example.com',
    });
    const setup = redeemed.sessionToken;
    const grant = await call('PATCH', `/v1/sso/connections/${dev.id}`, setup, { consoleRoleMappings: { x: 'owner' } });
    expect(grant.status, grant.text).toBe(403);
    const repoint = await call('PATCH', `/v1/sso/connections/${dev.id}`, setup, { groupAttribute: 'other' });
    expect(repoint.status, repoint.text).toBe(403);
    const after = await org.client.sso.connections.get(dev.id);
    expect(after.consoleRoleMappings).toEqual({ 'sso-owners': 'owner', 'sso-viewers': 'viewer' });
    expect(after.groupAttribute).toBe('groups');
  });

  it('sign-out, expiry and revocation end a console session (401)', async () => {
    const { org, dev, owner } = await orgWithPeople();
    await asConsole(owner).console.signOut();
    expect(await failure(asConsole(owner).console.me())).toMatchObject({
      status: 401,
      message: CONSOLE_ACCESS_MESSAGES.consoleSessionInvalid,
    });
    expect((await call('GET', '/v1/sso/connections', owner)).status).toBe(401);
    const again = (await consoleSignIn(org, dev.id, ALICE)).console!.token;
    expect((await call('GET', '/v1/console/me', again)).status).toBe(200);
    h.clock.offsetMs = 8 * HOUR_MS + 60_000;
    expect((await call('GET', '/v1/console/me', again)).status).toBe(401);
    h.clock.offsetMs = 0;
    // Ending the member session it was opened with ends it: an admin's revoke, and the member's logout.
    const viaRevoke = await consoleSignIn(org, dev.id, ALICE);
    await org.client.sso.sessions.revoke(viaRevoke.sessionId);
    expect((await call('GET', '/v1/console/me', viaRevoke.console!.token)).status).toBe(401);
    const viaLogout = await consoleSignIn(org, dev.id, ALICE);
    const loggedOut = await publicClient.sso.sessions.logout({
      developerId: org.developerId,
      sessionId: viaLogout.sessionId,
    });
    expect(loggedOut.ended).toBe(true);
    expect((await call('GET', '/v1/console/me', viaLogout.console!.token)).status).toBe(401);
    // The API key cannot "sign out".
    expect((await call('DELETE', '/v1/console/session', org.apiKey)).status).toBe(400);
  });
});

describe('the service’s role table', () => {
  it('walks every route of the table: each role below the one listed is refused (403), the others get past the check', async () => {
    const { owner, admin, viewer } = await orgWithPeople();
    const tokens: Record<ConsoleRole, string> = { owner, admin, viewer };
    // Deleting the legacy config deletes the default connection and so ends the console sessions through it: last.
    const entries = Object.entries(CONSOLE_ROUTE_ROLES).sort(
      ([a], [b]) => Number(a === 'DELETE /v1/sso/config') - Number(b === 'DELETE /v1/sso/config'),
    );
    for (const [key, needed] of entries) {
      const [method, pattern] = key.split(' ') as [string, string];
      // Unknown ids: a role that passes gets the route's own answer (404, 400 …), never the role refusal.
      const path = pattern.replace(/:(\w+)/g, (_m, name: string) =>
        name === 'domain' ? 'nowhere.example' : `x_${name}`,
      );
      // Lowest role first: an allowed owner write cannot end a lower role's session before its turn.
      for (const role of [...CONSOLE_ROLES].reverse()) {
        if (key === 'DELETE /v1/console/session') continue; // would end the session the walk uses
        const res =
          key === 'GET /v1/events/stream'
            ? await streamStatus(path, tokens[role])
            : await call(method, path, tokens[role], method === 'GET' || method === 'DELETE' ? undefined : {});
        const refused =
          res.status === 403 &&
          (res.body.errors as { code: string }[] | undefined)?.[0]?.code === 'console_role_required';
        expect(refused, `${role} on ${key}: ${res.status} ${res.text}`).toBe(!roleAtLeast(role, needed));
      }
    }
  });

  it('refuses to start with an authenticated /v1 route missing from the table', async () => {
    const app = Fastify();
    registerConsoleRouteCheck(app as unknown as Parameters<typeof registerConsoleRouteCheck>[0]);
    expect(() => app.get('/v1/sso/something-new', async () => ({}))).toThrow(/missing from the console role table/);
    app.get('/sso/public-thing', async () => ({}));
    await app.close();
  });
});

/** The event stream's status (it stays open on success: read the head, then hang up). */
async function streamStatus(path: string, bearer: string): Promise<Answer> {
  const controller = new AbortController();
  const res = await fetch(`${h.url}${path}`, {
    headers: { authorization: `Bearer ${bearer}` },
    signal: controller.signal,
  });
  if (res.status === 200) {
    controller.abort();
    return { status: 200, text: '', body: {} };
  }
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe('changing a connection ends the console sessions it no longer vouches for', () => {
  it('new mappings end the sessions whose role changed, not the owner’s; deleting the connection ends the rest', async () => {
    const { org, dev, opConn, owner, viewer, admin } = await orgWithPeople();
    // An owner changes the mappings: bob (sso-viewers) would now be an admin; alice stays an owner.
    await asConsole(owner).sso.connections.update(dev.id, {
      consoleRoleMappings: { 'sso-owners': 'owner', 'sso-viewers': 'admin' },
    });
    expect((await call('GET', '/v1/console/me', owner)).status).toBe(200);
    expect((await call('GET', '/v1/console/me', viewer)).status).toBe(401);
    // Signing in again gives bob the new role at once.
    expect((await consoleSignIn(org, dev.id, BOB)).console?.role).toBe('admin');
    // A rename changes nothing; nor does a new client secret for the same IdP and client (sealed afresh, so
    // compared by what it vouches for, not by its stored bytes), nor the legacy config saved again unchanged.
    await org.client.sso.connections.update(opConn.id, { name: 'Renamed' });
    await org.client.sso.connections.update(opConn.id, { clientSecret: OP_CLIENT.clientSecret });
    expect((await call('GET', '/v1/console/me', admin)).status).toBe(200);
    const legacy = await org.client.sso.getConfig();
    expect(legacy?.issuerUrl).toBeTruthy();
    await org.client.sso.createConfig({
      issuerUrl: legacy!.issuerUrl,
      clientId: legacy!.clientId,
      clientSecret: idp.client.clientSecret,
      redirectUri: legacy!.redirectUri,
    });
    expect((await call('GET', '/v1/console/me', owner)).status).toBe(200);
    // Switching the connection off, or deleting it, ends every console session through it.
    await org.client.sso.connections.update(opConn.id, { status: 'inactive' });
    expect((await call('GET', '/v1/console/me', admin)).status).toBe(401);
    await org.client.sso.connections.delete(dev.id);
    expect((await call('GET', '/v1/console/me', owner)).status).toBe(401);
  });
  it('a PATCH ends the stale console sessions before it writes: a write that then fails leaves them ended, never open', async () => {
    const { org, opConn, admin, owner } = await orgWithPeople();
    connectionWritesFail = true;
    try {
      const res = await call('PATCH', `/v1/sso/connections/${opConn.id}`, org.apiKey, { clientId: 'another-client' });
      expect(res.status).toBe(503);
    } finally {
      connectionWritesFail = false;
    }
    // Nothing written; the sessions through the test OP ended all the same (a sign-in costs less than a session
    // left open on a trust that an admin meant to replace); those through the other connection go on.
    expect(await org.client.sso.connections.get(opConn.id)).toMatchObject({ clientId: OP_CLIENT.clientId });
    expect((await call('GET', '/v1/console/me', admin)).status).toBe(401);
    expect((await call('GET', '/v1/console/me', owner)).status).toBe(200);
  });
  it('the legacy config saved with another client ends the sessions through the default connection (a refused save ends none); the legacy delete ends them too', async () => {
    const { org, dev, owner, viewer, admin } = await orgWithPeople();
    const legacy = (await org.client.sso.getConfig())!;
    const otherClient = { ...legacy, clientId: 'another-client', clientSecret: idp.client.clientSecret };
    // Refused by the issuer check (the issuer with a trailing slash is not the one the IdP names): nothing changed,
    // nobody signed out.
    const refused = await call('POST', '/v1/sso/config', org.apiKey, {
      ...otherClient,
      issuerUrl: `${legacy.issuerUrl}/`,
    });
    expect(refused.status, JSON.stringify(refused.body)).toBe(400);
    expect((await call('GET', '/v1/console/me', owner)).status).toBe(200);
    // Saved: the default connection (the dev IdP's) now trusts another client; its sessions end, the OP's do not.
    expect((await call('POST', '/v1/sso/config', org.apiKey, otherClient)).status).toBe(201);
    expect((await call('GET', '/v1/console/me', owner)).status).toBe(401);
    expect((await call('GET', '/v1/console/me', viewer)).status).toBe(401);
    expect((await call('GET', '/v1/console/me', admin)).status).toBe(200);
    // Back to the real client, a new sign-in, then the legacy delete ends it.
    expect(
      (await call('POST', '/v1/sso/config', org.apiKey, { ...legacy, clientSecret: idp.client.clientSecret })).status,
    ).toBe(201);
    const again = (await consoleSignIn(org, dev.id, ALICE)).console!.token;
    expect((await call('GET', '/v1/console/me', again)).status).toBe(200);
    expect((await call('DELETE', '/v1/sso/config', org.apiKey)).status).toBe(204);
    expect((await call('GET', '/v1/console/me', again)).status).toBe(401);
  });
});

/** An event stream read as text: its status, what it sent so far, and whether it has ended. */
function openEventStream(bearer: string) {
  const state = { status: 0, text: '', ended: false };
  const req = http.get(`${h.url}/v1/events/stream`, { agent: false, headers: { authorization: `Bearer ${bearer}` } });
  req.on('response', (res) => {
    state.status = res.statusCode ?? 0;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (state.text += chunk));
    res.on('close', () => (state.ended = true));
  });
  req.on('error', () => (state.ended = true));
  return { state, close: () => req.destroy() };
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('an event stream opened with a console session', () => {
  it('ends when the session does (here: sign-out); a stream of the API key and of another session go on', async () => {
    const { org, owner, viewer } = await orgWithPeople();
    const ownerStream = openEventStream(owner);
    const viewerStream = openEventStream(viewer);
    const keyStream = openEventStream(org.apiKey);
    try {
      await until(() => [ownerStream, viewerStream, keyStream].every((s) => s.state.status === 200), 3_000, '200s');
      // Past a recheck while the session holds: still open.
      await new Promise((r) => setTimeout(r, 300));
      expect(ownerStream.state.ended).toBe(false);
      await asConsole(owner).console.signOut();
      await until(() => ownerStream.state.ended, 3_000, 'the signed-out session’s stream to end');
      expect(ownerStream.state.text).toContain(': credential no longer valid; authenticate again');
      await new Promise((r) => setTimeout(r, 300));
      expect(viewerStream.state.ended).toBe(false);
      expect(keyStream.state.ended).toBe(false);
    } finally {
      for (const s of [ownerStream, viewerStream, keyStream]) s.close();
    }
  });
});

describe('another org’s console session', () => {
  it('an owner of org A reads, changes and deletes nothing of org B', async () => {
    const a = await orgWithPeople();
    const b = await orgWithPeople();
    const bCredential = await b.org.client.sso.breakGlass.create({ label: 'B safe' });
    keep(bCredential.credential);
    const bSessionsBefore = await b.org.client.sso.sessions.list();
    const attacks: Array<[string, string, unknown?]> = [
      ['GET', `/v1/sso/connections/${b.dev.id}`],
      ['PATCH', `/v1/sso/connections/${b.dev.id}`, { name: 'Hijacked', consoleRoleMappings: { x: 'owner' } }],
      ['DELETE', `/v1/sso/connections/${b.dev.id}`],
      ['DELETE', `/v1/sso/sessions/${bSessionsBefore[0]!.id}`],
      ['GET', `/v1/sso/sessions/${bSessionsBefore[0]!.id}`],
      ['DELETE', `/v1/sso/break-glass/${bCredential.id}`],
    ];
    for (const [method, path, body] of attacks) {
      const res = await call(method, path, a.owner, body);
      expect(res.status, `${method} ${path}: ${res.text}`).toBe(404);
      expect(res.text).not.toContain(b.org.developerId);
    }
    const lists = await call('GET', '/v1/sso/connections', a.owner);
    expect(JSON.stringify(lists.body)).not.toContain(b.dev.id);
    expect(JSON.stringify((await call('GET', '/v1/sso/sessions', a.owner)).body)).not.toContain(b.org.developerId);
    // Org B is as it was, and its credential still works.
    const bConn = await b.org.client.sso.connections.get(b.dev.id);
    expect(bConn.name).toBe('Dev IdP');
    expect(bConn.consoleRoleMappings).toEqual({ 'sso-owners': 'owner', 'sso-viewers': 'viewer' });
    expect((await b.org.client.sso.sessions.list()).map((s) => s.id)).toEqual(bSessionsBefore.map((s) => s.id));
    const used = await breakGlassSignIn(bCredential.credential);
    keep(used.console.token);
    expect(used.developerId).toBe(b.org.developerId);
    // Org A's console session cannot switch B's enforcement: it acts on its own org only.
    await asConsole(a.owner).sso.setEnforcement(true);
    expect((await b.org.client.sso.getEnforcement()).enforce).toBe(false);
  });
});

describe('SSO enforcement', () => {
  it('needs an owner SSO sign-in within the hour; stored and read; audited; GET /sso/login says ssoRequired', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, { 'sso-owners': 'owner', 'sso-viewers': 'viewer' });
    const refused = await failure(org.client.sso.setEnforcement(true));
    expect(refused).toMatchObject({
      status: 409,
      code: 'ENFORCEMENT_NEEDS_OWNER_SSO',
      message: CONSOLE_ACCESS_MESSAGES.enforcementNeedsOwnerSso,
    });
    // A viewer's SSO sign-in does not count.
    await consoleSignIn(org, conn.id, BOB);
    expect(await failure(org.client.sso.setEnforcement(true))).toMatchObject({ status: 409 });
    expect((await org.client.sso.getEnforcement()).enforce).toBe(false);

    await consoleSignIn(org, conn.id, ALICE);
    expect(await org.client.sso.setEnforcement(true)).toEqual({ enforce: true, developerId: org.developerId });
    const on = ssoEnforcementSchema.parse(await org.client.sso.getEnforcement());
    expect(on).toMatchObject({
      developerId: org.developerId,
      enforce: true,
      enforcedBy: expect.stringMatching(/^key_/),
      connections: [{ id: conn.id, name: 'Dev IdP', enforce: false }],
      breakGlass: null,
    });
    expect(on.enforcedAt).not.toBeNull();
    // The login URL says so by org alone and by org and domain (what the SDKs send; the domain's read carries it).
    const domain = `enforced-${randomUUID().slice(0, 8)}.example`;
    await org.client.sso.connections.update(conn.id, { domains: [domain] });
    expect((await publicClient.sso.getLoginUrl(org.developerId)).ssoRequired).toBe(true);
    expect((await publicClient.sso.getLoginUrl(org.developerId, { domain })).ssoRequired).toBe(true);
    expect((await org.client.sso.getEnforcement('someone@example.com')).ssoRequired).toBe(true);

    expect(await org.client.sso.setEnforcement(false)).toEqual({ enforce: false, developerId: org.developerId });
    expect(await org.client.sso.getEnforcement()).toMatchObject({ enforce: false, enforcedAt: null, enforcedBy: null });
    expect((await publicClient.sso.getLoginUrl(org.developerId)).ssoRequired).toBe(false);
    expect((await publicClient.sso.getLoginUrl(org.developerId, { domain })).ssoRequired).toBe(false);

    // An hour and a minute later (service clock) the owner's sign-in no longer counts.
    h.clock.offsetMs = HOUR_MS + 60_000;
    expect(await failure(org.client.sso.setEnforcement(true))).toMatchObject({
      status: 409,
      code: 'ENFORCEMENT_NEEDS_OWNER_SSO',
    });
    // Switching it off needs nothing.
    expect(await org.client.sso.setEnforcement(false)).toEqual({ enforce: false, developerId: org.developerId });

    const events = await auditOf(org, (a) => a.filter((x) => x === 'sso.enforcement_changed').length >= 2);
    expect(events.filter((e) => e.action === 'sso.enforcement_changed')).toHaveLength(2);
    expect(events.find((e) => e.action === 'sso.enforcement_changed')?.target).toEqual({
      type: 'organization',
      id: org.developerId,
    });
  });

  it('a connection’s own enforce makes its logins ssoRequired', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, {});
    expect(conn.enforce).toBe(false);
    expect((await publicClient.sso.getLoginUrlForConnection(org.developerId, conn.id)).ssoRequired).toBe(false);
    expect((await org.client.sso.connections.update(conn.id, { enforce: true })).enforce).toBe(true);
    expect((await publicClient.sso.getLoginUrlForConnection(org.developerId, conn.id)).ssoRequired).toBe(true);
    expect((await org.client.sso.getEnforcement()).connections).toEqual([
      { id: conn.id, name: 'Dev IdP', enforce: true },
    ]);
  });

  it('GET /v1/sso/enforcement?email= follows the email’s verified domain to its connection', async () => {
    const org = await newOrg();
    const domain = `console-${Date.now().toString(36)}.example`;
    const added = await org.client.sso.domains.create(domain);
    dns.setTxt(added.txtRecordName, [added.txtRecordValue]);
    expect((await org.client.sso.domains.verify(domain)).verified).toBe(true);
    const conn = await org.client.sso.connections.create({
      name: 'Routed',
      protocol: 'oidc',
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      redirectUri: REDIRECT_URI,
      domains: [domain],
    });
    expect(await org.client.sso.getEnforcement(`Someone@${domain.toUpperCase()}`)).toMatchObject({
      enforce: false,
      ssoRequired: false,
      connectionId: conn.id,
    });
    await org.client.sso.connections.update(conn.id, { enforce: true });
    expect(await org.client.sso.getEnforcement(`someone@${domain}`)).toMatchObject({
      ssoRequired: true,
      connectionId: conn.id,
    });
    // Another domain routes nowhere: not required (the org does not enforce).
    expect(await org.client.sso.getEnforcement('someone@elsewhere.example')).toMatchObject({
      ssoRequired: false,
      connectionId: null,
    });
    expect((await publicClient.sso.getLoginUrlByDomain(domain)).ssoRequired).toBe(true);
    // Another org cannot learn about this domain's connection through its own enforcement answer.
    const other = await newOrg();
    expect(await other.client.sso.getEnforcement(`someone@${domain}`)).toMatchObject({
      ssoRequired: false,
      connectionId: null,
    });
  });

  it('enforce and consoleRoleMappings are validated (400)', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, {});
    for (const body of [
      { consoleRoleMappings: { g: 'superuser' } },
      { consoleRoleMappings: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`g${i}`, 'viewer'])) },
      { consoleRoleMappings: { ['x'.repeat(257)]: 'viewer' } },
      { enforce: 'yes' },
    ]) {
      expect((await call('PATCH', `/v1/sso/connections/${conn.id}`, org.apiKey, body)).status).toBe(400);
    }
    expect((await call('POST', '/v1/sso/enforce', org.apiKey, { enforce: 'true' })).status).toBe(400);
  });
});

describe('break-glass credentials', () => {
  it('shown once, stored hashed only; a sign-in opens a one-hour owner session, audited and delivered as an event', async () => {
    const org = await newOrg();
    const created = await org.client.sso.breakGlass.create({ label: 'Safe in the office' });
    keep(created.credential);
    expect(created.credential).toMatch(/^gxbg_bgc_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    const list = await call('GET', '/v1/sso/break-glass', org.apiKey);
    expect(list.body).toEqual({
      credentials: [
        {
          id: created.id,
          label: 'Safe in the office',
          createdAt: created.createdAt,
          createdBy: expect.stringMatching(/^key_/),
          lastUsedAt: null,
        },
      ],
    });
    const stored = await databaseBytes(h);
    expect(stored.includes(Buffer.from(created.credential))).toBe(false);
    expect(stored.includes(Buffer.from(created.credential.split('.')[1]!))).toBe(false);

    const started = Date.now();
    const used = await breakGlassSignIn(created.credential);
    keep(used.console.token);
    expect(used).toMatchObject({
      developerId: org.developerId,
      label: 'Safe in the office',
      console: { role: 'owner' },
    });
    const ends = Date.parse(used.console.expiresAt);
    expect(ends).toBeGreaterThanOrEqual(started + HOUR_MS - 1000);
    expect(ends).toBeLessThanOrEqual(Date.now() + HOUR_MS + 1000);
    const me = await asConsole(used.console.token).console.me();
    expect(me).toMatchObject({ role: 'owner', via: 'break_glass', email: null });
    const enforcement = await org.client.sso.getEnforcement();
    expect(enforcement.breakGlass).toEqual({ lastUsedAt: expect.any(String), lastUsedLabel: 'Safe in the office' });
    // What the break-glass session does is audited under it.
    await asConsole(used.console.token).sso.setupLinks.create();

    const audit = await auditOf(org, (a) => a.includes('sso.break_glass_used') && a.includes('setup_link.created'));
    const usedEvent = audit.find((e) => e.action === 'sso.break_glass_used');
    expect(usedEvent).toMatchObject({
      actor: { kind: 'console_session', label: 'break-glass: Safe in the office' },
      target: { type: 'break_glass', id: created.id },
    });
    expect(audit.find((e) => e.action === 'setup_link.created')?.actor).toEqual(usedEvent?.actor);
    // The event machinery serves it as an event (readable once settled).
    let types: string[] = [];
    for (let i = 0; i < 50 && types.length === 0; i++) {
      types = (await org.client.events.list({ types: ['sso.break_glass.used'] })).events.map((e) => e.type);
      if (types.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(types).toEqual(['sso.break_glass.used']);
  });

  it('works while enforcement is on; a deleted credential fails with the one message; at most 10 per org', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, { 'sso-owners': 'owner' });
    await consoleSignIn(org, conn.id, ALICE);
    await org.client.sso.setEnforcement(true);
    const first = await org.client.sso.breakGlass.create({ label: 'One' });
    keep(first.credential);
    keep((await breakGlassSignIn(first.credential)).console.token);
    await org.client.sso.breakGlass.delete(first.id);
    expect(await failure(breakGlassSignIn(first.credential))).toMatchObject({
      status: 401,
      message: CONSOLE_ACCESS_MESSAGES.breakGlassInvalid,
    });
    const unknown = await failure(breakGlassSignIn(`gxbg_bgc_AAAAAAAAAAAAAAAAAAAAAA.${'A'.repeat(43)}`));
    expect(unknown).toMatchObject({ status: 401, message: CONSOLE_ACCESS_MESSAGES.breakGlassInvalid });
    expect((await call('DELETE', `/v1/sso/break-glass/${first.id}`, org.apiKey)).status).toBe(404);
    for (let i = 0; i < 10; i++) keep((await org.client.sso.breakGlass.create({ label: `Spare ${i}` })).credential);
    const eleventh = await call('POST', '/v1/sso/break-glass', org.apiKey, { label: 'Too many' });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.message).toBe(CONSOLE_ACCESS_MESSAGES.breakGlassLimit);
  });

  it('is rate limited per address (429 with Retry-After); guesses at a credential’s id from elsewhere do not lock its holder out', async () => {
    const org = await newOrg();
    const created = await org.client.sso.breakGlass.create({ label: 'Guessed' });
    keep(created.credential);
    const id = created.credential.slice('gxbg_'.length, created.credential.indexOf('.'));
    // Someone who read the id (the audit trail names it) guesses from one address until refused.
    const attacker = '203.0.113.66';
    for (let i = 0; i < 5; i++) {
      expect(await failure(breakGlassSignIn(`gxbg_${id}.${'B'.repeat(42)}${i}`, attacker))).toMatchObject({
        status: 401,
      });
    }
    expect(await failure(breakGlassSignIn(`gxbg_${id}.${'B'.repeat(43)}`, attacker))).toMatchObject({ status: 429 });
    // That address is refused even with the right secret, with a Retry-After and no token.
    const res = await fetch(`${h.url}/v1/console/break-glass`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [CLIENT_ADDRESS_HEADER]: attacker,
        [CONSOLE_SECRET_HEADER]: CONSOLE_SECRET,
      },
      body: JSON.stringify({ credential: created.credential }),
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.text()).not.toContain('gxc_');
    // The holder, at their own address, signs in at once.
    keep((await breakGlassSignIn(created.credential, '198.51.100.250')).console.token);
    // And a minute later (service clock) the first address may try again.
    h.clock.offsetMs = 61_000;
    keep((await breakGlassSignIn(created.credential, attacker)).console.token);
  });
});

describe('directory sync ends console sessions', () => {
  async function scimSetup(org: Org) {
    const token = await org.client.scim.createToken({ label: 'Okta' });
    keep(token.token);
    const scim = (method: string, path: string, json?: unknown) =>
      callService(h.url, method, `/scim/v2${path}`, {
        bearer: token.token,
        json,
      });
    return scim;
  }

  it('deactivating a user ends their console session; their next sign-in is refused', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, { 'sso-owners': 'owner' });
    const scim = await scimSetup(org);
    const user = await scim('POST', '/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'alice@example.com',
      emails: [{ value: 'alice@example.com', primary: true }],
      active: true,
    });
    expect(user.status, user.text).toBe(201);
    const token = (await consoleSignIn(org, conn.id, ALICE)).console!.token;
    expect((await call('GET', '/v1/console/me', token)).status).toBe(200);
    const off = await scim('PATCH', `/Users/${String(user.body.id)}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(off.status, off.text).toBe(200);
    expect((await call('GET', '/v1/console/me', token)).status).toBe(401);
    const again = await failure(consoleSignIn(org, conn.id, ALICE));
    expect(again).toMatchObject({ status: 403 });
  });

  it('a group membership change ends the console sessions of the people it moved, not of the others', async () => {
    const org = await newOrg();
    const conn = await devIdpConnection(org, { 'sso-owners': 'owner', 'sso-viewers': 'viewer' });
    const scim = await scimSetup(org);
    const mk = async (email: string) =>
      String(
        (
          await scim('POST', '/Users', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: email,
            emails: [{ value: email, primary: true }],
            active: true,
          })
        ).body.id,
      );
    const aliceId = await mk('alice@example.com');
    await mk('bob@example.com');
    const group = await scim('POST', '/Groups', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'sso-owners',
    });
    const alice = (await consoleSignIn(org, conn.id, ALICE)).console!.token;
    const bob = (await consoleSignIn(org, conn.id, BOB)).console!.token;
    const patched = await scim('PATCH', `/Groups/${String(group.body.id)}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'add', path: 'members', value: [{ value: aliceId }] }],
    });
    expect([200, 204]).toContain(patched.status);
    expect((await call('GET', '/v1/console/me', alice)).status).toBe(401);
    expect((await call('GET', '/v1/console/me', bob)).status).toBe(200);
    // Signing in again gives a role at once.
    expect((await consoleSignIn(org, conn.id, ALICE)).console?.role).toBe('owner');
  });
});

describe('console secrets stay secret', () => {
  it('no gxc_ token or gxbg_ credential in log lines, stored events or webhook bodies', async () => {
    // A webhook endpoint, so audit events are written to the outbox too.
    const org = await newOrg();
    keep((await org.client.webhooks.create({ url: receiver.url, events: ['*'] })).secret);
    const conn = await devIdpConnection(org, { 'sso-owners': 'owner' });
    const owner = (await consoleSignIn(org, conn.id, ALICE)).console!.token;
    await asConsole(owner).sso.setEnforcement(true);
    const bg = await asConsole(owner).sso.breakGlass.create({ label: 'Leak check' });
    keep(bg.credential);
    const used = await breakGlassSignIn(bg.credential);
    keep(used.console.token);
    await asConsole(used.console.token).sso.setEnforcement(false);
    await call('POST', '/v1/console/break-glass', null, { credential: `${bg.credential}x` });
    await asConsole(used.console.token).console.signOut();
    expect(secrets.length).toBeGreaterThan(20);
    const rows = await readStoredEvents(h);
    expectCleanEvents(rows, secrets, 20);
    expectCleanLogs(h.logs, secrets, 20);
    const text = JSON.stringify(rows) + h.logs.join('\n');
    expect(text).not.toMatch(/(?<![A-Za-z0-9_-])gxc_[A-Za-z0-9_-]{8}/);
    expect(text).not.toMatch(/gxbg_bgc_/);
    expect(rows.some((r) => JSON.stringify(r).includes('sso.break_glass.used'))).toBe(true);
  });
});
