/**
 * AES-256-GCM for small secrets at rest (the IdP client secret).
 * The associated data binds a ciphertext to its owner (the developer id): a row copied into another
 * organization's config fails to decrypt instead of leaking the other org's secret.
 * Layout: version(1) | iv(12) | tag(16) | ciphertext, as base64url text (storage keeps the bytes).
 */
import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { createRandomPool } from './random-pool';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = 1 + IV_BYTES + TAG_BYTES;

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export interface SecretBox {
  seal(plaintext: string, associatedData: string): string;
  open(sealed: string, associatedData: string): string;
}

export function createSecretBox(rawKey: Buffer): SecretBox {
  if (rawKey.length !== 32) throw new SecretBoxError('encryption key must be 32 bytes');
  // A KeyObject halves the cost of each cipher set-up compared with passing raw key bytes.
  const key = createSecretKey(rawKey);
  const random = createRandomPool(4096);
  return {
    seal(plaintext, associatedData) {
      const iv = random(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(associatedData, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealedText, associatedData) {
      const sealed = Buffer.from(sealedText, 'base64url');
      if (sealed.length < HEADER || sealed[0] !== VERSION) throw new SecretBoxError('unsupported ciphertext');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER));
      try {
        return Buffer.concat([decipher.update(sealed.subarray(HEADER)), decipher.final()]).toString('utf8');
      } catch {
        // Never include the cause: it adds nothing and must not echo key material.
        throw new SecretBoxError('ciphertext failed authentication');
      }
    },
  };
}
