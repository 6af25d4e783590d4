/**
 * AES-256-GCM for small secrets at rest (IdP client secrets, SP private keys, webhook secrets, ID tokens kept for
 * logout) and the SAML logout RelayState.
 * The associated data binds a ciphertext to its owner (the developer id, or the row it belongs to): a value copied
 * into another organization's row fails to decrypt instead of leaking the other org's secret.
 *
 * Several keys (GRANTEX_ENCRYPTION_KEY as a `kid:key` list): the first seals, every one opens, and each sealed
 * value names the key that sealed it, so keys rotate without downtime and `grantex reseal` can tell what still
 * needs re-sealing without opening anything.
 * Layouts, as base64url text (storage may keep the bytes):
 *   version 2: 0x02 | kid length(1) | kid (ASCII) | iv(12) | tag(16) | ciphertext; AAD = the header (version,
 *              length, kid) then the associated data, so a value cannot be moved under another key id.
 *   version 1: 0x01 | iv(12) | tag(16) | ciphertext; AAD = the associated data. Sealed before key ids existed,
 *              by whichever single key was configured: opened by trying each configured key; never written.
 */
import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject } from 'node:crypto';
import { DEFAULT_KEY_ID, KEY_ID_PATTERN } from '../config';
import { createRandomPool } from './random-pool';

const VERSION_LEGACY = 1;
const VERSION = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const LEGACY_HEADER = 1 + IV_BYTES + TAG_BYTES;

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export interface SecretBoxKey {
  /** Not secret: it travels in every value this key seals. */
  id: string;
  /** 32 bytes. */
  value: Buffer;
}

export interface SecretBox {
  /** Seals under the current (first) key. */
  seal(plaintext: string, associatedData: string): string;
  /** Opens a value sealed under any configured key, in either layout. */
  open(sealed: string, associatedData: string): string;
  /** The key id that sealed a value without opening it: null for the version 1 layout (no key id). */
  keyIdOf(sealed: string): string | null;
  /** The key new values are sealed under. */
  readonly currentKeyId: string;
}

interface Parsed {
  kid: string | null;
  /** Everything before the iv: the AAD prefix of version 2 (empty for version 1). */
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
}

function parse(sealedText: string): Parsed {
  const sealed = Buffer.from(sealedText, 'base64url');
  if (sealed[0] === VERSION_LEGACY && sealed.length >= LEGACY_HEADER) {
    return {
      kid: null,
      header: Buffer.alloc(0),
      iv: sealed.subarray(1, 1 + IV_BYTES),
      tag: sealed.subarray(1 + IV_BYTES, LEGACY_HEADER),
      body: sealed.subarray(LEGACY_HEADER),
    };
  }
  if (sealed[0] === VERSION && sealed.length >= 2) {
    const kidEnd = 2 + sealed[1]!;
    const kid = sealed.subarray(2, kidEnd).toString('latin1');
    if (sealed.length >= kidEnd + IV_BYTES + TAG_BYTES && KEY_ID_PATTERN.test(kid)) {
      return {
        kid,
        header: sealed.subarray(0, kidEnd),
        iv: sealed.subarray(kidEnd, kidEnd + IV_BYTES),
        tag: sealed.subarray(kidEnd + IV_BYTES, kidEnd + IV_BYTES + TAG_BYTES),
        body: sealed.subarray(kidEnd + IV_BYTES + TAG_BYTES),
      };
    }
  }
  throw new SecretBoxError('unsupported ciphertext');
}

function decrypt(key: KeyObject, p: Parsed, associatedData: string): string | null {
  const decipher = createDecipheriv('aes-256-gcm', key, p.iv);
  decipher.setAAD(Buffer.concat([p.header, Buffer.from(associatedData, 'utf8')]));
  decipher.setAuthTag(p.tag);
  try {
    return Buffer.concat([decipher.update(p.body), decipher.final()]).toString('utf8');
  } catch {
    // Never keep the cause: it adds nothing and must not echo key material.
    return null;
  }
}

/** A single raw key is the key id `default` (the single-key form of GRANTEX_ENCRYPTION_KEY). */
export function createSecretBox(keys: Buffer | readonly [SecretBoxKey, ...SecretBoxKey[]]): SecretBox {
  const list: readonly SecretBoxKey[] = Buffer.isBuffer(keys) ? [{ id: DEFAULT_KEY_ID, value: keys }] : keys;
  const byId = new Map<string, KeyObject>();
  for (const k of list) {
    if (k.value.length !== 32) throw new SecretBoxError(`encryption key "${k.id}" must be 32 bytes`);
    if (!KEY_ID_PATTERN.test(k.id)) throw new SecretBoxError('invalid encryption key id');
    if (byId.has(k.id)) throw new SecretBoxError(`encryption key id "${k.id}" appears more than once`);
    // A KeyObject halves the cost of each cipher set-up compared with passing raw key bytes.
    byId.set(k.id, createSecretKey(k.value));
  }
  const current = list[0]!;
  const currentKey = byId.get(current.id)!;
  const header = Buffer.concat([Buffer.of(VERSION, current.id.length), Buffer.from(current.id, 'latin1')]);
  const random = createRandomPool(4096);
  return {
    currentKeyId: current.id,
    seal(plaintext, associatedData) {
      const iv = random(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      cipher.setAAD(Buffer.concat([header, Buffer.from(associatedData, 'utf8')]));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([header, iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealedText, associatedData) {
      const p = parse(sealedText);
      if (p.kid !== null) {
        const key = byId.get(p.kid);
        // The key id is not secret; naming it tells the operator which key is missing from the list.
        if (!key) throw new SecretBoxError(`sealed under key id "${p.kid}", which is not configured`);
        const plain = decrypt(key, p, associatedData);
        if (plain === null) throw new SecretBoxError('ciphertext failed authentication');
        return plain;
      }
      for (const key of byId.values()) {
        const plain = decrypt(key, p, associatedData);
        if (plain !== null) return plain;
      }
      throw new SecretBoxError('ciphertext failed authentication');
    },
    keyIdOf(sealedText) {
      return parse(sealedText).kid;
    },
  };
}
