/**
 * The XML-attack cases as one table, so the same documents run against the SAML module (unit) and through the
 * service's real ACS route (`POST /sso/callback/saml`, integration). Each case builds the SAMLResponse form
 * value for a login whose AuthnRequest ID is `requestId`, with the saml-kit's fixed IdP / SP / ACS names, and
 * lists the refusal reasons that are acceptable for it.
 */
import type { SamlReason } from '@/lib/sso-service/saml';
import {
  ALICE,
  deflateForRedirect,
  EVIL,
  form,
  newRequestId,
  signedResponse,
  stripAssertionSignature,
  testKeys,
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
const MIN = 60_000;

export const ATTACK_CASES: AttackCase[] = [
  ...Object.entries(XSW).map(([name, wrap]) => ({
    name: `${name} signature wrapping`,
    build: (requestId: string) => form(wrap(signed(requestId, { signResponse: name === 'XSW1' || name === 'XSW2' }))),
    reasons: ['invalid_signature', 'unsigned_assertion', 'malformed_response'] as SamlReason[],
  })),
  {
    name: 'an unsigned assertion in a signed response',
    build: (id) => form(signed(id, { signAssertion: false, signResponse: true })),
    reasons: ['unsigned_assertion'],
  },
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
