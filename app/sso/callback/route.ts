/**
 * GET /sso/callback — where the IdP sends the browser back (the redirect URI registered at the
 * IdP). Order matters: an IdP error is shown without a code exchange (row 18; a bound login's error is only
 * reported to the service's sign-in log, after the answer); a login this
 * browser did not start is refused without calling Grantex (rows 16, 27); only then is the code
 * handed to Grantex, once, never retried. Every exit is a 303, which also strips code and state
 * from the address bar and history.
 */
import { randomUUID } from 'node:crypto';
import { after, type NextRequest } from 'next/server';
import { grantexPublic } from '@/lib/grantex/server';
import { isGrantexError } from '@/lib/grantex/errors';
import { bindingCookieName, verifyBinding, BINDING_COOKIE_PATH, type LoginBinding } from '@/lib/console/member-login/login-binding';
import { classifyGrantexFailure } from '@/lib/console/member-login/grantex-failure';
import { normalizeIdentity, sealMemberSession, MEMBER_COOKIE, MEMBER_COOKIE_PATH, MEMBER_TTL_SECONDS } from '@/lib/console/member-login/member-session';
import { completeMemberSignIn } from '@/lib/console/member-login/member-sign-in';
import { displayText } from '@/lib/console/utils/display-text';
import { readTestResult, TEST_RESULT_COOKIE } from '@/lib/console/member-login/test-result';
import { appUrl, seeOther, toErrorPage, toTestResult } from '@/lib/console/member-login/sso-redirects';
import { expiredCookie, sealingSecret, ssoCookie } from '@/lib/console/utils/cookie-options';
import { logSsoEvent } from '@/lib/console/utils/log';
import { LOGIN_FAILURE_DETAILS } from '@/lib/console/messages';
import type { NextResponse } from 'next/server';

export const dynamic = 'force-dynamic';

const MAX_PARAM = 4096;

function param(req: NextRequest, name: string): string | null {
  const value = req.nextUrl.searchParams.get(name);
  return value && value.length <= MAX_PARAM ? value : null;
}

/** Keeps the start time recorded by /sso/start so the settings page can tell this run from older ones. */
async function testTimes(req: NextRequest, adminDeveloperId: string, secret: string) {
  const finishedAt = new Date().toISOString();
  const pending = await readTestResult(req.cookies.get(TEST_RESULT_COOKIE)?.value, adminDeveloperId, secret);
  return { startedAt: pending?.startedAt ?? finishedAt, finishedAt };
}

export async function GET(req: NextRequest) {
  const requestId = randomUUID();
  const secret = sealingSecret();
  const state = param(req, 'state');
  const cookieName = state ? bindingCookieName(state) : null;
  const check = state ? await verifyBinding(state, cookieName ? req.cookies.get(cookieName)?.value : undefined, secret) : null;
  const binding: LoginBinding | null = check?.ok ? check.binding : null;

  /** The binding is single-use: every outcome below clears it. */
  const done = (res: NextResponse): NextResponse => {
    if (cookieName && req.cookies.has(cookieName)) res.cookies.set(cookieName, '', expiredCookie(BINDING_COOKIE_PATH));
    return res;
  };

  const idpError = param(req, 'error');
  if (idpError) {
    const description = param(req, 'error_description');
    const detail = {
      message: displayText(description ? `${idpError}: ${description}` : idpError, 500),
      code: displayText(idpError, 100),
      requestId: null,
    };
    logSsoEvent('callback', { requestId, org: binding?.org, mode: binding?.mode, outcome: 'idp_error', bound: Boolean(binding) });
    // The service's sign-in log records the IdP's refusal (after the answer; its outcome changes nothing here).
    if (state && binding) after(() => grantexPublic().reportIdpError(state, idpError, description).catch(() => false));
    if (binding?.mode === 'test' && binding.adminDeveloperId) {
      return done(
        await toTestResult({ status: 'failure', developerId: binding.adminDeveloperId, ...(await testTimes(req, binding.adminDeveloperId, secret)), stage: 'idp', error: detail }),
      );
    }
    return done(await toErrorPage('idp_error', binding?.org ?? null, detail));
  }

  if (!state || !binding) {
    logSsoEvent('callback', { requestId, outcome: 'refused_unbound', reason: check && !check.ok ? check.reason : 'no_state' });
    return done(await toErrorPage(state ? 'not_bound' : 'bad_request', null));
  }

  const code = param(req, 'code');
  const iss = param(req, 'iss');
  const fail = async (err: unknown): Promise<NextResponse> => {
    const { code: errorCode, detail } = classifyGrantexFailure(err);
    logSsoEvent('callback', {
      requestId,
      org: binding.org,
      mode: binding.mode,
      outcome: errorCode,
      grantexRequestId: isGrantexError(err) ? err.requestId : null,
    });
    if (binding.mode === 'test' && binding.adminDeveloperId) {
      return done(
        await toTestResult({ status: 'failure', developerId: binding.adminDeveloperId, ...(await testTimes(req, binding.adminDeveloperId, secret)), stage: 'finish', error: detail }),
      );
    }
    return done(await toErrorPage(errorCode, binding.org, detail));
  };

  if (!code) {
    logSsoEvent('callback', { requestId, org: binding.org, mode: binding.mode, outcome: 'missing_code' });
    if (binding.mode === 'test' && binding.adminDeveloperId) {
      const detail = { message: LOGIN_FAILURE_DETAILS.no_authorization_code, code: null, requestId: null };
      return done(
        await toTestResult({ status: 'failure', developerId: binding.adminDeveloperId, ...(await testTimes(req, binding.adminDeveloperId, secret)), stage: 'idp', error: detail }),
      );
    }
    return done(await toErrorPage('bad_request', binding.org));
  }

  let identity;
  try {
    const client = grantexPublic({ requestId, retries: 0 });
    if (binding.mode === 'test') {
      // A test sign-in opens no session: the legacy callback.
      identity = normalizeIdentity(await client.handleCallback(code, state, iss ? { iss } : {}));
    } else {
      const signedIn = await completeMemberSignIn(client, code, state, iss);
      identity = normalizeIdentity(signedIn.identity, signedIn.session);
    }
  } catch (err) {
    return fail(err);
  }

  if (identity.developerId !== binding.org) {
    // Grantex binds its state to the org, so this means a mix-up somewhere: never sign anyone in.
    logSsoEvent('callback', { requestId, org: binding.org, mode: binding.mode, outcome: 'org_mismatch' });
    return done(await toErrorPage('sso_failed', binding.org));
  }

  logSsoEvent('callback', { requestId, org: binding.org, mode: binding.mode, outcome: 'signed_in' });
  if (binding.mode === 'test' && binding.adminDeveloperId) {
    return done(await toTestResult({ status: 'success', developerId: binding.adminDeveloperId, ...(await testTimes(req, binding.adminDeveloperId, secret)), identity }));
  }
  const res = seeOther(appUrl('/member'));
  res.cookies.set(MEMBER_COOKIE, await sealMemberSession(identity, secret), ssoCookie(MEMBER_COOKIE_PATH, MEMBER_TTL_SECONDS));
  return done(res);
}
