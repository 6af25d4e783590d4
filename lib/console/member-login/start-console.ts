/**
 * POST /sso/start, an admin's console sign-in by work email (`mode=console`, the "Sign in with SSO" form of
 * /signin): the org is learnt from Grantex, from the domain it verified, and the login is started with
 * `intent=console`, which Grantex seals into the login's state. The binding records the console mode, so the
 * callback accepts a console session only for a login this browser started as one (./sign-in-finish.ts).
 */
import 'server-only';
import type { NextResponse } from 'next/server';
import { grantexPublic } from '@/lib/grantex/server';
import { sealingSecret } from '../utils/cookie-options';
import { classifyGrantexFailure } from './grantex-failure';
import { logStartFailure, redirectToIdp } from './idp-redirect';
import { backToEmailForm, memberLoginUrl, readMemberTarget } from './member-target';
import { toErrorPage } from './sso-redirects';

export async function startConsoleSignIn(headers: Headers, form: FormData, requestId: string): Promise<NextResponse> {
  const rawEmail = form.get('email');
  const target = readMemberTarget(form);
  // Only by work email: an org id or a connection chosen by the browser never starts a console sign-in.
  if (rawEmail === null || 'problem' in target || target.kind !== 'email') {
    const typed = typeof rawEmail === 'string' ? rawEmail.trim().slice(0, 320) : '';
    return backToEmailForm('email_invalid', typed, sealingSecret(), '/signin');
  }

  let started: { authorizeUrl: string; org: string };
  try {
    started = await memberLoginUrl(grantexPublic({ from: headers, requestId }), target, 'console');
  } catch (err) {
    const { code, detail } = classifyGrantexFailure(err);
    logStartFailure(requestId, null, 'console', code, err);
    // One message for every domain that does not route: it never says whether another org owns it.
    if (code === 'not_configured') return backToEmailForm('email_unknown', target.email, sealingSecret(), '/signin');
    return toErrorPage(code, null, detail);
  }

  const { authorizeUrl, org } = started;
  return redirectToIdp(
    authorizeUrl,
    { requestId, org, mode: 'console' },
    { unusable: (detail) => toErrorPage('start_failed', org, detail) },
  );
}
