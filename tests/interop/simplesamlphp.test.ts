/**
 * The SAML SP module against a real SAML IdP that is neither JavaScript nor ours: SimpleSAMLphp 1.19 from
 * Debian's packages (PHP, behind its own nginx + PHP-FPM on a loopback port; scripts/interop/simplesamlphp.ts).
 * Over real HTTP: its metadata → our settings, our HTTP-Redirect AuthnRequest → its login form (posted) → its
 * HTTP-POST form → the SAMLResponse validated by our module.
 *
 * Runs when SimpleSAMLphp is installed (`sudo bash scripts/interop/simplesamlphp-install.sh`); skipped
 * otherwise, except in CI (CI or INTEROP_REQUIRED=1), where an IdP that cannot start fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleSamlPhpInstalled, startSimpleSamlPhp, type SimpleSamlPhp } from '@/scripts/interop/simplesamlphp';
import {
  buildLoginUrl,
  parseIdpMetadata,
  SamlError,
  validatePostResponse,
  type SamlConnectionSettings,
} from '@/lib/sso-service/saml';
import { decodeEntities } from '@/tests/support/idp-login';
import { memoryClaims, newRequestId } from '@/tests/support/saml-kit';
import { driveSamlLogin, type SamlPost } from '@/tests/support/saml-login';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { tmpdir } from 'node:os';
import { ssoSessionCallbackResponseSchema } from '@/lib/contract';
import type { RunningSsoService } from '@/lib/sso-service';
import { signupOrg, startLocalSsoService } from '@/tests/support/stack';

const required = Boolean(process.env.CI) || process.env.INTEROP_REQUIRED === '1';
const SP_ENTITY_ID = 'http://127.0.0.1:9/saml/sp/sso_interop';
const ACS_URL = 'http://127.0.0.1:9/sso/callback/saml';
/** Shaped like the service's RelayState handle: well within the bindings' 80 bytes. */
const RELAY_STATE = `rs1.${'s'.repeat(40)}`;

/** SimpleSAMLphp's login page: username, password and its hidden AuthState, posted to the form's action. */
function loginAtSimpleSamlPhp(loginUrl: string, user: { username: string; password: string }): Promise<SamlPost> {
  return driveSamlLogin(loginUrl, ({ status, html, url }, pagesBefore) => {
    const form = /<form\b[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    // A second login page means the credentials were refused.
    if (status !== 200 || !form || !/name="password"/.test(form[2]!) || pagesBefore > 0) {
      throw new Error(`SimpleSAMLphp stopped at ${url.pathname} with HTTP ${status}`);
    }
    const body = new URLSearchParams({ username: user.username, password: user.password });
    for (const m of form[2]!.matchAll(/<input\b[^>]*type="hidden"[^>]*>/gi)) {
      const name = /name="([^"]*)"/.exec(m[0])?.[1];
      const value = /value="([^"]*)"/.exec(m[0])?.[1];
      if (name && value !== undefined) body.set(name, decodeEntities(value));
    }
    return { url: new URL(decodeEntities(form[1] || url.href), url), body: body.toString() };
  });
}

describe.skipIf(!simpleSamlPhpInstalled() && !required)('SimpleSAMLphp (Debian package) as the SAML IdP', () => {
  let idp: SimpleSamlPhp;
  let settings: SamlConnectionSettings;

  beforeAll(async () => {
    idp = await startSimpleSamlPhp({ spEntityId: SP_ENTITY_ID, acsUrl: ACS_URL });
    const meta = parseIdpMetadata(await (await fetch(idp.metadataUrl)).text());
    settings = {
      idpEntityId: meta.entityId,
      idpSsoUrl: meta.ssoRedirectUrl,
      idpCertificates: meta.certificates,
      spEntityId: SP_ENTITY_ID,
      spAcsUrl: ACS_URL,
      attributeNames: { groups: ['eduPersonAffiliation'] },
    };
  }, 90_000);
  afterAll(() => idp?.close());

  it('its metadata gives our settings: entity ID = its metadata URL, a Redirect SSO URL, one certificate', () => {
    expect(settings.idpEntityId).toBe(idp.metadataUrl);
    expect(settings.idpSsoUrl).toMatch(/SSOService\.php$/);
    expect(settings.idpCertificates).toHaveLength(1);
  });

  it('signs a user in: our AuthnRequest → its login form → its signed assertion, validated and mapped', async () => {
    const user = idp.users[0];
    const requestId = newRequestId();
    const loginUrl = await buildLoginUrl(settings, { requestId, relayState: RELAY_STATE });
    let post: SamlPost;
    try {
      post = await loginAtSimpleSamlPhp(loginUrl, user);
    } catch (err) {
      throw new Error(`${err instanceof Error ? err.message : String(err)}\n${idp.logs()}`);
    }
    expect(post.acsUrl).toBe(ACS_URL);
    expect(post.relayState).toBe(RELAY_STATE);
    const claims = memoryClaims();
    const identity = await validatePostResponse(settings, {
      samlResponse: post.samlResponse,
      expectedRequestId: requestId,
      claimAssertionId: claims,
    });
    expect(identity).toMatchObject({
      nameId: user.email,
      email: user.email,
      name: user.name,
      sub: user.email,
      groups: [...user.groups],
      issuer: idp.metadataUrl,
    });
    expect(identity.attributes.uid).toEqual([user.username]);
    // The same response again is a replay; for another login it answers the wrong request.
    await expect(
      validatePostResponse(settings, {
        samlResponse: post.samlResponse,
        expectedRequestId: requestId,
        claimAssertionId: claims,
      }),
    ).rejects.toMatchObject({ reason: 'assertion_replayed' });
    const other = await validatePostResponse(settings, {
      samlResponse: post.samlResponse,
      expectedRequestId: newRequestId(),
      claimAssertionId: memoryClaims(),
    }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(SamlError);
  });
});

describe.skipIf(!simpleSamlPhpInstalled() && !required)(
  'SimpleSAMLphp through the real service ACS (POST /sso/callback/saml)',
  () => {
    let idp: SimpleSamlPhp;
    let service: RunningSsoService;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(tmpdir(), 'gx-ssp-'));
      service = await startLocalSsoService(dataDir);
      // The SP side is fixed before SimpleSAMLphp starts (it is configured with our entity ID and ACS URL).
      idp = await startSimpleSamlPhp({
        spEntityId: `${service.url}/sso/saml/interop/metadata`,
        acsUrl: `${service.url}/sso/callback/saml`,
      });
    }, 90_000);
    afterAll(async () => {
      await idp?.close();
      await service?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('a SAML connection from its metadata URL signs a member in through the service and opens a session', async () => {
      const org = await signupOrg(service.url);
      const created = await fetch(`${service.url}/v1/sso/connections`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'SimpleSAMLphp',
          protocol: 'saml',
          idpMetadataUrl: idp.metadataUrl,
          spEntityId: `${service.url}/sso/saml/interop/metadata`,
          spAcsUrl: `${service.url}/sso/callback/saml`,
          jitProvisioning: true,
          groupAttribute: 'eduPersonAffiliation',
          groupMappings: { staff: ['admin'] },
        }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
      const connection = (await created.json()) as { id: string; idpEntityId: string };
      expect(connection.idpEntityId).toBe(idp.metadataUrl);
      const login = (await (
        await fetch(`${service.url}/sso/login?org=${org.developerId}&connection=${connection.id}`)
      ).json()) as { authorizeUrl: string; protocol: string };
      expect(login.protocol).toBe('saml');
      const user = idp.users[0];
      let post: SamlPost;
      try {
        post = await loginAtSimpleSamlPhp(login.authorizeUrl, user);
      } catch (err) {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n${idp.logs()}`);
      }
      expect(post.acsUrl).toBe(`${service.url}/sso/callback/saml`);
      // The service's short handle came back unchanged (at most 80 bytes, as the SAML bindings require).
      expect(post.relayState).toBe(new URL(login.authorizeUrl).searchParams.get('RelayState'));
      expect(Buffer.byteLength(post.relayState ?? '', 'utf8')).toBeLessThanOrEqual(80);
      const res = await fetch(post.acsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: post.samlResponse, RelayState: post.relayState ?? '' }).toString(),
      });
      const text = await res.text();
      expect(res.status, text).toBe(200);
      const session = ssoSessionCallbackResponseSchema.parse(JSON.parse(text));
      expect(session).toMatchObject({
        developerId: org.developerId,
        email: user.email,
        name: user.name,
        sub: user.email,
        groups: [...user.groups],
        mappedScopes: ['admin'],
      });
      // The same post again: the state was used, no second session.
      const again = await fetch(post.acsUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ SAMLResponse: post.samlResponse, RelayState: post.relayState ?? '' }).toString(),
      });
      expect(again.status).toBe(400);
    });
  },
);
