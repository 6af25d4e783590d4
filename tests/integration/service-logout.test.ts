/**
 * Logout end to end on the real service (SQLite, and PostgreSQL with GRANTEX_TEST_DATABASE_URL): SAML single
 * logout (the IdP's LogoutRequest by HTTP-Redirect and HTTP-POST, answered by a signed LogoutResponse; the
 * member's SP-initiated logout with a signed LogoutRequest and the IdP's LogoutResponse checked), OIDC
 * RP-initiated logout (end_session_endpoint with id_token_hint) and OIDC back-channel logout tokens from the
 * programmable test OP. Every attack case proves the session it aimed at is still active.
 * The IdP side of SAML is node-saml itself (as an IdP would build the messages) with the kit's keys.
 */
import { createVerify } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SAML, type Profile } from '@node-saml/node-saml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ssoConnectionSchema,
  ssoSessionCallbackResponseSchema,
  ssoSessionLogoutResponseSchema,
  type SsoConnection,
} from '@/lib/contract';
import type { SamlSigningKey } from '@/lib/dev-idp/saml/keys';
import { idpMetadataXml, signElement } from '@/lib/dev-idp/saml/messages';
import type { RunningSsoService } from '@/lib/sso-service';
import {
  ALICE,
  deflateForRedirect,
  form,
  IDP_ENTITY_ID,
  kitConnectionFields,
  signedResponse,
  testKeys,
} from '@/tests/support/saml-kit';
import { requestParts, signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';
import { DEFAULT_USER, issueLogoutToken, startTestOp, type TestOp } from '@/tests/support/test-op';
import { startDevIdp } from '@/lib/dev-idp';
import { CookieJar, loginAtDevIdp } from '@/tests/support/idp-login';

const CONSOLE_URL = 'http://localhost:3999';
const IDP_SLO_URL = 'https://idp.example.test/saml/slo';
const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const OP_CLIENT = { clientId: 'logout-op-client', clientSecret: 'logout op secret', redirectUris: [REDIRECT_URI] };
const OTHER_CLIENT = { clientId: 'logout-other-client', clientSecret: 'other secret', redirectUris: [REDIRECT_URI] };

let service: RunningSsoService;
let dataDir: string;
let op: TestOp;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-logout-'));
  [service, op] = await Promise.all([
    startLocalSsoService(dataDir, {
      ...(await testDatabaseOptions()),
      consoleUrl: CONSOLE_URL,
      eventBuffer: { flushMs: 10 },
    }),
    startTestOp({ issuerPath: '/logout', clients: [OP_CLIENT, OTHER_CLIENT] }),
  ]);
});
afterAll(async () => {
  await Promise.all([service?.close(), op?.close()]);
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(() => op.reset());

interface Answer {
  status: number;
  text: string;
  location: string | null;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  urlPath: string,
  opts: { apiKey?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<Answer> {
  const { headers, body } = requestParts(opts);
  const res = await fetch(urlPath.startsWith('http') ? urlPath : `${service.url}${urlPath}`, {
    method,
    headers,
    body,
    redirect: 'manual',
  });
  const text = await res.text();
  const type = res.headers.get('content-type');
  return {
    status: res.status,
    text,
    location: res.headers.get('location'),
    body: type?.includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

async function createConnection(org: Org, body: Record<string, unknown>): Promise<SsoConnection> {
  const res = await call('POST', '/v1/sso/connections', { apiKey: org.apiKey, json: { name: 'C', ...body } });
  expect(res.status, res.text).toBe(201);
  return ssoConnectionSchema.parse(res.body);
}

async function activeSessions(org: Org): Promise<string[]> {
  const res = await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey });
  return (res.body.sessions as { id: string }[]).map((s) => s.id);
}

async function revokedAudit(org: Org): Promise<{ actor: { label: string | null }; target: { id: string } }[]> {
  await new Promise((r) => setTimeout(r, 60));
  const res = await call('GET', '/v1/sso/audit?action=session.revoked', { apiKey: org.apiKey });
  return res.body.events as { actor: { label: string | null }; target: { id: string } }[];
}

// ---------------------------------------------------------------- SAML

/** A SAML connection addressed like the kit's documents, with IdP-initiated sign-in on (to open sessions simply). */
async function samlConnection(org: Org, extra: Record<string, unknown> = {}) {
  const c = await createConnection(org, {
    protocol: 'saml',
    ...kitConnectionFields(),
    allowIdpInitiated: true,
    idpSloUrl: IDP_SLO_URL,
    ...extra,
  });
  if (c.protocol !== 'saml') throw new Error('not saml');
  return c;
}

/** The connection's own SP signing certificate (made when its IdP SLO URL was saved), as the IdP imports it. */
async function spCertificate(org: Org, connectionId: string): Promise<string> {
  const res = await call('GET', `/v1/sso/connections/${connectionId}/sp-keys`, { apiKey: org.apiKey });
  const keys = res.body.keys as { use: string; state: string; certificatePem: string }[];
  const key = keys.find((k) => k.use === 'signing' && k.state === 'current');
  if (!key) throw new Error('no SP signing key');
  return key.certificatePem;
}

/** Alice signs in through the connection (an IdP-initiated assertion with a SessionIndex); returns the session. */
async function samlSignIn(connectionId: string, nameId = ALICE.nameId) {
  const res = await call('POST', `/sso/callback/saml?connection=${connectionId}`, {
    form: { SAMLResponse: form(signedResponse({ requestId: null, nameId })) },
  });
  expect(res.status, res.text).toBe(200);
  return ssoSessionCallbackResponseSchema.parse(res.body);
}

/** node-saml as the IdP: builds the messages an IdP sends to `spSloUrl`, signed with `key`. */
function idpSaml(spSloUrl: string, key: SamlSigningKey | null, issuer = IDP_ENTITY_ID) {
  return new SAML({
    issuer,
    entryPoint: spSloUrl,
    logoutUrl: spSloUrl,
    callbackUrl: spSloUrl,
    idpCert: testKeys().idp.certificatePem,
    signatureAlgorithm: 'sha256',
    ...(key ? { privateKey: key.privateKeyPem } : {}),
  });
}

const logoutUser = (nameId = ALICE.nameId, sessionIndex?: string): Profile => ({
  issuer: IDP_ENTITY_ID,
  nameID: nameId,
  nameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
  ...(sessionIndex ? { sessionIndex } : {}),
});

/** The IdP's LogoutRequest as an HTTP-Redirect URL to the SP's SLO URL. */
function idpLogoutRequestUrl(
  spSloUrl: string,
  opts: { key?: SamlSigningKey | null; nameId?: string; issuer?: string } = {},
) {
  const key = opts.key === undefined ? testKeys().idp : opts.key;
  return idpSaml(spSloUrl, key, opts.issuer).getLogoutUrlAsync(logoutUser(opts.nameId), 'idp-relay', {});
}

function inflatedParam(url: string, name: string): string {
  return inflateRawSync(Buffer.from(new URL(url).searchParams.get(name)!, 'base64')).toString('utf8');
}

/** Checks an HTTP-Redirect query signature (SAML Bindings §3.4.4.1) against `certificatePem`. */
function redirectSignatureVerifies(url: string, field: 'SAMLRequest' | 'SAMLResponse', certificatePem: string) {
  const query = new URL(url).search.slice(1).split('&');
  const pick = (k: string) => query.find((t) => t.startsWith(`${k}=`));
  const signed = [pick(field), pick('RelayState'), pick('SigAlg')].filter(Boolean).join('&');
  const signature = new URL(url).searchParams.get('Signature');
  if (!signature) return false;
  return createVerify('RSA-SHA256').update(signed).verify(certificatePem, signature, 'base64');
}

describe('SAML single logout: the connection', () => {
  it('lists the SLO URL in the SP metadata and on the connection; metadata XML fills idpSloUrl; PATCH null removes it', async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org);
    expect(c.spSloUrl).toBe(`${service.url}/sso/saml/${c.id}/slo`);
    expect(c.idpSloUrl).toBe(IDP_SLO_URL);
    const metadata = await call('GET', `/sso/saml/${c.id}/metadata`);
    expect(metadata.text).toContain('SingleLogoutService');
    expect(metadata.text).toContain(`Location="${c.spSloUrl}"`);
    // Saving an IdP SLO URL made the connection's signing key; the metadata publishes its certificate.
    const certBody = (await spCertificate(org, c.id)).replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    expect(metadata.text.replace(/\s/g, '')).toContain(certBody);
    const patched = await call('PATCH', `/v1/sso/connections/${c.id}`, {
      apiKey: org.apiKey,
      json: { idpSloUrl: null },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.idpSloUrl).toBeNull();
    const metadataXml = idpMetadataXml(
      IDP_ENTITY_ID,
      'https://idp.example.test/saml/sso',
      testKeys().idp.certificatePem,
    ).replace(
      '<md:NameIDFormat>',
      '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.test/post-slo"/>' +
        '<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/redirect-slo"/><md:NameIDFormat>',
    );
    const fromMetadata = await createConnection(org, { protocol: 'saml', idpMetadataXml: metadataXml });
    expect(fromMetadata.protocol === 'saml' && fromMetadata.idpSloUrl).toBe('https://idp.example.test/redirect-slo');
    const bad = await call('PATCH', `/v1/sso/connections/${c.id}`, {
      apiKey: org.apiKey,
      json: { idpSloUrl: 'javascript:alert(1)' },
    });
    expect(bad.status).toBe(400);
  });
});

describe('SAML single logout: the IdP logs the member out (IdP-initiated)', () => {
  it('a signed LogoutRequest (HTTP-Redirect) ends the sessions of that NameID on this connection and is answered by a signed LogoutResponse', async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org);
    const first = await samlSignIn(c.id);
    const second = await samlSignIn(c.id);
    const bob = await samlSignIn(c.id, 'bob@example.com');
    const res = await call('GET', await idpLogoutRequestUrl(c.spSloUrl!));
    expect(res.status, res.text).toBe(303);
    const location = res.location!;
    expect(location.startsWith(`${IDP_SLO_URL}?`)).toBe(true);
    expect(new URL(location).searchParams.get('RelayState')).toBe('idp-relay');
    const response = inflatedParam(location, 'SAMLResponse');
    expect(response).toContain('urn:oasis:names:tc:SAML:2.0:status:Success');
    expect(response).toContain(`Destination="${IDP_SLO_URL}"`);
    expect(redirectSignatureVerifies(location, 'SAMLResponse', await spCertificate(org, c.id))).toBe(true);
    expect(redirectSignatureVerifies(location, 'SAMLResponse', testKeys().other.certificatePem)).toBe(false);
    expect(await activeSessions(org)).toEqual([bob.sessionId]);
    const audit = await revokedAudit(org);
    expect(audit.map((e) => e.target.id).sort()).toEqual([first.sessionId, second.sessionId].sort());
    expect(audit.every((e) => e.actor.label === 'idp_logout')).toBe(true);
  });

  it('a replayed LogoutRequest is refused (the same ID is processed once)', async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org);
    await samlSignIn(c.id);
    const url = await idpLogoutRequestUrl(c.spSloUrl!);
    expect((await call('GET', url)).status).toBe(303);
    const session = await samlSignIn(c.id);
    const replay = await call('GET', url);
    expect(replay.status).toBe(400);
    expect(replay.body.message).toMatch(/already processed/);
    expect(await activeSessions(org)).toEqual([session.sessionId]);
  });

  it('refuses an unsigned, a foreign-signed, a re-signed, a SHA-1, a misaddressed and a foreign-issuer LogoutRequest; the session stays', async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org);
    const session = await samlSignIn(c.id);
    const unsigned = await call('GET', await idpLogoutRequestUrl(c.spSloUrl!, { key: null }));
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.message).toMatch(/not signed/);
    const forged = await call('GET', await idpLogoutRequestUrl(c.spSloUrl!, { key: testKeys().other }));
    expect(forged.status).toBe(400);
    expect(forged.body.message).toMatch(/not signed by a configured IdP certificate/);
    // The signature of a genuine message over another message: swap the SAMLRequest, keep Signature.
    const genuine = new URL(await idpLogoutRequestUrl(c.spSloUrl!));
    const other = new URL(await idpLogoutRequestUrl(c.spSloUrl!, { nameId: 'bob@example.com' }));
    genuine.searchParams.set('SAMLRequest', other.searchParams.get('SAMLRequest')!);
    expect((await call('GET', genuine.href)).status).toBe(400);
    const sha1 = new URL(await idpLogoutRequestUrl(c.spSloUrl!));
    sha1.searchParams.set('SigAlg', 'http://www.w3.org/2000/09/xmldsig#rsa-sha1');
    expect((await call('GET', sha1.href)).body.message).toMatch(/SHA-1/);
    // Addressed to another SLO URL (another connection's): Destination is checked.
    const misaddressed = await idpLogoutRequestUrl(`${service.url}/sso/saml/sso_elsewhere/slo`);
    const atOurs = new URL(c.spSloUrl!);
    atOurs.search = new URL(misaddressed).search;
    expect((await call('GET', atOurs.href)).body.message).toMatch(/Destination/);
    const foreignIssuer = await call(
      'GET',
      await idpLogoutRequestUrl(c.spSloUrl!, { issuer: 'https://other-idp.example.test/saml' }),
    );
    expect(foreignIssuer.body.message).toMatch(/different IdP entity ID/);
    // A deflate bomb (a few KB inflating to megabytes) is cut off before any parser runs.
    const bomb = new URL(c.spSloUrl!);
    bomb.searchParams.set('SAMLRequest', deflateForRedirect(`<samlp:LogoutRequest>${' '.repeat(8 * 1024 * 1024)}`));
    bomb.searchParams.set('SigAlg', 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    bomb.searchParams.set('Signature', 'AAAA');
    expect((await call('GET', bomb.href)).body.message).toMatch(/larger than this service accepts/);
    // Two SAMLRequest parameters: refused rather than picking one.
    const doubled = await idpLogoutRequestUrl(c.spSloUrl!);
    expect((await call('GET', `${doubled}&SAMLRequest=x`)).status).toBe(400);
    expect(await activeSessions(org)).toEqual([session.sessionId]);
  });

  it("another tenant's IdP cannot end this tenant's sessions, even naming the same IdP entity ID and NameID", async () => {
    const victim = await signupOrg(service.url);
    const vc = await samlConnection(victim);
    const victimSession = await samlSignIn(vc.id);
    // The attacker's org trusts its own key under the victim IdP's entity ID and sends Alice's logout.
    const attacker = await signupOrg(service.url);
    const ac = await samlConnection(attacker, { idpCertificate: testKeys().other.certificatePem });
    const atOwn = await call('GET', await idpLogoutRequestUrl(ac.spSloUrl!, { key: testKeys().other }));
    expect(atOwn.status, atOwn.text).toBe(303);
    // The same message at the victim's SLO URL: its certificate does not verify it (and Destination differs).
    const atVictim = new URL(vc.spSloUrl!);
    atVictim.search = new URL(await idpLogoutRequestUrl(vc.spSloUrl!, { key: testKeys().other })).search;
    expect((await call('GET', atVictim.href)).status).toBe(400);
    expect(await activeSessions(victim)).toEqual([victimSession.sessionId]);
    // A genuine message of the shared IdP to the attacker's connection ends nothing at the victim's either.
    const shared = await signupOrg(service.url);
    const sc = await samlConnection(shared);
    expect((await call('GET', await idpLogoutRequestUrl(sc.spSloUrl!))).status).toBe(303);
    expect(await activeSessions(victim)).toEqual([victimSession.sessionId]);
  });

  it('a signed LogoutRequest by HTTP-POST works; a stale one, and a NameID hidden in its signature (outside the digest), are refused', async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org);
    const victim = await samlSignIn(c.id, 'victim@example.com');
    await samlSignIn(c.id);
    const id = `_post${Date.now()}abcdefghijklmnop`;
    const xml = (nameId: string, issued = new Date()) =>
      `<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${issued.toISOString()}" Destination="${c.spSloUrl}"><saml:Issuer>${IDP_ENTITY_ID}</saml:Issuer><saml:NameID>${nameId}</saml:NameID></samlp:LogoutRequest>`;
    const signed = signElement(xml(ALICE.nameId), { id, key: testKeys().idp });
    const stale = signElement(xml(ALICE.nameId, new Date(Date.now() - 20 * 60_000)), { id, key: testKeys().idp });
    const staleAnswer = await call('POST', `/sso/saml/${c.id}/slo`, { form: { SAMLRequest: form(stale) } });
    expect(staleAnswer.body.message).toMatch(/five minutes/);
    // The attacker adds a second NameID inside ds:Signature (excluded from the digest): signature still valid.
    const wrapped = signed.replace(
      '</ds:SignatureValue>',
      '</ds:SignatureValue><ds:Object><saml:NameID>victim@example.com</saml:NameID></ds:Object>',
    );
    const xsw = await call('POST', `/sso/saml/${c.id}/slo`, { form: { SAMLRequest: form(wrapped) } });
    expect(xsw.status, xsw.text).toBe(400);
    expect((await activeSessions(org)).length).toBe(2);
    const ok = await call('POST', `/sso/saml/${c.id}/slo`, { form: { SAMLRequest: form(signed) } });
    expect(ok.status, ok.text).toBe(303);
    expect(await activeSessions(org)).toEqual([victim.sessionId]);
  });
});

describe('SAML single logout: the member logs out (SP-initiated)', () => {
  it('revokes the session, sends a signed LogoutRequest with NameID and SessionIndex, and reports the checked LogoutResponse', async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org);
    const session = await samlSignIn(c.id);
    const res = await call('POST', '/sso/sessions/logout', {
      json: { developerId: org.developerId, sessionId: session.sessionId },
    });
    expect(res.status, res.text).toBe(200);
    const out = ssoSessionLogoutResponseSchema.parse(res.body);
    expect(out).toMatchObject({ ended: true, protocol: 'saml' });
    expect(await activeSessions(org)).toEqual([]);
    const requestUrl = out.redirectUrl!;
    expect(requestUrl.startsWith(`${IDP_SLO_URL}?`)).toBe(true);
    expect(redirectSignatureVerifies(requestUrl, 'SAMLRequest', await spCertificate(org, c.id))).toBe(true);
    const request = inflatedParam(requestUrl, 'SAMLRequest');
    expect(request).toContain(`>${ALICE.nameId}</saml:NameID>`);
    expect(request).toMatch(/SessionIndex[^>]*>_?[A-Za-z0-9_-]+</);
    const requestId = /\sID="([^"]+)"/.exec(request)![1]!;
    const relayState = new URL(requestUrl).searchParams.get('RelayState')!;
    const answer = (key: SamlSigningKey, inResponseTo = requestId) =>
      idpSaml(c.spSloUrl!, key).getLogoutResponseUrlAsync({ ...logoutUser(), ID: inResponseTo }, relayState, {}, true);
    const forged = await call('GET', await answer(testKeys().other));
    expect(forged.location).toBe(`${CONSOLE_URL}/member/signed-out?slo=failed`);
    const wrongRequest = await call('GET', await answer(testKeys().idp, '_not-the-request-we-sent-0123456789'));
    expect(wrongRequest.location).toBe(`${CONSOLE_URL}/member/signed-out?slo=failed`);
    const back = await call('GET', await answer(testKeys().idp));
    expect(back.status).toBe(303);
    expect(back.location).toBe(`${CONSOLE_URL}/member/signed-out?slo=ok`);
    const [audit] = await revokedAudit(org);
    expect(audit).toMatchObject({ actor: { label: 'member_logout' }, target: { id: session.sessionId } });
    // A second logout of the same session: nothing to end, no IdP trip.
    const again = await call('POST', '/sso/sessions/logout', {
      json: { developerId: org.developerId, sessionId: session.sessionId },
    });
    expect(again.body).toEqual({ ended: false, redirectUrl: null, protocol: null });
  });

  it('without an IdP SLO URL the session ends here only (no LogoutRequest is built)', async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org, { idpSloUrl: null });
    expect(c.idpSloUrl).toBeNull();
    const session = await samlSignIn(c.id);
    const res = await call('POST', '/sso/sessions/logout', {
      json: { developerId: org.developerId, sessionId: session.sessionId },
    });
    expect(res.body).toEqual({ ended: true, redirectUrl: null, protocol: 'saml' });
    expect(await activeSessions(org)).toEqual([]);
  });

  it("another org's id names nothing; a post-logout URI off the console is refused", async () => {
    const org = await signupOrg(service.url);
    const c = await samlConnection(org);
    const session = await samlSignIn(c.id);
    const other = await signupOrg(service.url);
    const res = await call('POST', '/sso/sessions/logout', {
      json: { developerId: other.developerId, sessionId: session.sessionId },
    });
    expect(res.body).toEqual({ ended: false, redirectUrl: null, protocol: null });
    const evil = await call('POST', '/sso/sessions/logout', {
      json: {
        developerId: org.developerId,
        sessionId: session.sessionId,
        postLogoutRedirectUri: 'https://evil.example/',
      },
    });
    expect(evil.status).toBe(400);
    expect(await activeSessions(org)).toEqual([session.sessionId]);
  });
});

// ---------------------------------------------------------------- OIDC

async function oidcConnection(org: Org, client = OP_CLIENT, theOp = op) {
  const c = await createConnection(org, {
    protocol: 'oidc',
    issuerUrl: theOp.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri: REDIRECT_URI,
  });
  if (c.protocol !== 'oidc') throw new Error('not oidc');
  return c;
}

async function oidcSignIn(org: Org, connectionId: string, claims: Record<string, unknown> = {}, theOp = op) {
  theOp.behave.idTokenClaims = claims;
  const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`);
  expect(login.status, login.text).toBe(200);
  const back = await theOp.driveAuthorize(login.body.authorizeUrl as string);
  const res = await call('POST', '/sso/callback/oidc', {
    json: {
      code: back.searchParams.get('code'),
      state: back.searchParams.get('state'),
      iss: back.searchParams.get('iss') ?? undefined,
    },
  });
  expect(res.status, res.text).toBe(200);
  return ssoSessionCallbackResponseSchema.parse(res.body);
}

const backchannel = (connectionId: string, token: string) =>
  call('POST', `/sso/oidc/${connectionId}/backchannel-logout`, { form: { logout_token: token } });

describe('OIDC RP-initiated logout', () => {
  it('redirects to the end_session_endpoint with id_token_hint, client_id, the console page and state', async () => {
    // Its own OP: discovery is cached per issuer, and this one lists an end_session_endpoint from the start.
    const withLogout = await startTestOp({ issuerPath: '/rp-logout', clients: [OP_CLIENT] });
    const op = withLogout;
    op.behave.discoveryOverrides = { end_session_endpoint: `${op.issuer}/logout` };
    const org = await signupOrg(service.url);
    const c = await oidcConnection(org, OP_CLIENT, op);
    const session = await oidcSignIn(org, c.id, {}, op);
    const res = await call('POST', '/sso/sessions/logout', {
      json: { developerId: org.developerId, sessionId: session.sessionId },
    });
    const out = ssoSessionLogoutResponseSchema.parse(res.body);
    expect(out).toMatchObject({ ended: true, protocol: 'oidc' });
    const url = new URL(out.redirectUrl!);
    expect(`${url.origin}${url.pathname}`).toBe(`${op.issuer}/logout`);
    expect(url.searchParams.get('client_id')).toBe(OP_CLIENT.clientId);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${CONSOLE_URL}/member/signed-out`);
    expect(url.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    const hint = url.searchParams.get('id_token_hint')!;
    const payload = JSON.parse(Buffer.from(hint.split('.')[1]!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(payload).toMatchObject({ iss: op.issuer, aud: OP_CLIENT.clientId, sub: DEFAULT_USER.sub });
    expect(await activeSessions(org)).toEqual([]);
    await withLogout.close();
  });

  it('without an end_session_endpoint the session ends here only', async () => {
    const org = await signupOrg(service.url);
    const c = await oidcConnection(org);
    const session = await oidcSignIn(org, c.id);
    const res = await call('POST', '/sso/sessions/logout', {
      json: { developerId: org.developerId, sessionId: session.sessionId },
    });
    expect(res.body).toEqual({ ended: true, redirectUrl: null, protocol: 'oidc' });
    expect(await activeSessions(org)).toEqual([]);
  });
});

describe('OIDC RP-initiated logout at the dev IdP (oidc-provider)', () => {
  it('the IdP accepts id_token_hint and the console page, asks, and sends the member back with the state', async () => {
    const idp = await startDevIdp({ port: 0, host: '127.0.0.1', redirectUris: [REDIRECT_URI] });
    try {
      const org = await signupOrg(service.url);
      const c = await createConnection(org, {
        protocol: 'oidc',
        issuerUrl: idp.issuer,
        clientId: idp.client.clientId,
        clientSecret: idp.client.clientSecret,
        redirectUri: REDIRECT_URI,
      });
      const jar = new CookieJar();
      const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${c.id}`);
      const back = await loginAtDevIdp(
        login.body.authorizeUrl as string,
        { username: 'alice', password: 'alice-password' },
        { jar },
      );
      const signedIn = await call('POST', '/sso/callback/oidc', {
        json: {
          code: back.searchParams.get('code'),
          state: back.searchParams.get('state'),
          iss: back.searchParams.get('iss'),
        },
      });
      const session = ssoSessionCallbackResponseSchema.parse(signedIn.body);
      const out = ssoSessionLogoutResponseSchema.parse(
        (
          await call('POST', '/sso/sessions/logout', {
            json: { developerId: org.developerId, sessionId: session.sessionId },
          })
        ).body,
      );
      const endSession = new URL(out.redirectUrl!);
      expect(endSession.origin).toBe(new URL(idp.issuer).origin);
      // The browser at the IdP, with its session cookie: the confirmation page, then its form.
      const browse = async (url: URL, init: RequestInit = {}) => {
        const cookie = jar.header(url);
        const res = await fetch(url, {
          ...init,
          redirect: 'manual',
          headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
        });
        jar.store(res.headers.getSetCookie(), url);
        return res;
      };
      const confirm = await browse(endSession);
      expect(confirm.status).toBe(200);
      const html = await confirm.text();
      expect(html).toContain('Yes, sign me out');
      const action =
        /<form[^>]*action="([^"]+)"[^>]*id="op.logoutForm"|<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/.exec(
          html,
        )!;
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)![1]!;
      const done = await browse(new URL(action[1] ?? action[2]!, endSession), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
      });
      let location = new URL(done.headers.get('location')!, endSession);
      // oidc-provider may pass through its own success step before the redirect.
      for (let hops = 0; location.origin === endSession.origin && hops < 3; hops++) {
        const next = await browse(location);
        location = new URL(next.headers.get('location')!, location);
      }
      expect(`${location.origin}${location.pathname}`).toBe(`${CONSOLE_URL}/member/signed-out`);
      expect(location.searchParams.get('state')).toBe(endSession.searchParams.get('state'));
      expect(await activeSessions(org)).toEqual([]);
    } finally {
      await idp.close();
    }
  });
});

describe('OIDC back-channel logout', () => {
  it('a valid logout token (sub) ends that subject’s sessions of the connection: 200, no-store', async () => {
    const org = await signupOrg(service.url);
    const c = await oidcConnection(org);
    expect(c.backchannelLogoutUri).toBe(`${service.url}/sso/oidc/${c.id}/backchannel-logout`);
    await oidcSignIn(org, c.id);
    await oidcSignIn(org, c.id);
    op.behave.user = { ...op.behave.user, sub: 'someone-else' };
    const other = await oidcSignIn(org, c.id);
    const res = await fetch(c.backchannelLogoutUri!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: await issueLogoutToken(op, { sub: DEFAULT_USER.sub }) }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await activeSessions(org)).toEqual([other.sessionId]);
    const audit = await revokedAudit(org);
    expect(audit).toHaveLength(2);
    expect(audit.every((e) => e.actor.label === 'idp_logout')).toBe(true);
  });

  it('by sid: only the session the IdP names', async () => {
    const org = await signupOrg(service.url);
    const c = await oidcConnection(org);
    const a = await oidcSignIn(org, c.id, { sid: 'idp-session-a' });
    const b = await oidcSignIn(org, c.id, { sid: 'idp-session-b' });
    expect((await backchannel(c.id, await issueLogoutToken(op, { sid: 'idp-session-a' }))).status).toBe(200);
    expect(await activeSessions(org)).toEqual([b.sessionId]);
    expect(a.sessionId).not.toBe(b.sessionId);
  });

  it('refuses a wrong key, another issuer, a nonce, no event, no sub/sid, alg none, a stale token and a replayed jti; no session is touched', async () => {
    const org = await signupOrg(service.url);
    const c = await oidcConnection(org);
    const session = await oidcSignIn(org, c.id);
    const sub = DEFAULT_USER.sub;
    const { generateTestKey } = await import('@/tests/support/test-op/keys');
    const stranger = await generateTestKey('RS256');
    const now = Math.floor(Date.now() / 1000);
    const none = (payload: Record<string, unknown>) =>
      `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.`;
    const refusedTokens: [string, string][] = [
      ['wrong key', await issueLogoutToken(op, { sub }, { key: { ...stranger, kid: op.keys.at(-1)!.kid } })],
      ['other issuer', await issueLogoutToken(op, { sub, iss: 'https://other-op.example' })],
      ['nonce', await issueLogoutToken(op, { sub, nonce: 'n-0123456789' })],
      ['no events', await issueLogoutToken(op, { sub, events: undefined })],
      ['wrong event', await issueLogoutToken(op, { sub, events: { 'http://example.com/other': {} } })],
      ['neither sub nor sid', await issueLogoutToken(op, {})],
      ['no jti', await issueLogoutToken(op, { sub, jti: undefined })],
      ['stale iat', await issueLogoutToken(op, { sub, iat: now - 3600, exp: now + 60 })],
      ['other audience', await issueLogoutToken(op, { sub, aud: OTHER_CLIENT.clientId })],
      [
        'alg none',
        none({
          iss: op.issuer,
          aud: OP_CLIENT.clientId,
          iat: now,
          jti: 'j-none',
          sub,
          events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
        }),
      ],
    ];
    for (const [what, token] of refusedTokens) {
      const res = await backchannel(c.id, token);
      expect(res.status, `${what}: ${res.text}`).toBe(400);
      expect(res.body).toMatchObject({ code: 'BAD_REQUEST', requestId: expect.any(String) });
    }
    expect(await activeSessions(org)).toEqual([session.sessionId]);
    // Replay: the first use ends the session, the second is refused and ends the next one not.
    const token = await issueLogoutToken(op, { sub });
    expect((await backchannel(c.id, token)).status).toBe(200);
    const next = await oidcSignIn(org, c.id);
    expect((await backchannel(c.id, token)).status).toBe(400);
    expect(await activeSessions(org)).toEqual([next.sessionId]);
  });

  it("a token for another tenant's connection on the same IdP ends nothing at this one", async () => {
    const victim = await signupOrg(service.url);
    const vc = await oidcConnection(victim);
    const victimSession = await oidcSignIn(victim, vc.id);
    const attacker = await signupOrg(service.url);
    const ac = await oidcConnection(attacker, OTHER_CLIENT);
    // The IdP's genuine token for the attacker's client, naming the victim's subject, posted at the victim's URL.
    const forAttacker = await issueLogoutToken(op, { sub: DEFAULT_USER.sub, aud: OTHER_CLIENT.clientId });
    expect((await backchannel(vc.id, forAttacker)).status).toBe(400);
    expect(await activeSessions(victim)).toEqual([victimSession.sessionId]);
    // At the attacker's own URL it is valid, and still ends nothing of the victim's.
    expect((await backchannel(ac.id, forAttacker)).status).toBe(200);
    expect(await activeSessions(victim)).toEqual([victimSession.sessionId]);
    // An unknown connection and a SAML one answer 400 alike.
    expect((await backchannel('sso_unknown', forAttacker)).status).toBe(400);
  });
});
