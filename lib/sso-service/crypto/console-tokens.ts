/**
 * Console session tokens (`gxc_` + 32 random bytes, base64url) and break-glass credentials
 * (`gxbg_<credential id>.<32 random bytes, base64url>`). Only sha256 of either is stored (the API keys' hash).
 * The credential names its id, which the sign-in checks against the credential its hash finds.
 */
import { randomBytes } from 'node:crypto';
import { BREAK_GLASS_CREDENTIAL_PREFIX, CONSOLE_TOKEN_PREFIX } from '@/lib/contract/console-roles';
import { hashApiKey } from './api-keys';

export function generateConsoleToken(): string {
  return `${CONSOLE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export const looksLikeConsoleToken = (credential: string) => credential.startsWith(CONSOLE_TOKEN_PREFIX);

export function generateBreakGlassCredential(credentialId: string): string {
  return `${BREAK_GLASS_CREDENTIAL_PREFIX}${credentialId}.${randomBytes(32).toString('base64url')}`;
}

/** The credential id a break-glass credential names, or null when it is not of that form. */
export function breakGlassIdOf(credential: string): string | null {
  const match = /^gxbg_(bgc_[A-Za-z0-9_-]{8,64})\.[A-Za-z0-9_-]{43}$/.exec(credential);
  return match?.[1] ?? null;
}

/** sha256 base64url, as for API keys. */
export const hashConsoleSecret = hashApiKey;
