/**
 * A connection's own policy, through the real service: the SAML attribute mapping (API round trip, validation,
 * and its effect at the real ACS), the per-connection session bound (both protocols) and the OIDC max_age /
 * auth_time check against the programmable test OP. Runs on SQLite, and on PostgreSQL with
 * GRANTEX_TEST_DATABASE_URL.
 */
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { form, kitConnectionFields, signedResponse } from '@/tests/support/saml-kit';
import { requestParts, signupOrg, startStack, type Stack } from '@/tests/support/stack';
import { driveAuthorize, startTestOp, type TestOp } from '@/tests/support/test-op';

const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const CLIENT = { clientId: 'policy-client', clientSecret: 'policy-client-secret', redirectUris: [REDIRECT_URI] };
const ENTRA_EMAIL = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
/** The service's session TTL in this suite (seconds). */
const TTL_SEC = 7200;

let stack: Stack;
let op: TestOp;

beforeAll(async () => {
  [stack, op] = await Promise.all([
    startStack({ redirectUri: REDIRECT_URI, service: { sessionTtlSec: TTL_SEC } }),
    startTestOp({ issuerPath: '/policy', clients: [CLIENT] }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), op?.close()]);
});
beforeEach(() => op.reset());

interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
}

async function call(
  method: string,
  urlPath: string,
  opts: { apiKey?: string; json?: unknown; form?: Record<string, string> } = {},
): Promise<Answer> {
  const { headers, body } = requestParts(opts);
  const res = await fetch(`${stack.serviceUrl}${urlPath}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

async function create(org: Org, json: Record<string, unknown>): Promise<Answer> {
  return call('POST', '/v1/sso/connections', { apiKey: org.apiKey, json });
}

async function samlConnection(org: Org, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await create(org, { name: 'SAML', protocol: 'saml', ...kitConnectionFields(), ...extra });
  expect(res.status, res.text).toBe(201);
  return String(res.body.id);
}

async function oidcConnection(org: Org, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await create(org, {
    name: 'OIDC',
    protocol: 'oidc',
    issuerUrl: op.issuer,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
    ...extra,
  });
  expect(res.status, res.text).toBe(201);
  return String(res.body.id);
}

const get = (org: Org, id: string) => call('GET', `/v1/sso/connections/${id}`, { apiKey: org.apiKey });
const patch = (org: Org, id: string, json: Record<string, unknown>) =>
  call('PATCH', `/v1/sso/connections/${id}`, { apiKey: org.apiKey, json });

/** A SAML sign-in on the connection whose signed assertion carries `attributes` and a persistent NameID. */
async function samlSignIn(
  org: Org,
  connectionId: string,
  attributes: Record<string, string[]>,
  nameId = 'persistent-nameid-7f3a',
): Promise<Answer> {
  const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`);
  expect(login.status, login.text).toBe(200);
  const url = new URL(String(login.body.authorizeUrl));
  const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
  const requestId = /\sID="([^"]+)"/.exec(request)![1]!;
  const xml = signedResponse({ requestId, nameId, nameIdFormat: PERSISTENT, attributes });
  return call('POST', '/sso/callback/saml', {
    form: { SAMLResponse: form(xml), RelayState: url.searchParams.get('RelayState')! },
  });
}

/** An OIDC sign-in through the test OP; the authorization URL the service built and the callback's answer. */
async function oidcSignIn(org: Org, connectionId: string): Promise<{ authorizeUrl: URL; answer: Answer }> {
  const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`);
  expect(login.status, login.text).toBe(200);
  const authorizeUrl = new URL(String(login.body.authorizeUrl));
  const back = await driveAuthorize(authorizeUrl);
  const iss = back.searchParams.get('iss');
  const answer = await call('POST', '/sso/callback/oidc', {
    json: { code: back.searchParams.get('code'), state: back.searchParams.get('state'), ...(iss ? { iss } : {}) },
  });
  return { authorizeUrl, answer };
}

async function sessionsOf(org: Org, connectionId: string): Promise<Record<string, unknown>[]> {
  const res = await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey });
  expect(res.status).toBe(200);
  return (res.body.sessions as Record<string, unknown>[]).filter((s) => s.connectionId === connectionId);
}

/** The newest sign-in events of a connection, once the buffered writer stored at least `count`. */
async function eventsOf(org: Org, connectionId: string, count: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 100; i++) {
    const res = await call('GET', `/v1/sso/events?connectionId=${connectionId}`, { apiKey: org.apiKey });
    const list = res.body.events as Record<string, unknown>[] | undefined;
    if (list && list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`fewer than ${count} events for ${connectionId}`);
}

/** Seconds from now until an ISO timestamp. */
const secondsUntil = (iso: unknown) => (Date.parse(String(iso)) - Date.now()) / 1000;

/** The field names of a 400's `errors`. */
const fieldsOf = (res: Answer) => ((res.body.errors ?? []) as { field?: string }[]).map((e) => e.field);

describe('SAML attribute mapping on the connections API', () => {
  it('is stored, returned as lists, and PATCHed per field (null, "" and [] clear a field; null clears all)', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const created = await create(org, {
      name: 'Mapped',
      protocol: 'saml',
      ...kitConnectionFields(),
      attributeMapping: { email: ' mail ', familyName: ['sn', 'surname', 'sn'], subject: ['employeeNumber'] },
    });
    expect(created.status, created.text).toBe(201);
    const id = String(created.body.id);
    const expected = { email: ['mail'], familyName: ['sn', 'surname'], subject: ['employeeNumber'] };
    expect(created.body.attributeMapping).toEqual(expected);
    expect((await get(org, id)).body.attributeMapping).toEqual(expected);

    const patched = await patch(org, id, { attributeMapping: { email: null, subject: '', groups: [], name: 'cn' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.attributeMapping).toEqual({ familyName: ['sn', 'surname'], name: ['cn'] });
    // Another field's PATCH leaves the mapping alone.
    expect((await patch(org, id, { name: 'Renamed' })).body.attributeMapping).toEqual({
      familyName: ['sn', 'surname'],
      name: ['cn'],
    });
    const cleared = await patch(org, id, { attributeMapping: null });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.attributeMapping).toEqual({});
    expect((await get(org, id)).body.attributeMapping).toEqual({});
  });

  it('refuses bad names (control characters, too long, too many, unknown field) and keeps the stored mapping', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await samlConnection(org, { attributeMapping: { email: 'mail' } });
    const bad: [unknown, string][] = [
      [{ email: 'ma\u0000il' }, 'attributeMapping.email.0'],
      [{ name: ['ok', 'evil\u202eman'] }, 'attributeMapping.name.1'],
      [{ subject: 'x'.repeat(257) }, 'attributeMapping.subject.0'],
      [{ groups: ['a', 'b', 'c', 'd', 'e', 'f'] }, 'attributeMapping.groups'],
      [{ mail: 'x' }, 'attributeMapping'],
      [{ email: 42 }, 'attributeMapping.email'],
      ['mail', 'attributeMapping'],
    ];
    for (const [attributeMapping, field] of bad) {
      const res = await patch(org, id, { attributeMapping });
      expect(res.status, `${JSON.stringify(attributeMapping)}: ${res.text}`).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
      expect(fieldsOf(res), JSON.stringify(attributeMapping)).toContain(field);
    }
    const refusedCreate = await create(org, {
      name: 'Bad',
      protocol: 'saml',
      ...kitConnectionFields(),
      attributeMapping: { email: 'a\nb' },
    });
    expect(refusedCreate.status).toBe(400);
    expect((await get(org, id)).body.attributeMapping).toEqual({ email: ['mail'] });
  });

  it('is a SAML field only: an OIDC connection refuses it by name', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(org);
    const res = await patch(org, id, { attributeMapping: { email: 'mail' } });
    expect(res.status, res.text).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'attributeMapping', code: 'not_applicable' })]);
  });
});

describe('SAML attribute mapping at the ACS', () => {
  /** One assertion for both connections: the defaults' attributes and custom-named ones with other values. */
  const ATTRIBUTES = {
    email: ['default-mail@example.com'],
    displayName: ['Default Name'],
    groups: ['default-group'],
    'urn:custom:mail': ['mapped@example.com'],
    'urn:custom:cn': ['Mapped Name'],
    'urn:custom:id': ['employee-00042'],
    'urn:custom:teams': ['blue-team', 'red-team'],
    // 67 characters: the sign-in log keeps the name whole, so the console can show it to map.
    [ENTRA_EMAIL]: ['entra-mail@example.com'],
  };

  it('reads email, name, subject and groups through the mapping; without one, what the defaults give', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const mapped = await samlConnection(org, {
      attributeMapping: {
        email: ['urn:custom:absent', 'urn:custom:mail'],
        name: 'urn:custom:cn',
        subject: 'urn:custom:id',
        groups: 'urn:custom:teams',
      },
    });
    const ok = await samlSignIn(org, mapped, ATTRIBUTES);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({
      email: 'mapped@example.com',
      name: 'Mapped Name',
      sub: 'employee-00042',
      groups: ['blue-team', 'red-team'],
    });

    // What the console shows as "received": the attributes as sent, long names whole.
    const [event] = await eventsOf(org, mapped, 1);
    const trace = event?.trace as { claims?: { attributes?: Record<string, unknown> } };
    expect(trace.claims?.attributes).toMatchObject({
      [ENTRA_EMAIL]: ['entra-mail@example.com'],
      'urn:custom:id': ['employee-00042'],
    });

    const plain = await samlSignIn(org, await samlConnection(org), ATTRIBUTES);
    expect(plain.status, plain.text).toBe(200);
    // The defaults: the `email` and `displayName` attributes, the NameID as subject, no groups without groupAttribute.
    expect(plain.body).toMatchObject({
      email: 'default-mail@example.com',
      name: 'Default Name',
      sub: 'persistent-nameid-7f3a',
      groups: [],
    });
  });

  it('a mapped subject the assertion lacks is refused, and no session is opened', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await samlConnection(org, { attributeMapping: { subject: 'urn:custom:id' } });
    const withoutSubject: Record<string, string[]> = { ...ATTRIBUTES };
    delete withoutSubject['urn:custom:id'];
    const res = await samlSignIn(org, id, withoutSubject);
    expect(res.status, res.text).toBe(400);
    expect(await sessionsOf(org, id)).toEqual([]);
    const [event] = await eventsOf(org, id, 1);
    expect(event).toMatchObject({ outcome: 'failure', reason: 'saml_missing_subject' });
  });

  it('groupAttribute keeps working without mapping.groups; mapping.groups wins when both are set', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await samlConnection(org, { groupAttribute: 'groups' });
    const viaGroupAttribute = await samlSignIn(org, id, ATTRIBUTES);
    expect(viaGroupAttribute.status, viaGroupAttribute.text).toBe(200);
    expect(viaGroupAttribute.body.groups).toEqual(['default-group']);

    expect((await patch(org, id, { attributeMapping: { groups: 'urn:custom:teams' } })).status).toBe(200);
    const viaMapping = await samlSignIn(org, id, ATTRIBUTES);
    expect(viaMapping.status, viaMapping.text).toBe(200);
    expect(viaMapping.body.groups).toEqual(['blue-team', 'red-team']);
    // Cleared again: back to groupAttribute.
    expect((await patch(org, id, { attributeMapping: { groups: null } })).status).toBe(200);
    expect((await samlSignIn(org, id, ATTRIBUTES)).body.groups).toEqual(['default-group']);
  });
});

describe('maxSessionSeconds: a session bound per connection', () => {
  it('is validated (300 s to 30 days, whole seconds), returned, and cleared with null', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await samlConnection(org, { maxSessionSeconds: 900 });
    expect((await get(org, id)).body.maxSessionSeconds).toBe(900);
    for (const value of [299, 30 * 24 * 3600 + 1, 600.5, '900', -1]) {
      const res = await patch(org, id, { maxSessionSeconds: value });
      expect(res.status, `${String(value)}: ${res.text}`).toBe(400);
      expect(fieldsOf(res)).toContain('maxSessionSeconds');
    }
    expect((await get(org, id)).body.maxSessionSeconds).toBe(900);
    const cleared = await patch(org, id, { maxSessionSeconds: null });
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.maxSessionSeconds).toBeNull();
    // A SAML connection has no max_age to show.
    expect(cleared.body).not.toHaveProperty('maxAuthAgeSeconds');
  });

  it('ends a SAML session at the connection’s bound when it is shorter than the service TTL', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await samlConnection(org, { maxSessionSeconds: 600 });
    const res = await samlSignIn(org, id, { email: ['bounded@example.com'] });
    expect(res.status, res.text).toBe(200);
    expect(secondsUntil(res.body.expiresAt)).toBeGreaterThan(590);
    expect(secondsUntil(res.body.expiresAt)).toBeLessThanOrEqual(600);
    const [session] = await sessionsOf(org, id);
    expect(session?.expiresAt).toBe(res.body.expiresAt);
  });

  it('ends an OIDC session at the connection’s bound; a bound longer than the TTL leaves the TTL', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const short = await oidcConnection(org, { maxSessionSeconds: 900 });
    const bounded = await oidcSignIn(org, short);
    expect(bounded.answer.status, bounded.answer.text).toBe(200);
    expect(secondsUntil(bounded.answer.body.expiresAt)).toBeGreaterThan(890);
    expect(secondsUntil(bounded.answer.body.expiresAt)).toBeLessThanOrEqual(900);

    const long = await oidcConnection(org, { maxSessionSeconds: 5 * 24 * 3600 });
    const ttl = await oidcSignIn(org, long);
    expect(ttl.answer.status, ttl.answer.text).toBe(200);
    expect(secondsUntil(ttl.answer.body.expiresAt)).toBeGreaterThan(TTL_SEC - 10);
    expect(secondsUntil(ttl.answer.body.expiresAt)).toBeLessThanOrEqual(TTL_SEC);
  });
});

describe('OIDC maxAuthAgeSeconds: max_age sent, auth_time required and checked', () => {
  const MAX_AGE = 300;

  it('is validated, returned, OIDC only, and cleared with null', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(org, { maxAuthAgeSeconds: MAX_AGE });
    expect((await get(org, id)).body).toMatchObject({ maxAuthAgeSeconds: MAX_AGE, maxSessionSeconds: null });
    for (const value of [-1, 30 * 24 * 3600 + 1, 1.5, '300']) {
      const res = await patch(org, id, { maxAuthAgeSeconds: value });
      expect(res.status, `${String(value)}: ${res.text}`).toBe(400);
      expect(fieldsOf(res)).toContain('maxAuthAgeSeconds');
    }
    expect((await patch(org, id, { maxAuthAgeSeconds: 0 })).body.maxAuthAgeSeconds).toBe(0);
    expect((await patch(org, id, { maxAuthAgeSeconds: null })).body.maxAuthAgeSeconds).toBeNull();
    const saml = await samlConnection(org);
    const refused = await patch(org, saml, { maxAuthAgeSeconds: MAX_AGE });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({ field: 'maxAuthAgeSeconds', code: 'not_applicable' }),
    ]);
  });

  it('sends max_age to the IdP and accepts a fresh auth_time', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(org, { maxAuthAgeSeconds: MAX_AGE });
    op.behave.idTokenClaims = { auth_time: Math.floor(Date.now() / 1000) - 60 };
    const { authorizeUrl, answer } = await oidcSignIn(org, id);
    expect(authorizeUrl.searchParams.get('max_age')).toBe(String(MAX_AGE));
    // What reached the OP, not only what the URL says.
    expect(op.requestsTo('authorize').at(-1)?.query.max_age).toBe(String(MAX_AGE));
    expect(answer.status, answer.text).toBe(200);
    expect(await sessionsOf(org, id)).toHaveLength(1);
  });

  it('refuses an ID token without auth_time: no session', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(org, { maxAuthAgeSeconds: MAX_AGE });
    op.behave.omitIdTokenClaims = ['auth_time'];
    const { answer } = await oidcSignIn(org, id);
    expect(answer.status, answer.text).toBe(502);
    expect(answer.body.code).toBe('SSO_ERROR');
    expect(await sessionsOf(org, id)).toEqual([]);
    const [event] = await eventsOf(org, id, 1);
    expect(event).toMatchObject({ outcome: 'failure', reason: 'id_token_auth_time_missing' });
  });

  it('refuses an auth_time older than max_age plus the clock tolerance: no session', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(org, { maxAuthAgeSeconds: MAX_AGE });
    // The RP tolerates 30 s of clock difference; this is well past both.
    op.behave.idTokenClaims = { auth_time: Math.floor(Date.now() / 1000) - MAX_AGE - 120 };
    const { answer } = await oidcSignIn(org, id);
    expect(answer.status, answer.text).toBe(502);
    expect(await sessionsOf(org, id)).toEqual([]);
    const [event] = await eventsOf(org, id, 1);
    expect(event).toMatchObject({ outcome: 'failure', reason: 'id_token_auth_too_old' });
  });

  it('without the setting: no max_age is sent and an ID token without auth_time is accepted', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(org);
    op.behave.omitIdTokenClaims = ['auth_time'];
    const { authorizeUrl, answer } = await oidcSignIn(org, id);
    expect(authorizeUrl.searchParams.has('max_age')).toBe(false);
    expect(op.requestsTo('authorize').at(-1)?.query).not.toHaveProperty('max_age');
    expect(answer.status, answer.text).toBe(200);
  });
});
