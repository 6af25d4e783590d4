/**
 * Encrypted assertions for tests, as an IdP makes them: sign the assertion (or not), encrypt it to the SP's
 * certificate, then sign the Response (or not). Two encryptors: Debian's `xmlsec1 --encrypt` (a party other than
 * the library the service decrypts with; the vendor-style case) and xml-encryption (which can also make the
 * algorithms the service refuses: RSA PKCS#1 v1.5, 3DES). Plus the tampering of the encryption attack suite.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xmlenc from 'xml-encryption';
import { signElement } from '@/lib/dev-idp/saml/messages';
import { assertionXmlOf, newRequestId, signedResponse, testKeys, type SignedResponseOptions } from './saml-kit';

const XMLENC = 'http://www.w3.org/2001/04/xmlenc#';
const XMLENC11 = 'http://www.w3.org/2009/xmlenc11#';
export const DATA_ALGORITHMS = {
  'aes128-gcm': `${XMLENC11}aes128-gcm`,
  'aes256-gcm': `${XMLENC11}aes256-gcm`,
  'aes128-cbc': `${XMLENC}aes128-cbc`,
  'aes256-cbc': `${XMLENC}aes256-cbc`,
  'tripledes-cbc': `${XMLENC}tripledes-cbc`,
} as const;
export type DataAlgorithm = keyof typeof DATA_ALGORITHMS;
export const KEY_TRANSPORT = {
  'rsa-oaep-mgf1p': `${XMLENC}rsa-oaep-mgf1p`,
  'rsa-1_5': `${XMLENC}rsa-1_5`,
} as const;
export type KeyTransport = keyof typeof KEY_TRANSPORT;

export interface EncryptOptions {
  /** The SP certificate (PEM) the content key is encrypted to. */
  encryptTo: string;
  data?: DataAlgorithm;
  keyTransport?: KeyTransport;
  /** `xmlsec1` (default for GCM/CBC with OAEP) or `xml-encryption`. */
  encryptor?: 'xmlsec1' | 'xml-encryption';
}

/** The EncryptedData for `plaintext` (an Assertion element as text), made by xml-encryption. */
export function xmlEncryptionEncrypt(plaintext: string, opts: EncryptOptions): Promise<string> {
  const rsaPub = new X509Certificate(opts.encryptTo).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return new Promise((resolve, reject) =>
    xmlenc.encrypt(
      plaintext,
      {
        rsa_pub: rsaPub,
        pem: opts.encryptTo,
        encryptionAlgorithm: DATA_ALGORITHMS[opts.data ?? 'aes256-gcm'],
        keyEncryptionAlgorithm: KEY_TRANSPORT[opts.keyTransport ?? 'rsa-oaep-mgf1p'],
        disallowEncryptionWithInsecureAlgorithm: false,
        warnInsecureAlgorithm: false,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
}

/** The EncryptedData for `plaintext`, made by Debian's xmlsec1 from a template (no certificate in KeyInfo). */
export function xmlsecEncrypt(plaintext: string, opts: EncryptOptions): string {
  const data = opts.data ?? 'aes256-gcm';
  const dir = mkdtempSync(join(tmpdir(), 'gx-xmlenc-'));
  try {
    writeFileSync(join(dir, 'cert.pem'), opts.encryptTo);
    writeFileSync(join(dir, 'data.xml'), plaintext);
    writeFileSync(
      join(dir, 'template.xml'),
      `<xenc:EncryptedData xmlns:xenc="${XMLENC}" Type="${XMLENC}Element">` +
        `<xenc:EncryptionMethod Algorithm="${DATA_ALGORITHMS[data]}"/>` +
        `<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><xenc:EncryptedKey>` +
        `<xenc:EncryptionMethod Algorithm="${KEY_TRANSPORT[opts.keyTransport ?? 'rsa-oaep-mgf1p']}">` +
        `<ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/></xenc:EncryptionMethod>` +
        `<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedKey></ds:KeyInfo>` +
        `<xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>`,
    );
    const sessionKey = data.startsWith('aes128') ? 'aes-128' : data.startsWith('tripledes') ? 'des-192' : 'aes-256';
    const out = execFileSync(
      'xmlsec1',
      [
        '--encrypt',
        '--pubkey-cert-pem',
        join(dir, 'cert.pem'),
        '--session-key',
        sessionKey,
        '--xml-data',
        join(dir, 'data.xml'),
        '--node-name',
        'urn:oasis:names:tc:SAML:2.0:assertion:Assertion',
        join(dir, 'template.xml'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString('utf8');
    return out.replace(/^<\?xml[^>]*\?>\s*/, '').trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const ASSERTION = /<saml:Assertion [\s\S]*<\/saml:Assertion>/;

/** The response with its assertion replaced by `<saml:EncryptedAssertion>` + `encryptedData`. */
export function withEncryptedAssertion(xml: string, encryptedData: string): string {
  return xml.replace(ASSERTION, () => `<saml:EncryptedAssertion>${encryptedData}</saml:EncryptedAssertion>`);
}

export interface EncryptedResponseOptions extends Omit<SignedResponseOptions, 'signResponse'>, EncryptOptions {
  /** Sign the Response after encrypting (covering the EncryptedAssertion); default false. */
  signResponse?: boolean;
  /** Changes the EncryptedData (as text) after the Response was signed: what an attacker in between does. */
  tamper?: (encryptedData: string) => string;
}

/** A response whose assertion (signed by default) is encrypted to `encryptTo`, the Response signed or not. */
export async function encryptedResponse({
  encryptTo,
  data,
  keyTransport,
  encryptor,
  signResponse = false,
  tamper,
  ...opts
}: EncryptedResponseOptions): Promise<string> {
  const responseId = opts.responseId ?? newRequestId();
  const plain = signedResponse({ ...opts, responseId, signResponse: false });
  const assertion = assertionXmlOf(plain);
  const enc = { encryptTo, ...(data ? { data } : {}), ...(keyTransport ? { keyTransport } : {}) };
  const useXmlsec = (encryptor ?? (keyTransport === 'rsa-1_5' ? 'xml-encryption' : 'xmlsec1')) === 'xmlsec1';
  const encryptedData = useXmlsec ? xmlsecEncrypt(assertion, enc) : await xmlEncryptionEncrypt(assertion, enc);
  let xml = withEncryptedAssertion(plain, encryptedData);
  if (signResponse) xml = signElement(xml, { id: responseId, key: opts.responseKey ?? opts.key ?? testKeys().idp });
  return tamper ? xml.replace(/<xenc:EncryptedData[\s\S]*<\/xenc:EncryptedData>/, (found) => tamper(found)) : xml;
}

/** The content CipherValue (the last one: EncryptedData's own, after the EncryptedKey's) as bytes, changed by `change`. */
export function tamperContent(encryptedData: string, change: (bytes: Buffer) => void): string {
  const values = [...encryptedData.matchAll(/<xenc:CipherValue>([^<]*)<\/xenc:CipherValue>/g)];
  const last = values[values.length - 1]!;
  const bytes = Buffer.from(last[1]!.replace(/\s+/g, ''), 'base64');
  change(bytes);
  const start = last.index!;
  return (
    encryptedData.slice(0, start) +
    `<xenc:CipherValue>${bytes.toString('base64')}</xenc:CipherValue>` +
    encryptedData.slice(start + last[0].length)
  );
}
