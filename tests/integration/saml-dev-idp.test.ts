/**
 * The dev IdP's SAML side end to end against the SP module, over HTTP: metadata → settings, the SP's
 * HTTP-Redirect URL → the dev IdP's login form → its auto-post form → the SAMLResponse validated.
 * Also the inflating side of the Redirect binding (a deflate bomb) and that the OIDC side still answers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetch } from 'undici';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import {
  buildLoginUrl,
  parseIdpMetadata,
  validatePostResponse,
  type SamlConnectionSettings,
} from '@/lib/sso-service/saml';
import { deflateForRedirect, memoryClaims, newRequestId } from '../support/saml-kit';
import { loginAtDevSamlIdp } from '../support/saml-login';

const ACS = 'http://127.0.0.1:9/sso/callback/saml';
const SP = 'http://127.0.0.1:9/saml/sp/sso_dev';

let idp: DevIdp;
let settings: SamlConnectionSettings;

beforeAll(async () => {
  idp = await startDevIdp({ port: 0 });
  const res = await fetch(idp.saml.metadataUrl);
  expect(res.headers.get('content-type')).toContain('application/samlmetadata+xml');
  const meta = parseIdpMetadata(await res.text());
  settings = {
    idpEntityId: meta.entityId,
    idpSsoUrl: meta.ssoRedirectUrl,
    idpCertificates: meta.certificates,
    spEntityId: SP,
    spAcsUrl: ACS,
  };
});
afterAll(() => idp?.close());

describe('dev IdP SAML', () => {
  it('metadata names the entity id, SSO URL and signing certificate', () => {
    expect(settings.idpEntityId).toBe(idp.saml.entityId);
    expect(settings.idpSsoUrl).toBe(idp.saml.ssoUrl);
    expect(settings.idpCertificates).toHaveLength(1);
  });

  it('signs in alice end to end: redirect URL → login form → auto-post → validated identity', async () => {
    const requestId = newRequestId();
    const loginUrl = await buildLoginUrl(settings, { requestId, relayState: 'relay-state-token' });
    const post = await loginAtDevSamlIdp(loginUrl, { username: 'alice', password: 'alice-password' });
    expect(post.acsUrl).toBe(ACS);
    expect(post.relayState).toBe('relay-state-token');
    const alice = idp.users.find((u) => u.username === 'alice')!;
    const identity = await validatePostResponse(settings, {
      samlResponse: post.samlResponse,
      expectedRequestId: requestId,
      claimAssertionId: memoryClaims(),
    });
    expect(identity).toMatchObject({
      sub: alice.sub,
      nameId: alice.sub,
      email: alice.email,
      name: alice.name,
      issuer: idp.saml.entityId,
    });
    expect(identity.sessionIndex).toBeTruthy();
  });

  it('Cancel posts an AuthnFailed response, refused as an IdP error (no identity)', async () => {
    const requestId = newRequestId();
    const post = await loginAtDevSamlIdp(await buildLoginUrl(settings, { requestId, relayState: 'r' }), 'cancel');
    expect(post.acsUrl).toBe(ACS);
    const err = await validatePostResponse(settings, {
      samlResponse: post.samlResponse,
      expectedRequestId: requestId,
      claimAssertionId: memoryClaims(),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'idp_status_error' });
  });

  it('a wrong password shows the login form again with an error', async () => {
    const loginUrl = await buildLoginUrl(settings, { requestId: newRequestId(), relayState: 'r' });
    await expect(loginAtDevSamlIdp(loginUrl, { username: 'alice', password: 'nope' })).rejects.toThrow(/stopped/);
  });

  it('refuses a deflate bomb in the Redirect binding quickly (inflate is capped at 64 KB)', async () => {
    // 8 MB of spaces deflates to about 8 KB: the most that fits in a URL under the server's header limit.
    const bomb = deflateForRedirect(Buffer.alloc(8 * 1024 * 1024, 0x20));
    const started = performance.now();
    const res = await fetch(`${idp.saml.ssoUrl}?SAMLRequest=${encodeURIComponent(bomb)}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('at most 64 KB');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses an AuthnRequest with a DOCTYPE and one whose ACS is not on loopback', async () => {
    const doctype = deflateForRedirect('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><samlp:AuthnRequest/>');
    const res = await fetch(`${idp.saml.ssoUrl}?SAMLRequest=${encodeURIComponent(doctype)}`);
    expect(res.status).toBe(400);
    const foreign = await buildLoginUrl(
      { ...settings, spAcsUrl: 'https://evil.example/acs' },
      { requestId: newRequestId(), relayState: 'r' },
    );
    const res2 = await fetch(foreign);
    expect(res2.status).toBe(400);
    expect(await res2.text()).toContain('not allowed');
  });

  it('keeps its OIDC side', async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { issuer: string }).issuer).toBe(idp.issuer);
  });
});
