/**
 * The XML-attack suite against the SAML service provider module (lib/sso-service/saml), one named test per
 * attack. Documents are built by tests/support/saml-kit.ts (the dev IdP's templates, signed with test keys).
 * Each refusal is a SamlError with a stable reason; none reaches the claim of the assertion ID.
 */
import { describe, expect, it } from 'vitest';
import { SamlError, validatePostResponse, type SamlReason } from '@/lib/sso-service/saml';
import {
  ACS_URL,
  ALICE,
  deflateForRedirect,
  EVIL,
  form,
  memoryClaims,
  newRequestId,
  responseSigned,
  signedResponse,
  stripAssertionSignature,
  testKeys,
  testSettings,
  withEvilAssertionInSignature,
  XSW,
  type SignedResponseOptions,
} from '../support/saml-kit';
import { ATTACK_CASES, RESPONSE_SIGNED_ATTACK_CASES } from '../support/saml-attack-cases';

async function validate(xml: string, requestId: string, claims = memoryClaims(), settings = testSettings()) {
  return validatePostResponse(settings, {
    samlResponse: form(xml),
    expectedRequestId: requestId,
    claimAssertionId: claims,
  });
}

/** Expects a refusal with `reason`, no assertion ID claimed, and a message that echoes nothing of the document. */
async function expectRefused(xml: string, requestId: string, reason: SamlReason | SamlReason[]) {
  const claims = memoryClaims();
  const err = await validate(xml, requestId, claims).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SamlError);
  const reasons = Array.isArray(reason) ? reason : [reason];
  expect(reasons).toContain((err as SamlError).reason);
  expect((err as SamlError).message).not.toMatch(/<|mallory|alice/i);
  expect(claims.claimed.size).toBe(0);
}

function response(opts: Omit<SignedResponseOptions, 'requestId'> = {}) {
  const requestId = newRequestId();
  return { requestId, xml: signedResponse({ requestId, ...opts }) };
}

describe('SAML SP: the untampered baseline is accepted (so each refusal below is the attack, not the fixture)', () => {
  it('a signed assertion in an unsigned response is accepted and mapped', async () => {
    const { requestId, xml } = response();
    const identity = await validate(xml, requestId);
    expect(identity).toMatchObject({
      nameId: ALICE.nameId,
      email: ALICE.email,
      name: ALICE.name,
      sub: ALICE.nameId,
      groups: ['engineering', 'admins'],
    });
  });

  it('a signed assertion in a signed response is accepted', async () => {
    const { requestId, xml } = response({ signResponse: true });
    await expect(validate(xml, requestId)).resolves.toMatchObject({ email: ALICE.email });
  });

  it('a Response signed as a whole with the assertion inside unsigned (Keycloak, Shibboleth) is accepted and mapped', async () => {
    const requestId = newRequestId();
    const xml = responseSigned({ requestId });
    expect(xml.indexOf('<ds:Signature')).toBeLessThan(xml.indexOf('<saml:Assertion'));
    expect(xml.match(/<ds:Signature[ >]/g)).toHaveLength(1);
    await expect(validate(xml, requestId)).resolves.toMatchObject({
      nameId: ALICE.nameId,
      email: ALICE.email,
      name: ALICE.name,
      groups: ['engineering', 'admins'],
    });
  });

  it('an unsolicited Response signed as a whole is accepted when the caller allows IdP-initiated sign-in', async () => {
    const identity = await validatePostResponse(testSettings(), {
      samlResponse: form(responseSigned({ requestId: null })),
      expectedRequestId: null,
      claimAssertionId: memoryClaims(),
    });
    expect(identity.nameId).toBe(ALICE.nameId);
  });
});

describe('SAML SP: XML signature wrapping', () => {
  for (const [name, wrap] of Object.entries(XSW)) {
    it(`${name} is refused`, async () => {
      const signResponse = name === 'XSW1' || name === 'XSW2';
      const { requestId, xml } = response({ signResponse });
      // The wrapped document still carries a valid signature over the original content.
      await expectRefused(wrap(xml), requestId, ['invalid_signature', 'unsigned_assertion', 'malformed_response']);
    });
  }
});

describe('SAML SP: signed content only', () => {
  it.each([
    ['the assertion', signedResponse],
    ['the Response', responseSigned],
  ])('a comment inside NameID does not truncate the value covered by %s signature', async (_signed, sign) => {
    const requestId = newRequestId();
    const signed = sign({ requestId, nameId: 'alice@example.com.evil.test', attributes: {} });
    const tampered = signed.replace(
      'alice@example.com.evil.test</saml:NameID>',
      'alice@example.com<!---->.evil.test</saml:NameID>',
    );
    expect(tampered).not.toBe(signed);
    const identity = await validate(tampered, requestId);
    expect(identity.nameId).toBe('alice@example.com.evil.test');
    expect(identity.email).toBe('alice@example.com.evil.test');
  });

  it('a response with neither the Response nor the assertion signed is refused', async () => {
    const { requestId, xml } = response({ signAssertion: false });
    await expectRefused(xml, requestId, 'unsigned_assertion');
  });

  it('an unsigned assertion whose signature was stripped after signing is refused', async () => {
    const { requestId, xml } = response();
    await expectRefused(stripAssertionSignature(xml), requestId, 'unsigned_assertion');
  });

  it('a tampered signed assertion is refused', async () => {
    const { requestId, xml } = response();
    await expectRefused(xml.replace(`>${ALICE.nameId}<`, `>${EVIL}<`), requestId, 'invalid_signature');
  });

  it('a signature by another certificate is refused', async () => {
    const { requestId, xml } = response({ key: testKeys().other, keyInfo: false });
    await expectRefused(xml, requestId, 'invalid_signature');
  });

  it('a certificate embedded in KeyInfo is not trusted', async () => {
    const { requestId, xml } = response({ key: testKeys().other, keyInfo: true });
    expect(xml).toContain('X509Certificate');
    await expectRefused(xml, requestId, 'invalid_signature');
  });

  it('SHA-1 signatures are refused', async () => {
    const { requestId, xml } = response({ algorithm: 'sha1' });
    await expectRefused(xml, requestId, 'weak_algorithm');
  });

  it('an encrypted assertion is refused (this SP does not decrypt)', async () => {
    const { requestId, xml } = response();
    const encrypted = xml.replace(
      /<saml:Assertion [\s\S]*<\/saml:Assertion>/,
      '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>',
    );
    await expectRefused(encrypted, requestId, 'encrypted_assertion_unsupported');
  });
});

describe('SAML SP: a Response signed as a whole covers exactly the one assertion that is read', () => {
  for (const attack of RESPONSE_SIGNED_ATTACK_CASES) {
    it(`${attack.name}: refused, no identity for the attacker`, async () => {
      const requestId = newRequestId();
      const xml = Buffer.from(attack.build(requestId), 'base64').toString('utf8');
      await expectRefused(xml, requestId, attack.reasons);
    });
  }

  it('an evil assertion hidden inside the Response Signature (outside its enveloped digest) is never read', async () => {
    const requestId = newRequestId();
    const tampered = withEvilAssertionInSignature(responseSigned({ requestId }));
    expect(tampered).toContain(EVIL);
    const identity = await validate(tampered, requestId);
    expect(identity.nameId).toBe(ALICE.nameId);
    expect(JSON.stringify(identity)).not.toContain(EVIL);
  });
});

describe('SAML SP: addressed to this SP, now', () => {
  const misaddressed: Array<[string, Omit<SignedResponseOptions, 'requestId'>, SamlReason]> = [
    ['a wrong Audience', { spEntityId: 'https://other-sp.example.test' }, 'wrong_audience'],
    ['a wrong Recipient', { recipient: 'https://other-sp.example.test/acs' }, 'wrong_recipient'],
    ['a wrong Destination', { destination: 'https://other-sp.example.test/acs' }, 'wrong_destination'],
    ['an assertion from another IdP entity ID', { idpEntityId: 'https://other-idp.example.test' }, 'wrong_issuer'],
  ];
  for (const [name, override, reason] of misaddressed) {
    it(`${name} is refused`, async () => {
      const { requestId, xml } = response(override);
      await expectRefused(xml, requestId, reason);
    });
  }

  it('NotBefore in the future is refused beyond the clock skew and accepted within it', async () => {
    const far = response({ notBefore: new Date(Date.now() + 5 * 60_000) });
    await expectRefused(far.xml, far.requestId, 'not_yet_valid');
    const near = response({ notBefore: new Date(Date.now() + 30_000) });
    await expect(validate(near.xml, near.requestId)).resolves.toMatchObject({ email: ALICE.email });
  });

  it('NotOnOrAfter in the past is refused beyond the clock skew and accepted within it', async () => {
    const old = new Date(Date.now() - 10 * 60_000);
    const far = response({ now: old, notOnOrAfter: new Date(Date.now() - 5 * 60_000) });
    await expectRefused(far.xml, far.requestId, 'expired');
    const near = response({ now: old, notOnOrAfter: new Date(Date.now() - 30_000) });
    await expect(validate(near.xml, near.requestId)).resolves.toMatchObject({ email: ALICE.email });
  });

  it('a replayed assertion ID is refused', async () => {
    const { requestId, xml } = response();
    const claims = memoryClaims();
    await validate(xml, requestId, claims);
    const err = await validate(xml, requestId, claims).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SamlError);
    expect((err as SamlError).reason).toBe('assertion_replayed');
  });

  it('InResponseTo for another login is refused', async () => {
    const { xml } = response();
    await expectRefused(xml, newRequestId(), 'in_response_to_mismatch');
  });

  it('a missing InResponseTo (unsolicited response) is refused', async () => {
    const requestId = newRequestId();
    await expectRefused(signedResponse({ requestId: null }), requestId, 'in_response_to_missing');
  });
});

describe('SAML SP: parser and size', () => {
  it('a DOCTYPE with an external entity is refused before parsing', async () => {
    const { requestId, xml } = response();
    const withEntity = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml.replace(`>${ALICE.nameId}<`, '>&x;<')}`;
    await expectRefused(withEntity, requestId, 'doctype_refused');
  });

  it('a 10 MB response is refused by size before decoding', async () => {
    const requestId = newRequestId();
    const huge = 'A'.repeat(10 * 1024 * 1024);
    const started = performance.now();
    const err = await validatePostResponse(testSettings(), {
      samlResponse: huge,
      expectedRequestId: requestId,
      claimAssertionId: memoryClaims(),
    }).catch((e: unknown) => e);
    expect((err as SamlError).reason).toBe('response_too_large');
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('a deflated (Redirect-binding style) SAMLResponse is never inflated: the POST binding takes it as malformed', async () => {
    // The SP only takes the HTTP-POST binding, so it never inflates incoming data; the inflating side is the dev
    // IdP's AuthnRequest parser, whose deflate-bomb test is in saml-dev-idp.test.ts.
    const requestId = newRequestId();
    const bomb = deflateForRedirect(Buffer.alloc(20 * 1024 * 1024, 0x41));
    const err = await validatePostResponse(testSettings(), {
      samlResponse: bomb,
      expectedRequestId: requestId,
      claimAssertionId: memoryClaims(),
    }).catch((e: unknown) => e);
    expect((err as SamlError).reason).toBe('malformed_response');
  });
});

describe('SAML SP: certificates', () => {
  it('a second certificate (rotation) verifies while both are configured', async () => {
    const { requestId, xml } = response({ key: testKeys().rotated });
    const settings = testSettings({
      idpCertificates: [testKeys().idp.certificatePem, testKeys().rotated.certificatePem],
    });
    await expect(validate(xml, requestId, memoryClaims(), settings)).resolves.toMatchObject({ email: ALICE.email });
    const { requestId: id2, xml: xml2 } = response({ key: testKeys().rotated });
    await expect(validate(xml2, id2)).rejects.toMatchObject({ reason: 'invalid_signature' });
  });

  it('an expired certificate is refused with its own reason', async () => {
    const { requestId, xml } = response();
    const farFuture = new Date(Date.now() + 400 * 24 * 3600 * 1000);
    const err = await validatePostResponse(testSettings(), {
      samlResponse: form(xml),
      expectedRequestId: requestId,
      claimAssertionId: memoryClaims(),
      now: farFuture,
    }).catch((e: unknown) => e);
    expect((err as SamlError).reason).toBe('certificate_expired');
  });
});

it('the ACS URL in the fixtures is the one configured', () => {
  expect(testSettings().spAcsUrl).toBe(ACS_URL);
});

describe('SAML SP: the shared attack table (the same documents the ACS route test posts)', () => {
  for (const attack of ATTACK_CASES) {
    it(`${attack.name} is refused`, async () => {
      const requestId = newRequestId();
      const claims = memoryClaims();
      const err = await validatePostResponse(testSettings(), {
        samlResponse: attack.build(requestId),
        expectedRequestId: requestId,
        claimAssertionId: claims,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SamlError);
      expect(attack.reasons).toContain((err as SamlError).reason);
      expect(claims.claimed.size).toBe(0);
    });
  }
});
