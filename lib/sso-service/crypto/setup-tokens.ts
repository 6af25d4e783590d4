/**
 * Setup-link tokens: `gxsetup_` + 32 random bytes in base64url (43 chars). Only sha256(token) is stored, hashed
 * exactly like API keys, so one lookup path and one hash function serve both credentials.
 */
import { randomBytes } from 'node:crypto';
import { SETUP_LINK_TOKEN_PREFIX } from '@/lib/contract';
import { hashApiKey } from './api-keys';

export function generateSetupToken(): string {
  return `${SETUP_LINK_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export const hashSetupToken: (token: string) => string = hashApiKey;

/** True when a bearer credential is shaped like a setup-link token (by its prefix; not a validity check). */
export function looksLikeSetupToken(credential: string): boolean {
  return credential.startsWith(SETUP_LINK_TOKEN_PREFIX);
}
