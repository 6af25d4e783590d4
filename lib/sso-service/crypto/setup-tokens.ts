/**
 * Setup credentials, both 32 random bytes in base64url (43 chars) behind a prefix, stored only as sha256 (hashed
 * exactly like API keys, so one hash function serves every credential):
 * - the link token `gxsetup_…`: it only opens setup sessions (redeem) and shows what the link is for (preview);
 * - the session token `gxsetupsess_…`: what a redeem returns, the setup credential the API accepts.
 */
import { randomBytes } from 'node:crypto';
import { SETUP_LINK_TOKEN_PREFIX, SETUP_SESSION_TOKEN_PREFIX } from '@/lib/contract';
import { hashApiKey } from './api-keys';

export function generateSetupToken(): string {
  return `${SETUP_LINK_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function generateSetupSessionToken(): string {
  return `${SETUP_SESSION_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export const hashSetupToken: (token: string) => string = hashApiKey;

/** True when a bearer credential is shaped like a setup-link token (by its prefix; not a validity check). */
export function looksLikeSetupToken(credential: string): boolean {
  return credential.startsWith(SETUP_LINK_TOKEN_PREFIX);
}

/** True when a bearer credential is shaped like a setup-session token (by its prefix; not a validity check). */
export function looksLikeSetupSessionToken(credential: string): boolean {
  return credential.startsWith(SETUP_SESSION_TOKEN_PREFIX);
}
