/**
 * What every incoming SAML document goes through before any library reads it: a size cap on the encoded form,
 * strict base64, UTF-8 only, no DOCTYPE or entity declaration (refused as text, before any parser sees it),
 * a strict parse (any parser warning or error is a refusal), and an allow-list of signature and digest
 * algorithms (SHA-1 is refused).
 */
import { DOMParser } from '@xmldom/xmldom';
import { SamlError, type SamlReason } from './errors';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const SAMLP_NS = 'urn:oasis:names:tc:SAML:2.0:protocol';
export const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';
export const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
export const XENC_NS = 'http://www.w3.org/2001/04/xmlenc#';

/** Default cap on a base64 SAMLResponse (≈190 KB of XML; real responses are a few KB). */
export const DEFAULT_MAX_RESPONSE_BASE64 = 256 * 1024;

const ALLOWED_SIGNATURE_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
]);
const ALLOWED_DIGEST_ALGORITHMS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Decodes a base64 form field (whitespace tolerated, as IdPs wrap lines) under a size cap. */
export function decodeBase64Xml(encoded: string, maxBase64Chars: number): string {
  if (encoded.length > maxBase64Chars) throw new SamlError('response_too_large');
  const compact = encoded.replace(/[\r\n\t ]/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact))
    throw new SamlError('malformed_response');
  return utf8Xml(Buffer.from(compact, 'base64'));
}

/** Bytes to text: UTF-8 only (a UTF-16 document could hide a DOCTYPE from the text check). */
export function utf8Xml(bytes: Buffer): string {
  if (bytes.includes(0)) throw new SamlError('malformed_response', 'Only UTF-8 documents are accepted.');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Refuses DOCTYPE and ENTITY declarations anywhere in the text, before parsing. */
export function refuseDoctype(xml: string): void {
  if (/<!\s*(DOCTYPE|ENTITY)/i.test(xml)) throw new SamlError('doctype_refused');
}

/** Parses with every parser complaint treated as a refusal. */
export function parseStrict(xml: string, reason: SamlReason = 'malformed_response'): Document {
  refuseDoctype(xml);
  const fail = () => {
    throw new SamlError(reason);
  };
  const doc = new DOMParser({ errorHandler: { warning: fail, error: fail, fatalError: fail } }).parseFromString(
    xml,
    'text/xml',
  );
  if (!doc || !doc.documentElement) throw new SamlError(reason);
  return doc;
}

function elements(doc: Document | Element, ns: string, name: string): Element[] {
  return Array.from(doc.getElementsByTagNameNS(ns, name));
}

const isEncryptionMethod = (el: Node | null) =>
  el !== null &&
  el.nodeType === 1 &&
  (el as Element).namespaceURI === XENC_NS &&
  (el as Element).localName === 'EncryptionMethod';

/**
 * Every signature in the document must use an allowed signature and digest algorithm. (The digest inside an
 * RSA-OAEP key-transport method is the OAEP hash, not a signature's: checkEncryptedAssertion rules on it.)
 */
export function refuseWeakAlgorithms(doc: Document | Element): void {
  for (const el of elements(doc, DSIG_NS, 'SignatureMethod')) {
    if (!ALLOWED_SIGNATURE_ALGORITHMS.has(el.getAttribute('Algorithm') ?? '')) throw new SamlError('weak_algorithm');
  }
  for (const el of elements(doc, DSIG_NS, 'DigestMethod')) {
    if (isEncryptionMethod(el.parentNode)) continue;
    if (!ALLOWED_DIGEST_ALGORITHMS.has(el.getAttribute('Algorithm') ?? '')) throw new SamlError('weak_algorithm');
  }
}

/** Checks a SAMLResponse document's shape before signature verification. */
export function checkResponseDocument(doc: Document): void {
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SAMLP_NS || root.localName !== 'Response')
    throw new SamlError('malformed_response');
  // An encrypted assertion is read only as a direct child of the Response (node-saml's rule too).
  if (elements(doc, SAML_NS, 'EncryptedAssertion').length !== childElements(root, SAML_NS, 'EncryptedAssertion').length)
    throw new SamlError('malformed_response');
  refuseWeakAlgorithms(doc);
}

// ---- encrypted assertions ----------------------------------------------------------------------------------

/** Content encryption: AES-GCM (authenticated) anywhere; AES-CBC only inside a signed Response (README). */
export const GCM_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2009/xmlenc11#aes128-gcm',
  'http://www.w3.org/2009/xmlenc11#aes256-gcm',
]);
export const CBC_ALGORITHMS: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  'http://www.w3.org/2001/04/xmlenc#aes256-cbc',
]);
/** Key transport: RSA-OAEP (MGF1 with SHA-1, the only OAEP form xml-encryption 3.1 decrypts as named). */
const KEY_TRANSPORT_ALGORITHMS: ReadonlySet<string> = new Set(['http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p']);
/** The OAEP digest xml-encryption applies for rsa-oaep-mgf1p: SHA-1 (absent means SHA-1 too). */
const OAEP_DIGESTS: ReadonlySet<string> = new Set(['http://www.w3.org/2000/09/xmldsig#sha1']);
/** Broken or deprecated: PKCS#1 v1.5 key transport (Bleichenbacher's oracle) and 3DES. */
const WEAK_ENCRYPTION: ReadonlySet<string> = new Set([
  'http://www.w3.org/2001/04/xmlenc#rsa-1_5',
  'http://www.w3.org/2001/04/xmlenc#tripledes-cbc',
]);
const ID_REFERENCE = /^#[A-Za-z_][A-Za-z0-9_.-]{0,255}$/;

export interface EncryptedAssertionShape {
  element: Element;
  /** The content is AES-CBC (accepted only when a verified Response signature covers it). */
  cbc: boolean;
  /** The base64 body of the certificate the key was encrypted to, when the IdP names it (picks the SP key). */
  recipientCertificate: string | null;
}

function onlyChildren(parent: Element, allowed: ReadonlyArray<[string, string]>): void {
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    if (!allowed.some(([ns, name]) => el.namespaceURI === ns && el.localName === name))
      throw new SamlError('unsupported_encryption');
  }
}

function algorithmOf(method: Element | undefined, allowed: ReadonlySet<string>): string {
  const algorithm = method?.getAttribute('Algorithm') ?? '';
  if (WEAK_ENCRYPTION.has(algorithm)) throw new SamlError('weak_encryption');
  if (!allowed.has(algorithm)) throw new SamlError('unsupported_encryption');
  return algorithm;
}

/**
 * The one shape of EncryptedAssertion decrypted here, checked before any key is used: one xenc:EncryptedData
 * (AES-GCM or AES-CBC, its cipher text inline) and exactly one xenc:EncryptedKey (RSA-OAEP), inside the
 * EncryptedData's KeyInfo or beside it (then named by a RetrievalMethod `#id`). RSA PKCS#1 v1.5 and 3DES →
 * `weak_encryption`; any other algorithm, a CipherReference, a second key or data element → `unsupported_encryption`.
 * Everything here is read from the text as sent (nothing secret), so its answers leak nothing about the plaintext.
 */
export function checkEncryptedAssertion(encrypted: Element): EncryptedAssertionShape {
  onlyChildren(encrypted, [
    [XENC_NS, 'EncryptedData'],
    [XENC_NS, 'EncryptedKey'],
  ]);
  const data = childElements(encrypted, XENC_NS, 'EncryptedData');
  const keys = elements(encrypted, XENC_NS, 'EncryptedKey');
  if (data.length !== 1 || keys.length !== 1) throw new SamlError('unsupported_encryption');
  const encryptedData = data[0]!;
  const dataMethods = childElements(encryptedData, XENC_NS, 'EncryptionMethod');
  if (dataMethods.length !== 1) throw new SamlError('unsupported_encryption');
  const dataAlgorithm = algorithmOf(dataMethods[0], new Set([...GCM_ALGORITHMS, ...CBC_ALGORITHMS]));
  for (const cipherData of elements(encrypted, XENC_NS, 'CipherData')) {
    const values = childElements(cipherData, XENC_NS, 'CipherValue');
    if (values.length !== 1 || elements(cipherData, XENC_NS, 'CipherReference').length > 0)
      throw new SamlError('unsupported_encryption');
  }
  // AES-GCM as xml-encryption reads it: a 12-byte IV, the cipher text, a 16-byte tag. Anything shorter would be
  // read with a truncated tag (over an empty plaintext, but it is refused all the same).
  const dataCipher = childElements(encryptedData, XENC_NS, 'CipherData');
  if (dataCipher.length !== 1) throw new SamlError('unsupported_encryption');
  const content = childElements(dataCipher[0]!, XENC_NS, 'CipherValue')[0];
  if (GCM_ALGORITHMS.has(dataAlgorithm) && Buffer.from(content?.textContent ?? '', 'base64').length < 12 + 16 + 1)
    throw new SamlError('unsupported_encryption');
  const key = keys[0]!;
  const keyMethods = childElements(key, XENC_NS, 'EncryptionMethod');
  if (keyMethods.length !== 1) throw new SamlError('unsupported_encryption');
  algorithmOf(keyMethods[0], KEY_TRANSPORT_ALGORITHMS);
  for (let n = keyMethods[0]!.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    // Only the OAEP digest may be named (and only as SHA-1); an MGF or OAEPparams are not decrypted here.
    if (
      el.namespaceURI !== DSIG_NS ||
      el.localName !== 'DigestMethod' ||
      !OAEP_DIGESTS.has(el.getAttribute('Algorithm') ?? '')
    )
      throw new SamlError('unsupported_encryption');
  }
  // Every other EncryptionMethod (there are none in the shape above) would be read by nobody: refuse them too.
  if (elements(encrypted, XENC_NS, 'EncryptionMethod').length !== 2) throw new SamlError('unsupported_encryption');
  // A key beside the data is named by a RetrievalMethod; xml-encryption puts its URI into an XPath, so only a
  // plain `#id` is let through.
  for (const retrieval of elements(encrypted, DSIG_NS, 'RetrievalMethod')) {
    if (!ID_REFERENCE.test(retrieval.getAttribute('URI') ?? '')) throw new SamlError('unsupported_encryption');
  }
  if (key.parentNode === encrypted) {
    const id = key.getAttribute('Id');
    const named = elements(encryptedData, DSIG_NS, 'RetrievalMethod').some((r) => r.getAttribute('URI') === `#${id}`);
    if (!id || !named) throw new SamlError('unsupported_encryption');
  } else {
    const keyInfo = key.parentNode as Element | null;
    if (keyInfo?.parentNode !== encryptedData) throw new SamlError('unsupported_encryption');
  }
  const certificate = elements(key, DSIG_NS, 'X509Certificate')[0]?.textContent?.replace(/\s+/g, '') ?? null;
  return { element: encrypted, cbc: CBC_ALGORITHMS.has(dataAlgorithm), recipientCertificate: certificate || null };
}

export function childElements(parent: Element, ns: string, name: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const el = n as Element;
      if (el.namespaceURI === ns && el.localName === name) out.push(el);
    }
  }
  return out;
}

export { elements as descendants };
