/**
 * Cookie attributes for the console's SSO cookies, in one place: HttpOnly always, SameSite=Lax
 * (the IdP's redirect back to /sso/callback is a top-level GET, which Lax lets through; Strict
 * would drop the binding), Secure whenever the console is served over https.
 */
import 'server-only';
import { env } from '@/lib/env';

export interface SsoCookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  secure: boolean;
  path: string;
  maxAge: number;
}

export function ssoCookie(path: string, maxAge: number): SsoCookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: env().secureCookies, path, maxAge };
}

/** Expires a cookie; the path must match the one it was set with or the browser keeps it. */
export function expiredCookie(path: string): SsoCookieOptions {
  return ssoCookie(path, 0);
}

/** The key every sealed SSO cookie is derived from (see sealing.ts). Never logged or sent. */
export function sealingSecret(): string {
  return env().NEXTAUTH_SECRET;
}
