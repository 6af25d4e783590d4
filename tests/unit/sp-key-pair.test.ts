/** A SAML connection's SP key pair: RSA-3072 and a self-signed SHA-256 certificate that matches it. */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSpKeyPair, SP_CERTIFICATE_DAYS } from '@/lib/sso-service/crypto/sp-key-pair';

describe('SP key pair', () => {
  it('is RSA-3072 with a self-signed, non-CA SHA-256 certificate for its own key, valid from now', async () => {
    const now = new Date();
    const { privateKeyPem, certificatePem } = await generateSpKeyPair('Grantex SSO SP signing sso_x', now);
    const cert = new X509Certificate(certificatePem);
    const key = createPrivateKey(privateKeyPem);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.subject).toBe('CN=Grantex SSO SP signing sso_x');
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(now.getTime());
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(now.getTime() + (SP_CERTIFICATE_DAYS - 1) * 864e5);
    // Two keys never share a serial number or a key.
    const other = new X509Certificate((await generateSpKeyPair('Grantex SSO SP signing sso_x', now)).certificatePem);
    expect(other.serialNumber).not.toBe(cert.serialNumber);
    expect(other.fingerprint256).not.toBe(cert.fingerprint256);
  });
});
