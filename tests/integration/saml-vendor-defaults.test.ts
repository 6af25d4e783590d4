/**
 * The big IdP vendors' default SAML assertions through the real service (SQLite, and PostgreSQL with
 * GRANTEX_TEST_DATABASE_URL): a SAML connection holding the vendor fixture's certificate, `GET /sso/login`, the
 * vendor-shaped response signed by xmlsec1 (tests/support/vendor-saml.ts, each shape from the vendor's
 * documentation) posted to `POST /sso/callback/saml`, and the member that comes out (subject, email, name).
 * Also: a transient NameID with no stable attribute is refused (no session, the attribute to release named),
 * and the AuthnStatement's SessionNotOnOrAfter bounds the member's session.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ssoConnectionSchema,
  ssoLoginResponseSchema,
  ssoSessionCallbackResponseSchema,
  type SsoSamlConnection,
} from '@/lib/contract';
import type { RunningSsoService } from '@/lib/sso-service';
import { SAML_REASONS } from '@/lib/sso-service/saml';
import { signupOrg, requestParts, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';
import {
  NAMEID,
  VENDOR_PROFILES,
  vendorKey,
  vendorResponse,
  type VendorName,
  type VendorProfile,
  type VendorResponseInput,
} from '@/tests/support/vendor-saml';

const SP_ENTITY_ID = 'https://sso.example.test/saml/sp/vendor-defaults';
const ACS_URL = 'https://sso.example.test/sso/callback/saml';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

let service: RunningSsoService;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-saml-vendors-'));
  service = await startLocalSsoService(dataDir, { ...(await testDatabaseOptions()), eventBuffer: { flushMs: 20 } });
});
afterAll(async () => {
  await service?.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
}

async function call(method: string, urlPath: string, opts: { apiKey?: string; json?: unknown } = {}): Promise<Answer> {
  const { headers, body } = requestParts(opts);
  const res = await fetch(`${service.url}${urlPath}`, { method, headers, body });
  const text = await res.text();
  const type = res.headers.get('content-type');
  return {
    status: res.status,
    text,
    body: type?.includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

type Org = Awaited<ReturnType<typeof signupOrg>>;

/** A SAML connection trusting the vendor fixture's IdP entity ID and certificate, JIT on. */
async function vendorConnection(org: Org, profile: VendorProfile): Promise<SsoSamlConnection> {
  const res = await call('POST', '/v1/sso/connections', {
    apiKey: org.apiKey,
    json: {
      name: profile.vendor,
      protocol: 'saml',
      idpEntityId: profile.idpEntityId,
      idpSsoUrl: profile.idpSsoUrl,
      idpCertificate: vendorKey(profile.vendor).certificatePem,
      spEntityId: SP_ENTITY_ID,
      spAcsUrl: ACS_URL,
      jitProvisioning: true,
    },
  });
  expect(res.status, res.text).toBe(201);
  const parsed = ssoConnectionSchema.parse(res.body);
  if (parsed.protocol !== 'saml') throw new Error('not saml');
  return parsed;
}

/** The AuthnRequest ID inside an HTTP-Redirect URL. */
function requestIdOf(authorizeUrl: string): string {
  const xml = inflateRawSync(Buffer.from(new URL(authorizeUrl).searchParams.get('SAMLRequest')!, 'base64')).toString(
    'utf8',
  );
  return /\sID="([^"]+)"/.exec(xml)![1]!;
}

/** One SP-initiated sign-in: the login URL, the vendor's signed response to it, the ACS's answer. */
async function signIn(
  org: Org,
  connection: SsoSamlConnection,
  profile: VendorProfile,
  extra: Omit<VendorResponseInput, 'requestId' | 'spEntityId' | 'acsUrl'> = {},
): Promise<Answer> {
  const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${connection.id}`);
  expect(login.status, login.text).toBe(200);
  const { authorizeUrl } = ssoLoginResponseSchema.parse(login.body);
  const xml = vendorResponse(profile, {
    requestId: requestIdOf(authorizeUrl),
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    ...extra,
  });
  return call('POST', '/sso/callback/saml', {
    json: {
      SAMLResponse: Buffer.from(xml, 'utf8').toString('base64'),
      RelayState: new URL(authorizeUrl).searchParams.get('RelayState')!,
    },
  });
}

const sessionCount = async (org: Org) =>
  ((await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey })).body.sessions as unknown[]).length;

async function events(org: Org, connectionId: string) {
  for (let i = 0; i < 100; i++) {
    const res = await call('GET', `/v1/sso/events?connectionId=${connectionId}`, { apiKey: org.apiKey });
    const list = res.body.events as Array<Record<string, unknown>>;
    if (list.length > 0) return list;
    await new Promise((r) => setTimeout(r, 30));
  }
  return [];
}

/** What each vendor's default assertion must sign the member in as. */
const EXPECTED: Record<VendorName, { sub: string; email: string | null; name: string | null }> = {
  // Subject: the (emailAddress) NameID, as always; the name from given name + surname, not the UPN in `…/claims/name`.
  entra: { sub: 'alice.anderson@contoso.example', email: 'alice@contoso.example', name: 'Alice Anderson' },
  // The email-shaped `unspecified` NameID is the email too.
  okta: { sub: 'bob@acme.example', email: 'bob@acme.example', name: null },
  google: { sub: 'carol@example-school.example', email: 'carol@example-school.example', name: null },
  adfs: { sub: 'dave@fabrikam.example', email: 'dave@fabrikam.example', name: 'Dave Davis' },
  onelogin: { sub: 'erin@acme.example', email: 'erin@acme.example', name: 'Erin Evans' },
  // The username NameID stays the subject; the email comes from the PKCS#9 attribute.
  keycloak: { sub: 'frank', email: 'frank@acme.example', name: 'Frank Foster' },
  // The transient NameID is never the subject: eduPersonPrincipalName is.
  shibboleth: {
    sub: 'grace@example-university.example',
    email: 'grace.green@example-university.example',
    name: 'Grace Green',
  },
  pingfederate: { sub: 'heidi@acme.example', email: 'heidi@acme.example', name: null },
  // JumpCloud's `1.0` spelling of the unspecified format.
  jumpcloud: { sub: 'ivan@acme.example', email: 'ivan@acme.example', name: null },
};

describe('each vendor’s default assertion signs the member in through the real ACS', () => {
  for (const [key, profile] of Object.entries(VENDOR_PROFILES) as Array<[VendorName, VendorProfile]>) {
    it(`${profile.vendor}: default NameID and attributes → subject, email and name`, async () => {
      const org = await signupOrg(service.url);
      const connection = await vendorConnection(org, profile);
      const res = await signIn(org, connection, profile);
      expect(res.status, res.text).toBe(200);
      const session = ssoSessionCallbackResponseSchema.parse(res.body);
      expect({ sub: session.sub, email: session.email, name: session.name }).toEqual(EXPECTED[key]);
      // The org verified no domain: a SAML email is not verified (docs/EMAIL-TRUST.md), whatever carried it.
      expect(session.emailVerified).toBe(false);

      // The same member again: the same principal (for Shibboleth, a new transient NameID each time).
      const again = ssoSessionCallbackResponseSchema.parse((await signIn(org, connection, profile)).body);
      expect(again.principalId).toBe(session.principalId);
      expect(again.sub).toBe(session.sub);
    });
  }
});

describe('stable subjects', () => {
  it('a transient NameID with no stable attribute is refused: no session, the attributes to release named', async () => {
    const profile = VENDOR_PROFILES.shibboleth;
    const org = await signupOrg(service.url);
    const connection = await vendorConnection(org, profile);
    // Shibboleth's default NameID with nothing released but mail and displayName (neither identifies a member stably).
    const res = await signIn(org, connection, profile, {
      attributes: profile.attributes.filter((a) => a.friendlyName !== 'eduPersonPrincipalName'),
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.code).toBe('SSO_ERROR');
    expect(res.body.message).toBe(SAML_REASONS.transient_subject);
    expect(String(res.body.message)).toMatch(/subject-id.*pairwise-id.*eduPersonUniqueId.*eduPersonPrincipalName/);
    // Nothing of the document is echoed.
    expect(res.text).not.toMatch(/grace|AAdzZWNyZXQx|</i);
    expect(await sessionCount(org)).toBe(0);
    const [event] = await events(org, connection.id);
    expect(event).toMatchObject({ outcome: 'failure', reason: 'saml_transient_subject', stage: 'assertion' });
  });

  it('behind a transient NameID, subject-id wins over eduPersonPrincipalName; Entra’s objectidentifier is read too', async () => {
    const profile = VENDOR_PROFILES.shibboleth;
    const org = await signupOrg(service.url);
    const connection = await vendorConnection(org, profile);
    const subjectId = {
      name: 'urn:oasis:names:tc:SAML:attribute:subject-id',
      friendlyName: 'subject-id',
      values: ['8f3a2c@example-university.example'],
      nameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    };
    const withSubjectId = await signIn(org, connection, profile, { attributes: [...profile.attributes, subjectId] });
    expect(withSubjectId.status, withSubjectId.text).toBe(200);
    expect(withSubjectId.body.sub).toBe('8f3a2c@example-university.example');

    const entra = VENDOR_PROFILES.entra;
    const entraConnection = await vendorConnection(org, entra);
    const transient = await signIn(org, entraConnection, entra, {
      nameId: { value: 'opaque', format: NAMEID.transient },
    });
    expect(transient.status, transient.text).toBe(200);
    expect(transient.body.sub).toBe('5f1c7b3e-2d0a-4c7e-9d31-6a8f0e4b2c11');
  });
});

describe('SessionNotOnOrAfter bounds the member’s session', () => {
  it('an IdP session policy of 30 minutes gives a session that ends with it, not after the 8-hour TTL', async () => {
    const profile = VENDOR_PROFILES.keycloak;
    const org = await signupOrg(service.url);
    const connection = await vendorConnection(org, profile);
    const idpSessionEnd = new Date(Math.floor((Date.now() + 30 * MINUTE) / 1000) * 1000);
    const res = await signIn(org, connection, profile, { sessionNotOnOrAfter: idpSessionEnd });
    expect(res.status, res.text).toBe(200);
    const session = ssoSessionCallbackResponseSchema.parse(res.body);
    expect(Date.parse(session.expiresAt)).toBe(idpSessionEnd.getTime());
    // The sessions API and the public re-check say the same.
    const check = await call('POST', '/sso/sessions/check', {
      json: { developerId: org.developerId, sessionId: session.sessionId },
    });
    expect(check.body).toEqual({ active: true, expiresAt: session.expiresAt });
  });

  it('an IdP session longer than the configured TTL leaves the TTL in charge (Keycloak’s 10-hour default)', async () => {
    const profile = VENDOR_PROFILES.keycloak;
    const org = await signupOrg(service.url);
    const connection = await vendorConnection(org, profile);
    const before = Date.now();
    const res = await signIn(org, connection, profile);
    expect(res.status, res.text).toBe(200);
    const expiresAt = Date.parse(ssoSessionCallbackResponseSchema.parse(res.body).expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 8 * HOUR);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 8 * HOUR);
  });

  it('an IdP session that has already ended is refused: no session', async () => {
    const profile = VENDOR_PROFILES.onelogin;
    const org = await signupOrg(service.url);
    const connection = await vendorConnection(org, profile);
    const res = await signIn(org, connection, profile, { sessionNotOnOrAfter: new Date(Date.now() - MINUTE) });
    expect(res.status, res.text).toBe(400);
    expect(res.body.message).toBe(SAML_REASONS.idp_session_ended);
    expect(await sessionCount(org)).toBe(0);
    const [event] = await events(org, connection.id);
    expect(event).toMatchObject({ outcome: 'failure', reason: 'saml_idp_session_ended' });
  });
});
