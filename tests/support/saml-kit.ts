/**
 * One place to build SAML responses for tests: the dev IdP's templates and signer (lib/dev-idp/saml/messages),
 * test keys, connection settings, and the tampering used by the XML-attack suite (XSW variants and friends).
 * Module-level tests call validatePostResponse with `form(xml)`; route tests can post the same `form(xml)`.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { generateSigningKey, type SamlSigningKey } from '@/lib/dev-idp/saml/keys';
import { buildResponseXml, NAMEID_EMAIL, signElement, type ResponseInput } from '@/lib/dev-idp/saml/messages';
import type { ClaimAssertionId, SamlConnectionSettings } from '@/lib/sso-service/saml';
import type { SamlConnection, SamlSettings } from '@/lib/sso-service/storage/types';

export const IDP_ENTITY_ID = 'https://idp.example.test/saml/metadata';
export const SP_ENTITY_ID = 'https://sso.example.test/saml/sp/sso_test';
export const ACS_URL = 'https://sso.example.test/sso/callback/saml';
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

let keys: { idp: SamlSigningKey; other: SamlSigningKey; rotated: SamlSigningKey } | undefined;
/** The IdP's key, an attacker's key, and a second IdP key (rotation); made once per test file. */
export function testKeys() {
  keys ??= {
    idp: generateSigningKey('Test IdP'),
    other: generateSigningKey('Attacker'),
    rotated: generateSigningKey('Test IdP (next)'),
  };
  return keys;
}

export function testSettings(overrides: Partial<SamlConnectionSettings> = {}): SamlConnectionSettings {
  return {
    idpEntityId: IDP_ENTITY_ID,
    idpSsoUrl: 'https://idp.example.test/saml/sso',
    idpCertificates: [testKeys().idp.certificatePem],
    spEntityId: SP_ENTITY_ID,
    spAcsUrl: ACS_URL,
    ...overrides,
  };
}

/** The same IdP and SP as `testSettings()`, as the connections API takes them (one certificate, write-only). */
export function kitConnectionFields(): Record<string, string> {
  return {
    idpEntityId: IDP_ENTITY_ID,
    idpSsoUrl: 'https://idp.example.test/saml/sso',
    idpCertificate: testKeys().idp.certificatePem,
    spEntityId: SP_ENTITY_ID,
    spAcsUrl: ACS_URL,
  };
}

/** A stored SAML connection around `testSettings()` (for protocol-level tests without a service). */
export function testSamlConnection(
  overrides: Partial<SamlSettings> = {},
  groupAttribute: string | null = 'groups',
): SamlConnection {
  const { idpEntityId, idpSsoUrl, idpCertificates, spEntityId, spAcsUrl } = testSettings();
  return {
    id: 'sso_test',
    developerId: 'dev_test',
    name: 'Test SAML',
    status: 'active',
    isDefault: false,
    domains: [],
    provisioning: {
      jitProvisioning: true,
      groupAttribute,
      groupMappings: {},
      defaultScopes: [],
      verifiedDomainsOnly: false,
    },
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
    protocol: 'saml',
    saml: {
      idpEntityId,
      idpSsoUrl,
      idpCertificates: idpCertificates ?? [],
      idpMetadataUrl: null,
      spEntityId,
      spAcsUrl,
      spMetadataUrl: SP_ENTITY_ID,
      allowIdpInitiated: false,
      ...overrides,
    },
  };
}

export function newRequestId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

/** An in-memory single-use claim (storage backs it in the service). */
export function memoryClaims(): ClaimAssertionId & { claimed: Map<string, Date> } {
  const claimed = new Map<string, Date>();
  const claim = async (id: string, expiresAt: Date) => {
    if (claimed.has(id)) return false;
    claimed.set(id, expiresAt);
    return true;
  };
  return Object.assign(claim, { claimed });
}

export const ALICE = { nameId: 'alice@example.com', email: 'alice@example.com', name: 'Alice Anderson' };

export interface SignedResponseOptions extends Partial<ResponseInput> {
  requestId: string | null;
  signAssertion?: boolean;
  signResponse?: boolean;
  key?: SamlSigningKey;
  algorithm?: 'sha256' | 'sha1';
  keyInfo?: boolean;
}

/** A response as the IdP would send it (assertion signed by default), with any field overridden. */
export function signedResponse({
  requestId,
  signAssertion = true,
  signResponse = false,
  key,
  algorithm,
  keyInfo,
  ...input
}: SignedResponseOptions): string {
  const signer = key ?? testKeys().idp;
  const assertionId = input.assertionId ?? newRequestId();
  const responseId = input.responseId ?? newRequestId();
  let xml = buildResponseXml({
    idpEntityId: IDP_ENTITY_ID,
    spEntityId: SP_ENTITY_ID,
    acsUrl: ACS_URL,
    inResponseTo: requestId,
    nameId: ALICE.nameId,
    nameIdFormat: NAMEID_EMAIL,
    attributes: { email: [ALICE.email], displayName: [ALICE.name], groups: ['engineering', 'admins'] },
    ...input,
    assertionId,
    responseId,
  });
  if (signAssertion) xml = signElement(xml, { id: assertionId, key: signer, algorithm, keyInfo });
  if (signResponse) xml = signElement(xml, { id: responseId, key: signer, algorithm, keyInfo });
  return xml;
}

/** The SAMLResponse form value. */
export function form(xml: string): string {
  return Buffer.from(xml, 'utf8').toString('base64');
}

// ---- tampering -------------------------------------------------------------------------------------------

export const EVIL = 'mallory-admin@example.com';

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'text/xml');
}
function serialize(doc: Document): string {
  return new XMLSerializer().serializeToString(doc);
}
function child(parent: Element, ns: string, name: string): Element {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    const el = n as Element;
    if (n.nodeType === 1 && el.namespaceURI === ns && el.localName === name) return el;
  }
  throw new Error(`no ${name} child`);
}
function assertionOf(doc: Document): Element {
  return child(doc.documentElement!, SAML_NS, 'Assertion');
}
/** Rewrites the subject and email to the attacker's value (and the ID when asked). */
function evilize(assertion: Element, newId?: string): void {
  child(child(assertion, SAML_NS, 'Subject'), SAML_NS, 'NameID').textContent = EVIL;
  for (const v of Array.from(assertion.getElementsByTagNameNS(SAML_NS, 'AttributeValue'))) {
    if (v.textContent?.includes('@')) v.textContent = EVIL;
  }
  if (newId) assertion.setAttribute('ID', newId);
}
function withoutSignature(el: Element): Element {
  const copy = el.cloneNode(true) as Element;
  copy.removeChild(child(copy, DSIG_NS, 'Signature'));
  return copy;
}

/** XSW1/2: the signed Response turned evil (new ID, evil assertion); `place` puts the original (unsigned copy) back. */
function evilResponse(xml: string, place: (root: Element, signature: Element, original: Element) => void): string {
  const doc = parse(xml);
  const root = doc.documentElement!;
  const original = withoutSignature(root);
  root.setAttribute('ID', newRequestId());
  evilize(assertionOf(doc));
  place(root, child(root, DSIG_NS, 'Signature'), original);
  return serialize(doc);
}

/** XSW3/4/7: an unsigned evil copy of the signed Assertion (ID `newId`, or the same); `place` arranges both. */
function unsignedEvil(
  xml: string,
  newId: string | undefined,
  place: (doc: Document, original: Element, evil: Element) => void,
): string {
  const doc = parse(xml);
  const original = assertionOf(doc);
  const evil = withoutSignature(original);
  evilize(evil, newId);
  place(doc, original, evil);
  return serialize(doc);
}

/** XSW5/6/8: the signed Assertion turned evil (new ID) keeps its Signature; `place` puts an unsigned copy of the original somewhere. */
function evilKeepingSignature(xml: string, place: (doc: Document, signature: Element, copy: Element) => void): string {
  const doc = parse(xml);
  const original = assertionOf(doc);
  const copy = withoutSignature(original);
  evilize(original, newRequestId());
  place(doc, child(original, DSIG_NS, 'Signature'), copy);
  return serialize(doc);
}

/**
 * The eight XML Signature Wrapping variants (Somorovsky et al., "On Breaking SAML", 2012). 1–2 wrap a signed
 * Response, 3–8 a signed Assertion; each leaves a valid signature over the original content somewhere in the
 * document while the attacker's assertion sits where a careless reader looks.
 */
export const XSW: Record<string, (signedXml: string) => string> = {
  // Evil Response (new ID, evil assertion); the original signed Response inside its Signature element.
  XSW1: (xml) => evilResponse(xml, (root, signature, original) => signature.appendChild(original)),
  // As XSW1, with the original Response as a sibling before the Signature (detached signature).
  XSW2: (xml) => evilResponse(xml, (root, signature, original) => root.insertBefore(original, signature)),
  // An unsigned evil Assertion inserted before the original signed one.
  XSW3: (xml) =>
    unsignedEvil(xml, newRequestId(), (doc, original, evil) => doc.documentElement!.insertBefore(evil, original)),
  // The evil Assertion wraps the original signed one.
  XSW4: (xml) =>
    unsignedEvil(xml, newRequestId(), (doc, original, evil) => {
      doc.documentElement!.replaceChild(evil, original);
      evil.appendChild(original);
    }),
  // The evil Assertion keeps the original Signature; an unsigned copy of the original is appended to the Response.
  XSW5: (xml) => evilKeepingSignature(xml, (doc, _signature, copy) => doc.documentElement!.appendChild(copy)),
  // As XSW5, with the copy of the original inside the evil Assertion's Signature.
  XSW6: (xml) => evilKeepingSignature(xml, (_doc, signature, copy) => signature.appendChild(copy)),
  // The original signed Assertion hidden in an Extensions element; an unsigned evil Assertion (same ID) in its place.
  XSW7: (xml) =>
    unsignedEvil(xml, undefined, (doc, original, evil) => {
      const root = doc.documentElement!;
      const extensions = doc.createElementNS('urn:oasis:names:tc:SAML:2.0:protocol', 'samlp:Extensions');
      root.replaceChild(evil, original);
      extensions.appendChild(original);
      root.insertBefore(extensions, evil);
    }),
  // The evil Assertion keeps the Signature, which carries the unsigned original in a ds:Object.
  XSW8: (xml) =>
    evilKeepingSignature(xml, (doc, signature, copy) => {
      const object = doc.createElementNS(DSIG_NS, 'ds:Object');
      object.appendChild(copy);
      signature.appendChild(object);
    }),
};

/** Removes the Assertion's signature (for "unsigned assertion in a signed response", sign the Response after). */
export function stripAssertionSignature(xml: string): string {
  const doc = parse(xml);
  const assertion = assertionOf(doc);
  assertion.removeChild(child(assertion, DSIG_NS, 'Signature'));
  return serialize(doc);
}

/** Raw-deflates text the way the HTTP-Redirect binding does. */
export function deflateForRedirect(xml: string | Buffer): string {
  return deflateRawSync(xml).toString('base64');
}
