/**
 * The XML-encryption attack cases as one table, so the same documents run against the SAML module (unit) and
 * through the service's real ACS route (integration). Each case builds the SAMLResponse form value for a login
 * whose AuthnRequest ID is `requestId`, given the certificate of the connection's SP encryption key (`sp`) and
 * another key's certificate (`other`: the attacker's, or another connection's), and lists the acceptable reasons.
 */
import type { SamlReason } from '@/lib/sso-service/saml';
import { encryptedResponse, tamperContent, type EncryptedResponseOptions } from './saml-encryption';
import { assertionXmlOf, EVIL, form, OTHER_SP_ENTITY_ID, signedResponse, testKeys } from './saml-kit';

export interface EncryptionKeys {
  /** The connection's SP encryption certificate (PEM). */
  sp: string;
  /** A certificate the connection has no key for. */
  other: string;
}

export interface EncryptionAttackCase {
  name: string;
  build(requestId: string, keys: EncryptionKeys): Promise<string>;
  reasons: SamlReason[];
}

const encrypted = (requestId: string, keys: EncryptionKeys, opts: Partial<EncryptedResponseOptions> = {}) =>
  encryptedResponse({ requestId, encryptTo: keys.sp, ...opts });

const GCM256 = 'http://www.w3.org/2009/xmlenc11#aes256-gcm';
const OAEP = 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p';

export const ENCRYPTION_ATTACK_CASES: EncryptionAttackCase[] = [
  {
    name: 'an assertion encrypted to another key (the attacker’s, or another connection’s)',
    build: async (id, k) => form(await encrypted(id, k, { encryptTo: k.other })),
    reasons: ['decryption_failed'],
  },
  {
    name: 'the same, inside a Response the IdP signed',
    build: async (id, k) => form(await encrypted(id, k, { encryptTo: k.other, signResponse: true })),
    reasons: ['decryption_failed'],
  },
  {
    name: 'RSA PKCS#1 v1.5 key transport (Bleichenbacher)',
    build: async (id, k) => form(await encrypted(id, k, { keyTransport: 'rsa-1_5', encryptor: 'xml-encryption' })),
    reasons: ['weak_encryption'],
  },
  {
    name: '3DES content encryption',
    build: async (id, k) =>
      form(await encrypted(id, k, { data: 'tripledes-cbc', encryptor: 'xml-encryption', signResponse: true })),
    reasons: ['weak_encryption'],
  },
  {
    name: 'an unknown content algorithm',
    build: async (id, k) =>
      form(await encrypted(id, k, { tamper: (d) => d.replace(GCM256, 'http://www.w3.org/2009/xmlenc11#aes192-gcm') })),
    reasons: ['unsupported_encryption'],
  },
  {
    name: 'an unknown key transport (xmlenc 1.1 RSA-OAEP, which the decrypting library does not implement)',
    build: async (id, k) =>
      form(await encrypted(id, k, { tamper: (d) => d.replace(OAEP, 'http://www.w3.org/2009/xmlenc11#rsa-oaep') })),
    reasons: ['unsupported_encryption'],
  },
  {
    name: 'an AES-GCM cipher text too short to hold its IV and a whole tag (a truncated tag)',
    build: async (id, k) =>
      form(
        await encrypted(id, k, {
          tamper: (d) =>
            tamperContent(d, (b) => b.fill(0)).replace(
              /(<xenc:CipherValue>)[^<]*(<\/xenc:CipherValue>\s*<\/xenc:CipherData>\s*<\/xenc:EncryptedData>)/,
              '$1AAAAAAAAAAAAAAAAAAAA$2',
            ),
        }),
      ),
    reasons: ['unsupported_encryption'],
  },
  {
    name: 'tampered AES-GCM cipher text in an unsigned Response',
    build: async (id, k) =>
      form(await encrypted(id, k, { tamper: (d) => tamperContent(d, (b) => void (b[40] = b[40]! ^ 0x01)) })),
    reasons: ['decryption_failed'],
  },
  {
    name: 'tampered AES-CBC cipher text in a signed Response (the Response signature no longer verifies)',
    build: async (id, k) =>
      form(
        await encrypted(id, k, {
          data: 'aes256-cbc',
          signResponse: true,
          signAssertion: false,
          tamper: (d) => tamperContent(d, (b) => void (b[b.length - 17] = b[b.length - 17]! ^ 0x01)),
        }),
      ),
    reasons: ['invalid_signature'],
  },
  {
    name: 'AES-CBC in an unsigned Response (a padding oracle needs no signature check before decryption)',
    build: async (id, k) => form(await encrypted(id, k, { data: 'aes256-cbc' })),
    reasons: ['cbc_unsigned_response'],
  },
  {
    name: 'an unsigned encrypted assertion in an unsigned Response',
    build: async (id, k) => form(await encrypted(id, k, { signAssertion: false })),
    reasons: ['decryption_failed'],
  },
  {
    name: 'the attacker’s own unsigned assertion encrypted to the SP’s public certificate',
    build: async (id, k) =>
      form(await encrypted(id, k, { signAssertion: false, nameId: EVIL, attributes: { email: [EVIL] } })),
    reasons: ['decryption_failed'],
  },
  {
    name: 'the attacker’s assertion signed with the attacker’s key, encrypted to the SP',
    build: async (id, k) =>
      form(await encrypted(id, k, { key: testKeys().other, nameId: EVIL, attributes: { email: [EVIL] } })),
    reasons: ['decryption_failed'],
  },
  {
    name: 'an encrypted assertion plus a plain signed one',
    build: async (id, k) => {
      const plain = assertionXmlOf(signedResponse({ requestId: id, nameId: EVIL, attributes: { email: [EVIL] } }));
      const xml = await encrypted(id, k);
      return form(xml.replace('</saml:EncryptedAssertion>', `</saml:EncryptedAssertion>${plain}`));
    },
    reasons: ['invalid_signature'],
  },
  {
    name: 'an encrypted assertion whose decrypted content was signed for another audience',
    build: async (id, k) => form(await encrypted(id, k, { spEntityId: OTHER_SP_ENTITY_ID })),
    reasons: ['wrong_audience'],
  },
  {
    name: 'wrapping: an IdP-signed assertion moved beside the EncryptedAssertion of a signed Response',
    build: async (id, k) => {
      const moved = assertionXmlOf(signedResponse({ requestId: id, nameId: EVIL, attributes: { email: [EVIL] } }));
      const xml = await encrypted(id, k, { signResponse: true, signAssertion: false });
      return form(xml.replace('<saml:EncryptedAssertion>', `${moved}<saml:EncryptedAssertion>`));
    },
    reasons: ['invalid_signature'],
  },
  {
    name: 'wrapping: an IdP-signed assertion inside the EncryptedAssertion element, beside the EncryptedData',
    build: async (id, k) => {
      const moved = assertionXmlOf(signedResponse({ requestId: id, nameId: EVIL, attributes: { email: [EVIL] } }));
      const xml = await encrypted(id, k, { encryptTo: k.other });
      return form(xml.replace('<saml:EncryptedAssertion>', `<saml:EncryptedAssertion>${moved}`));
    },
    reasons: ['unsupported_encryption'],
  },
  {
    name: 'an EncryptedAssertion hidden in the Response’s Extensions beside a signed assertion',
    build: async (id, k) => {
      const hidden = /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/.exec(await encrypted(id, k))![0];
      const xml = signedResponse({ requestId: id });
      return form(xml.replace('<samlp:Status>', `<samlp:Extensions>${hidden}</samlp:Extensions><samlp:Status>`));
    },
    reasons: ['malformed_response'],
  },
  {
    name: 'an EncryptedAssertion swapped into a Response the IdP signed around another one',
    build: async (id, k) => {
      const swapped = /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/.exec(
        await encrypted(id, k, { nameId: EVIL, attributes: { email: [EVIL] }, key: testKeys().other }),
      )![0];
      const xml = await encrypted(id, k, { signResponse: true, signAssertion: false });
      return form(xml.replace(/<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/, () => swapped));
    },
    reasons: ['invalid_signature'],
  },
  {
    name: 'a SHA-1 signature inside the encrypted assertion (unsigned Response)',
    build: async (id, k) => form(await encrypted(id, k, { algorithm: 'sha1' })),
    reasons: ['decryption_failed'],
  },
  {
    name: 'a SHA-1 signature inside the encrypted assertion of a signed Response',
    build: async (id, k) => form(await encrypted(id, k, { algorithm: 'sha1', signResponse: true })),
    reasons: ['weak_algorithm'],
  },
  {
    name: 'a RetrievalMethod whose URI is not a plain #id (XPath injection into the decrypting library)',
    build: async (id, k) =>
      form(
        await encrypted(id, k, {
          tamper: (d) =>
            d.replace(
              '<xenc:CipherData>',
              `<ds:RetrievalMethod xmlns:ds="http://www.w3.org/2000/09/xmldsig#" URI="#x' or '1'='1"/><xenc:CipherData>`,
            ),
        }),
      ),
    reasons: ['unsupported_encryption'],
  },
];
