/**
 * The dev IdP encrypts the assertion when the SP asks for it the standard way: its metadata (fetched from the
 * AuthnRequest's Issuer when that is a loopback http(s) URL, as this service's SP entity IDs are in
 * development) lists a `KeyDescriptor use="encryption"`. AES-256-GCM content, RSA-OAEP key transport, by
 * xml-encryption; the assertion is signed before it is encrypted. Anything unreachable or unreadable: no
 * encryption (development only; the SP then says what it expected).
 */
import { X509Certificate } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import xmlenc from 'xml-encryption';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const MD_NS = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
const MAX_METADATA_BYTES = 256 * 1024;

/** The first encryption certificate (PEM) in the SP's metadata at `spEntityId`, or null. */
export async function spEncryptionCertificate(spEntityId: string): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(spEntityId);
  } catch {
    return null;
  }
  if (!/^https?:$/.test(url.protocol) || !LOOPBACK_HOSTS.has(url.hostname)) return null;
  try {
    const res = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(2000) });
    const text = await res.text();
    if (res.status !== 200 || text.length > MAX_METADATA_BYTES || /<!\s*(DOCTYPE|ENTITY)/i.test(text)) return null;
    const doc = new DOMParser({ errorHandler: () => undefined }).parseFromString(text, 'text/xml');
    for (const descriptor of Array.from(doc.getElementsByTagNameNS(MD_NS, 'KeyDescriptor'))) {
      if (descriptor.getAttribute('use') !== 'encryption') continue;
      const body = descriptor.getElementsByTagNameNS(DSIG_NS, 'X509Certificate')[0]?.textContent?.replace(/\s+/g, '');
      if (body) return new X509Certificate(Buffer.from(body, 'base64')).toString();
    }
  } catch {
    return null;
  }
  return null;
}

/** The response with its (signed) Assertion replaced by an EncryptedAssertion to `certificatePem`. */
export function encryptAssertion(responseXml: string, certificatePem: string): Promise<string> {
  const found = /<saml:Assertion [\s\S]*<\/saml:Assertion>/.exec(responseXml);
  if (!found) return Promise.resolve(responseXml);
  // The assertion travels alone: it declares the prefix it uses (exclusive canonicalization signs it that way).
  const assertion = found[0].replace(
    '<saml:Assertion ',
    '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ',
  );
  const rsaPub = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return new Promise((resolve, reject) =>
    xmlenc.encrypt(
      assertion,
      {
        rsa_pub: rsaPub,
        pem: certificatePem,
        encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true,
      },
      (err, encrypted) =>
        err
          ? reject(err)
          : resolve(
              responseXml.replace(found[0], () => `<saml:EncryptedAssertion>${encrypted}</saml:EncryptedAssertion>`),
            ),
    ),
  );
}
