/**
 * POST /sso/start — begins an SSO login for an organization, from the hosted member login form
 * (mode=member) or the admin's "Test sign-in" button (mode=test). A plain form target, so it works
 * without JavaScript. Binds the login to this browser (see lib/console/member-login/login-binding.ts), then
 * sends the browser to the IdP.
 */
import { randomUUID } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { getConnectionsActor, SETUP_LINK_ENDED, type ConnectionsActor } from '@/lib/auth';
import { env } from '@/lib/env';
import { grantexPublic } from '@/lib/grantex/server';
import { isGrantexError } from '@/lib/grantex/errors';
import { createBinding, redirectUriFromAuthorizeUrl, stateFromAuthorizeUrl, BINDING_COOKIE_PATH, type LoginMode } from '@/lib/console/member-login/login-binding';
import { testSignInUrl } from '@/lib/console/member-login/test-sign-in-start';
import { classifyGrantexFailure } from '@/lib/console/member-login/grantex-failure';
import { isHttpUrl, isSameOriginPost } from '@/lib/console/utils/request-guard';
import { safeConnectionId } from '@/lib/console/member-login/sso-errors';
import { backToEmailForm, memberLoginUrl, readMemberTarget, type MemberTarget } from '@/lib/console/member-login/member-target';
import { LOGIN_FAILURE_DETAILS } from '@/lib/console/messages';
import { appUrl, seeOther, toErrorPage, toTestResult } from '@/lib/console/member-login/sso-redirects';
import { sealingSecret, ssoCookie } from '@/lib/console/utils/cookie-options';
import { formDataCapped } from '@/lib/console/utils/capped-body';
import { refuseOverStartLimit, START_FORM_MAX_BYTES } from '@/lib/console/member-login/start-limit';
import { logSsoEvent } from '@/lib/console/utils/log';
import type { SsoErrorCode } from '@/lib/console/member-login/sso-errors';
import type { SsoFlash } from '@/lib/console/member-login/sso-flash';

export const dynamic = 'force-dynamic';

export async function POST(req: NextRequest) {
  const requestId = randomUUID();
  if (!isSameOriginPost(req.headers, env().APP_URL)) {
    logSsoEvent('start', { requestId, outcome: 'refused_cross_site' });
    return toErrorPage('cross_site', null);
  }

  let form: FormData;
  try {
    form = await formDataCapped(req, START_FORM_MAX_BYTES);
  } catch {
    return seeOther(appUrl('/login'));
  }
  const mode: LoginMode = form.get('mode') === 'test' ? 'test' : 'member';
  const overLimit = await refuseOverStartLimit(req.headers, form, mode);
  if (overLimit) return overLimit;

  // A test sign-in always runs for the signed-in admin's (or setup-link user's) own org, whatever the form says,
  // on the connection the form names (through Grantex's test sign-in, which works whatever the connection's
  // status) or, without one, on the org's default connection as a member login would.
  let org: string | null;
  let adminDeveloperId: string | undefined;
  let tester: ConnectionsActor | null = null;
  let testConnectionId: string | null = null;
  // A member's login: by work email (the org is learnt from Grantex), or by org and an optional chosen connection.
  let target: MemberTarget;
  if (mode === 'test') {
    const actor = await getConnectionsActor();
    if (actor === SETUP_LINK_ENDED) return seeOther(appUrl('/setup/ended'));
    if (!actor) return seeOther(appUrl('/signin'));
    tester = actor;
    org = actor.developerId;
    adminDeveloperId = actor.developerId;
    testConnectionId = safeConnectionId(form.get('connectionId'));
    target = { kind: 'org', org, connection: null };
  } else {
    const read = readMemberTarget(form);
    if ('problem' in read) {
      if (read.problem !== 'org') return backToEmailForm(read.problem, read.email, sealingSecret());
      const back = appUrl('/login');
      back.searchParams.set('error', 'org');
      return seeOther(back);
    }
    target = read;
    org = read.kind === 'org' ? read.org : null;
  }
  const startedAt = new Date().toISOString();

  /** A start that fails ends on the test-result tab for a test sign-in, else on the error page. */
  const failStart = (code: SsoErrorCode, detail: SsoFlash) =>
    mode === 'test' && adminDeveloperId
      ? toTestResult({
          status: 'failure',
          developerId: adminDeveloperId,
          ...(testConnectionId ? { connectionId: testConnectionId } : {}),
          startedAt,
          finishedAt: new Date().toISOString(),
          stage: 'start',
          error: detail,
        })
      : toErrorPage(code, org, detail);

  let authorizeUrl: string;
  try {
    ({ authorizeUrl, org } =
      tester && testConnectionId
        ? { authorizeUrl: await testSignInUrl(tester.grantex({ requestId }), testConnectionId), org: tester.developerId }
        : await memberLoginUrl(grantexPublic({ from: req.headers, requestId }), target));
  } catch (err) {
    const { code, detail } = classifyGrantexFailure(err);
    logSsoEvent('start', {
      requestId,
      org,
      mode,
      outcome: code,
      grantexRequestId: isGrantexError(err) ? err.requestId : null,
    });
    if (code === 'not_configured' && target.kind === 'email') {
      // One message for every domain that does not route: it never says whether another org owns it.
      return backToEmailForm('email_unknown', target.email, sealingSecret());
    }
    if (code === 'not_configured' && mode === 'member' && org) {
      // The login page explains "not configured" in place of the button.
      return seeOther(appUrl(`/login?org=${encodeURIComponent(org)}`));
    }
    return failStart(code, detail);
  }

  const state = stateFromAuthorizeUrl(authorizeUrl);
  if (!state || !isHttpUrl(authorizeUrl)) {
    logSsoEvent('start', { requestId, org, mode, outcome: 'unusable_authorize_url' });
    return failStart('start_failed', { message: LOGIN_FAILURE_DETAILS.no_usable_state, code: null, requestId: null });
  }

  // Where the IdP must send this login back (OIDC): the callback refuses an arrival anywhere else.
  const redirectUri = redirectUriFromAuthorizeUrl(authorizeUrl) ?? undefined;
  const binding = await createBinding(state, { org, mode, adminDeveloperId, redirectUri }, sealingSecret());
  const res = seeOther(authorizeUrl);
  res.cookies.set(binding.name, binding.value, ssoCookie(BINDING_COOKIE_PATH, binding.maxAge));
  logSsoEvent('start', { requestId, org, mode, outcome: 'redirected_to_idp' });
  if (mode === 'test' && adminDeveloperId) {
    return toTestResult({ status: 'pending', developerId: adminDeveloperId, ...(testConnectionId ? { connectionId: testConnectionId } : {}), startedAt }, res);
  }
  return res;
}
