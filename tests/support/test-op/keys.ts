import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type { SigningAlg } from './behaviour';

export interface TestOpKey {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  /** Public JWK as served by /jwks (kid, alg, use included). */
  publicJwk: JWK;
  /** Whether /jwks lists it; flip to false to hide a key without rotating. */
  published: boolean;
}

export async function generateTestKey(alg: SigningAlg): Promise<TestOpKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk, published: true };
}

/**
 * The OP's signing keys: the last one is current. Rotation appends a new key and, unless told
 * to keep it, unpublishes the previous one, as a real IdP's rotation eventually does.
 */
export class KeyRing {
  readonly keys: TestOpKey[] = [];

  get current(): TestOpKey {
    const key = this.keys.at(-1);
    if (!key) throw new Error('test OP has no signing key');
    return key;
  }

  async rotate(alg: SigningAlg = this.keys.at(-1)?.alg ?? 'RS256', keepOld = false): Promise<TestOpKey> {
    const key = await generateTestKey(alg);
    if (!keepOld) for (const old of this.keys) old.published = false;
    this.keys.push(key);
    return key;
  }

  /** Published with `use: "enc"` and no `alg`, as IdPs that also take encrypted requests list it; never a signing key. */
  encryption: TestOpKey | undefined;

  async addEncryptionKey(): Promise<TestOpKey> {
    if (this.encryption) return this.encryption;
    const key = await generateTestKey('RS256');
    const { alg: _alg, ...jwk } = key.publicJwk;
    void _alg;
    this.encryption = { ...key, kid: `enc-${key.kid}`, publicJwk: { ...jwk, kid: `enc-${key.kid}`, use: 'enc' } };
    return this.encryption;
  }

  publishedJwks({ omitUse = false } = {}): { keys: JWK[] } {
    const keys = [...this.keys.filter((k) => k.published), ...(this.encryption ? [this.encryption] : [])].map(
      (k) => k.publicJwk,
    );
    if (!omitUse) return { keys };
    return {
      keys: keys.map((k) => {
        const copy = { ...k };
        delete copy.use;
        return copy;
      }),
    };
  }
}
