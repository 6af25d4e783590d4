/**
 * SAML RelayState as a short server-side handle (features/login/relay-state.ts) on the real service, SQLite and
 * PostgreSQL (GRANTEX_TEST_DATABASE_URL): at most 80 bytes at /sso/login and at a test sign-in; the dev IdP's
 * full flow still signs in; a replayed handle, a forged or unknown one, and a handle used with another org's
 * response are refused without a session; a login started on one process finishes on another sharing the
 * database; the sealed state itself (RelayState before handles) is still accepted for logins in flight across
 * an upgrade.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, ssoConnectionSchema, ssoLoginResponseSchema, type SsoSamlConnection } from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import type { RunningSsoService } from '@/lib/sso-service';
import { createStateSealer } from '@/lib/sso-service/crypto/login-state';
import { createRelayHandles, RELAY_HANDLE_PREFIX } from '@/lib/sso-service/crypto/relay-handle';
import { samlRequestId } from '@/lib/sso-service/protocols/saml';
import { form, kitConnectionFields, OTHER_IDP_ENTITY_ID, signedResponse, testKeys } from '@/tests/support/saml-kit';
import { loginAtDevSamlIdp } from '@/tests/support/saml-login';
import { requestParts, signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

const STATE_SECRET = 'relay-state-test-secret-0123456789-abcdefgh';
const ENCRYPTION_KEY = Buffer.alloc(32, 9).toString('base64url');

let idp: DevIdp;
let service: RunningSsoService;
/** A second process on the same database (several processes behind a load balancer). */
let peer: RunningSsoService;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-saml-relay-'));
  idp = await startDevIdp({ port: 0, host: '127.0.0.1' });
  const db = await testDatabaseOptions();
  const keys = { stateSecret: STATE_SECRET, encryptionKey: ENCRYPTION_KEY };
  service = await startLocalSsoService(dataDir, { ...db, ...keys });
  peer = await startLocalSsoService(dataDir, { ...db, ...keys });
});
afterAll(async () => {
  await peer?.close();
  await service?.close();
  await idp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  urlPath: string,
  opts: { apiKey?: string; json?: unknown; form?: Record<string, string>; base?: string } = {},
): Promise<Answer> {
  const { headers, body } = requestParts(opts);
  const res = await fetch(`${opts.base ?? service.url}${urlPath}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, text, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

async function createSaml(org: Org, body: Record<string, unknown>): Promise<SsoSamlConnection> {
  const res = await call('POST', '/v1/sso/connections', {
    apiKey: org.apiKey,
    json: { name: 'SAML', protocol: 'saml', jitProvisioning: true, ...body },
  });
  expect(res.status, res.text).toBe(201);
  const parsed = ssoConnectionSchema.parse(res.body);
  if (parsed.protocol !== 'saml') throw new Error('not saml');
  return parsed;
}

function requestIdOf(authorizeUrl: string): string {
  const xml = inflateRawSync(Buffer.from(new URL(authorizeUrl).searchParams.get('SAMLRequest')!, 'base64')).toString(
    'utf8',
  );
  return /\sID="([^"]+)"/.exec(xml)![1]!;
}

async function startLogin(org: Org, connectionId: string, base = service.url) {
  const res = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`, { base });
  expect(res.status, res.text).toBe(200);
  const login = ssoLoginResponseSchema.parse(res.body);
  return {
    ...login,
    requestId: requestIdOf(login.authorizeUrl),
    relayState: new URL(login.authorizeUrl).searchParams.get('RelayState')!,
  };
}

const acs = (fields: Record<string, string>, query = '', base = service.url) =>
  call('POST', `/sso/callback/saml${query}`, { form: fields, base });
const sessionCount = async (org: Org) =>
  ((await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey })).body.sessions as unknown[]).length;

const HANDLE = new RegExp(`^${RELAY_HANDLE_PREFIX.replace('.', '\\.')}[A-Za-z0-9_-]{40}$`);

function expectInvalidState(res: Answer) {
  expect(res.status, res.text).toBe(400);
  expect(res.body).toMatchObject({
    code: 'BAD_REQUEST',
    message: MESSAGES.invalidState,
    errors: [expect.objectContaining({ code: 'invalid_state' })],
  });
}

describe('SAML RelayState: a short handle for the sealed state', () => {
  it('is at most 80 bytes at /sso/login and at a test sign-in, and the dev IdP flow signs the member in with it', async () => {
    const org = await signupOrg(service.url);
    const c = await createSaml(org, { idpMetadataUrl: idp.saml.metadataUrl });
    const login = await startLogin(org, c.id);
    expect(Buffer.byteLength(login.relayState, 'utf8')).toBeLessThanOrEqual(80);
    expect(login.relayState).toMatch(HANDLE);
    const test = await call('POST', `/v1/sso/connections/${c.id}/test-sign-in`, { apiKey: org.apiKey, json: {} });
    const testRelay = new URL(String(test.body.authorizeUrl)).searchParams.get('RelayState')!;
    expect(Buffer.byteLength(testRelay, 'utf8')).toBeLessThanOrEqual(80);
    expect(testRelay).toMatch(HANDLE);
    expect(testRelay).not.toBe(login.relayState);

    const post = await loginAtDevSamlIdp(login.authorizeUrl, { username: 'alice', password: 'alice-password' });
    expect(post.relayState).toBe(login.relayState);
    const res = await acs({ SAMLResponse: post.samlResponse, RelayState: post.relayState! }, `?connection=${c.id}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ developerId: org.developerId, email: 'alice@example.com' });
    expect(await sessionCount(org)).toBe(1);
  });

  it('a replayed handle is refused, even with a fresh assertion for the same request: no second session', async () => {
    const org = await signupOrg(service.url);
    const c = await createSaml(org, kitConnectionFields());
    const login = await startLogin(org, c.id);
    const first = await acs({
      SAMLResponse: form(signedResponse({ requestId: login.requestId })),
      RelayState: login.relayState,
    });
    expect(first.status, first.text).toBe(200);
    // The same post, and a new assertion (new ID) answering the same request: both find the state used.
    for (const samlResponse of [
      form(signedResponse({ requestId: login.requestId })),
      form(signedResponse({ requestId: login.requestId })),
    ]) {
      const replay = await acs({ SAMLResponse: samlResponse, RelayState: login.relayState });
      expect(replay.status, replay.text).toBe(400);
      expect(replay.body).toMatchObject({
        message: MESSAGES.stateExpiredOrUsed,
        errors: [expect.objectContaining({ code: 'state_expired_or_used' })],
      });
    }
    // On another process too (the claim is in the shared database).
    const elsewhere = await acs(
      { SAMLResponse: form(signedResponse({ requestId: login.requestId })), RelayState: login.relayState },
      '',
      peer.url,
    );
    expect(elsewhere.body.message).toBe(MESSAGES.stateExpiredOrUsed);
    expect(await sessionCount(org)).toBe(1);
  });

  it('a forged or unknown handle is refused as an invalid state, never taken as IdP-initiated, and opens no session', async () => {
    const org = await signupOrg(service.url);
    // IdP-initiated allowed: a forged handle must still not fall through to that path.
    const c = await createSaml(org, { ...kitConnectionFields(), allowIdpInitiated: true });
    const login = await startLogin(org, c.id);
    const flipped = login.relayState.slice(0, -1) + (login.relayState.endsWith('A') ? 'B' : 'A');
    // Minted with the service's own key but never stored (as after a purge): known shape, unknown row.
    const unstored = createRelayHandles(STATE_SECRET).mint();
    const madeUp = `${RELAY_HANDLE_PREFIX}${'x'.repeat(40)}`;
    for (const relayState of [flipped, unstored, madeUp, login.relayState.slice(0, 30), `${login.relayState}x`]) {
      for (const samlResponse of [
        form(signedResponse({ requestId: login.requestId })),
        form(signedResponse({ requestId: null })),
      ]) {
        expectInvalidState(await acs({ SAMLResponse: samlResponse, RelayState: relayState }, `?connection=${c.id}`));
      }
    }
    expect(await sessionCount(org)).toBe(0);
    // The genuine handle still works afterwards (none of the above used it up).
    const ok = await acs({
      SAMLResponse: form(signedResponse({ requestId: login.requestId })),
      RelayState: login.relayState,
    });
    expect(ok.status, ok.text).toBe(200);
  });

  it("a handle from org A's login is refused with org B's connection response, both ways (cross-tenant)", async () => {
    const [orgA, orgB] = await Promise.all([signupOrg(service.url), signupOrg(service.url)]);
    const a = await createSaml(orgA, kitConnectionFields());
    // Org B is the attacker: its own IdP (entity and key), the same SP addresses.
    const b = await createSaml(orgB, {
      ...kitConnectionFields(),
      idpEntityId: OTHER_IDP_ENTITY_ID,
      idpCertificate: testKeys().other.certificatePem,
    });
    const loginA = await startLogin(orgA, a.id);
    const loginB = await startLogin(orgB, b.id);
    // B's IdP answers A's request; posted with A's handle at B's ACS URL, and at A's (or no) ACS URL.
    const byB = form(
      signedResponse({ requestId: loginA.requestId, key: testKeys().other, idpEntityId: OTHER_IDP_ENTITY_ID }),
    );
    const atB = await acs({ SAMLResponse: byB, RelayState: loginA.relayState }, `?connection=${b.id}`);
    expect(atB.status).toBe(400);
    expect(String(atB.body.message)).toContain("another connection's ACS URL");
    const atA = await acs({ SAMLResponse: byB, RelayState: loginA.relayState });
    expect(atA.status).toBe(400);
    // A's IdP's genuine response to A's request, with B's handle: B's state expects B's request and B's IdP.
    const byA = form(signedResponse({ requestId: loginA.requestId }));
    const withB = await acs({ SAMLResponse: byA, RelayState: loginB.relayState });
    expect(withB.status).toBe(400);
    expect(await sessionCount(orgA)).toBe(0);
    expect(await sessionCount(orgB)).toBe(0);
  });

  it('a login started on one process finishes on another sharing the database', async () => {
    const org = await signupOrg(service.url);
    const c = await createSaml(org, kitConnectionFields());
    const login = await startLogin(org, c.id, service.url);
    const res = await acs(
      { SAMLResponse: form(signedResponse({ requestId: login.requestId })), RelayState: login.relayState },
      '',
      peer.url,
    );
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ developerId: org.developerId });
  });

  it('the sealed state itself as RelayState (logins started before handles) still signs in, once', async () => {
    const org = await signupOrg(service.url);
    const c = await createSaml(org, kitConnectionFields());
    const { token, state } = createStateSealer(STATE_SECRET).issue(org.developerId, c.id);
    expect(token.length).toBeGreaterThan(80);
    const fields = () => ({
      SAMLResponse: form(signedResponse({ requestId: samlRequestId(state) })),
      RelayState: token,
    });
    const res = await acs(fields());
    expect(res.status, res.text).toBe(200);
    const again = await acs(fields());
    expect(again.body.message).toBe(MESSAGES.stateExpiredOrUsed);
    expect(await sessionCount(org)).toBe(1);
  });
});
