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

/** Every signature in the document must use an allowed signature and digest algorithm. */
export function refuseWeakAlgorithms(doc: Document): void {
  for (const el of elements(doc, DSIG_NS, 'SignatureMethod')) {
    if (!ALLOWED_SIGNATURE_ALGORITHMS.has(el.getAttribute('Algorithm') ?? '')) throw new SamlError('weak_algorithm');
  }
  for (const el of elements(doc, DSIG_NS, 'DigestMethod')) {
    if (!ALLOWED_DIGEST_ALGORITHMS.has(el.getAttribute('Algorithm') ?? '')) throw new SamlError('weak_algorithm');
  }
}

/** Checks a SAMLResponse document's shape before signature verification. */
export function checkResponseDocument(doc: Document): void {
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SAMLP_NS || root.localName !== 'Response')
    throw new SamlError('malformed_response');
  if (elements(doc, SAML_NS, 'EncryptedAssertion').length > 0) throw new SamlError('encrypted_assertion_unsupported');
  refuseWeakAlgorithms(doc);
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
