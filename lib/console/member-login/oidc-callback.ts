/**
 * The OIDC callback, shared by the shared address `GET /sso/callback` (connections registered before each had
 * its own) and each connection's own `GET /sso/callback/<key>` (app/sso/callback/…). Order matters: a login
 * that came back to another address than the one its authorization request named is refused first (the IdP
 * mix-up: another connection's IdP answered it); an IdP error is shown without a code exchange (row 18; a bound
 * login's error is only reported to the service's sign-in log, after the answer); a login this browser did not
 * start is refused without calling Grantex (rows 16, 27); only then is the code handed to Grantex, once, never
 * retried, with the address it arrived on as `redirect_uri` (Grantex refuses it when that is not the state's
 * connection's registered redirect URI). Every exit is a 303, which also strips code and state from the
 * address bar and history.
 */
import 'server-only';
import type { ConsoleGrant } from '@/lib/contract';
import { randomUUID } from 'node:crypto';
import { after, type NextRequest, type NextResponse } from 'next/server';
import { env } from '@/lib/env';
import { grantexPublic } from '@/lib/grantex/server';
import { displayText } from '../utils/display-text';
import { sealingSecret } from '../utils/cookie-options';
import { logSsoEvent } from '../utils/log';
import { LOGIN_FAILURE_DETAILS } from '../messages';
import { normalizeIdentity } from './member-session';
import { completeMemberSignIn } from './member-sign-in';
import {
  failBoundSignIn,
  finishBoundSignIn,
  readLoginBinding,
  toTestFailure,
  type BoundSignIn,
} from './sign-in-finish';
import { toErrorPage } from './sso-redirects';

const MAX_PARAM = 4096;

function param(req: NextRequest, name: string): string | null {
  const value = req.nextUrl.searchParams.get(name);
  return value && value.length <= MAX_PARAM ? value : null;
}

/** One URL however it is spelled (scheme and host case, a default port); anything unparsable matches nothing. */
function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).href === new URL(b).href;
  } catch {
    return false;
  }
}

/**
 * `path` is the callback path the request arrived on (`/sso/callback` or `/sso/callback/<key>`, already
 * checked by the route). The arrival address is built from APP_URL, never from the Host header.
 */
export async function handleOidcCallback(req: NextRequest, path: string): Promise<NextResponse> {
  const requestId = randomUUID();
  const secret = sealingSecret();
  const arrivedAt = `${env().APP_URL}${path}`;
  const state = param(req, 'state');
  /** The binding is single-use: every outcome below clears it (`done`). */
  const { check, binding, done } = await readLoginBinding(req, state, secret);

  if (binding?.redirectUri && !sameUrl(binding.redirectUri, arrivedAt)) {
    // This browser started the login for a connection registered at another address: the IdP that answered is
    // not that connection's (its code must reach no token endpoint, neither that connection's nor this one's).
    logSsoEvent('callback', {
      requestId,
      org: binding.org,
      mode: binding.mode,
      outcome: 'refused_wrong_callback',
      arrivedAt: path,
    });
    if (binding.mode === 'test' && binding.adminDeveloperId) {
      const detail = { message: LOGIN_FAILURE_DETAILS.wrong_callback, code: null, requestId: null };
      return toTestFailure(
        { req, requestId, binding, secret, done, event: 'callback' },
        binding.adminDeveloperId,
        'idp',
        detail,
      );
    }
    // No org in the error page's link: "Start over" must not lead the member back into the login they were lured to.
    return done(await toErrorPage('wrong_callback', null));
  }

  const idpError = param(req, 'error');
  if (idpError) {
    const description = param(req, 'error_description');
    const detail = {
      message: displayText(description ? `${idpError}: ${description}` : idpError, 500),
      code: displayText(idpError, 100),
      requestId: null,
    };
    logSsoEvent('callback', {
      requestId,
      org: binding?.org,
      mode: binding?.mode,
      outcome: 'idp_error',
      bound: Boolean(binding),
    });
    // The service's sign-in log records the IdP's refusal (after the answer; its outcome changes nothing here).
    if (state && binding)
      after(() =>
        grantexPublic({ from: req.headers })
          .sso.reportIdpError(state, idpError, description)
          .catch(() => false),
      );
    if (binding?.mode === 'test' && binding.adminDeveloperId) {
      return toTestFailure(
        { req, requestId, binding, secret, done, event: 'callback' },
        binding.adminDeveloperId,
        'idp',
        detail,
      );
    }
    return done(await toErrorPage('idp_error', binding?.org ?? null, detail));
  }

  if (!state || !binding) {
    logSsoEvent('callback', {
      requestId,
      outcome: 'refused_unbound',
      reason: check && !check.ok ? check.reason : 'no_state',
    });
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
  let grant: ConsoleGrant | undefined;
  try {
    const client = grantexPublic({ from: req.headers, requestId, retries: 0 });
    if (binding.mode === 'test') {
      // A test sign-in opens no session: the legacy callback.
      identity = normalizeIdentity(
        await client.sso.handleCallback(code, state, { ...(iss ? { iss } : {}), redirectUri: arrivedAt }),
      );
    } else {
      const signedIn = await completeMemberSignIn(client, code, state, iss, arrivedAt);
      identity = normalizeIdentity(signedIn.identity, signedIn.session);
      grant = signedIn.console;
    }
  } catch (err) {
    return failBoundSignIn(bound, err);
  }
  return finishBoundSignIn(bound, identity, grant);
}
