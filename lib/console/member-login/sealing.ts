/**
 * Sealed (encrypted + authenticated) cookie values for the console's own short-lived state:
 * the login binding, the member session, the last test sign-in and the error flash.
 *
 * Each purpose gets its own key derived from NEXTAUTH_SECRET with HKDF, and the purpose is also
 * the token's audience, so a value minted for one cookie can never be replayed as another (a
 * member session can never pass for a login binding, let alone for the admin's next-auth session,
 * which uses next-auth's own key and cookie).
 */
import 'server-only';
import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { safeParse, type $ZodType, type output } from 'zod/v4/core';

export type SealPurpose = 'login-binding' | 'member-session' | 'test-result' | 'sso-flash' | 'login-email';

const keyCache = new Map<string, Uint8Array>();

export function deriveKey(secret: string, purpose: SealPurpose): Uint8Array {
  if (secret.length < 16) throw new Error('The sealing secret is too short');
  const cacheKey = `${purpose}\u0000${secret}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = new Uint8Array(hkdfSync('sha256', secret, 'grantex-console-cookies', `grantex-console ${purpose} v1`, 32));
    keyCache.set(cacheKey, key);
  }
  return key;
}

export async function seal(
  payload: Record<string, unknown>,
  opts: { secret: string; purpose: SealPurpose; ttlSeconds: number },
): Promise<string> {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setAudience(opts.purpose)
    .setIssuedAt()
    .setExpirationTime(`${opts.ttlSeconds}s`)
    .encrypt(deriveKey(opts.secret, opts.purpose));
}

/**
 * Returns the payload, or null when the value is absent, forged, expired, minted for another
 * purpose or does not match the schema. Callers never learn which: all of them mean "not valid".
 */
/** `schema` may be a classic zod or a `zod/mini` schema (both are zod core types). */
export async function unseal<S extends $ZodType>(
  token: string | undefined | null,
  opts: { secret: string; purpose: SealPurpose; schema: S },
): Promise<output<S> | null> {
  if (!token || token.length > 8192) return null;
  try {
    const { payload } = await jwtDecrypt(token, deriveKey(opts.secret, opts.purpose), {
      audience: opts.purpose,
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    const parsed = safeParse(opts.schema, payload);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
