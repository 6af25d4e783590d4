/**
 * Values in the layouts the service wrote before sealed values carried a key id, byte for byte as that code
 * wrote them: a secret-box value (version 1: version | iv | tag | ciphertext, AAD = the associated data) and a
 * login state (version 2, AAD = the fixed label, key from HKDF over the one state secret). Upgrade tests seal
 * with these and check the current code still opens them.
 */
import { createCipheriv, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

export function legacySecretBoxSeal(rawKey: Buffer, plaintext: string, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', createSecretKey(rawKey), iv);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(1), iv, cipher.getAuthTag(), body]).toString('base64url');
}

export function legacyLoginState(stateSecret: string, payload: Record<string, unknown>): string {
  const key = createSecretKey(
    Buffer.from(hkdfSync('sha256', stateSecret, 'grantex-sso', 'login-state/aes-256-gcm/v2', 32)),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from('grantex-login-state', 'utf8'));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.of(2), iv, cipher.getAuthTag(), body]).toString('base64url');
}
