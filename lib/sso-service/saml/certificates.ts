/** IdP certificates: PEM normalisation (a pasted bundle's signing certificate) and what the console shows (fingerprint, validity, expiry status). */
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

const PEM_BLOCKS = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/]+={0,2}$/;

interface Parsed {
  pem: string;
  cert: X509Certificate;
}

/** One base64 DER body (whitespace ignored) as a canonical PEM and its parsed certificate. */
function parseBody(raw: string): Parsed {
  const body = raw.replace(/\s+/g, '');
  if (!body || !BASE64_BODY.test(body)) throw new SamlError('invalid_certificate');
  const lines = body.match(/.{1,64}/g) ?? [];
  const pem = `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    return { pem, cert: new X509Certificate(pem) };
  } catch {
    throw new SamlError('invalid_certificate');
  }
}

/** Whether `issuer` issued `subject`: names and key identifiers match (checkIssued) and its key verifies the signature. */
function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * The signing certificate of a pasted bundle (a chain in any order, as IdP screens and CAs hand them out): the
 * one certificate that is not a CA (basicConstraints CA false or absent) and issued none of the others. Only
 * it is kept; the rest of the bundle is never trusted, since the IdP's signature is checked against the kept
 * certificate's key alone. Several candidates is a refusal, not a guess (`certificate_ambiguous`, also for
 * several unrelated CA-flagged certificates, as `openssl req -x509` makes them); a chain without its leaf is
 * `certificate_missing`.
 */
function signingCertificate(certs: Parsed[]): Parsed {
  const issuedNone = certs.filter((c) => !certs.some((o) => o !== c && issued(c.cert, o.cert)));
  const leaves = issuedNone.filter((c) => !c.cert.ca);
  if (leaves.length === 1) return leaves[0]!;
  throw new SamlError(leaves.length > 1 || issuedNone.length > 1 ? 'certificate_ambiguous' : 'certificate_missing');
}

/**
 * Accepts a PEM certificate, a bundle of PEM certificates (the signing certificate is picked, see
 * signingCertificate), or the bare base64 body (as IdP metadata and many admin screens give it), and returns
 * one canonical PEM. Text holding no certificate, an unreadable one, or an ambiguous bundle is refused.
 */
export function normalizeCertificatePem(input: string): string {
  const blocks = [...input.matchAll(PEM_BLOCKS)].map((m) => m[1] ?? '');
  if (blocks.length === 0) {
    if (input.includes('BEGIN CERTIFICATE')) throw new SamlError('invalid_certificate');
    // Another PEM (a private or public key, a request), or nothing at all.
    if (input.includes('-----BEGIN ') || input.trim() === '') throw new SamlError('certificate_missing');
    return parseBody(input).pem;
  }
  const unique = new Map<string, Parsed>();
  for (const block of blocks) {
    const parsed = parseBody(block);
    unique.set(parsed.cert.fingerprint256, parsed);
  }
  const certs = [...unique.values()];
  return certs.length === 1 ? certs[0]!.pem : signingCertificate(certs).pem;
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
