/**
 * The XML-attack cases as one table, so the same documents run against the SAML module (unit) and through the
 * service's real ACS route (`POST /sso/callback/saml`, integration). Each case builds the SAMLResponse form
 * value for a login whose AuthnRequest ID is `requestId`, with the saml-kit's fixed IdP / SP / ACS names, and
 * lists the refusal reasons that are acceptable for it.
 */
import type { SamlReason } from '@/lib/sso-service/saml';
import {
  ALICE,
  assertionXmlOf,
  deflateForRedirect,
  EVIL,
  foreignIdpAssertion,
  form,
  newRequestId,
  OTHER_SP_ENTITY_ID,
  replaceAssertion,
  RESPONSE_XSW,
  responseSigned,
  signatureReferencingElsewhere,
  signedResponse,
  stripAssertionSignature,
  testKeys,
  withSecondAssertion,
  XSW,
  type SignedResponseOptions,
} from './saml-kit';

export interface AttackCase {
  name: string;
  /** The SAMLResponse form value. */
  build(requestId: string): string;
  reasons: SamlReason[];
}

const signed = (requestId: string, opts: Omit<SignedResponseOptions, 'requestId'> = {}) =>
  signedResponse({ requestId, ...opts });
/** Signed as a whole by the IdP, the assertion inside unsigned (Keycloak's and Shibboleth's default). */
const wholeSigned = (requestId: string, opts: Omit<SignedResponseOptions, 'requestId'> = {}) =>
  responseSigned({ requestId, ...opts });
const MIN = 60_000;
const WRAPPING: SamlReason[] = ['invalid_signature', 'unsigned_assertion', 'malformed_response'];

/**
 * The Response-signed path: every wrapping attack on a Response signature, a second or foreign assertion
 * under a Response signature, and a Response the IdP signed for another connection. Each leaves (at most) a
 * valid IdP signature over content that is not the attacker's.
 */
export const RESPONSE_SIGNED_ATTACK_CASES: AttackCase[] = [
  ...Object.entries(RESPONSE_XSW).map(([name, wrap]) => ({
    name,
    build: (requestId: string) => form(wrap(wholeSigned(requestId))),
    reasons: WRAPPING,
  })),
  {
    name: 'a Response-level Signature whose Reference points at an assertion elsewhere',
    build: (id) => form(signatureReferencingElsewhere(signed(id))),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an unsigned second assertion inside a Response signed by the IdP',
    build: (id) => form(wholeSigned(id, { beforeResponseSignature: withSecondAssertion })),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an unsigned second assertion beside a signed one, inside a Response signed by the IdP',
    build: (id) => form(signed(id, { signResponse: true, beforeResponseSignature: withSecondAssertion })),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an assertion from another IdP swapped into a signed Response',
    build: (id) => form(replaceAssertion(wholeSigned(id), foreignIdpAssertion(id))),
    reasons: ['invalid_signature'],
  },
  {
    name: 'a Response signed by the IdP around another IdP’s signed assertion',
    build: (id) =>
      form(wholeSigned(id, { beforeResponseSignature: (xml) => replaceAssertion(xml, foreignIdpAssertion(id)) })),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an assertion from another connection’s Response swapped into a signed Response',
    build: (id) =>
      form(replaceAssertion(wholeSigned(id), assertionXmlOf(signed(id, { spEntityId: OTHER_SP_ENTITY_ID })))),
    reasons: ['invalid_signature'],
  },
  {
    name: 'a Response signed by the IdP around another connection’s signed assertion',
    build: (id) =>
      form(
        wholeSigned(id, {
          beforeResponseSignature: (xml) =>
            replaceAssertion(xml, assertionXmlOf(signed(id, { spEntityId: OTHER_SP_ENTITY_ID }))),
        }),
      ),
    reasons: ['wrong_audience'],
  },
  {
    name: 'a Response signed by the right key for another connection’s audience',
    build: (id) => form(wholeSigned(id, { spEntityId: OTHER_SP_ENTITY_ID })),
    reasons: ['wrong_audience'],
  },
  {
    name: 'a tampered Response-signed document',
    build: (id) => form(wholeSigned(id).replace(`>${ALICE.nameId}<`, `>${EVIL}<`)),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an unsigned assertion in a Response signed by another certificate',
    build: (id) => form(wholeSigned(id, { key: testKeys().other, keyInfo: false })),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an attacker certificate in KeyInfo of the Response signature',
    build: (id) => form(wholeSigned(id, { key: testKeys().other, keyInfo: true })),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an IdP-signed assertion in a Response signed by another certificate (every signature must verify)',
    build: (id) => form(signed(id, { signResponse: true, responseKey: testKeys().other })),
    reasons: ['invalid_signature'],
  },
  {
    name: 'a Response signature stripped (the assertion inside unsigned)',
    build: (id) => form(signed(id, { signAssertion: false })),
    reasons: ['unsigned_assertion'],
  },
  {
    name: 'a SHA-1 Response signature',
    build: (id) => form(wholeSigned(id, { algorithm: 'sha1' })),
    reasons: ['weak_algorithm'],
  },
  {
    name: 'a signed Response answering another login',
    build: () => form(wholeSigned(newRequestId())),
    reasons: ['in_response_to_mismatch'],
  },
  {
    name: 'a signed Response from another IdP entity ID',
    build: (id) => form(wholeSigned(id, { idpEntityId: 'https://other-idp.example.test' })),
    reasons: ['wrong_issuer'],
  },
];

export const ATTACK_CASES: AttackCase[] = [
  ...Object.entries(XSW).map(([name, wrap]) => ({
    name: `${name} signature wrapping`,
    build: (requestId: string) => form(wrap(signed(requestId, { signResponse: name === 'XSW1' || name === 'XSW2' }))),
    reasons: WRAPPING,
  })),
  ...RESPONSE_SIGNED_ATTACK_CASES,
  {
    name: 'an assertion whose signature was stripped',
    build: (id) => form(stripAssertionSignature(signed(id))),
    reasons: ['unsigned_assertion'],
  },
  {
    name: 'a tampered signed assertion',
    build: (id) => form(signed(id).replace(`>${ALICE.nameId}<`, `>${EVIL}<`)),
    reasons: ['invalid_signature'],
  },
  {
    name: 'a signature by another certificate',
    build: (id) => form(signed(id, { key: testKeys().other, keyInfo: false })),
    reasons: ['invalid_signature'],
  },
  {
    name: 'an attacker certificate embedded in KeyInfo',
    build: (id) => form(signed(id, { key: testKeys().other, keyInfo: true })),
    reasons: ['invalid_signature'],
  },
  { name: 'a SHA-1 signature', build: (id) => form(signed(id, { algorithm: 'sha1' })), reasons: ['weak_algorithm'] },
  {
    name: 'an encrypted assertion',
    build: (id) =>
      form(
        signed(id).replace(
          /<saml:Assertion [\s\S]*<\/saml:Assertion>/,
          '<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#"><xenc:CipherData><xenc:CipherValue>AAAA</xenc:CipherValue></xenc:CipherData></xenc:EncryptedData></saml:EncryptedAssertion>',
        ),
      ),
    reasons: ['encrypted_assertion_unsupported'],
  },
  {
    name: 'a wrong Audience',
    build: (id) => form(signed(id, { spEntityId: 'https://other-sp.example.test' })),
    reasons: ['wrong_audience'],
  },
  {
    name: 'a wrong Recipient',
    build: (id) => form(signed(id, { recipient: 'https://other-sp.example.test/acs' })),
    reasons: ['wrong_recipient'],
  },
  {
    name: 'a wrong Destination',
    build: (id) => form(signed(id, { destination: 'https://other-sp.example.test/acs' })),
    reasons: ['wrong_destination'],
  },
  {
    name: 'another IdP entity ID',
    build: (id) => form(signed(id, { idpEntityId: 'https://other-idp.example.test' })),
    reasons: ['wrong_issuer'],
  },
  {
    name: 'NotBefore in the future (beyond the skew)',
    build: (id) => form(signed(id, { notBefore: new Date(Date.now() + 5 * MIN) })),
    reasons: ['not_yet_valid'],
  },
  {
    name: 'NotOnOrAfter in the past (beyond the skew)',
    build: (id) =>
      form(signed(id, { now: new Date(Date.now() - 10 * MIN), notOnOrAfter: new Date(Date.now() - 5 * MIN) })),
    reasons: ['expired'],
  },
  {
    name: 'InResponseTo for another login',
    build: () => form(signed(newRequestId())),
    reasons: ['in_response_to_mismatch'],
  },
  {
    name: 'a missing InResponseTo',
    build: () => form(signedResponse({ requestId: null })),
    reasons: ['in_response_to_missing'],
  },
  {
    name: 'a DOCTYPE with an external entity',
    build: (id) =>
      form(
        `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>${signed(id).replace(`>${ALICE.nameId}<`, '>&x;<')}`,
      ),
    reasons: ['doctype_refused'],
  },
  { name: 'a 10 MB response', build: () => 'A'.repeat(10 * 1024 * 1024), reasons: ['response_too_large'] },
  {
    name: 'a deflated (Redirect-binding) response, never inflated',
    build: () => deflateForRedirect(Buffer.alloc(20 * 1024 * 1024, 0x41)),
    reasons: ['malformed_response'],
  },
];
