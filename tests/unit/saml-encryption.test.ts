/**
 * Encrypted assertions against the SAML service provider module: the accepted shapes (xmlsec1's vendor-style
 * AES-GCM, xml-encryption's AES-CBC inside a signed Response, both keys of a rotation), and the XML-encryption
 * attack suite (tests/support/saml-encryption-attack-cases.ts), one named test each, plus the padding-oracle
 * check: every tampered cipher text gets the very same refusal. No refusal claims the assertion ID.
 */
import { describe, expect, it } from 'vitest';
import { generateSigningKey, type SamlSigningKey } from '@/lib/dev-idp/saml/keys';
import { SamlError, validatePostResponse, type SamlReason } from '@/lib/sso-service/saml';
import { encryptedResponse, tamperContent, type EncryptedResponseOptions } from '../support/saml-encryption';
import { ENCRYPTION_ATTACK_CASES } from '../support/saml-encryption-attack-cases';
import { ALICE, form, memoryClaims, newRequestId, signedResponse, testSettings } from '../support/saml-kit';

let spKeys: { a: SamlSigningKey; b: SamlSigningKey } | undefined;
/** The connection's encryption key (a) and another one (b: the attacker's, or the next key of a rotation). */
const sp = () => (spKeys ??= { a: generateSigningKey('SP encryption A'), b: generateSigningKey('SP encryption B') });

async function validate(xml: string, requestId: string, keys: SamlSigningKey[] = [sp().a], claims = memoryClaims()) {
  let reads = 0;
  const identity = await validatePostResponse(testSettings(), {
    samlResponse: form(xml),
    expectedRequestId: requestId,
    claimAssertionId: claims,
    decryptionKeys: async () => {
      reads++;
      return keys;
    },
  });
  return { identity, reads };
}

async function refusal(xml: string, requestId: string, keys: SamlSigningKey[] = [sp().a]) {
  const claims = memoryClaims();
  const err = await validate(xml, requestId, keys, claims).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SamlError);
  expect(claims.claimed.size).toBe(0);
  expect((err as SamlError).message).not.toMatch(/<|mallory|alice/i);
  return err as SamlError;
}

async function expectRefused(xml: string, requestId: string, reasons: SamlReason[]) {
  expect(reasons).toContain((await refusal(xml, requestId)).reason);
}

const encrypted = (opts: Partial<EncryptedResponseOptions> = {}) => {
  const requestId = newRequestId();
  return encryptedResponse({ requestId, encryptTo: sp().a.certificatePem, ...opts }).then((xml) => ({
    requestId,
    xml,
  }));
};

describe('SAML SP: encrypted assertions that are accepted', () => {
  it('AES-256-GCM + RSA-OAEP by xmlsec1 (vendor style), the assertion signed, the Response not', async () => {
    const { requestId, xml } = await encrypted({ encryptor: 'xmlsec1' });
    expect(xml).toContain('<saml:EncryptedAssertion>');
    expect(xml).not.toContain('<saml:Assertion ');
    expect(xml).not.toContain(ALICE.email);
    const { identity } = await validate(xml, requestId);
    expect(identity).toMatchObject({ nameId: ALICE.nameId, email: ALICE.email, name: ALICE.name });
  });

  it('AES-128-GCM by xml-encryption, the Response and the assertion both signed', async () => {
    const { requestId, xml } = await encrypted({ data: 'aes128-gcm', encryptor: 'xml-encryption', signResponse: true });
    await expect(validate(xml, requestId)).resolves.toMatchObject({ identity: { email: ALICE.email } });
  });

  it.each(['aes256-cbc', 'aes128-cbc'] as const)(
    '%s inside a signed Response (Keycloak and Shibboleth style: the Response signed, the assertion not)',
    async (data) => {
      const { requestId, xml } = await encrypted({ data, signResponse: true, signAssertion: false });
      await expect(validate(xml, requestId)).resolves.toMatchObject({ identity: { email: ALICE.email } });
    },
  );

  it('during a rotation both keys decrypt, whether the IdP names the key (xml-encryption) or not (xmlsec1)', async () => {
    for (const encryptor of ['xmlsec1', 'xml-encryption'] as const) {
      for (const recipient of [sp().a, sp().b]) {
        for (const signResponse of [false, true]) {
          const { requestId, xml } = await encrypted({ encryptTo: recipient.certificatePem, encryptor, signResponse });
          const { identity } = await validate(xml, requestId, [sp().a, sp().b]);
          expect(identity.email, `${encryptor} ${signResponse}`).toBe(ALICE.email);
        }
      }
    }
    // After the old key is removed, what was encrypted to it is refused.
    const { requestId, xml } = await encrypted({ encryptTo: sp().a.certificatePem });
    expect((await refusal(xml, requestId, [sp().b])).reason).toBe('decryption_failed');
  });

  it('a response without an EncryptedAssertion never reads the decryption keys (no extra work)', async () => {
    const requestId = newRequestId();
    const { reads } = await validate(signedResponse({ requestId }), requestId);
    expect(reads).toBe(0);
  });

  it('an encrypted assertion at a connection without an encryption key is refused as unsupported', async () => {
    const { requestId, xml } = await encrypted();
    expect((await refusal(xml, requestId, [])).reason).toBe('encrypted_assertion_unsupported');
  });

  it('an encrypted assertion is single use like any other', async () => {
    const { requestId, xml } = await encrypted();
    const claims = memoryClaims();
    await validate(xml, requestId, [sp().a], claims);
    await expect(validate(xml, requestId, [sp().a], claims)).rejects.toMatchObject({ reason: 'assertion_replayed' });
  });
});

describe('SAML SP: the XML-encryption attack suite', () => {
  for (const attack of ENCRYPTION_ATTACK_CASES) {
    it(`${attack.name} is refused`, async () => {
      const requestId = newRequestId();
      const samlResponse = await attack.build(requestId, { sp: sp().a.certificatePem, other: sp().b.certificatePem });
      await expectRefused(Buffer.from(samlResponse, 'base64').toString('utf8'), requestId, attack.reasons);
    });
  }
});

describe('SAML SP: no padding or well-formedness oracle', () => {
  /** Flips one bit of the content cipher text at `at` (negative: from the end). */
  const flip = (at: number) => (d: string) =>
    tamperContent(d, (b) => {
      const i = at < 0 ? b.length + at : at;
      b[i] = b[i]! ^ 0x01;
    });

  it('AES-GCM, unsigned Response: tampered IV, first block, last block, tag, a wrong key and a valid-but-unsigned plaintext all get one identical refusal', async () => {
    const variants = [
      await encrypted({ tamper: flip(0) }),
      await encrypted({ tamper: flip(13) }),
      await encrypted({ tamper: flip(-20) }),
      await encrypted({ tamper: flip(-1) }),
      await encrypted({ encryptTo: sp().b.certificatePem }),
      await encrypted({ signAssertion: false }),
    ];
    const answers = await Promise.all(variants.map(async (v) => refusal(v.xml, v.requestId)));
    expect(new Set(answers.map((e) => `${e.reason}|${e.message}`)).size).toBe(1);
    expect(answers[0]!.reason).toBe('decryption_failed');
  });

  it('AES-CBC: padding-valid and padding-invalid bit flips get one identical refusal, signed Response or not', async () => {
    // In a signed Response the signature fails before anything is decrypted; unsigned, CBC is refused unread.
    for (const signResponse of [true, false]) {
      const variants = [
        await encrypted({ data: 'aes256-cbc', signResponse, signAssertion: false, tamper: flip(-17) }),
        await encrypted({ data: 'aes256-cbc', signResponse, signAssertion: false, tamper: flip(20) }),
        await encrypted({ data: 'aes256-cbc', signResponse, signAssertion: false, tamper: flip(0) }),
      ];
      const answers = await Promise.all(variants.map(async (v) => refusal(v.xml, v.requestId)));
      expect(new Set(answers.map((e) => `${e.reason}|${e.message}`)).size, String(signResponse)).toBe(1);
      expect(answers[0]!.reason).toBe(signResponse ? 'invalid_signature' : 'cbc_unsigned_response');
    }
  });
});
