/**
 * The per-address limits of POST /sso/start (lib/rate-limit/console-limits.ts), as the member sees them: a
 * friendly page or message, never a crash. Per address only: a bucket per org (or email domain) would let
 * anyone who knows an org's id lock all its members out.
 */
import 'server-only';
import type { NextResponse } from 'next/server';
import { checkConsoleRate } from '@/lib/rate-limit/console-limits';
import { sealingSecret } from '../utils/cookie-options';
import { backToEmailForm } from './member-target';
import { safeOrg } from './sso-errors';
import { toErrorPage } from './sso-redirects';

/** Largest /sso/start form: a mode, an org or email, a connection id. Read with a byte cap (utils/capped-body). */
export const START_FORM_MAX_BYTES = 16 * 1024;

/** Counts this start (and, for the email form, this email sign-in); the answer to send when over a limit, else null. */
export async function refuseOverStartLimit(
  headers: Headers,
  form: FormData,
  mode: 'member' | 'test' | 'console',
): Promise<NextResponse | null> {
  const email = mode !== 'test' ? form.get('email') : null;
  const typed = typeof email === 'string' ? email.trim().slice(0, 320) : null;
  const overStart = checkConsoleRate('ssoStart', headers) !== null;
  const overEmail = typed !== null && !overStart && checkConsoleRate('loginEmail', headers) !== null;
  if (!overStart && !overEmail) return null;
  // The email form shows its message in place, with what the member typed; other starts get the error page.
  if (typed !== null)
    return backToEmailForm('email_rate_limited', typed, sealingSecret(), mode === 'console' ? '/signin' : '/login');
  return toErrorPage('rate_limited', mode === 'member' ? safeOrg(form.get('org')) : null);
}
