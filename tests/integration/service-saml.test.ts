/**
 * SAML connections end to end on the real service (SQLite, and PostgreSQL with GRANTEX_TEST_DATABASE_URL) and
 * the dev IdP's SAML side: create (fields, metadata XML, metadata URL), the write-only certificate, cross-org
 * 404s, SP metadata, the login URL, the full flow through `POST /sso/callback/saml` → session, test sign-ins,
 * replay, IdP-initiated off/on, an expired certificate, rotation, the connection test, the sign-in log, and
 * the XML-attack suite through the real ACS (clear reason, no session, no XML echoed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MESSAGES,
  ssoConnectionSchema,
  ssoLoginResponseSchema,
  ssoSamlTestCallbackResponseSchema,
  ssoSessionCallbackResponseSchema,
  type SsoSamlConnection,
} from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { idpMetadataXml } from '@/lib/dev-idp/saml/messages';
import type { RunningSsoService } from '@/lib/sso-service';
import { SAML_REASONS, type SamlReason } from '@/lib/sso-service/saml';
import { ATTACK_CASES } from '@/tests/support/saml-attack-cases';
import {
  ACS_URL,
  ALICE,
  caIssuedKey,
  EVIL,
  form,
  IDP_ENTITY_ID,
  kitConnectionFields,
  OTHER_SP_ENTITY_ID,
  responseSigned,
  signedResponse,
  testKeys,
  withEvilAssertionInSignature,
} from '@/tests/support/saml-kit';
import { loginAtDevSamlIdp } from '@/tests/support/saml-login';
import { requestParts, signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

const DAY = 24 * 3600 * 1000;
let idp: DevIdp;
let service: RunningSsoService;
let dataDir: string;
/** The service's clock offset (certificate expiry is checked on it). */
let clockOffsetMs = 0;
/** The service's warn lines (unattributed attempts are counted there). */
const logLines: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-saml-'));
  idp = await startDevIdp({ port: 0, host: '127.0.0.1' });
  service = await startLocalSsoService(dataDir, {
    ...(await testDatabaseOptions()),
    now: () => Date.now() + clockOffsetMs,
    eventBuffer: { flushMs: 20 },
    logLevel: 'warn',
    logger: (line) => logLines.push(line),
  });
});
afterAll(async () => {
  await service?.close();
  await idp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
  type: string | null;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  urlPath: string,
  opts: { apiKey?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<Answer> {
  const { headers, body } = requestParts(opts);
  const res = await fetch(urlPath.startsWith('http') ? urlPath : `${service.url}${urlPath}`, { method, headers, body });
  const text = await res.text();
  const type = res.headers.get('content-type');
  return {
    status: res.status,
    text,
    type,
    body: type?.includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

async function createSaml(org: Org, body: Record<string, unknown>): Promise<SsoSamlConnection> {
  const res = await call('POST', '/v1/sso/connections', {
    apiKey: org.apiKey,
    json: { name: 'SAML', protocol: 'saml', ...body },
  });
  expect(res.status, res.text).toBe(201);
  const parsed = ssoConnectionSchema.parse(res.body);
  if (parsed.protocol !== 'saml') throw new Error('not saml');
  return parsed;
}

/** A connection addressed like the saml-kit's documents (its IdP entity, SP entity and ACS). */
async function kitConnection(org: Org, extra: Record<string, unknown> = {}) {
  return createSaml(org, {
    ...kitConnectionFields(),
    jitProvisioning: true,
    groupAttribute: 'groups',
    groupMappings: { admins: ['admin:all'] },
    ...extra,
  });
}

/** The AuthnRequest ID inside an HTTP-Redirect URL. */
function requestIdOf(authorizeUrl: string): string {
  const xml = inflateRawSync(Buffer.from(new URL(authorizeUrl).searchParams.get('SAMLRequest')!, 'base64')).toString(
    'utf8',
  );
  return /\sID="([^"]+)"/.exec(xml)![1]!;
}

async function startLogin(org: Org, connectionId: string) {
  const res = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`);
  expect(res.status, res.text).toBe(200);
  const login = ssoLoginResponseSchema.parse(res.body);
  const url = new URL(login.authorizeUrl);
  return { ...login, requestId: requestIdOf(login.authorizeUrl), relayState: url.searchParams.get('RelayState')! };
}

const acs = (fields: Record<string, string>, query = '') =>
  call('POST', `/sso/callback/saml${query}`, { form: fields });
const sessionCount = async (org: Org) =>
  ((await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey })).body.sessions as unknown[]).length;

/** A refusal: the SAML reason's message, JSON only, nothing of the document echoed. */
function expectSamlRefusal(res: Answer, reasons: SamlReason[]) {
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(res.type).toContain('application/json');
  const message = String(res.body.message);
  expect(
    reasons.some((r) => message.startsWith(SAML_REASONS[r])),
    `${message} ∉ ${reasons.join(', ')}`,
  ).toBe(true);
  expect(res.text).not.toMatch(/<|&lt;|mallory|alice/i);
}

async function events(org: Org, connectionId: string) {
  for (let i = 0; i < 100; i++) {
    const res = await call('GET', `/v1/sso/events?connectionId=${connectionId}`, { apiKey: org.apiKey });
    const list = res.body.events as Array<Record<string, unknown>>;
    if (list.length > 0) return list;
    await new Promise((r) => setTimeout(r, 30));
  }
  return [];
}

describe('SAML connections: create, read, write-only certificate', () => {
  it('creates from the three fields, defaults the SP side, and never returns the PEM', async () => {
    const org = await signupOrg(service.url);
    const created = await kitConnection(org, { spEntityId: undefined, spAcsUrl: undefined });
    const base = service.url;
    expect(created).toMatchObject({
      protocol: 'saml',
      status: 'active',
      isDefault: true,
      idpEntityId: IDP_ENTITY_ID,
      idpSsoUrl: 'https://idp.example.test/saml/sso',
      spEntityId: `${base}/sso/saml/${created.id}/metadata`,
      spAcsUrl: `${base}/sso/callback/saml?connection=${created.id}`,
      spMetadataUrl: `${base}/sso/saml/${created.id}/metadata`,
      allowIdpInitiated: false,
      idpMetadataUrl: null,
    });
    expect(created.idpCertificates).toEqual([
      {
        fingerprintSha256: expect.stringMatching(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
        notAfter: expect.any(String),
        status: 'ok',
        subject: expect.any(String),
      },
    ]);
    const read = await call('GET', `/v1/sso/connections/${created.id}`, { apiKey: org.apiKey });
    const listed = await call('GET', '/v1/sso/connections', { apiKey: org.apiKey });
    const certBody = testKeys().idp.certificatePem.split('\n')[1]!;
    for (const text of [read.text, listed.text]) {
      expect(text).not.toContain('BEGIN CERTIFICATE');
      expect(text).not.toContain(certBody);
    }
    // The GrantexClient parses the union.
    const viaClient = await org.client.sso.connections.get(created.id);
    expect(viaClient.protocol === 'saml' && viaClient.idpEntityId).toBe(IDP_ENTITY_ID);
  });

  it('creates from pasted metadata XML and from a metadata URL (fetched through the outbound guard)', async () => {
    const org = await signupOrg(service.url);
    const fromXml = await createSaml(org, {
      idpMetadataXml: idpMetadataXml(idp.saml.entityId, idp.saml.ssoUrl, idp.saml.certificatePem),
    });
    const fromUrl = await createSaml(org, { idpMetadataUrl: idp.saml.metadataUrl });
    for (const c of [fromXml, fromUrl]) {
      expect(c).toMatchObject({ idpEntityId: idp.saml.entityId, idpSsoUrl: idp.saml.ssoUrl });
      expect(c.idpCertificates).toHaveLength(1);
    }
    expect(fromUrl.idpMetadataUrl).toBe(idp.saml.metadataUrl);
    // Large pasted metadata (ADFS-sized) fits the connection routes' body limit; 1 MiB of metadata does not.
    const padded = idpMetadataXml(idp.saml.entityId, idp.saml.ssoUrl, idp.saml.certificatePem).replace(
      '<md:IDPSSODescriptor',
      `<!--${'x'.repeat(200_000)}--><md:IDPSSODescriptor`,
    );
    expect((await createSaml(org, { idpMetadataXml: padded })).idpEntityId).toBe(idp.saml.entityId);
    const huge = await call('POST', '/v1/sso/connections', {
      apiKey: org.apiKey,
      json: { name: 'x', protocol: 'saml', idpMetadataXml: 'x'.repeat(1_200_000) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.message).toMatch(/at most \d{7} bytes/);
    expect(fromUrl.idpCertificates[0]!.fingerprintSha256).toBe(fromXml.idpCertificates[0]!.fingerprintSha256);
  });

  it('refuses incomplete, unreadable or foreign settings with a field message', async () => {
    const org = await signupOrg(service.url);
    const post = (json: Record<string, unknown>) =>
      call('POST', '/v1/sso/connections', { apiKey: org.apiKey, json: { name: 'x', protocol: 'saml', ...json } });
    const missing = await post({ idpEntityId: 'urn:x' });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toContain('idpSsoUrl: is required');
    expect(missing.body.message).toContain('idpCertificate: is required');
    const badCert = await post({
      idpEntityId: 'urn:x',
      idpSsoUrl: 'https://idp.example.test/sso',
      idpCertificate: 'not a certificate',
    });
    expect(badCert.status).toBe(400);
    expect(badCert.body.message).toContain('idpCertificate:');
    const badXml = await post({
      idpMetadataXml: '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    });
    expect(badXml.status).toBe(400);
    expect(badXml.text).not.toContain('<');
    const unreachable = await post({ idpMetadataUrl: 'http://127.0.0.1:9/metadata' });
    expect(unreachable.status).toBe(400);
    expect(unreachable.body.message).toContain('idpMetadataUrl: The IdP metadata URL could not be fetched');
    const oidcField = await post({ idpMetadataUrl: idp.saml.metadataUrl, clientSecret: 's' });
    expect(oidcField.status).toBe(400);
    expect(oidcField.body.message).toContain('clientSecret: does not apply to a SAML connection');
  });

  it('the legacy config endpoints leave a SAML default connection alone (GET 404, POST 409)', async () => {
    const org = await signupOrg(service.url);
    await kitConnection(org);
    expect((await call('GET', '/v1/sso/config', { apiKey: org.apiKey })).status).toBe(404);
    const save = await call('POST', '/v1/sso/config', {
      apiKey: org.apiKey,
      json: {
        issuerUrl: idp.issuer,
        clientId: idp.client.clientId,
        clientSecret: idp.client.clientSecret,
        redirectUri: 'http://localhost:3999/cb',
      },
    });
    expect(save.status, save.text).toBe(409);
    expect(save.body.message).toContain('SAML connection');
    const [still] = await org.client.sso.connections.list();
    expect(still?.protocol).toBe('saml');
  });

  it("another org's SAML connection is a 404 everywhere", async () => {
    const [org, other] = await Promise.all([signupOrg(service.url), signupOrg(service.url)]);
    const c = await kitConnection(org);
    for (const [method, p] of [
      ['GET', `/v1/sso/connections/${c.id}`],
      ['PATCH', `/v1/sso/connections/${c.id}`],
      ['DELETE', `/v1/sso/connections/${c.id}`],
      ['POST', `/v1/sso/connections/${c.id}/test`],
      ['POST', `/v1/sso/connections/${c.id}/test-sign-in`],
    ] as const) {
      const res = await call(method, p, {
        apiKey: other.apiKey,
        ...(method === 'PATCH' ? { json: { name: 'stolen' } } : method === 'POST' ? { json: {} } : {}),
      });
      expect(res.status, `${method} ${p}`).toBe(404);
      expect(res.body.message).toBe(MESSAGES.connectionNotFound);
    }
    expect((await call('GET', `/sso/login?org=${other.developerId}&connection=${c.id}`)).status).toBe(404);
  });
});

describe('SAML: SP metadata and the login URL', () => {
  it('serves the SP metadata per connection (404 for unknown and OIDC ids)', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { spEntityId: undefined, spAcsUrl: undefined });
    const res = await call('GET', `/sso/saml/${c.id}/metadata`);
    expect(res.status).toBe(200);
    expect(res.type).toContain('application/samlmetadata+xml');
    expect(res.text).toContain(`entityID="${c.spEntityId}"`);
    expect(res.text).toContain(`Location="${c.spAcsUrl}"`);
    expect(res.text).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect((await call('GET', '/sso/saml/sso_unknown/metadata')).status).toBe(404);
    const oidc = await org.client.sso.connections.create({
      name: 'OIDC',
      protocol: 'oidc',
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      redirectUri: 'http://localhost:3999/cb',
    });
    expect(oidc.protocol).toBe('oidc');
    expect((await call('GET', `/sso/saml/${oidc.id}/metadata`)).status).toBe(404);
  });

  it('routes ?org=, ?org=&connection=, ?org=&domain= and ?domain= to a SAML login (HTTP-Redirect, RelayState = state)', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { domains: ['saml-routing.example'] });
    const byConnection = await startLogin(org, c.id);
    expect(byConnection).toMatchObject({ protocol: 'saml', connectionId: c.id });
    expect(byConnection.authorizeUrl.startsWith('https://idp.example.test/saml/sso?')).toBe(true);
    expect(byConnection.requestId).toMatch(/^_[A-Za-z0-9_-]{16,}$/);
    expect(byConnection.relayState.length).toBeGreaterThan(20);
    const inflated = inflateRawSync(
      Buffer.from(new URL(byConnection.authorizeUrl).searchParams.get('SAMLRequest')!, 'base64'),
    ).toString('utf8');
    expect(inflated).toContain(`AssertionConsumerServiceURL="${ACS_URL}"`);
    for (const q of [`org=${org.developerId}`, `org=${org.developerId}&domain=saml-routing.example`]) {
      const res = await call('GET', `/sso/login?${q}`);
      expect(res.status, q).toBe(200);
      expect(res.body).toMatchObject({ protocol: 'saml', connectionId: c.id });
    }
    // Unverified domain: not routable without the org (the domain-alone path needs a verified domain).
    expect((await call('GET', '/sso/login?domain=saml-routing.example')).status).toBe(404);
    // A redirect_uri means nothing to SAML (it is not refused).
    expect((await call('GET', `/sso/login?org=${org.developerId}&redirect_uri=http://localhost:3999/cb`)).status).toBe(
      200,
    );
  });
});

describe('SAML: sign-in through POST /sso/callback/saml', () => {
  it('signs a member in against the dev IdP (metadata URL) and opens a session; the state is single use', async () => {
    const org = await signupOrg(service.url);
    const c = await createSaml(org, {
      idpMetadataUrl: idp.saml.metadataUrl,
      jitProvisioning: true,
      groupAttribute: 'uid',
      groupMappings: { alice: ['docs:read'] },
      defaultScopes: ['profile'],
    });
    const login = await startLogin(org, c.id);
    const post = await loginAtDevSamlIdp(login.authorizeUrl, { username: 'alice', password: 'alice-password' });
    expect(post.acsUrl).toBe(c.spAcsUrl);
    expect(post.relayState).toBe(login.relayState);
    const res = await acs({ SAMLResponse: post.samlResponse, RelayState: post.relayState! }, `?connection=${c.id}`);
    expect(res.status, res.text).toBe(200);
    const alice = idp.users.find((u) => u.username === 'alice')!;
    const session = ssoSessionCallbackResponseSchema.parse(res.body);
    expect(session).toMatchObject({
      developerId: org.developerId,
      email: alice.email,
      name: alice.name,
      sub: alice.sub,
      groups: ['alice'],
      mappedScopes: ['profile', 'docs:read'],
    });
    expect(await sessionCount(org)).toBe(1);
    // The same post again: the state was used.
    const again = await acs({ SAMLResponse: post.samlResponse, RelayState: post.relayState! });
    expect(again.status).toBe(400);
    expect(again.body.message).toBe(MESSAGES.stateExpiredOrUsed);
    expect(await sessionCount(org)).toBe(1);
    // The sign-in log: a SAML success with the assertion's attributes and conditions, never the XML.
    const list = await events(org, c.id);
    const event = list.find((e) => e.outcome === 'success');
    expect(event).toMatchObject({ protocol: 'saml', startedBy: 'member', outcome: 'success', email: alice.email });
    const trace = JSON.stringify(event!.trace);
    expect(trace).toContain('conditions');
    expect(trace).toContain(alice.email);
    expect(trace).not.toMatch(/SignatureValue|<saml|PHNhbWw/);
    // The timeline: the validation step, timed from the start of the callback.
    const steps = (event!.trace as { steps: { name: string; startMs: number; endMs: number; ok: boolean }[] }).steps;
    expect(steps.map((s) => [s.name, s.ok])).toEqual([['validation', true]]);
    expect(steps[0]!.startMs).toBeGreaterThanOrEqual(0);
    expect(steps[0]!.endMs).toBeGreaterThan(steps[0]!.startMs);
    expect(steps[0]!.endMs).toBeLessThanOrEqual(Number(event!.durationMs) + 1);
  });

  it('takes a JSON body too and maps groups from the configured attribute', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    const login = await startLogin(org, c.id);
    const res = await call('POST', '/sso/callback/saml', {
      json: { SAMLResponse: form(signedResponse({ requestId: login.requestId })), RelayState: login.relayState },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      email: ALICE.email,
      groups: ['engineering', 'admins'],
      mappedScopes: ['admin:all'],
    });
    // The GrantexClient forwards the same (what the console's ACS route does).
    const second = await startLogin(org, c.id);
    const viaClient = await org.client.sso.handleSamlCallback({
      samlResponse: form(signedResponse({ requestId: second.requestId })),
      relayState: second.relayState,
    });
    expect(viaClient).toMatchObject({ email: ALICE.email, mappedScopes: ['admin:all'] });
  });

  it('a Response signed as a whole, the assertion inside unsigned (Keycloak’s and Shibboleth’s default), signs a member in', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    const login = await startLogin(org, c.id);
    const res = await acs({
      SAMLResponse: form(responseSigned({ requestId: login.requestId })),
      RelayState: login.relayState,
    });
    expect(res.status, res.text).toBe(200);
    expect(ssoSessionCallbackResponseSchema.parse(res.body)).toMatchObject({
      developerId: org.developerId,
      email: ALICE.email,
      sub: ALICE.nameId,
      groups: ['engineering', 'admins'],
      mappedScopes: ['admin:all'],
    });
    expect(await sessionCount(org)).toBe(1);
  });

  it('a test sign-in returns the identity without a session, on any status; a member sign-in on a testing connection is refused', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { status: 'testing' });
    const started = await call('POST', `/v1/sso/connections/${c.id}/test-sign-in`, { apiKey: org.apiKey, json: {} });
    expect(started.status, started.text).toBe(200);
    expect(started.body).toMatchObject({ protocol: 'saml', connectionId: c.id });
    const authorizeUrl = String(started.body.authorizeUrl);
    const relayState = new URL(authorizeUrl).searchParams.get('RelayState')!;
    const res = await acs({
      SAMLResponse: form(signedResponse({ requestId: requestIdOf(authorizeUrl) })),
      RelayState: relayState,
    });
    expect(res.status, res.text).toBe(200);
    expect(ssoSamlTestCallbackResponseSchema.parse(res.body)).toEqual({
      developerId: org.developerId,
      connectionId: c.id,
      email: ALICE.email,
      // The org verified no domain: a SAML email is not verified.
      emailVerified: false,
      name: ALICE.name,
      sub: ALICE.nameId,
      groups: ['engineering', 'admins'],
      test: true,
    });
    expect(await sessionCount(org)).toBe(0);
    // A member login on `testing`: no login URL at all for ?org=&connection= (active only).
    expect((await call('GET', `/sso/login?org=${org.developerId}&connection=${c.id}`)).status).toBe(404);
    const [event] = await events(org, c.id);
    expect(event).toMatchObject({ protocol: 'saml', startedBy: 'test', outcome: 'success' });
  });

  it('a replayed assertion ID is refused (IdP-initiated, where the state cannot catch it)', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { allowIdpInitiated: true });
    const samlResponse = form(signedResponse({ requestId: null }));
    expect((await acs({ SAMLResponse: samlResponse }, `?connection=${c.id}`)).status).toBe(200);
    const replay = await acs({ SAMLResponse: samlResponse }, `?connection=${c.id}`);
    expectSamlRefusal(replay, ['assertion_replayed']);
    expect(await sessionCount(org)).toBe(1);
  });
});

describe('SAML: IdP-initiated sign-in', () => {
  it('is refused while off (the default) and recorded as idp_initiated', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    const res = await acs(
      { SAMLResponse: form(signedResponse({ requestId: null })), RelayState: 'https://evil.example/landing' },
      `?connection=${c.id}`,
    );
    expectSamlRefusal(res, ['idp_initiated_disabled']);
    expect(await sessionCount(org)).toBe(0);
    const [event] = await events(org, c.id);
    expect(event).toMatchObject({
      startedBy: 'idp_initiated',
      outcome: 'failure',
      reason: 'saml_idp_initiated_disabled',
    });
    // No connection named: the same refusal, nothing recorded.
    expectSamlRefusal(await acs({ SAMLResponse: form(signedResponse({ requestId: null })) }), [
      'idp_initiated_disabled',
    ]);
  });

  it('when on: a fresh unsolicited assertion opens a session; RelayState is never a URL; stale or answering ones are refused', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    const patched = await org.client.sso.connections.update(c.id, { allowIdpInitiated: true });
    expect(patched.protocol === 'saml' && patched.allowIdpInitiated).toBe(true);
    const ok = await acs(
      { SAMLResponse: form(signedResponse({ requestId: null })), RelayState: 'https://evil.example/landing' },
      `?connection=${c.id}`,
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ok.text).not.toContain('evil.example');
    expect(ssoSessionCallbackResponseSchema.parse(ok.body).email).toBe(ALICE.email);
    const stale = new Date(Date.now() - 8 * 60_000);
    expectSamlRefusal(
      await acs(
        {
          SAMLResponse: form(
            signedResponse({ requestId: null, now: stale, notOnOrAfter: new Date(Date.now() + 60_000) }),
          ),
        },
        `?connection=${c.id}`,
      ),
      ['unsolicited_too_old'],
    );
    // An answer to some login is not unsolicited.
    expectSamlRefusal(
      await acs(
        { SAMLResponse: form(signedResponse({ requestId: '_someone-elses-request-id' })) },
        `?connection=${c.id}`,
      ),
      ['in_response_to_mismatch'],
    );
    expect(await sessionCount(org)).toBe(1);
    const list = await events(org, c.id);
    expect(list.some((e) => e.startedBy === 'idp_initiated' && e.outcome === 'success')).toBe(true);
  });
});

describe('SAML: whose sign-in log an IdP-initiated post lands in', () => {
  const unverifiedCount = () => logLines.filter((l) => l.includes('saml_idp_initiated_unverified')).length;
  /** Events of the org after the buffer had time to flush (events() waits for the first one only). */
  const settledEvents = async (org: Org, connectionId: string) => {
    await new Promise((r) => setTimeout(r, 200));
    return (await call('GET', `/v1/sso/events?connectionId=${connectionId}`, { apiKey: org.apiKey })).body
      .events as Array<Record<string, unknown>>;
  };

  it('an unsigned or foreign-signed post naming an org’s connection files nothing in its log (counted instead), whether IdP-initiated is on or off', async () => {
    const org = await signupOrg(service.url);
    const on = await kitConnection(org, { allowIdpInitiated: true });
    const off = await kitConnection(org);
    const before = unverifiedCount();
    const forged = [
      form(signedResponse({ requestId: null, key: testKeys().other })),
      form(signedResponse({ requestId: null, signAssertion: false })),
      form('<not-saml/>'),
      'not even base64 %%%',
    ];
    for (const c of [on, off]) {
      for (const samlResponse of forged) {
        const res = await acs({ SAMLResponse: samlResponse }, `?connection=${c.id}`);
        expect(res.status, res.text).toBeGreaterThanOrEqual(400);
      }
    }
    // An unknown connection id is counted the same way.
    expect((await acs({ SAMLResponse: forged[0]! }, '?connection=sso_does_not_exist')).status).toBe(400);
    expect(await sessionCount(org)).toBe(0);
    expect(await settledEvents(org, on.id)).toEqual([]);
    expect(await settledEvents(org, off.id)).toEqual([]);
    expect(unverifiedCount()).toBe(before + 2 * forged.length + 1);
    // The connection's own IdP is still logged, refused (off) or accepted (on).
    expectSamlRefusal(await acs({ SAMLResponse: form(signedResponse({ requestId: null })) }, `?connection=${off.id}`), [
      'idp_initiated_disabled',
    ]);
    expect(
      (await acs({ SAMLResponse: form(signedResponse({ requestId: null })) }, `?connection=${on.id}`)).status,
    ).toBe(200);
    expect((await events(org, off.id))[0]).toMatchObject({
      startedBy: 'idp_initiated',
      reason: 'saml_idp_initiated_disabled',
    });
    expect((await events(org, on.id))[0]).toMatchObject({ startedBy: 'idp_initiated', outcome: 'success' });
    expect(unverifiedCount()).toBe(before + 2 * forged.length + 1);
  });

  it('a post signed by the IdP but refused by a later check (stale) is still its org’s event', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { allowIdpInitiated: true });
    const stale = new Date(Date.now() - 8 * 60_000);
    const res = await acs(
      {
        SAMLResponse: form(
          signedResponse({ requestId: null, now: stale, notOnOrAfter: new Date(Date.now() + 60_000) }),
        ),
      },
      `?connection=${c.id}`,
    );
    expectSamlRefusal(res, ['unsolicited_too_old']);
    expect((await events(org, c.id))[0]).toMatchObject({
      startedBy: 'idp_initiated',
      outcome: 'failure',
      reason: 'saml_unsolicited_too_old',
    });
  });
});

describe('SAML: an assertion is single use across orgs trusting the same IdP', () => {
  it('accepted at org A’s connection, replayed to org B’s connection with the same IdP certificate and entity id → refused, no session', async () => {
    const orgA = await signupOrg(service.url);
    const orgB = await signupOrg(service.url);
    const a = await kitConnection(orgA, { allowIdpInitiated: true });
    const b = await kitConnection(orgB, { allowIdpInitiated: true });
    const samlResponse = form(signedResponse({ requestId: null }));
    const accepted = await acs({ SAMLResponse: samlResponse }, `?connection=${a.id}`);
    expect(accepted.status, accepted.text).toBe(200);
    expect(ssoSessionCallbackResponseSchema.parse(accepted.body).developerId).toBe(orgA.developerId);
    const replay = await acs({ SAMLResponse: samlResponse }, `?connection=${b.id}`);
    expectSamlRefusal(replay, ['assertion_replayed']);
    expect(await sessionCount(orgB)).toBe(0);
    expect(await sessionCount(orgA)).toBe(1);
    // A fresh assertion from the same IdP is fine at B: the refusal was the replay, not the connection.
    expect((await acs({ SAMLResponse: form(signedResponse({ requestId: null })) }, `?connection=${b.id}`)).status).toBe(
      200,
    );
  });
});

describe('SAML: certificates', () => {
  it('an expired certificate fails the test and the sign-in with a clear reason', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    const ok = await call('POST', `/v1/sso/connections/${c.id}/test`, { apiKey: org.apiKey });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      success: true,
      protocol: 'saml',
      idpEntityId: IDP_ENTITY_ID,
      idpSsoUrl: 'https://idp.example.test/saml/sso',
    });
    expect(ok.body.certificates).toEqual([expect.objectContaining({ status: 'ok' })]);
    expect(await org.client.sso.connections.test(c.id)).toMatchObject({
      success: true,
      protocol: 'saml',
      idpEntityId: IDP_ENTITY_ID,
    });
    clockOffsetMs = 400 * DAY;
    try {
      const test = await call('POST', `/v1/sso/connections/${c.id}/test`, { apiKey: org.apiKey });
      expect(test.status).toBe(422);
      expect(test.body).toEqual({ success: false, protocol: 'saml', error: SAML_REASONS.certificate_expired });
      expect(await org.client.sso.connections.test(c.id)).toEqual(test.body);
      const read = await call('GET', `/v1/sso/connections/${c.id}`, { apiKey: org.apiKey });
      expect((read.body.idpCertificates as Array<{ status: string }>)[0]!.status).toBe('expired');
      const login = await startLogin(org, c.id);
      const res = await acs({
        SAMLResponse: form(signedResponse({ requestId: login.requestId })),
        RelayState: login.relayState,
      });
      expectSamlRefusal(res, ['certificate_expired']);
      const list = await events(org, c.id);
      expect(list[0]).toMatchObject({ outcome: 'failure', reason: 'saml_certificate_expired', stage: 'assertion' });
    } finally {
      clockOffsetMs = 0;
    }
    expect(await sessionCount(org)).toBe(0);
  });

  it('rotation: a second certificate verifies alongside the first until the old one is removed', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    const signIn = async (key: ReturnType<typeof testKeys>['idp']) => {
      const login = await startLogin(org, c.id);
      return acs({
        SAMLResponse: form(signedResponse({ requestId: login.requestId, key })),
        RelayState: login.relayState,
      });
    };
    expectSamlRefusal(await signIn(testKeys().rotated), ['invalid_signature']);
    const added = await call('PATCH', `/v1/sso/connections/${c.id}`, {
      apiKey: org.apiKey,
      json: { addIdpCertificate: testKeys().rotated.certificatePem },
    });
    expect(added.status, added.text).toBe(200);
    const certs = added.body.idpCertificates as Array<{ fingerprintSha256: string }>;
    expect(certs).toHaveLength(2);
    expect((await signIn(testKeys().idp)).status).toBe(200);
    expect((await signIn(testKeys().rotated)).status).toBe(200);
    const third = await call('PATCH', `/v1/sso/connections/${c.id}`, {
      apiKey: org.apiKey,
      json: { addIdpCertificate: testKeys().other.certificatePem },
    });
    expect(third.status).toBe(400);
    const removed = await call('PATCH', `/v1/sso/connections/${c.id}`, {
      apiKey: org.apiKey,
      json: { removeIdpCertificateFingerprint: certs[0]!.fingerprintSha256.toLowerCase() },
    });
    expect(removed.status, removed.text).toBe(200);
    expect(removed.body.idpCertificates).toEqual([
      expect.objectContaining({ fingerprintSha256: certs[1]!.fingerprintSha256 }),
    ]);
    expectSamlRefusal(await signIn(testKeys().idp), ['invalid_signature']);
    expect((await signIn(testKeys().rotated)).status).toBe(200);
    const last = await call('PATCH', `/v1/sso/connections/${c.id}`, {
      apiKey: org.apiKey,
      json: { removeIdpCertificateFingerprint: certs[1]!.fingerprintSha256 },
    });
    expect(last.status).toBe(400);
    expect(last.body.message).toContain('last certificate');
  });
});

describe('SAML: the XML-attack suite through the real ACS (clear reason, no session, no XML echoed)', () => {
  let org: Org;
  let connectionId: string;
  beforeAll(async () => {
    org = await signupOrg(service.url);
    connectionId = (await kitConnection(org)).id;
  });

  it('the untampered baseline is accepted (so each refusal below is the attack)', async () => {
    const login = await startLogin(org, connectionId);
    const res = await acs({
      SAMLResponse: form(signedResponse({ requestId: login.requestId, signResponse: true })),
      RelayState: login.relayState,
    });
    expect(res.status, res.text).toBe(200);
    await call('DELETE', `/v1/sso/sessions/${String(res.body.sessionId)}`, { apiKey: org.apiKey });
  });

  it.each([
    ['the assertion', signedResponse],
    ['the Response', responseSigned],
  ])('a comment inside NameID does not truncate the value covered by %s signature', async (_signed, sign) => {
    const login = await startLogin(org, connectionId);
    const signed = sign({
      requestId: login.requestId,
      nameId: 'alice@example.com.evil.test',
      attributes: {},
    });
    const tampered = signed.replace(
      'alice@example.com.evil.test</saml:NameID>',
      'alice@example.com<!---->.evil.test</saml:NameID>',
    );
    expect(tampered).not.toBe(signed);
    const res = await acs({ SAMLResponse: form(tampered), RelayState: login.relayState });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ sub: 'alice@example.com.evil.test', email: 'alice@example.com.evil.test' });
    await call('DELETE', `/v1/sso/sessions/${String(res.body.sessionId)}`, { apiKey: org.apiKey });
  });

  it('an evil assertion hidden inside the Response Signature is never read: the session is the signed member’s', async () => {
    const login = await startLogin(org, connectionId);
    const tampered = withEvilAssertionInSignature(responseSigned({ requestId: login.requestId }));
    const res = await acs({ SAMLResponse: form(tampered), RelayState: login.relayState });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ sub: ALICE.nameId, email: ALICE.email });
    expect(res.text).not.toContain(EVIL);
    await call('DELETE', `/v1/sso/sessions/${String(res.body.sessionId)}`, { apiKey: org.apiKey });
  });

  for (const attack of ATTACK_CASES) {
    it(`${attack.name} is refused`, async () => {
      const login = await startLogin(org, connectionId);
      const res = await acs({ SAMLResponse: attack.build(login.requestId), RelayState: login.relayState });
      expectSamlRefusal(res, attack.reasons);
      expect(await sessionCount(org)).toBe(0);
    });
  }
});

describe('SAML: a Response the IdP signed for another connection', () => {
  it('is refused at this connection (no session) and accepted at the connection it was signed for', async () => {
    const org = await signupOrg(service.url);
    const mine = await kitConnection(org);
    const theirs = await kitConnection(org, { spEntityId: OTHER_SP_ENTITY_ID });
    const login = await startLogin(org, mine.id);
    const forTheirs = responseSigned({ requestId: login.requestId, spEntityId: OTHER_SP_ENTITY_ID });
    expectSamlRefusal(await acs({ SAMLResponse: form(forTheirs), RelayState: login.relayState }), ['wrong_audience']);
    expect(await sessionCount(org)).toBe(0);
    // The same kind of document is good at the connection whose audience it names: the refusal was the audience.
    const theirLogin = await startLogin(org, theirs.id);
    const ok = await acs({
      SAMLResponse: form(responseSigned({ requestId: theirLogin.requestId, spEntityId: OTHER_SP_ENTITY_ID })),
      RelayState: theirLogin.relayState,
    });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ developerId: org.developerId, sub: ALICE.nameId });
    expect(await sessionCount(org)).toBe(1);
  });
});

describe('SAML: a pasted certificate bundle', () => {
  const chain = caIssuedKey('Bundled IdP');
  const unrelated = caIssuedKey('Unrelated IdP');
  const caFirst = `${chain.ca.certificatePem}${chain.leaf.certificatePem}`;
  const twoLeaves = `${chain.leaf.certificatePem}${unrelated.leaf.certificatePem}`;
  const signIn = async (org: Org, connectionId: string) => {
    const login = await startLogin(org, connectionId);
    return acs({
      SAMLResponse: form(signedResponse({ requestId: login.requestId, key: chain.leaf })),
      RelayState: login.relayState,
    });
  };
  const expectFieldCode = (res: Answer, field: string, code: string) => {
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field, code })]);
    expect(res.text).not.toContain('BEGIN CERTIFICATE');
  };

  it('CA first: the signing certificate is stored and signs members in; only it is kept', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org, { idpCertificate: caFirst });
    expect(c.idpCertificates).toHaveLength(1);
    expect(c.idpCertificates[0]!.subject).toContain('CN=Bundled IdP');
    expect(c.idpCertificates[0]!.subject).not.toContain('CA');
    const res = await signIn(org, c.id);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ email: ALICE.email });
    // The CA's key is not trusted: a response it signs is refused.
    const login = await startLogin(org, c.id);
    expectSamlRefusal(
      await acs({
        SAMLResponse: form(signedResponse({ requestId: login.requestId, key: chain.ca })),
        RelayState: login.relayState,
      }),
      ['invalid_signature'],
    );
  });

  it('through PATCH (replace and rotation add), and two unrelated leaves are refused with certificate_ambiguous', async () => {
    const org = await signupOrg(service.url);
    const c = await kitConnection(org);
    expectSamlRefusal(await signIn(org, c.id), ['invalid_signature']);
    const patch = (json: Record<string, unknown>) =>
      call('PATCH', `/v1/sso/connections/${c.id}`, { apiKey: org.apiKey, json });
    const added = await patch({ addIdpCertificate: caFirst });
    expect(added.status, added.text).toBe(200);
    expect((added.body.idpCertificates as Array<{ subject: string }>).map((x) => x.subject)).toEqual([
      expect.stringContaining('Test IdP'),
      expect.stringContaining('CN=Bundled IdP'),
    ]);
    expect((await signIn(org, c.id)).status).toBe(200);
    expectFieldCode(await patch({ idpCertificate: twoLeaves }), 'idpCertificate', 'certificate_ambiguous');
    expectFieldCode(await patch({ addIdpCertificate: twoLeaves }), 'addIdpCertificate', 'certificate_ambiguous');
    expectFieldCode(await patch({ idpCertificate: chain.leaf.privateKeyPem }), 'idpCertificate', 'certificate_missing');
    const replaced = await patch({ idpCertificate: `${chain.leaf.certificatePem}${chain.ca.certificatePem}` });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.body.idpCertificates).toEqual([
      expect.objectContaining({ subject: expect.stringContaining('CN=Bundled IdP') }),
    ]);
    expect((await signIn(org, c.id)).status).toBe(200);
    // Nothing of a refused bundle was stored.
    const create = await call('POST', '/v1/sso/connections', {
      apiKey: org.apiKey,
      json: { name: 'SAML', protocol: 'saml', ...kitConnectionFields(), idpCertificate: twoLeaves },
    });
    expectFieldCode(create, 'idpCertificate', 'certificate_ambiguous');
    expect(
      ((await call('GET', '/v1/sso/connections', { apiKey: org.apiKey })).body.connections as unknown[]).length,
    ).toBe(1);
  });
});
