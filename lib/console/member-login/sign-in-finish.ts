/**
 * The end of a bound sign-in, shared by the OIDC callback (app/sso/callback) and the SAML ACS
 * (app/sso/callback/saml/continue): after Grantex answered, a test sign-in's result goes to the admin's test tab
 * and a member's identity becomes the member session (then /member); a failure goes to the test tab or the
 * error page. `done` clears the single-use login binding on every outcome.
 */
import 'server-only';
import type { NextRequest, NextResponse } from 'next/server';
import { consoleSessionCookie } from '@/lib/auth/console-session';
import { DEFAULT_AFTER_SIGNIN } from '@/lib/auth/safe-redirect';
import { CONSOLE_ACCESS_ERROR_CODES, type ConsoleGrant } from '@/lib/contract';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import { classifyGrantexFailure } from './grantex-failure';
import {
  bindingCookieName,
  verifyBinding,
  BINDING_COOKIE_PATH,
  type BindingCheck,
  type LoginBinding,
} from './login-binding';
import {
  sealMemberSession,
  MEMBER_COOKIE,
  MEMBER_COOKIE_PATH,
  MEMBER_TTL_SECONDS,
  type MemberIdentity,
} from './member-session';
import { appUrl, seeOther, toErrorPage, toTestResult } from './sso-redirects';

/** Where a console sign-in goes when the person's IdP groups map to no console role. */
export const CONSOLE_ROLE_MISSING_PATH = '/signin/console-role-missing';
import { readTestResult, TEST_RESULT_COOKIE } from './test-result';
import type { TestStage } from './test-stages';
import type { SsoFlash } from './sso-flash';
import { expiredCookie, ssoCookie } from '../utils/cookie-options';
import { logSsoEvent } from '../utils/log';

export interface BoundSignIn {
  req: NextRequest;
  requestId: string;
  binding: LoginBinding;
  secret: string;
  /** Clears the login binding (single use) on the response. */
  done: (res: NextResponse) => NextResponse;
  /** The log line's event name. */
  event: string;
}

/** Keeps the start time recorded by /sso/start so the settings page can tell this run from older ones. */
export async function testTimes(req: NextRequest, adminDeveloperId: string, secret: string) {
  const finishedAt = new Date().toISOString();
  const pending = await readTestResult(req.cookies.get(TEST_RESULT_COOKIE)?.value, adminDeveloperId, secret);
  // The connection the test ran on, so its result shows on that connection's page.
  return {
    ...(pending?.connectionId ? { connectionId: pending.connectionId } : {}),
    startedAt: pending?.startedAt ?? finishedAt,
    finishedAt,
  };
}

/** A test sign-in's failure at `stage`, shown in the admin's test tab. */
export async function toTestFailure(
  s: BoundSignIn,
  adminDeveloperId: string,
  stage: TestStage,
  error: SsoFlash,
): Promise<NextResponse> {
  return s.done(
    await toTestResult({
      status: 'failure',
      developerId: adminDeveloperId,
      ...(await testTimes(s.req, adminDeveloperId, s.secret)),
      stage,
      error,
    }),
  );
}

/** Grantex refused (or could not answer) the sign-in. */
export async function failBoundSignIn(s: BoundSignIn, err: unknown): Promise<NextResponse> {
  if (
    s.binding.mode === 'console' &&
    isGrantexError(err) &&
    err.code === CONSOLE_ACCESS_ERROR_CODES.consoleRoleMissing
  ) {
    logSsoEvent(s.event, {
      requestId: s.requestId,
      org: s.binding.org,
      mode: 'console',
      outcome: 'console_role_missing',
    });
    return s.done(seeOther(appUrl(CONSOLE_ROLE_MISSING_PATH)));
  }
  const { code, detail } = classifyGrantexFailure(err);
  logSsoEvent(s.event, {
    requestId: s.requestId,
    org: s.binding.org,
    mode: s.binding.mode,
    outcome: code,
    grantexRequestId: isGrantexError(err) ? err.requestId : null,
  });
  if (s.binding.mode === 'test' && s.binding.adminDeveloperId)
    return toTestFailure(s, s.binding.adminDeveloperId, 'finish', detail);
  return s.done(await toErrorPage(code, s.binding.org, detail));
}

/**
 * Grantex vouched for `identity`: the test tab, the member session and /member, or (a console sign-in, with the
 * console session Grantex opened) the admin session and the console.
 */
export async function finishBoundSignIn(
  s: BoundSignIn,
  identity: MemberIdentity,
  grant?: ConsoleGrant,
): Promise<NextResponse> {
  const { binding, requestId } = s;
  if (identity.developerId !== binding.org) {
    // Grantex binds its state to the org, so this means a mix-up somewhere: never sign anyone in.
    logSsoEvent(s.event, { requestId, org: binding.org, mode: binding.mode, outcome: 'org_mismatch' });
    return s.done(await toErrorPage('sso_failed', binding.org));
  }
  // A console session only for a login this browser started as a console sign-in, and only with one.
  if ((binding.mode === 'console') !== (grant !== undefined)) {
    logSsoEvent(s.event, { requestId, org: binding.org, mode: binding.mode, outcome: 'mode_mismatch' });
    return s.done(await toErrorPage('sso_failed', binding.org));
  }
  if (binding.mode === 'console' && grant) {
    logSsoEvent(s.event, { requestId, org: binding.org, mode: 'console', outcome: 'signed_in', role: grant.role });
    return s.done(await toConsole(identity, grant));
  }
  logSsoEvent(s.event, { requestId, org: binding.org, mode: binding.mode, outcome: 'signed_in' });
  if (binding.mode === 'test' && binding.adminDeveloperId) {
    return s.done(
      await toTestResult({
        status: 'success',
        developerId: binding.adminDeveloperId,
        ...(await testTimes(s.req, binding.adminDeveloperId, s.secret)),
        identity,
      }),
    );
  }
  return s.done(await toMemberPage(identity, s.secret));
}

/** The admin session cookie of a console sign-in and a 303 into the console. */
async function toConsole(identity: MemberIdentity, grant: ConsoleGrant): Promise<NextResponse> {
  // The organization's name for the page chrome, asked with the new session; its id when Grantex cannot say.
  const organizationName = await grantexForAdmin({ apiKey: grant.token })
    .orgs.me()
    .then((me) => me.name)
    .catch(() => identity.developerId);
  const cookie = await consoleSessionCookie(grant, {
    developerId: identity.developerId,
    organizationName,
    person: identity.email ?? identity.sub,
    via: 'sso',
  });
  const res = seeOther(appUrl(DEFAULT_AFTER_SIGNIN));
  res.cookies.set(cookie.name, cookie.value, cookie.options);
  return res;
}

/** The member session cookie and a 303 to /member. */
export async function toMemberPage(identity: MemberIdentity, secret: string): Promise<NextResponse> {
  const res = seeOther(appUrl('/member'));
  res.cookies.set(
    MEMBER_COOKIE,
    await sealMemberSession(identity, secret),
    ssoCookie(MEMBER_COOKIE_PATH, MEMBER_TTL_SECONDS),
  );
  return res;
}

/**
 * This browser's binding for `state` (null when it holds none, or a wrong one) and `done`, which clears the
 * binding cookie on a response: the binding is single use, every outcome clears it.
 */
export async function readLoginBinding(req: NextRequest, state: string | null, secret: string) {
  const cookieName = state ? bindingCookieName(state) : null;
  const check: BindingCheck | null = state
    ? await verifyBinding(state, cookieName ? req.cookies.get(cookieName)?.value : undefined, secret)
    : null;
  const binding: LoginBinding | null = check?.ok ? check.binding : null;
  const done = (res: NextResponse): NextResponse => {
    if (cookieName && req.cookies.has(cookieName)) res.cookies.set(cookieName, '', expiredCookie(BINDING_COOKIE_PATH));
    return res;
  };
  return { check, binding, done };
}
