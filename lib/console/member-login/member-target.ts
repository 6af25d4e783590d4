/**
 * Where a member's login goes, from the /login forms posted to /sso/start (mode=member):
 * - `email`: the work email's domain, routed by Grantex to the org that verified it (no org given);
 * - `org` (+ optional `connection`, from the chooser): that org's default connection, or the chosen one.
 * When the email cannot start a login, the browser goes back to /login with what the member typed, carried in a
 * sealed, short-lived cookie (never in the URL, where it would reach logs and history).
 */
import 'server-only';
import { z } from 'zod';
import { emailDomainOf, LIMITS } from '@/lib/contract';
import type { GrantexClient } from '@/lib/grantex';
import type { MemberEmailError } from '../messages';
import { ssoCookie } from '../utils/cookie-options';
import { seal, unseal } from './sealing';
import { safeOrg } from './sso-errors';
import { appUrl, seeOther } from './sso-redirects';

export type MemberTarget =
  { kind: 'email'; email: string; domain: string } | { kind: 'org'; org: string; connection: string | null };

export type MemberTargetProblem = { problem: 'org' } | { problem: MemberEmailError; email: string };

const connectionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);

export function readMemberTarget(form: FormData): MemberTarget | MemberTargetProblem {
  const rawEmail = form.get('email');
  if (rawEmail !== null) {
    const email = typeof rawEmail === 'string' ? rawEmail.trim().slice(0, LIMITS.emailMax) : '';
    const domain = emailDomainOf(email);
    return domain ? { kind: 'email', email, domain } : { problem: 'email_invalid', email };
  }
  const org = safeOrg(form.get('org'));
  if (!org) return { problem: 'org' };
  const connection = connectionIdSchema.safeParse(form.get('connection'));
  return { kind: 'org', org, connection: connection.success ? connection.data : null };
}

/** The IdP's authorization URL for the target, and the org the login is bound to. */
export async function memberLoginUrl(
  client: GrantexClient,
  target: MemberTarget,
  /** `console`: an admin's console sign-in (Grantex seals it into the login's state). */
  intent?: 'console',
): Promise<{ authorizeUrl: string; org: string }> {
  if (target.kind === 'email') {
    const { authorizeUrl, developerId } = await client.sso.getLoginUrlByDomain(target.domain, intent ? { intent } : {});
    return { authorizeUrl, org: developerId };
  }
  const { authorizeUrl } = target.connection
    ? await client.sso.getLoginUrlForConnection(target.org, target.connection)
    : await client.sso.getLoginUrl(target.org);
  return { authorizeUrl, org: target.org };
}

// ─── what the member typed, back on /login ───────────────────────────────────────────────────────

export const LOGIN_EMAIL_COOKIE = 'gx_login_email';
const LOGIN_EMAIL_PATH = '/login';
const LOGIN_EMAIL_TTL_SECONDS = 300;
const typedEmailSchema = z.object({ email: z.string().max(LIMITS.emailMax) });

/**
 * Back to the email form with its message; the typed address rides in a sealed cookie scoped to the form's page
 * (/login for members, /signin for an admin's console sign-in, whose query parameter is `sso_error`).
 */
export async function backToEmailForm(
  error: MemberEmailError,
  email: string,
  secret: string,
  page: '/login' | '/signin' = LOGIN_EMAIL_PATH,
) {
  const url = appUrl(page);
  url.searchParams.set(page === '/signin' ? 'sso_error' : 'error', error);
  const res = seeOther(url);
  const value = await seal({ email }, { secret, purpose: 'login-email', ttlSeconds: LOGIN_EMAIL_TTL_SECONDS });
  res.cookies.set(LOGIN_EMAIL_COOKIE, value, ssoCookie(page, LOGIN_EMAIL_TTL_SECONDS));
  return res;
}

/** The address the member typed before being sent back, or '' (expired, tampered or absent). */
export async function readTypedEmail(value: string | undefined, secret: string): Promise<string> {
  const typed = await unseal(value, { secret, purpose: 'login-email', schema: typedEmailSchema });
  return typed?.email ?? '';
}
