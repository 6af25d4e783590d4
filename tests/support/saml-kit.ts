/**
 * One place to build SAML responses for tests: the dev IdP's templates and signer (lib/dev-idp/saml/messages),
 * test keys, connection settings, and the tampering used by the XML-attack suite (XSW variants and friends).
 * Module-level tests call validatePostResponse with `form(xml)`; route tests can post the same `form(xml)`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
export const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
/** Another IdP (the attacker's own, configured at the attacker's own connection). */
export const OTHER_IDP_ENTITY_ID = 'https://other-idp.example.test/saml/metadata';
/** Another connection's SP entity ID (same IdP). */
export const OTHER_SP_ENTITY_ID = 'https://sso.example.test/saml/sp/sso_other';
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
      maxSessionSeconds: null,
      maxAuthAgeSeconds: null,
      directoryUsersOnly: false,
      consoleRoleMappings: {},
      enforce: false,
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
      attributeMapping: {},
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
  /** Sign the Assertion (default true). */
  signAssertion?: boolean;
  /**
   * Sign the Response as a whole (default false), after the assertion when both are signed. With
   * `signAssertion: false` this is Keycloak's and Shibboleth IdP's default (see `responseSigned`).
   */
  signResponse?: boolean;
  key?: SamlSigningKey;
  /** The key of the Response signature when it differs from the assertion's (`key`). */
  responseKey?: SamlSigningKey;
  algorithm?: 'sha256' | 'sha1';
  keyInfo?: boolean;
  /** Changes the document after the assertion is signed and before the Response is (what the IdP itself signs). */
  beforeResponseSignature?: (xml: string) => string;
}

/** A response as the IdP would send it (assertion signed by default), with any field overridden. */
export function signedResponse({
  requestId,
  signAssertion = true,
  signResponse = false,
  key,
  responseKey,
  algorithm,
  keyInfo,
  beforeResponseSignature,
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
  if (beforeResponseSignature) xml = beforeResponseSignature(xml);
  if (signResponse) xml = signElement(xml, { id: responseId, key: responseKey ?? signer, algorithm, keyInfo });
  return xml;
}

/** A Response signed as a whole with the assertion inside unsigned (Keycloak's and Shibboleth IdP's default). */
export function responseSigned(opts: Omit<SignedResponseOptions, 'signAssertion' | 'signResponse'>): string {
  return signedResponse({ ...opts, signAssertion: false, signResponse: true });
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
function serialize(node: Node): string {
  return new XMLSerializer().serializeToString(node);
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
/** A copy of `el` without its own Signature (if it has one). */
function withoutSignature(el: Element): Element {
  const copy = el.cloneNode(true) as Element;
  for (let n = copy.firstChild; n; n = n.nextSibling) {
    const c = n as Element;
    if (n.nodeType === 1 && c.namespaceURI === DSIG_NS && c.localName === 'Signature') {
      copy.removeChild(c);
      break;
    }
  }
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

/** An element to put under a Response, in schema order: right before its Status. */
function beforeStatus(root: Element, el: Element): void {
  root.insertBefore(el, child(root, SAMLP_NS, 'Status'));
}
function extensions(doc: Document): Element {
  return doc.createElementNS(SAMLP_NS, 'samlp:Extensions');
}

/**
 * Wrapping attacks on a Response signature (the document signed as a whole, its assertion unsigned): each
 * leaves the IdP's valid signature over the original Response somewhere in the document while an evil
 * Response or assertion sits where a careless reader looks.
 */
export const RESPONSE_XSW: Record<string, (responseSignedXml: string) => string> = {
  // An evil Response (new ID, evil assertion) keeps the Signature, which now carries the original Response.
  'XSW1 on the Response signature (the signed Response inside its Signature)': XSW.XSW1!,
  // As above, with the original Response a sibling before the Signature.
  'XSW2 on the Response signature (the signed Response beside its Signature)': XSW.XSW2!,
  // An evil Response keeps the Signature; the original (its Reference's target) sits in an Extensions wrapper.
  'the signed Response in an Extensions wrapper, an evil Response at the root keeping the Signature': (xml) =>
    evilResponse(xml, (root, _signature, original) => {
      const wrapper = extensions(root.ownerDocument!);
      wrapper.appendChild(original);
      beforeStatus(root, wrapper);
    }),
  // The whole signed Response (with its Signature) in an Extensions wrapper of an unsigned evil Response.
  'the whole signed Response in an Extensions wrapper of an unsigned evil Response': (xml) => {
    const doc = parse(xml);
    const original = doc.documentElement!;
    const evil = withoutSignature(original);
    evil.setAttribute('ID', newRequestId());
    evilize(child(evil, SAML_NS, 'Assertion'));
    doc.replaceChild(evil, original);
    const wrapper = extensions(doc);
    wrapper.appendChild(original);
    beforeStatus(evil, wrapper);
    return serialize(doc);
  },
  // The signed Response inside a ds:Object of an evil Response's Signature.
  'the signed Response in a ds:Object of the Signature, an evil Response at the root': (xml) =>
    evilResponse(xml, (_root, signature, original) => {
      const object = signature.ownerDocument!.createElementNS(DSIG_NS, 'ds:Object');
      object.appendChild(original);
      signature.appendChild(object);
    }),
  // An unsigned evil assertion inserted beside the signed Response's own (before it, where a first-match reader looks).
  'an evil assertion inserted beside the one the Response signature covers': (xml) =>
    unsignedEvil(xml, newRequestId(), (doc, original, evil) => doc.documentElement!.insertBefore(evil, original)),
  // The original assertion moved into the Signature (outside the enveloped digest), an evil one in its place.
  'the covered assertion moved into the Signature, an evil one in its place': (xml) =>
    unsignedEvil(xml, undefined, (doc, original, evil) => {
      const root = doc.documentElement!;
      root.replaceChild(evil, original);
      const object = doc.createElementNS(DSIG_NS, 'ds:Object');
      object.appendChild(original);
      child(root, DSIG_NS, 'Signature').appendChild(object);
    }),
};

/**
 * An assertion-signed document whose Signature is moved up to the Response: its Reference still points at the
 * original assertion, now hidden in an Extensions wrapper, while an unsigned evil assertion takes its place.
 */
export function signatureReferencingElsewhere(assertionSignedXml: string): string {
  const doc = parse(assertionSignedXml);
  const root = doc.documentElement!;
  const original = assertionOf(doc);
  const signature = child(original, DSIG_NS, 'Signature');
  original.removeChild(signature);
  const evil = original.cloneNode(true) as Element;
  evilize(evil, newRequestId());
  root.replaceChild(evil, original);
  const wrapper = extensions(doc);
  wrapper.appendChild(original);
  beforeStatus(root, wrapper);
  root.insertBefore(signature, wrapper);
  return serialize(doc);
}

/**
 * An unsigned evil copy of the assertion inside the Response's Signature (a ds:Object): the enveloped-signature
 * transform leaves the Signature out of the digest, so the Response signature still verifies.
 */
export function withEvilAssertionInSignature(responseSignedXml: string): string {
  return unsignedEvil(responseSignedXml, newRequestId(), (doc, _original, evil) => {
    const object = doc.createElementNS(DSIG_NS, 'ds:Object');
    object.appendChild(evil);
    child(doc.documentElement!, DSIG_NS, 'Signature').appendChild(object);
  });
}

/** Adds an unsigned evil copy of the document's assertion (new ID) after it: a second assertion. */
export function withSecondAssertion(xml: string): string {
  return unsignedEvil(xml, newRequestId(), (doc, _original, evil) => doc.documentElement!.appendChild(evil));
}

/** The Assertion element of a document, as text. */
export function assertionXmlOf(xml: string): string {
  return serialize(assertionOf(parse(xml)));
}

/** Replaces the document's assertion with `assertionXml` (e.g. one taken from another IdP's response). */
export function replaceAssertion(xml: string, assertionXml: string): string {
  const doc = parse(xml);
  const foreign = doc.importNode(parse(assertionXml).documentElement!, true);
  doc.documentElement!.replaceChild(foreign, assertionOf(doc));
  return serialize(doc);
}

/** The attacker's own IdP's signed assertion for the attacker's NameID (its own key and entity ID). */
export function foreignIdpAssertion(requestId: string | null): string {
  return assertionXmlOf(
    signedResponse({
      requestId,
      idpEntityId: OTHER_IDP_ENTITY_ID,
      key: testKeys().other,
      nameId: EVIL,
      attributes: { email: [EVIL] },
    }),
  );
}

/** A CA certificate and a signing (leaf, CA:FALSE) key pair it issued, made with the openssl command. */
export function caIssuedKey(commonName: string): { ca: SamlSigningKey; leaf: SamlSigningKey } {
  const dir = mkdtempSync(join(tmpdir(), 'saml-kit-ca-'));
  const file = (name: string) => join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const cn = commonName.replace(/[/=\\]/g, ' ');
  try {
    writeFileSync(
      file('ca.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        'x509_extensions = v3_ca',
        'prompt = no',
        '[dn]',
        `CN = ${cn} CA`,
        '[v3_ca]',
        'basicConstraints = critical,CA:TRUE',
        'keyUsage = critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier = hash',
        '',
      ].join('\n'),
    );
    writeFileSync(
      file('leaf.ext'),
      [
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    const caKey = ['-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '365'];
    openssl(['req', '-x509', '-config', file('ca.cnf'), '-newkey', 'rsa:2048', '-sha256', '-nodes', ...caKey]);
    const leafKey = ['-keyout', file('leaf.key'), '-out', file('leaf.csr'), '-subj', `/CN=${cn}`];
    openssl(['req', '-new', '-config', file('ca.cnf'), '-newkey', 'rsa:2048', '-nodes', ...leafKey]);
    const issuer = ['-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', '2', '-days', '365', '-sha256'];
    openssl([
      'x509',
      '-req',
      '-in',
      file('leaf.csr'),
      ...issuer,
      '-extfile',
      file('leaf.ext'),
      '-out',
      file('leaf.pem'),
    ]);
    const read = (name: string) => readFileSync(file(name), 'utf8');
    return {
      ca: { privateKeyPem: read('ca.key'), certificatePem: read('ca.pem') },
      leaf: { privateKeyPem: read('leaf.key'), certificatePem: read('leaf.pem') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Raw-deflates text the way the HTTP-Redirect binding does. */
export function deflateForRedirect(xml: string | Buffer): string {
  return deflateRawSync(xml).toString('base64');
}
