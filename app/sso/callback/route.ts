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
import { normalizeIdentity } from '@/lib/console/member-login/member-session';
import { completeMemberSignIn } from '@/lib/console/member-login/member-sign-in';
import { failBoundSignIn, finishBoundSignIn, readLoginBinding, toTestFailure, type BoundSignIn } from '@/lib/console/member-login/sign-in-finish';
import { displayText } from '@/lib/console/utils/display-text';
import { toErrorPage } from '@/lib/console/member-login/sso-redirects';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import { logSsoEvent } from '@/lib/console/utils/log';
import { LOGIN_FAILURE_DETAILS } from '@/lib/console/messages';

export const dynamic = 'force-dynamic';

const MAX_PARAM = 4096;

function param(req: NextRequest, name: string): string | null {
  const value = req.nextUrl.searchParams.get(name);
  return value && value.length <= MAX_PARAM ? value : null;
}

export async function GET(req: NextRequest) {
  const requestId = randomUUID();
  const secret = sealingSecret();
  const state = param(req, 'state');
  /** The binding is single-use: every outcome below clears it (`done`). */
  const { check, binding, done } = await readLoginBinding(req, state, secret);

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
    if (state && binding) after(() => grantexPublic({ from: req.headers }).reportIdpError(state, idpError, description).catch(() => false));
    if (binding?.mode === 'test' && binding.adminDeveloperId) {
      return toTestFailure({ req, requestId, binding, secret, done, event: 'callback' }, binding.adminDeveloperId, 'idp', detail);
    }
    return done(await toErrorPage('idp_error', binding?.org ?? null, detail));
  }

  if (!state || !binding) {
    logSsoEvent('callback', { requestId, outcome: 'refused_unbound', reason: check && !check.ok ? check.reason : 'no_state' });
    return done(await toErrorPage(state ? 'not_bound' : 'bad_request', null));
  }

  const code = param(req, 'code');
  const iss = param(req, 'iss');
  const bound: BoundSignIn = { req, requestId, binding, secret, done, event: 'callback' };

  if (!code) {
    logSsoEvent('callback', { requestId, org: binding.org, mode: binding.mode, outcome: 'missing_code' });
    if (binding.mode === 'test' && binding.adminDeveloperId) {
      const detail = { message: LOGIN_FAILURE_DETAILS.no_authorization_code, code: null, requestId: null };
      return toTestFailure(bound, binding.adminDeveloperId, 'idp', detail);
    }
    return done(await toErrorPage('bad_request', binding.org));
  }

  let identity;
  try {
    const client = grantexPublic({ from: req.headers, requestId, retries: 0 });
    if (binding.mode === 'test') {
      // A test sign-in opens no session: the legacy callback.
      identity = normalizeIdentity(await client.handleCallback(code, state, iss ? { iss } : {}));
    } else {
      const signedIn = await completeMemberSignIn(client, code, state, iss);
      identity = normalizeIdentity(signedIn.identity, signedIn.session);
    }
  } catch (err) {
    return failBoundSignIn(bound, err);
  }
  return finishBoundSignIn(bound, identity);
}
