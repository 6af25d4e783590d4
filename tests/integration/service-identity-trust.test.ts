/**
 * Identity bound to its issuer, and email trust made explicit, from the attacker's side:
 * - whoever can edit a connection (an admin, a setup-link holder) moves it to an IdP they control and asserts an
 *   old member's `sub`: they get a new principal (never the member's), and nothing at all without JIT;
 * - any org's IdP asserts `ceo@victim.example` (the "nOAuth" class): the session says the email is not verified,
 *   and a connection that accepts only verified-domain emails opens no session and creates no principal.
 * Real relying party against two programmable test OPs; SAML through the saml-kit's signed responses; domains
 * verified through a loopback DNS server. Runs on SQLite, and on PostgreSQL with GRANTEX_TEST_DATABASE_URL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inflateRawSync } from 'node:zlib';
import { SESSION_MESSAGES, ssoDomainSchema } from '@/lib/contract';
import { startLoopbackDnsServer, type LoopbackDnsServer } from '@/tests/support/dns-server';
import { form, kitConnectionFields, signedResponse } from '@/tests/support/saml-kit';
import { requestParts, signupOrg, startStack, type Stack } from '@/tests/support/stack';
import { driveAuthorize, startTestOp, type TestOp, type TestUser } from '@/tests/support/test-op';

const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const CLIENT = { clientId: 'trust-client', clientSecret: 'trust-client-secret', redirectUris: [REDIRECT_URI] };
const VICTIM: TestUser = { sub: 'victim-sub-0001', email: 'ceo@victim.example', email_verified: true, name: 'The CEO' };

let stack: Stack;
let dns: LoopbackDnsServer;
/** The IdP the member signed in through. */
let opA: TestOp;
/** An IdP the attacker runs (another tenant's, or one they set up). */
let opB: TestOp;

beforeAll(async () => {
  dns = await startLoopbackDnsServer();
  [stack, opA, opB] = await Promise.all([
    startStack({ redirectUri: REDIRECT_URI, service: { dnsServers: [dns.address], dnsTimeoutMs: 400 } }),
    startTestOp({ issuerPath: '/tenant-a', clients: [CLIENT] }),
    startTestOp({ issuerPath: '/tenant-b', clients: [CLIENT] }),
  ]);
});
afterAll(async () => {
  await Promise.all([stack?.close(), opA?.close(), opB?.close(), dns?.close()]);
});
beforeEach(() => {
  opA.reset();
  opB.reset();
});

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

async function oidcConnection(org: Org, op: TestOp, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/v1/sso/connections', {
    apiKey: org.apiKey,
    json: {
      name: 'OIDC',
      protocol: 'oidc',
      issuerUrl: op.issuer,
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      redirectUri: REDIRECT_URI,
      ...extra,
    },
  });
  expect(res.status, res.text).toBe(201);
  return String(res.body.id);
}

const patch = (org: Org, id: string, body: Record<string, unknown>) =>
  call('PATCH', `/v1/sso/connections/${id}`, { apiKey: org.apiKey, json: body });

/** A member sign-in on the connection, through whichever IdP it points at now; the callback's answer. */
async function signIn(org: Org, connectionId: string): Promise<Answer> {
  const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`);
  expect(login.status, login.text).toBe(200);
  const back = await driveAuthorize(String(login.body.authorizeUrl));
  const iss = back.searchParams.get('iss');
  return call('POST', '/sso/callback/oidc', {
    json: { code: back.searchParams.get('code'), state: back.searchParams.get('state'), ...(iss ? { iss } : {}) },
  });
}

async function sessions(org: Org): Promise<Record<string, unknown>[]> {
  const res = await call('GET', '/v1/sso/sessions', { apiKey: org.apiKey });
  expect(res.status).toBe(200);
  return res.body.sessions as Record<string, unknown>[];
}

async function lastSignInAt(org: Org, connectionId: string): Promise<unknown> {
  return (await call('GET', `/v1/sso/connections/${connectionId}`, { apiKey: org.apiKey })).body.lastSignInAt;
}

/** The newest entries of a paged event list, once the buffered writer has stored at least `count`. */
async function eventsOf(org: Org, urlPath: string, count: number): Promise<Record<string, unknown>[]> {
  for (let i = 0; i < 100; i++) {
    const list = (await call('GET', urlPath, { apiKey: org.apiKey })).body.events as
      Record<string, unknown>[] | undefined;
    if (list && list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 30));
  }
  throw new Error(`fewer than ${count} events at ${urlPath}`);
}

let domainSeq = 0;
/** Adds a fresh domain for the org and verifies it through the loopback DNS server. */
async function verifiedDomain(org: Org, label: string): Promise<string> {
  const domain = `${label}-${++domainSeq}-${Date.now().toString(36)}.example`;
  const added = await call('POST', '/v1/sso/domains', { apiKey: org.apiKey, json: { domain } });
  const wire = ssoDomainSchema.parse(added.body);
  dns.setTxt(wire.txtRecordName, [wire.txtRecordValue]);
  const verified = await call('POST', `/v1/sso/domains/${domain}/verify`, { apiKey: org.apiKey });
  expect(verified.status, verified.text).toBe(200);
  return domain;
}

describe('a connection moved to another IdP starts a new set of members', () => {
  it('the new IdP asserting an old member’s sub gets no session without JIT, and never the member’s principal', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(org, opA);
    opA.behave.user = { ...VICTIM };
    const member = await signIn(org, id);
    expect(member.status, member.text).toBe(200);
    const memberPrincipal = String(member.body.principalId);

    // Only known members from now on; the member still signs in through their own IdP.
    expect((await patch(org, id, { jitProvisioning: false })).status).toBe(200);
    expect((await signIn(org, id)).body.principalId).toBe(memberPrincipal);

    // The attacker points the connection at their IdP, which asserts the member's subject and email.
    const moved = await patch(org, id, { issuerUrl: opB.issuer, clientSecret: CLIENT.clientSecret });
    expect(moved.status, moved.text).toBe(200);
    opB.behave.user = { ...VICTIM };
    const sessionsBefore = (await sessions(org)).length;
    const refused = await signIn(org, id);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.message).toBe(SESSION_MESSAGES.memberNotProvisioned);
    expect(refused.text).not.toContain(memberPrincipal);
    expect(await sessions(org)).toHaveLength(sessionsBefore);
    // The IdP asked was the attacker's: the refusal is the principal key, not a failed login.
    expect(opB.requestsTo('token')).toHaveLength(1);

    // With JIT on, the new IdP's member is a new principal: the old member's id and sessions are not inherited.
    expect((await patch(org, id, { jitProvisioning: true })).status).toBe(200);
    const newcomer = await signIn(org, id);
    expect(newcomer.status, newcomer.text).toBe(200);
    expect(newcomer.body.principalId).not.toBe(memberPrincipal);
    expect(newcomer.body.sub).toBe(VICTIM.sub);

    // Back on the member's IdP, the member is who they were.
    expect((await patch(org, id, { issuerUrl: opA.issuer, clientSecret: CLIENT.clientSecret })).status).toBe(200);
    expect((await signIn(org, id)).body.principalId).toBe(memberPrincipal);

    // The audit trail says which saves changed the identity space (and the JIT-only one did not).
    const audit = await eventsOf(org, `/v1/sso/audit?targetId=${id}&action=connection.updated`, 4);
    const fields = audit.map((e) => e.changedFields as string[]);
    expect(fields.filter((f) => f.includes('issuerChanged'))).toHaveLength(2);
    expect(fields.filter((f) => f.includes('issuerChanged')).every((f) => f.includes('issuerUrl'))).toBe(true);
    expect(fields.some((f) => f.includes('jitProvisioning') && !f.includes('issuerChanged'))).toBe(true);
  });
});

describe('a legacy config save that names another issuer', () => {
  it('is the same move: the audit entry says the identity space changed, and the old member is not inherited', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const config = (op: TestOp) => ({
      issuerUrl: op.issuer,
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
      redirectUri: REDIRECT_URI,
    });
    await org.client.sso.createConfig(config(opA));
    const [connection] = await org.client.sso.connections.list();
    opA.behave.user = { ...VICTIM };
    const member = await signIn(org, connection!.id);
    expect(member.status, member.text).toBe(200);
    await org.client.sso.createConfig(config(opA));
    await org.client.sso.createConfig(config(opB));
    opB.behave.user = { ...VICTIM };
    const after = await signIn(org, connection!.id);
    expect(after.status, after.text).toBe(200);
    expect(after.body.principalId).not.toBe(member.body.principalId);
    const audit = await eventsOf(org, `/v1/sso/audit?targetId=${connection!.id}&action=config.saved`, 3);
    expect(audit.map((e) => (e.changedFields as string[]).includes('issuerChanged'))).toEqual([true, false, false]);
  });
});

describe('email trust (OIDC): an IdP’s email is only a claim', () => {
  it('a tenant’s IdP claiming ceo@victim.example without email_verified: the session says not verified', async () => {
    const attacker = await signupOrg(stack.serviceUrl);
    const id = await oidcConnection(attacker, opB);

    opB.behave.user = { ...VICTIM, sub: 'b-1' };
    opB.behave.omitIdTokenClaims = ['email_verified'];
    opB.behave.omitUserinfoClaims = ['email_verified'];
    const omitted = await signIn(attacker, id);
    expect(omitted.status, omitted.text).toBe(200);
    expect(omitted.body).toMatchObject({ email: VICTIM.email, emailVerified: false });
    // An unrestricted connection does not pay for userinfo to learn the flag: one IdP request stays one.
    expect(opB.requestsTo('userinfo')).toHaveLength(0);

    opB.reset();
    opB.behave.user = { ...VICTIM, sub: 'b-2', email_verified: false };
    expect((await signIn(attacker, id)).body).toMatchObject({ email: VICTIM.email, emailVerified: false });

    // A sign-in name shaped like an email, and no email claim at all: shown, never verified.
    opB.reset();
    opB.behave.user = { ...VICTIM, sub: 'b-3' };
    opB.behave.omitIdTokenClaims = ['email', 'email_verified'];
    opB.behave.omitUserinfoClaims = ['email', 'email_verified'];
    opB.behave.idTokenClaims = { preferred_username: VICTIM.email };
    const username = await signIn(attacker, id);
    expect(username.status, username.text).toBe(200);
    expect(username.body).toMatchObject({ email: VICTIM.email, emailVerified: false });

    // The sessions list carries the same verdicts.
    const listed = await sessions(attacker);
    expect(listed.map((s) => s.emailVerified)).toEqual([false, false, false]);

    // A boolean true (or the string "true" some IdPs send) is the IdP saying it verified the address.
    opB.reset();
    opB.behave.user = { ...VICTIM, sub: 'b-4' };
    expect((await signIn(attacker, id)).body).toMatchObject({ emailVerified: true });
    opB.behave.idTokenClaims = { email_verified: 'true' };
    expect((await signIn(attacker, id)).body).toMatchObject({ emailVerified: true });
    opB.behave.idTokenClaims = { email_verified: 'yes' };
    expect((await signIn(attacker, id)).body).toMatchObject({ emailVerified: false });
  });

  it('verifiedDomainsOnly: another tenant’s verified claim to the victim’s domain opens no session and creates no principal', async () => {
    const victimOrg = await signupOrg(stack.serviceUrl);
    const victimDomain = await verifiedDomain(victimOrg, 'victim');
    const attacker = await signupOrg(stack.serviceUrl);
    const ownDomain = await verifiedDomain(attacker, 'attacker');
    const id = await oidcConnection(attacker, opB, { verifiedDomainsOnly: true });
    expect((await call('GET', `/v1/sso/connections/${id}`, { apiKey: attacker.apiKey })).body.verifiedDomainsOnly).toBe(
      true,
    );

    const refusals: Array<{
      user: Record<string, unknown>;
      omit?: string[];
      claims?: Record<string, unknown>;
      message: string;
    }> = [
      // The IdP even says "verified": the domain is the victim org's, not this org's.
      { user: { email: `ceo@${victimDomain}` }, message: SESSION_MESSAGES.emailDomainNotVerified },
      { user: { email: `ceo@${ownDomain}` }, omit: ['email_verified'], message: SESSION_MESSAGES.emailNotVerified },
      { user: { email: `ceo@${ownDomain}`, email_verified: false }, message: SESSION_MESSAGES.emailNotVerified },
      // A sign-in name in the org's own domain is not an email anyone verified.
      {
        user: {},
        omit: ['email', 'email_verified'],
        claims: { preferred_username: `ceo@${ownDomain}` },
        message: SESSION_MESSAGES.emailNotVerified,
      },
      { user: {}, omit: ['email', 'email_verified'], message: SESSION_MESSAGES.emailMissing },
    ];
    for (const [i, r] of refusals.entries()) {
      opB.reset();
      opB.behave.user = { ...VICTIM, sub: `restricted-${i}`, ...r.user };
      opB.behave.omitIdTokenClaims = r.omit ?? [];
      opB.behave.omitUserinfoClaims = r.omit ?? [];
      opB.behave.idTokenClaims = r.claims ?? {};
      const res = await signIn(attacker, id);
      expect(res.status, res.text).toBe(403);
      expect(res.body.message).toBe(r.message);
    }
    expect(await sessions(attacker)).toEqual([]);
    // No principal was written for any of them.
    expect(await lastSignInAt(attacker, id)).toBeNull();
    const log = await eventsOf(attacker, `/v1/sso/events?connectionId=${id}`, refusals.length);
    expect(log.map((e) => e.reason).sort()).toEqual([
      'email_domain_not_verified',
      'email_missing',
      'email_not_verified',
      'email_not_verified',
      'email_not_verified',
    ]);

    // An ID token with the email but the flag only in userinfo (Okta's org authorization server does this): a
    // restricted connection asks userinfo, and its flag counts for the same address only.
    opB.reset();
    opB.behave.user = { ...VICTIM, sub: 'restricted-userinfo', email: `member@${ownDomain}` };
    opB.behave.omitIdTokenClaims = ['email_verified'];
    const viaUserinfo = await signIn(attacker, id);
    expect(viaUserinfo.status, viaUserinfo.text).toBe(200);
    expect(viaUserinfo.body).toMatchObject({ emailVerified: true });
    expect(opB.requestsTo('userinfo')).toHaveLength(1);
    opB.reset();
    opB.behave.user = { ...VICTIM, sub: 'restricted-userinfo-2', email: `member@${ownDomain}` };
    opB.behave.omitIdTokenClaims = ['email_verified'];
    opB.behave.userinfoClaims = { email: `other@${ownDomain}` };
    expect((await signIn(attacker, id)).status).toBe(403);

    // The org's own verified domain, verified by the IdP: in.
    opB.reset();
    opB.behave.user = { ...VICTIM, sub: 'restricted-ok', email: `someone@${ownDomain.toUpperCase()}` };
    const ok = await signIn(attacker, id);
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ emailVerified: true });
  });
});

describe('email trust (SAML): verified only in the org’s verified domains', () => {
  async function samlConnection(org: Org, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await call('POST', '/v1/sso/connections', {
      apiKey: org.apiKey,
      json: {
        name: 'SAML',
        protocol: 'saml',
        ...kitConnectionFields(),
        ...extra,
      },
    });
    expect(res.status, res.text).toBe(201);
    return String(res.body.id);
  }

  async function samlSignIn(org: Org, connectionId: string, email: string): Promise<Answer> {
    const login = await call('GET', `/sso/login?org=${org.developerId}&connection=${connectionId}`);
    const url = new URL(String(login.body.authorizeUrl));
    const request = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
    const requestId = /\sID="([^"]+)"/.exec(request)![1]!;
    const xml = signedResponse({ requestId, nameId: email, attributes: { email: [email], displayName: ['Someone'] } });
    return call('POST', '/sso/callback/saml', {
      form: { SAMLResponse: form(xml), RelayState: url.searchParams.get('RelayState')! },
    });
  }

  it('an email in a verified domain is verified; any other is not, and is refused when the connection restricts emails', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const domain = await verifiedDomain(org, 'saml');
    const id = await samlConnection(org);
    const inDomain = await samlSignIn(org, id, `alice@${domain}`);
    expect(inDomain.status, inDomain.text).toBe(200);
    expect(inDomain.body).toMatchObject({ email: `alice@${domain}`, emailVerified: true });
    const elsewhere = await samlSignIn(org, id, VICTIM.email);
    expect(elsewhere.status, elsewhere.text).toBe(200);
    expect(elsewhere.body).toMatchObject({ email: VICTIM.email, emailVerified: false });

    const restricted = await samlConnection(org, { verifiedDomainsOnly: true });
    const refused = await samlSignIn(org, restricted, VICTIM.email);
    expect(refused.status, refused.text).toBe(403);
    expect(refused.body.message).toBe(SESSION_MESSAGES.emailDomainNotVerified);
    expect(await lastSignInAt(org, restricted)).toBeNull();
    expect((await sessions(org)).filter((s) => s.connectionId === restricted)).toEqual([]);
    const [event] = await eventsOf(org, `/v1/sso/events?connectionId=${restricted}`, 1);
    expect(event).toMatchObject({ outcome: 'failure', reason: 'email_domain_not_verified' });
    const allowed = await samlSignIn(org, restricted, `bob@${domain}`);
    expect(allowed.status, allowed.text).toBe(200);
    expect(allowed.body).toMatchObject({ emailVerified: true });
  });

  it('a SAML IdP moved to another entity ID does not inherit the members of the first', async () => {
    const org = await signupOrg(stack.serviceUrl);
    const id = await samlConnection(org, { jitProvisioning: false });
    // Without JIT and no member yet, nobody signs in; with JIT, the first sign-in makes the member.
    expect((await samlSignIn(org, id, 'member@example.com')).status).toBe(403);
    expect((await patch(org, id, { jitProvisioning: true })).status).toBe(200);
    const member = await samlSignIn(org, id, 'member@example.com');
    expect(member.status, member.text).toBe(200);
    // Another entity ID (the kit's responses still name the first one, so a sign-in now fails at the issuer
    // check); what matters here is the audit note that the members start over.
    const moved = await patch(org, id, { idpEntityId: 'https://other-idp.example.test/saml' });
    expect(moved.status, moved.text).toBe(200);
    const audit = await eventsOf(org, `/v1/sso/audit?targetId=${id}&action=connection.updated`, 2);
    expect(audit.filter((e) => (e.changedFields as string[]).includes('issuerChanged'))).toHaveLength(1);
  });
});
