/**
 * A SAML SP key pair: an RSA-3072 key made by node:crypto (in the thread pool, off the event loop) and a
 * self-signed SHA-256 certificate around its public key. Node cannot build certificates, so node-forge lays out
 * the certificate and node:crypto signs it, once per key (SAML metadata carries keys as certificates; nothing
 * checks a chain).
 * RSA-3072: NIST's strength for use past 2030, and every IdP that imports SP metadata reads it.
 */
import { createPrivateKey, generateKeyPair, randomBytes, sign, X509Certificate } from 'node:crypto';
import { promisify } from 'node:util';
import forge from 'node-forge';

export const SP_KEY_BITS = 3072;
/** How long a generated certificate is valid; IdPs ignore an SP certificate's dates, the console shows them. */
export const SP_CERTIFICATE_DAYS = 3 * 365;

export interface SpKeyPair {
  /** PKCS#8 PEM. Seal it before storing; never log or return it. */
  privateKeyPem: string;
  certificatePem: string;
}

const generateRsa = promisify(generateKeyPair);
/** node-forge's TBSCertificate builder (public in forge, missing from its type definitions). */
const forgeTbs = forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };

export async function generateSpKeyPair(commonName: string, now: Date = new Date()): Promise<SpKeyPair> {
  const { privateKey, publicKey } = await generateRsa('rsa', {
    modulusLength: SP_KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive 16-byte serial (the high bit cleared), random so two certificates never share one.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + SP_CERTIFICATE_DAYS * 24 * 60 * 60 * 1000);
  const name = [{ name: 'commonName', value: commonName.slice(0, 64) }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
  ]);
  // forge lays out the TBSCertificate; node:crypto signs it (forge's own RSA in JavaScript would hold the event
  // loop for ~100 ms per key).
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = forge.pki.oids.sha256WithRSAEncryption!;
  const tbs = Buffer.from(forge.asn1.toDer(forgeTbs.getTBSCertificate(cert)).getBytes(), 'binary');
  cert.signature = sign('sha256', tbs, createPrivateKey(privateKey)).toString('binary');
  const certificatePem = forge.pki.certificateToPem(cert).replace(/\r\n/g, '\n');
  // The certificate must read back with node:crypto, verify as self-signed and match the key.
  const parsed = new X509Certificate(certificatePem);
  if (!parsed.verify(parsed.publicKey) || !parsed.checkPrivateKey(createPrivateKey(privateKey)))
    throw new Error('SP certificate does not match its key');
  return { privateKeyPem: privateKey, certificatePem };
}
