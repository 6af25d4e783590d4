/**
 * The end both /sso/start flows share (the member's sign-in, ./start-member.ts; the admin's test sign-in,
 * ./start-test.ts): the login bound to this browser (./login-binding.ts), then the browser sent to the IdP.
 */
import 'server-only';
import type { NextResponse } from 'next/server';
import { isGrantexError } from '@/lib/grantex/errors';
import { LOGIN_FAILURE_DETAILS } from '../messages';
import { sealingSecret, ssoCookie } from '../utils/cookie-options';
import { logSsoEvent } from '../utils/log';
import { isHttpUrl } from '../utils/request-guard';
import {
  BINDING_COOKIE_PATH,
  createBinding,
  redirectUriFromAuthorizeUrl,
  stateFromAuthorizeUrl,
  type LoginMode,
} from './login-binding';
import type { SsoErrorCode } from './sso-errors';
import type { SsoFlash } from './sso-flash';
import { seeOther } from './sso-redirects';

/** Who a start is for, as the log line and the binding name it. */
export interface StartedLogin {
  requestId: string;
  org: string;
  mode: LoginMode;
  /** The admin who started a test sign-in (test mode only). */
  adminDeveloperId?: string;
}

/** The log line of a start Grantex refused (`org`: the one asked for, when known). */
export function logStartFailure(
  requestId: string,
  org: string | null,
  mode: LoginMode,
  code: SsoErrorCode,
  err: unknown,
): void {
  logSsoEvent('start', {
    requestId,
    org,
    mode,
    outcome: code,
    grantexRequestId: isGrantexError(err) ? err.requestId : null,
  });
}

/** How a flow answers the two ends: the redirect to the IdP (as it is, or with more on it), or an unusable URL. */
export interface StartAnswers {
  /** An authorization URL without a state or not http(s): nothing to bind, nowhere safe to go. */
  unusable: (detail: SsoFlash) => Promise<NextResponse>;
  redirected?: (res: NextResponse) => Promise<NextResponse>;
}

/** Binds the login to this browser and redirects to the IdP. */
export async function redirectToIdp(
  authorizeUrl: string,
  login: StartedLogin,
  answers: StartAnswers,
): Promise<NextResponse> {
  const { requestId, org, mode, adminDeveloperId } = login;
  const state = stateFromAuthorizeUrl(authorizeUrl);
  if (!state || !isHttpUrl(authorizeUrl)) {
    logSsoEvent('start', { requestId, org, mode, outcome: 'unusable_authorize_url' });
    return answers.unusable({ message: LOGIN_FAILURE_DETAILS.no_usable_state, code: null, requestId: null });
  }
  // Where the IdP must send this login back (OIDC): the callback refuses an arrival anywhere else.
  const redirectUri = redirectUriFromAuthorizeUrl(authorizeUrl) ?? undefined;
  const binding = await createBinding(state, { org, mode, adminDeveloperId, redirectUri }, sealingSecret());
  const res = seeOther(authorizeUrl);
  res.cookies.set(binding.name, binding.value, ssoCookie(BINDING_COOKIE_PATH, binding.maxAge));
  logSsoEvent('start', { requestId, org, mode, outcome: 'redirected_to_idp' });
  return answers.redirected ? answers.redirected(res) : res;
}
