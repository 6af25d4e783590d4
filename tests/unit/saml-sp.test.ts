/** The SAML SP module's non-attack surface: login URL, SP metadata, IdP metadata, certificates, the protocol. */
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { idpMetadataXml } from '@/lib/dev-idp/saml/messages';
import { createSamlProtocol, samlRequestId } from '@/lib/sso-service/protocols/saml';
import {
  buildLoginUrl,
  certificateInfo,
  normalizeCertificatePem,
  parseIdpMetadata,
  SamlError,
  spMetadataXml,
  validatePostResponse,
} from '@/lib/sso-service/saml';
import {
  ACS_URL,
  ALICE,
  caIssuedKey,
  form,
  IDP_ENTITY_ID,
  memoryClaims,
  newRequestId,
  signedResponse,
  SP_ENTITY_ID,
  testKeys,
  testSamlConnection,
  testSettings,
} from '../support/saml-kit';

const DAY = 24 * 3600 * 1000;

function inflateQuery(url: string, param = 'SAMLRequest'): string {
  return inflateRawSync(Buffer.from(new URL(url).searchParams.get(param)!, 'base64')).toString('utf8');
}

describe('SAML SP: login URL (HTTP-Redirect AuthnRequest)', () => {
  it('carries the request id, ACS URL, SP entity id and the RelayState given', async () => {
    const requestId = newRequestId();
    const url = await buildLoginUrl(testSettings(), { requestId, relayState: 'sealed.state.token' });
    expect(url.startsWith('https://idp.example.test/saml/sso?')).toBe(true);
    expect(new URL(url).searchParams.get('RelayState')).toBe('sealed.state.token');
    expect(new URL(url).searchParams.get('Signature')).toBeNull();
    const request = inflateQuery(url);
    expect(request).toContain(`ID="${requestId}"`);
    expect(request).toContain(`AssertionConsumerServiceURL="${ACS_URL}"`);
    expect(request).toContain(`>${SP_ENTITY_ID}</saml:Issuer>`);
    expect(request).not.toContain('RequestedAuthnContext');
  });

  it('is signed with RSA-SHA256 when the connection signs requests', async () => {
    const url = await buildLoginUrl(testSettings({ signAuthnRequests: true }), {
      requestId: newRequestId(),
      relayState: 's',
      signingKey: testKeys().rotated,
    });
    const params = new URL(url).searchParams;
    expect(params.get('SigAlg')).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(params.get('Signature')).toBeTruthy();
    await expect(
      buildLoginUrl(testSettings({ signAuthnRequests: true }), { requestId: newRequestId(), relayState: 's' }),
    ).rejects.toMatchObject({ reason: 'invalid_settings' });
  });

  it('refuses a request id that is not a long XML ID', async () => {
    await expect(buildLoginUrl(testSettings(), { requestId: '1short', relayState: 's' })).rejects.toBeInstanceOf(
      SamlError,
    );
  });
});

describe('SAML SP: metadata both ways', () => {
  it('SP metadata names the entity id and the HTTP-POST ACS, and the SP certificates it is given', () => {
    const plain = spMetadataXml(testSettings());
    expect(plain).toContain(`entityID="${SP_ENTITY_ID}"`);
    expect(plain).toContain(`Location="${ACS_URL}"`);
    expect(plain).toContain('urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST');
    expect(plain).toContain('WantAssertionsSigned="true"');
    expect(plain).not.toContain('X509Certificate');
    const signing = [testKeys().rotated.certificatePem];
    expect(() => spMetadataXml(testSettings({ signAuthnRequests: true }))).toThrow(
      expect.objectContaining({ reason: 'invalid_settings' }),
    );
    const signed = spMetadataXml(testSettings({ signAuthnRequests: true }), { signing, encryption: [] });
    expect(signed).toContain('AuthnRequestsSigned="true"');
    expect(signed).toContain('use="signing"');
    expect(signed).toContain(testKeys().rotated.certificatePem.split('\n')[1]);
    expect(signed).not.toContain('use="encryption"');
    // Keys published, requests unsigned: the certificates are listed, AuthnRequestsSigned stays false.
    const both = spMetadataXml(testSettings(), {
      signing,
      encryption: [testKeys().other.certificatePem, testKeys().idp.certificatePem],
    });
    expect(both).toContain('AuthnRequestsSigned="false"');
    expect(both.match(/use="encryption"/g)).toHaveLength(2);
    expect(both).toContain(testKeys().other.certificatePem.split('\n')[1]);
    expect(both).toContain('http://www.w3.org/2009/xmlenc11#aes256-gcm');
    expect(both).toContain('http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p');
    expect(both).not.toContain('rsa-1_5');
    // KeyDescriptors come before the ACS (metadata schema order).
    expect(both.indexOf('KeyDescriptor')).toBeLessThan(both.indexOf('AssertionConsumerService'));
  });

  it('IdP metadata gives entity id, Redirect SSO URL and certificates', () => {
    const xml = idpMetadataXml(IDP_ENTITY_ID, 'https://idp.example.test/sso', testKeys().idp.certificatePem);
    const parsed = parseIdpMetadata(xml);
    expect(parsed).toEqual({
      entityId: IDP_ENTITY_ID,
      ssoRedirectUrl: 'https://idp.example.test/sso',
      certificates: [certificateInfo(testKeys().idp.certificatePem).pem],
      sloRedirectUrl: null,
    });
  });

  it('IdP metadata with a DOCTYPE, too large, or without an IdP role is refused', () => {
    const xml = idpMetadataXml(IDP_ENTITY_ID, 'https://idp.example.test/sso', testKeys().idp.certificatePem);
    expect(() => parseIdpMetadata(xml.replace('<md:Entity', '<!DOCTYPE x [<!ENTITY e "e">]><md:Entity'))).toThrow(
      expect.objectContaining({ reason: 'doctype_refused' }),
    );
    expect(() => parseIdpMetadata(xml + ' '.repeat(1024 * 1024))).toThrow(
      expect.objectContaining({ reason: 'metadata_too_large' }),
    );
    expect(() => parseIdpMetadata(xml.replace(/IDPSSODescriptor/g, 'SPSSODescriptor'))).toThrow(
      expect.objectContaining({ reason: 'invalid_metadata' }),
    );
    expect(() => parseIdpMetadata('not xml')).toThrow(SamlError);
  });
});

describe('SAML SP: certificate info', () => {
  it('gives the SHA-256 fingerprint, validity and a status that turns expiring 30 days before and expired after', () => {
    const info = certificateInfo(testKeys().idp.certificatePem);
    expect(info.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(info.subject).toContain('CN=Test IdP');
    expect(info.status(new Date())).toBe('ok');
    expect(info.status(new Date(info.notAfter.getTime() - 29 * DAY))).toBe('expiring');
    expect(info.status(new Date(info.notAfter.getTime() - 31 * DAY))).toBe('ok');
    expect(info.status(info.notAfter)).toBe('expired');
  });

  it('accepts the bare base64 body and refuses what is not a certificate', () => {
    const body = testKeys().idp.certificatePem.replace(/-----[A-Z ]+-----|\s/g, '');
    expect(certificateInfo(body).fingerprintSha256).toBe(
      certificateInfo(testKeys().idp.certificatePem).fingerprintSha256,
    );
    expect(() => certificateInfo('MIIB')).toThrow(expect.objectContaining({ reason: 'invalid_certificate' }));
  });
});

describe('SAML SP: a pasted certificate bundle keeps its signing (leaf) certificate', () => {
  const chain = caIssuedKey('Bundle IdP');
  const other = caIssuedKey('Unrelated IdP');
  const leafPem = normalizeCertificatePem(chain.leaf.certificatePem);
  const refusal = (input: string) => {
    try {
      normalizeCertificatePem(input);
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(SamlError);
      return (err as SamlError).reason;
    }
  };

  it('picks the leaf from a CA-first, leaf-first or repeated chain, and the leaf alone verifies sign-ins', async () => {
    const { ca, leaf } = chain;
    for (const bundle of [
      `${ca.certificatePem}${leaf.certificatePem}`,
      `${leaf.certificatePem}\n${ca.certificatePem}`,
      `Subject: the CA\n${ca.certificatePem}\nSubject: the IdP\n${leaf.certificatePem}${ca.certificatePem}`,
    ]) {
      expect(normalizeCertificatePem(bundle)).toBe(leafPem);
      expect(certificateInfo(bundle).subject).toContain('CN=Bundle IdP');
    }
    // Only the leaf's key verifies: the CA's signature over a response is refused, the leaf's accepted.
    const settings = testSettings({
      idpCertificates: [normalizeCertificatePem(`${ca.certificatePem}${leaf.certificatePem}`)],
    });
    const byCa = newRequestId();
    await expect(
      validatePostResponse(settings, {
        samlResponse: form(signedResponse({ requestId: byCa, key: ca })),
        expectedRequestId: byCa,
        claimAssertionId: memoryClaims(),
      }),
    ).rejects.toMatchObject({ reason: 'invalid_signature' });
    const byLeaf = newRequestId();
    await expect(
      validatePostResponse(settings, {
        samlResponse: form(signedResponse({ requestId: byLeaf, key: leaf })),
        expectedRequestId: byLeaf,
        claimAssertionId: memoryClaims(),
      }),
    ).resolves.toMatchObject({ nameId: ALICE.nameId });
  });

  it('refuses several unrelated signing certificates (certificate_ambiguous) and text without a certificate (certificate_missing)', () => {
    expect(refusal(`${chain.leaf.certificatePem}${other.leaf.certificatePem}`)).toBe('certificate_ambiguous');
    expect(refusal(`${chain.ca.certificatePem}${chain.leaf.certificatePem}${other.leaf.certificatePem}`)).toBe(
      'certificate_ambiguous',
    );
    // Two self-signed certificates as `openssl req -x509` makes them (CA-flagged, neither issued the other).
    expect(refusal(`${testKeys().idp.certificatePem}${testKeys().other.certificatePem}`)).toBe('certificate_ambiguous');
    // One certificate (here pasted twice) is taken as it is, as before.
    expect(refusal(`${chain.ca.certificatePem}${chain.ca.certificatePem}`)).toBeNull();
    expect(refusal(`${chain.ca.certificatePem}${other.ca.certificatePem}`)).toBe('certificate_ambiguous');
    expect(refusal(chain.leaf.privateKeyPem)).toBe('certificate_missing');
    expect(refusal('   ')).toBe('certificate_missing');
    expect(refusal(chain.leaf.certificatePem.slice(0, 200))).toBe('invalid_certificate');
    expect(refusal(`${chain.leaf.certificatePem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`)).toBe(
      'invalid_certificate',
    );
  });
});

describe('SAML protocol (seam shape)', () => {
  const state = { nonce: 'n'.repeat(43) };
  const login = { token: 'sealed-token', state: state as never };
  const claims = memoryClaims();
  const protocol = createSamlProtocol({
    claimAssertionId: (_c, id, expiresAt) => claims(id, expiresAt),
    // The service stores the sealed state and sends a short handle for it (features/login/relay-state.ts).
    saveRelayState: async ({ token }) => `handle-of-${token}`,
    devMode: true,
    now: Date.now,
  });
  const connection = testSamlConnection();

  it('starts with the request id from the state nonce and completes against it', async () => {
    const url = await protocol.startLogin(connection, login);
    expect(inflateQuery(url)).toContain(`ID="${samlRequestId(state)}"`);
    expect(new URL(url).searchParams.get('RelayState')).toBe('handle-of-sealed-token');
    const xml = signedResponse({ requestId: samlRequestId(state) });
    await expect(
      protocol.completeLogin(connection, login, { protocol: 'saml', samlResponse: form(xml) }),
    ).resolves.toMatchObject({
      email: ALICE.email,
      groups: ['engineering', 'admins'],
    });
  });

  it('answers refusals as SSO_ERROR with the safe message', async () => {
    const xml = signedResponse({ requestId: newRequestId() });
    await expect(
      protocol.completeLogin(connection, login, { protocol: 'saml', samlResponse: form(xml) }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'SSO_ERROR',
      message: expect.stringContaining('different sign-in request'),
    });
  });

  it('checks settings: unreadable and expired-only certificates are refused', async () => {
    await expect(
      protocol.checkSettings({ protocol: 'saml', idpCertificates: [testKeys().idp.certificatePem] }),
    ).resolves.toEqual({ ok: true });
    await expect(protocol.checkSettings({ protocol: 'saml', idpCertificates: ['nope'] })).resolves.toMatchObject({
      ok: false,
      field: 'idpCertificate',
    });
    const late = createSamlProtocol({
      claimAssertionId: async () => true,
      saveRelayState: async () => 'unused',
      devMode: true,
      now: () => Date.now() + 400 * DAY,
    });
    await expect(
      late.checkSettings({ protocol: 'saml', idpCertificates: [testKeys().idp.certificatePem] }),
    ).resolves.toMatchObject({
      ok: false,
      message: expect.stringContaining('expired'),
    });
  });
});

describe('SAML SP: onSignatureVerified (whose sign-in log an unsolicited post belongs to)', () => {
  const validate = async (samlResponse: string) => {
    let verified = false;
    const outcome = await validatePostResponse(testSettings(), {
      samlResponse,
      expectedRequestId: null,
      claimAssertionId: memoryClaims(),
      onSignatureVerified: () => {
        verified = true;
      },
    }).then(
      () => 'accepted',
      (err: unknown) => (err instanceof SamlError ? err.reason : 'other'),
    );
    return { verified, outcome };
  };

  it('is called for the configured IdP’s signature, also when a later check refuses the assertion', async () => {
    expect(await validate(form(signedResponse({ requestId: null })))).toEqual({ verified: true, outcome: 'accepted' });
    expect(
      await validate(form(signedResponse({ requestId: null, spEntityId: 'https://other-sp.example/saml' }))),
    ).toEqual({
      verified: true,
      outcome: 'wrong_audience',
    });
  });

  it('is not called for another key’s signature, an unsigned assertion or junk', async () => {
    expect(await validate(form(signedResponse({ requestId: null, key: testKeys().other })))).toEqual({
      verified: false,
      outcome: 'invalid_signature',
    });
    expect((await validate(form(signedResponse({ requestId: null, signAssertion: false })))).verified).toBe(false);
    expect((await validate(form('<junk/>'))).verified).toBe(false);
  });
});
