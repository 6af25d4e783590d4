/** IdP certificates: PEM normalisation and what the console shows (fingerprint, validity, expiry status). */
import { X509Certificate } from 'node:crypto';
import { SamlError } from './errors';

/** Warn this long before a certificate expires. */
export const CERTIFICATE_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export type CertificateStatus = 'ok' | 'expiring' | 'expired';

export interface CertificateInfo {
  /** The normalised PEM (one certificate). */
  pem: string;
  /** SHA-256 fingerprint, upper-case hex pairs separated by colons (as IdP consoles show it). */
  fingerprintSha256: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  /** `expiring` from CERTIFICATE_WARNING_DAYS before notAfter; `expired` at and after notAfter (or before notBefore). */
  status(now?: Date): CertificateStatus;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;

/**
 * Accepts a PEM certificate or the bare base64 body (as IdP metadata and many admin screens give it) and
 * returns one canonical PEM. Anything that is not exactly one X.509 certificate is refused.
 */
export function normalizeCertificatePem(input: string): string {
  const match = PEM_BLOCK.exec(input);
  const body = (match?.[1] ?? input).replace(/\s+/g, '');
  if (!body || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new SamlError('invalid_certificate');
  const lines = body.match(/.{1,64}/g) ?? [];
  const pem = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    new X509Certificate(pem);
  } catch {
    throw new SamlError('invalid_certificate');
  }
  return pem;
}

export function certificateInfo(input: string): CertificateInfo {
  const pem = normalizeCertificatePem(input);
  const cert = new X509Certificate(pem);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  return {
    pem,
    fingerprintSha256: cert.fingerprint256,
    subject: cert.subject.replace(/\n/g, ', '),
    notBefore,
    notAfter,
    status(now = new Date()) {
      const t = now.getTime();
      if (t >= notAfter.getTime() || t < notBefore.getTime()) return 'expired';
      return notAfter.getTime() - t <= CERTIFICATE_WARNING_DAYS * DAY_MS ? 'expiring' : 'ok';
    },
  };
}
