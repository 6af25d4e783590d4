/**
 * The service against a second real SAML IdP that is neither JavaScript nor ours, and not PHP: LemonLDAP::NG
 * 2.16's SAML issuer from Debian's packages (Perl on Entr'ouvert's Lasso, behind its own nginx + FastCGI on a
 * loopback port; scripts/interop/lemonldap-saml.ts). In an admin's order, over real HTTP: the connection is
 * created from LemonLDAP's metadata URL, our SP metadata (/sso/saml/:id/metadata) is registered at LemonLDAP,
 * then /sso/login → LemonLDAP's login form → its HTTP-POST form → our ACS → a session.
 *
 * Runs when LemonLDAP::NG and Lasso are installed (`sudo bash scripts/interop/install-lemonldap.sh`); skipped
 * otherwise, except in CI (CI or INTEROP_REQUIRED=1), where an IdP that cannot start fails the suite.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoSessionCallbackResponseSchema, type SsoSessionCallbackResponse } from '@/lib/contract';
import type { RunningSsoService } from '@/lib/sso-service';
import { certificateInfo, parseIdpMetadata } from '@/lib/sso-service/saml';
import {
  lemonLdapSamlInstalled,
  NAMEID_FORMATS,
  startLemonLdapSaml,
  type LemonLdapSaml,
  type ServiceProviderRegistration,
} from '@/scripts/interop/lemonldap-saml';
import { loginAtLemonLdapSaml } from '@/tests/interop/lemonldap-login';
import type { SamlPost } from '@/tests/support/saml-login';
import { signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

const required = Boolean(process.env.CI) || process.env.INTEROP_REQUIRED === '1';

interface Connection {
  id: string;
  idpEntityId: string;
  idpSsoUrl: string;
  idpCertificates: Array<{ fingerprintSha256: string }>;
  spEntityId: string;
  spAcsUrl: string;
}

describe.skipIf(!lemonLdapSamlInstalled() && !required)('LemonLDAP::NG (Lasso) as the SAML IdP', () => {
  let idp: LemonLdapSaml;
  let service: RunningSsoService;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gx-llng-saml-'));
    // SQLite, or PostgreSQL under scripts/with-postgres.ts (the sessions and assertion claims live there).
    [service, idp] = await Promise.all([
      testDatabaseOptions().then((db) => startLocalSsoService(dataDir, db)),
      startLemonLdapSaml(),
    ]);
  }, 90_000);
  afterAll(async () => {
    await idp?.close();
    await service?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function api<T>(apiKey: string, method: string, route: string, json?: unknown) {
    const res = await fetch(`${service.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(json === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T, text };
  }

  /** An org with a SAML connection made from LemonLDAP's metadata URL, registered at LemonLDAP as `spName`. */
  async function connectedOrg(
    spName: string,
    registration: Omit<ServiceProviderRegistration, 'name' | 'metadataXml'> = {},
  ) {
    const org = await signupOrg(service.url);
    const created = await api<Connection>(org.apiKey, 'POST', '/v1/sso/connections', {
      name: 'LemonLDAP::NG',
      protocol: 'saml',
      idpMetadataUrl: idp.metadataUrl,
    });
    expect(created.status, created.text).toBe(201);
    const connection = created.body;
    // The admin hands LemonLDAP our SP metadata, as served to the IdP.
    const metadata = await fetch(`${service.url}/sso/saml/${encodeURIComponent(connection.id)}/metadata`);
    expect(metadata.status).toBe(200);
    await idp.registerServiceProvider({ ...registration, name: spName, metadataXml: await metadata.text() });
    return { org, connection };
  }

  async function loginPost(developerId: string, connectionId: string, username = idp.users[0].username) {
    const login = await fetch(
      `${service.url}/sso/login?org=${encodeURIComponent(developerId)}&connection=${encodeURIComponent(connectionId)}`,
    );
    const body = (await login.json()) as { authorizeUrl: string; protocol: string };
    expect(body.protocol).toBe('saml');
    const user = idp.users.find((u) => u.username === username)!;
    try {
      return await loginAtLemonLdapSaml(body.authorizeUrl, user);
    } catch (err) {
      const log = (await idp.portalLog())
        .split('\n')
        .filter((l) => /\[(error|warn|notice)\]/.test(l))
        .slice(-15);
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${log.join('\n')}`);
    }
  }

  const postToAcs = (post: SamlPost, relayState = post.relayState ?? '') =>
    fetch(post.acsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ SAMLResponse: post.samlResponse, RelayState: relayState }).toString(),
    });

  const sessionCount = async (apiKey: string) =>
    (await api<{ sessions: unknown[] }>(apiKey, 'GET', '/v1/sso/sessions')).body.sessions.length;

  /** The decoded SAMLResponse, for what LemonLDAP sent (never for what the service accepted). */
  const xmlOf = (post: SamlPost) => Buffer.from(post.samlResponse, 'base64').toString('utf8');

  it('its metadata URL makes a connection: entity ID = the metadata URL, its Redirect SSO URL, its certificate', async () => {
    const { connection } = await connectedOrg('metadata-check');
    expect(connection.idpEntityId).toBe(idp.metadataUrl);
    expect(connection.idpSsoUrl).toBe(`${idp.baseUrl}/saml/singleSignOn`);
    const published = parseIdpMetadata(await (await fetch(idp.metadataUrl)).text()).certificates;
    expect(published).toHaveLength(1);
    expect(connection.idpCertificates.map((c) => c.fingerprintSha256)).toEqual([
      certificateInfo(published[0]!).fingerprintSha256,
    ]);
  });

  it('signs a member in: LemonLDAP’s login form → its signed response at our ACS → a session with mail, name and the email NameID as subject', async () => {
    const { org, connection } = await connectedOrg('grantex');
    const user = idp.users[0];
    const post = await loginPost(org.developerId, connection.id);
    expect(post.acsUrl).toBe(connection.spAcsUrl);
    // LemonLDAP's default shape: NameID in the emailAddress format holding mail; Response and assertion signed.
    const xml = xmlOf(post);
    expect(xml).toContain(`Format="${NAMEID_FORMATS.email}"`);
    expect(xml).toMatch(new RegExp(`<saml:NameID[^>]*>${user.email.replace(/\./g, '\\.')}</saml:NameID>`));
    expect(xml.match(/<(ds:)?Signature\b/g)).toHaveLength(2);

    const res = await postToAcs(post);
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(ssoSessionCallbackResponseSchema.parse(JSON.parse(text))).toMatchObject({
      developerId: org.developerId,
      email: user.email,
      // givenName + sn (LemonLDAP's `cn` is released too, but is not among the name attributes read by default).
      name: user.name,
      sub: user.email,
    });
    expect(await sessionCount(org.apiKey)).toBe(1);
  });

  it('a persistent NameID (the SP option set to persistent) is the subject, LemonLDAP’s same opaque ID at the next sign-in', async () => {
    const { org, connection } = await connectedOrg('grantex-persistent', { nameIdFormat: 'persistent' });
    const subjects: string[] = [];
    for (let i = 0; i < 2; i++) {
      const post = await loginPost(org.developerId, connection.id, idp.users[1].username);
      expect(xmlOf(post)).toContain(`Format="${NAMEID_FORMATS.persistent}"`);
      const res = await postToAcs(post);
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const session = ssoSessionCallbackResponseSchema.parse(JSON.parse(text));
      expect(session).toMatchObject({ email: idp.users[1].email, name: idp.users[1].name });
      subjects.push(session.sub);
    }
    expect(subjects[0]).not.toContain('@');
    expect(subjects[1]).toBe(subjects[0]);
  });

  it('with the manager’s default “Check SSO message signature” on, LemonLDAP refuses our unsigned AuthnRequest after the login', async () => {
    const { org, connection } = await connectedOrg('signature-checked', { checkAuthnRequestSignature: true });
    const logBefore = (await idp.portalLog()).length;
    await expect(loginPost(org.developerId, connection.id)).rejects.toThrow(/after the login form was posted/);
    expect((await idp.portalLog()).slice(logBefore)).toContain('Could not verify signature of incoming SSO request');
    expect(await sessionCount(org.apiKey)).toBe(0);
  });

  describe('LemonLDAP’s Demo (and LDAP) session keys released as they are: mail, cn, uid', () => {
    let session: SsoSessionCallbackResponse | undefined;

    it('signs the member in with the email and the subject', async () => {
      const { org, connection } = await connectedOrg('cn-only', { attributes: ['mail', 'cn', 'uid'] });
      const res = await postToAcs(await loginPost(org.developerId, connection.id));
      const text = await res.text();
      expect(res.status, text).toBe(200);
      session = ssoSessionCallbackResponseSchema.parse(JSON.parse(text));
      expect(session).toMatchObject({ email: idp.users[0].email, sub: idp.users[0].email });
    });

    // `cn` (X.500 commonName, urn:oid:2.5.4.3) is the full name LemonLDAP's Demo and LDAP backends hold, and
    // what an admin releases as the name: one of the default name attributes (lib/sso-service/saml/settings.ts).
    it('reads the name from cn', () => {
      expect(session?.name).toBe(idp.users[0].name);
    });
  });

  it('LemonLDAP’s response posted again is refused, as it is and with a fresh login’s RelayState: no second session', async () => {
    const { org, connection } = await connectedOrg('replay');
    const post = await loginPost(org.developerId, connection.id);
    expect((await postToAcs(post)).status).toBe(200);
    expect(await sessionCount(org.apiKey)).toBe(1);
    const again = await postToAcs(post);
    expect(again.status).toBe(400);
    expect(await again.text()).not.toContain(post.samlResponse.slice(0, 40));
    // A fresh login's state (its RelayState, never used) with the old response: it answers another request.
    const fresh = (await (
      await fetch(
        `${service.url}/sso/login?org=${encodeURIComponent(org.developerId)}&connection=${encodeURIComponent(connection.id)}`,
      )
    ).json()) as { authorizeUrl: string };
    const freshRelayState = new URL(fresh.authorizeUrl).searchParams.get('RelayState')!;
    const replayed = await postToAcs(post, freshRelayState);
    expect(replayed.status).toBe(400);
    expect(await sessionCount(org.apiKey)).toBe(1);
  });

  it('a response LemonLDAP issued for another org’s connection is refused at this one, and claims nothing there', async () => {
    const victim = await connectedOrg('victim');
    const attacker = await connectedOrg('attacker');
    // The attacker starts a login of their own (their RelayState), then posts the victim's response with it.
    const attackerPost = await loginPost(attacker.org.developerId, attacker.connection.id, idp.users[1].username);
    const victimPost = await loginPost(victim.org.developerId, victim.connection.id);
    const stolen = await postToAcs({ ...victimPost, acsUrl: attacker.connection.spAcsUrl }, attackerPost.relayState!);
    expect(stolen.status).toBe(400);
    // LemonLDAP names the ACS URL (with its ?connection=) as the response's Destination.
    expect(((await stolen.json()) as { message: string }).message).toMatch(/Destination/);
    expect(await sessionCount(attacker.org.apiKey)).toBe(0);
    expect(await sessionCount(victim.org.apiKey)).toBe(0);
    // The refusal used up nothing: the victim's own post still signs the victim in.
    const own = await postToAcs(victimPost);
    expect(own.status, await own.clone().text()).toBe(200);
    expect(await sessionCount(victim.org.apiKey)).toBe(1);
    expect(await sessionCount(attacker.org.apiKey)).toBe(0);
  });
});
