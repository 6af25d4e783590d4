/**
 * SAML messages of the dev IdP, written as plain templates and signed with xml-crypto.
 *
 * Why no IdP library: the npm SAML IdP libraries are either test toys or samlify, which had a signature-wrapping
 * advisory in 2025 and open reports on signed requests since; a dev IdP only needs one Response shape, and
 * templates keep every byte visible (the attack tests reuse these builders and then tamper with the result).
 */
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import type { SamlSigningKey } from './keys';

export const NAMEID_PERSISTENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent';
export const NAMEID_EMAIL = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';

export const SIGNATURE_ALGORITHMS = {
  sha256: {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
  },
  sha1: { signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1', digest: 'http://www.w3.org/2000/09/xmldsig#sha1' },
} as const;

/** Escapes text for XML element content and double-quoted attributes. */
export function xmlEscape(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function samlId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

export interface ResponseInput {
  idpEntityId: string;
  /** The Audience. */
  spEntityId: string;
  acsUrl: string;
  /** The AuthnRequest ID answered; null for an unsolicited (IdP-initiated) response. */
  inResponseTo: string | null;
  nameId: string;
  nameIdFormat?: string;
  attributes?: Record<string, readonly string[]>;
  now?: Date;
  lifetimeSeconds?: number;
  /** Overrides for tests: each defaults to what a correct IdP sends. */
  responseId?: string;
  assertionId?: string;
  destination?: string | null;
  recipient?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An unsigned Success Response with one Assertion (no whitespace between elements, so tampering is predictable). */
export function buildResponseXml(input: ResponseInput): string {
  const now = input.now ?? new Date();
  const notBefore = input.notBefore ?? new Date(now.getTime() - 5_000);
  const notOnOrAfter = input.notOnOrAfter ?? new Date(now.getTime() + (input.lifetimeSeconds ?? 300) * 1000);
  const responseId = input.responseId ?? samlId();
  const assertionId = input.assertionId ?? samlId();
  const irt = input.inResponseTo === null ? '' : ` InResponseTo="${xmlEscape(input.inResponseTo)}"`;
  const destination =
    input.destination === null ? '' : ` Destination="${xmlEscape(input.destination ?? input.acsUrl)}"`;
  const issuer = `<saml:Issuer>${xmlEscape(input.idpEntityId)}</saml:Issuer>`;
  const attributes = Object.entries(input.attributes ?? {})
    .map(
      ([name, values]) =>
        `<saml:Attribute Name="${xmlEscape(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
          .map((v) => `<saml:AttributeValue>${xmlEscape(v)}</saml:AttributeValue>`)
          .join('')}</saml:Attribute>`,
    )
    .join('');
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${iso(now)}"${destination}${irt}>` +
    issuer +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    `<saml:Assertion ID="${assertionId}" Version="2.0" IssueInstant="${iso(now)}">` +
    issuer +
    `<saml:Subject><saml:NameID Format="${xmlEscape(input.nameIdFormat ?? NAMEID_PERSISTENT)}">${xmlEscape(input.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${xmlEscape(input.recipient ?? input.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${xmlEscape(input.spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="${samlId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    (attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : '') +
    `</saml:Assertion></samlp:Response>`
  );
}

/** A Response without assertion, for a cancelled sign-in. */
export function buildFailureResponseXml(input: Pick<ResponseInput, 'idpEntityId' | 'acsUrl' | 'inResponseTo'>): string {
  const irt = input.inResponseTo === null ? '' : ` InResponseTo="${xmlEscape(input.inResponseTo)}"`;
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${samlId()}" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${xmlEscape(input.acsUrl)}"${irt}>` +
    `<saml:Issuer>${xmlEscape(input.idpEntityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:AuthnFailed"/></samlp:StatusCode></samlp:Status>` +
    `</samlp:Response>`
  );
}

export interface SignOptions {
  /** The ID of the element to sign (the Assertion or the Response); the signature goes right after its Issuer. */
  id: string;
  key: SamlSigningKey;
  algorithm?: keyof typeof SIGNATURE_ALGORITHMS;
  /** Put the certificate in KeyInfo (as most IdPs do); a relying party must not trust it. Default true. */
  keyInfo?: boolean;
}

/** Signs one element (enveloped, exclusive c14n) and returns the whole document. */
export function signElement(xml: string, { id, key, algorithm = 'sha256', keyInfo = true }: SignOptions): string {
  const algs = SIGNATURE_ALGORITHMS[algorithm];
  const sig = new SignedXml({
    privateKey: key.privateKeyPem,
    ...(keyInfo ? { publicCert: key.certificatePem } : {}),
    signatureAlgorithm: algs.signature,
    canonicalizationAlgorithm: EXC_C14N,
  });
  const target = `//*[@ID='${id}']`;
  sig.addReference({ xpath: target, digestAlgorithm: algs.digest, transforms: [ENVELOPED, EXC_C14N] });
  sig.computeSignature(xml, {
    prefix: 'ds',
    location: { reference: `${target}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

/** The IdP's metadata: entity ID, HTTP-Redirect SSO location, signing certificate. */
export function idpMetadataXml(entityId: string, ssoUrl: string, certificatePem: string): string {
  const certBody = certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${xmlEscape(entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>${NAMEID_PERSISTENT}</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${xmlEscape(ssoUrl)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>\n`
  );
}

/** An inflated AuthnRequest may be at most this large; a deflate bomb stops here instead of filling memory. */
export const MAX_AUTHN_REQUEST_BYTES = 64 * 1024;

export interface AuthnRequest {
  id: string;
  issuer: string;
  acsUrl: string;
}

export class BadAuthnRequest extends Error {}

/** Decodes an HTTP-Redirect SAMLRequest: base64, raw inflate with an output cap, no DOCTYPE, strict parse. */
export function parseRedirectAuthnRequest(samlRequest: string): AuthnRequest {
  let xml: string;
  try {
    xml = inflateRawSync(Buffer.from(samlRequest, 'base64'), { maxOutputLength: MAX_AUTHN_REQUEST_BYTES }).toString(
      'utf8',
    );
  } catch {
    throw new BadAuthnRequest('The SAMLRequest is not a deflated AuthnRequest of at most 64 KB.');
  }
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(xml))
    throw new BadAuthnRequest('The AuthnRequest has a DOCTYPE, which is refused.');
  const fail = () => {
    throw new BadAuthnRequest('The AuthnRequest is not well-formed XML.');
  };
  const doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(
    xml,
    'text/xml',
  );
  const root = doc.documentElement;
  if (!root || root.localName !== 'AuthnRequest' || root.namespaceURI !== 'urn:oasis:names:tc:SAML:2.0:protocol') {
    throw new BadAuthnRequest('The SAMLRequest is not an AuthnRequest.');
  }
  const id = root.getAttribute('ID') ?? '';
  const acsUrl = root.getAttribute('AssertionConsumerServiceURL') ?? '';
  const issuer =
    root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent?.trim() ?? '';
  if (!/^[A-Za-z_][\w.-]{0,255}$/.test(id) || !URL.canParse(acsUrl) || !issuer) {
    throw new BadAuthnRequest('The AuthnRequest needs an ID, an Issuer and an AssertionConsumerServiceURL.');
  }
  return { id, issuer, acsUrl };
}
