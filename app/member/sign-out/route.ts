/**
 * POST /member/sign-out — ends the member session (a POST so a link or image cannot sign anyone out). The SSO
 * session is ended at Grantex first (`POST /sso/sessions/logout`); when the connection's identity provider offers
 * a logout (SAML single logout, OIDC end_session_endpoint), the browser goes there next and the IdP sends it back
 * to /member/signed-out. Otherwise, or when Grantex cannot be reached, the console's own session still ends here.
 */
import { randomUUID } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { grantexLogFields, grantexPublic } from '@/lib/grantex/server';
import { isSameOriginPost } from '@/lib/console/utils/request-guard';
import { MEMBER_COOKIE, MEMBER_COOKIE_PATH, readMemberSession } from '@/lib/console/member-login/member-session';
import { expiredCookie, sealingSecret } from '@/lib/console/utils/cookie-options';
import { appUrl, seeOther } from '@/lib/console/member-login/sso-redirects';
import { logSsoEvent } from '@/lib/console/utils/log';

export const dynamic = 'force-dynamic';

/** Where the IdP's logout answer may send the browser: an http(s) URL (Grantex built it from the IdP's settings). */
function idpLogoutUrl(value: string | null): URL | null {
  if (value === null || !URL.canParse(value)) return null;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
}

export async function POST(req: NextRequest) {
  if (!isSameOriginPost(req.headers, env().APP_URL)) return seeOther(appUrl('/member'));
  const identity = await readMemberSession(req.cookies.get(MEMBER_COOKIE)?.value, sealingSecret());
  const requestId = randomUUID();
  let idpLogout: URL | null = null;
  let outcome = 'local';
  if (identity?.session?.id) {
    try {
      const ended = await grantexPublic({ from: req.headers, requestId, retries: 0 }).sso.sessions.logout({
        developerId: identity.developerId,
        sessionId: identity.session.id,
      });
      idpLogout = idpLogoutUrl(ended.redirectUrl);
      outcome = idpLogout ? `idp_${ended.protocol ?? 'unknown'}` : ended.ended ? 'ended' : 'already_ended';
    } catch (err) {
      // The console session ends anyway; the SSO session then ends at its own expiry or by an admin's revoke.
      outcome = 'grantex_failed';
      logSsoEvent('member_sign_out_failed', { requestId, org: identity.developerId, ...grantexLogFields(err) });
    }
  }
  const target = idpLogout ?? appUrl('/login');
  if (!idpLogout) {
    if (identity) target.searchParams.set('org', identity.developerId);
    // A flag, not a message: the login page shows its own fixed confirmation text.
    target.searchParams.set('signedOut', '1');
  }
  const res = seeOther(target);
  res.cookies.set(MEMBER_COOKIE, '', expiredCookie(MEMBER_COOKIE_PATH));
  logSsoEvent('member_sign_out', { requestId, org: identity?.developerId ?? null, outcome });
  return res;
}
