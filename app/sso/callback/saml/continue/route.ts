/**
 * POST /sso/callback/saml/continue — the second step of the SAML ACS (see lib/console/member-login/saml-acs-post.ts):
 * a same-origin POST only, so the login binding cookie arrives. Then exactly as the OIDC callback:
 * - with a RelayState: a sign-in this browser did not start is refused without calling Grantex; a bound one is
 *   handed to Grantex's ACS (`POST /sso/callback/saml`, once, never retried) and ends on /member (member) or the
 *   admin's test tab (test sign-in: the identity, no session);
 * - without one: an IdP-initiated response for the ACS URL's `?connection=`, which Grantex accepts only when the
 *   connection allows it (fresh assertions, each once); it can have no binding, and always lands on /member.
 */
import { randomUUID } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { grantexPublic } from '@/lib/grantex/server';
import { isGrantexError } from '@/lib/grantex/errors';
import { classifyGrantexFailure } from '@/lib/console/member-login/grantex-failure';
import { normalizeIdentity, type MemberIdentity } from '@/lib/console/member-login/member-session';
import { readSamlPost } from '@/lib/console/member-login/saml-acs-post';
import {
  failBoundSignIn,
  finishBoundSignIn,
  readLoginBinding,
  toMemberPage,
  type BoundSignIn,
} from '@/lib/console/member-login/sign-in-finish';
import { toErrorPage } from '@/lib/console/member-login/sso-redirects';
import { sealingSecret } from '@/lib/console/utils/cookie-options';
import { logSsoEvent } from '@/lib/console/utils/log';
import { isSameOriginPost } from '@/lib/console/utils/request-guard';
import { SAML_TEXT } from '@/lib/console/messages';
import type { SsoSamlTestCallbackResponse, SsoSessionCallbackResponse } from '@/lib/contract';

export const dynamic = 'force-dynamic';

const EVENT = 'saml_callback';

type SamlResult = SsoSessionCallbackResponse | SsoSamlTestCallbackResponse;
const isTestResult = (r: SamlResult): r is SsoSamlTestCallbackResponse => 'test' in r && r.test === true;

/** The identity of either answer; a member's carries the session Grantex opened. */
const identityOf = (r: SamlResult): MemberIdentity =>
  isTestResult(r)
    ? normalizeIdentity(r)
    : normalizeIdentity(r, { id: r.sessionId, groups: r.groups, mappedScopes: r.mappedScopes, expiresAt: r.expiresAt });

export async function POST(req: NextRequest) {
  const requestId = randomUUID();
  if (!isSameOriginPost(req.headers, env().APP_URL)) {
    logSsoEvent(EVENT, { requestId, outcome: 'refused_cross_site' });
    return toErrorPage('cross_site', null);
  }
  const post = await readSamlPost(req);
  if ('problem' in post) {
    logSsoEvent(EVENT, { requestId, outcome: `refused_${post.problem}` });
    return toErrorPage('bad_request', null, {
      message: post.problem === 'too_large' ? SAML_TEXT.responseTooLarge : SAML_TEXT.responseMissing,
      code: null,
      requestId: null,
    });
  }
  const secret = sealingSecret();
  const client = grantexPublic({ from: req.headers, requestId, retries: 0 });

  if (post.relayState === null) return idpInitiated(requestId, post.samlResponse, post.connectionId, client, secret);

  const { check, binding, done } = await readLoginBinding(req, post.relayState, secret);
  if (!binding) {
    logSsoEvent(EVENT, {
      requestId,
      outcome: 'refused_unbound',
      reason: check && !check.ok ? check.reason : 'no_state',
    });
    return done(await toErrorPage('not_bound', null));
  }
  const bound: BoundSignIn = { req, requestId, binding, secret, done, event: EVENT };
  let result: SamlResult;
  try {
    result = await client.sso.handleSamlCallback({
      samlResponse: post.samlResponse,
      relayState: post.relayState,
      ...(post.connectionId ? { connectionId: post.connectionId } : {}),
    });
  } catch (err) {
    return failBoundSignIn(bound, err);
  }
  // A test binding must get a test answer and a member binding a session; anything else is a mix-up.
  if (isTestResult(result) !== (binding.mode === 'test')) {
    logSsoEvent(EVENT, { requestId, org: binding.org, mode: binding.mode, outcome: 'mode_mismatch' });
    return done(await toErrorPage('sso_failed', binding.org));
  }
  return finishBoundSignIn(bound, identityOf(result), isTestResult(result) ? undefined : result.console);
}

/** An IdP-initiated response: no binding is possible; Grantex decides whether the connection accepts it. */
async function idpInitiated(
  requestId: string,
  samlResponse: string,
  connectionId: string | null,
  client: ReturnType<typeof grantexPublic>,
  secret: string,
) {
  if (!connectionId) {
    logSsoEvent(EVENT, { requestId, outcome: 'refused_no_relay_state' });
    return toErrorPage('bad_request', null, {
      message: SAML_TEXT.unsolicitedNoConnection,
      code: null,
      requestId: null,
    });
  }
  try {
    const result = await client.sso.handleSamlCallback({ samlResponse, connectionId });
    // IdP-initiated: no state, so never a console sign-in (Grantex answers a console session only to one).
    if (isTestResult(result) || result.console) return toErrorPage('sso_failed', null);
    logSsoEvent(EVENT, { requestId, org: result.developerId, mode: 'member', outcome: 'signed_in_idp_initiated' });
    return toMemberPage(identityOf(result), secret);
  } catch (err) {
    const { code, detail } = classifyGrantexFailure(err);
    logSsoEvent(EVENT, { requestId, outcome: code, grantexRequestId: isGrantexError(err) ? err.requestId : null });
    return toErrorPage(code, null, detail);
  }
}
