import 'server-only';
import { encode } from 'next-auth/jwt';
import type { ConsoleGrant } from '@/lib/contract';
import { env } from '@/lib/env';
import { SESSION_MAX_AGE_SECONDS, sessionCookieName, type AdminToken } from './options';
import type { ConsoleVia } from './roles';

/**
 * The admin session cookie of a console sign-in (SSO or break-glass): the same encrypted, HttpOnly next-auth cookie
 * (name, flags and `encode`) an API-key sign-in gets, holding the `gxc_` console session token as the bearer.
 * It ends with the console session (or after the admin session's maximum, if sooner); the token itself never
 * leaves the server (the cookie is encrypted, and /api/auth/session is built without it).
 */
export interface ConsoleSessionCookie {
  name: string;
  value: string;
  options: { httpOnly: true; sameSite: 'lax'; secure: boolean; path: '/'; maxAge: number };
}

export async function consoleSessionCookie(
  grant: ConsoleGrant,
  who: { developerId: string; organizationName: string; person: string | null; via: Exclude<ConsoleVia, 'api_key'> },
  nowMs = Date.now(),
): Promise<ConsoleSessionCookie> {
  const untilSessionEnds = Math.floor((Date.parse(grant.expiresAt) - nowMs) / 1000);
  const maxAge = Math.max(1, Math.min(SESSION_MAX_AGE_SECONDS, untilSessionEnds));
  const token: AdminToken & { sub: string } = {
    sub: who.developerId,
    role: 'admin',
    developerId: who.developerId,
    name: who.organizationName,
    email: null,
    apiKey: grant.token,
    consoleRole: grant.role,
    via: who.via,
    person: who.person,
    expiresAt: grant.expiresAt,
  };
  const value = await encode({ token, secret: env().NEXTAUTH_SECRET, maxAge });
  return {
    name: sessionCookieName(),
    value,
    options: { httpOnly: true, sameSite: 'lax', secure: env().secureCookies, path: '/', maxAge },
  };
}
