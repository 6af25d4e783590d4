import { randomBytes } from 'node:crypto';

/** Opaque ids such as `dev_…` and `conn_…`; 16 random bytes make collisions irrelevant. */
export function randomId(prefix: string, bytes = 16): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}

/** 32 random bytes, base64url: nonces and PKCE code verifiers (RFC 7636 wants 43–128 chars). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}
