'use server';
/**
 * Signing in with a break-glass credential: public (the person cannot sign in otherwise), limited per address here
 * and by Grantex (per address). On success the browser gets an owner session of one hour,
 * whatever the enforcement; Grantex records the use in the audit trail and the console shows a banner for 7 days.
 */
import { randomUUID } from 'node:crypto';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { consoleSessionCookie } from '@/lib/auth/console-session';
import { DEFAULT_AFTER_SIGNIN } from '@/lib/auth/safe-redirect';
import { checkSigninRate } from '@/lib/auth/signin-limit';
import { BREAK_GLASS_CREDENTIAL_PREFIX, type BreakGlassSignInResponse } from '@/lib/contract';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { CONSOLE_SIGNIN_TEXT } from '@/lib/console/messages';
import { logSsoEvent } from '@/lib/console/utils/log';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexForAdmin, grantexPublic } from '@/lib/grantex/server';
import type { BreakGlassState } from './state';

const CREDENTIAL_SHAPE = new RegExp(`^${BREAK_GLASS_CREDENTIAL_PREFIX}[A-Za-z0-9_.-]{16,500}$`);

export async function breakGlassSignIn(_prev: BreakGlassState, formData: FormData): Promise<BreakGlassState> {
  const raw = formData.get('credential');
  const credential = typeof raw === 'string' ? raw.trim() : '';
  // The credential is never echoed back (values stay empty): it must not travel in the page again.
  const refused = (formError: string): BreakGlassState => ({ ok: false, fieldErrors: {}, formError, values: {} });
  const from = await headers();
  const wait = checkSigninRate(from);
  if (wait !== null) return refused(CONSOLE_SIGNIN_TEXT.break_glass_rate(wait));
  if (!CREDENTIAL_SHAPE.test(credential)) {
    return {
      ok: false,
      fieldErrors: { credential: CONSOLE_SIGNIN_TEXT.break_glass_format },
      formError: CONSOLE_SIGNIN_TEXT.break_glass_format,
      values: {},
    };
  }
  const requestId = randomUUID();
  let signedIn: BreakGlassSignInResponse;
  try {
    signedIn = await grantexPublic({ from, requestId, retries: 0 }).console.breakGlassSignIn(credential);
  } catch (err) {
    const kind = isGrantexError(err) ? err.kind : 'unexpected';
    logSsoEvent('break_glass_sign_in', { requestId, outcome: kind });
    if (isGrantexError(err) && err.kind === 'unauthorized') return refused(CONSOLE_SIGNIN_TEXT.break_glass_invalid);
    if (isGrantexError(err) && err.kind === 'rate_limited') {
      return refused(CONSOLE_SIGNIN_TEXT.break_glass_rate(err.retryAfterSeconds ?? 60));
    }
    return refused(describeGrantexError(err));
  }
  const organizationName = await grantexForAdmin({ apiKey: signedIn.console.token })
    .orgs.me()
    .then((me) => me.name)
    .catch(() => signedIn.developerId);
  const cookie = await consoleSessionCookie(signedIn.console, {
    developerId: signedIn.developerId,
    organizationName,
    person: `break-glass: ${signedIn.label}`,
    via: 'break_glass',
  });
  (await cookies()).set(cookie.name, cookie.value, cookie.options);
  logSsoEvent('break_glass_sign_in', { requestId, org: signedIn.developerId, outcome: 'signed_in' });
  redirect(DEFAULT_AFTER_SIGNIN);
}
