/**
 * POST /sso/start, a member's sign-in (the hosted login form): by work email (the org is learnt from Grantex, from
 * the domain it verified) or by organization and an optional chosen connection (./member-target.ts).
 */
import 'server-only';
import type { NextResponse } from 'next/server';
import { grantexPublic } from '@/lib/grantex/server';
import { sealingSecret } from '../utils/cookie-options';
import { classifyGrantexFailure } from './grantex-failure';
import { logStartFailure, redirectToIdp } from './idp-redirect';
import { backToEmailForm, memberLoginUrl, readMemberTarget } from './member-target';
import { appUrl, seeOther, toErrorPage } from './sso-redirects';

export async function startMemberSignIn(headers: Headers, form: FormData, requestId: string): Promise<NextResponse> {
  const target = readMemberTarget(form);
  if ('problem' in target) {
    if (target.problem !== 'org') return backToEmailForm(target.problem, target.email, sealingSecret());
    const back = appUrl('/login');
    back.searchParams.set('error', 'org');
    return seeOther(back);
  }
  const askedOrg = target.kind === 'org' ? target.org : null;

  let started: { authorizeUrl: string; org: string };
  try {
    started = await memberLoginUrl(grantexPublic({ from: headers, requestId }), target);
  } catch (err) {
    const { code, detail } = classifyGrantexFailure(err);
    logStartFailure(requestId, askedOrg, 'member', code, err);
    // One message for every domain that does not route: it never says whether another org owns it.
    if (code === 'not_configured' && target.kind === 'email')
      return backToEmailForm('email_unknown', target.email, sealingSecret());
    // The login page explains "not configured" in place of the button.
    if (code === 'not_configured' && askedOrg) return seeOther(appUrl(`/login?org=${encodeURIComponent(askedOrg)}`));
    return toErrorPage(code, askedOrg, detail);
  }

  const { authorizeUrl, org } = started;
  return redirectToIdp(
    authorizeUrl,
    { requestId, org, mode: 'member' },
    { unusable: (detail) => toErrorPage('start_failed', org, detail) },
  );
}
