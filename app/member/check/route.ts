/**
 * GET /member/check — /member sends the member here when their session is due for a re-check with Grantex
 * (member-recheck.ts). Only a route can re-seal or clear the cookie; it answers with a 303 back to /member (or,
 * when Grantex cannot be reached past the grace period, to /member/unavailable). A cross-site GET can at most
 * make the console ask Grantex once more: it changes nothing the member did not already have.
 */
import { randomUUID } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { grantexPublic } from '@/lib/grantex/server';
import { recheckDue, recheckMember } from '@/lib/console/member-login/member-recheck';
import {
  MEMBER_COOKIE,
  MEMBER_COOKIE_PATH,
  memberCookieMaxAge,
  readMemberSession,
  sealMemberSession,
} from '@/lib/console/member-login/member-session';
import { appUrl, seeOther } from '@/lib/console/member-login/sso-redirects';
import { expiredCookie, sealingSecret, ssoCookie } from '@/lib/console/utils/cookie-options';
import { logSsoEvent } from '@/lib/console/utils/log';

export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest) {
  const secret = sealingSecret();
  const identity = await readMemberSession(req.cookies.get(MEMBER_COOKIE)?.value, secret);
  const now = Date.now();
  if (!identity || !recheckDue(identity, now, env().MEMBER_SESSION_RECHECK_SECONDS)) return seeOther(appUrl('/member'));

  const requestId = randomUUID();
  const outcome = await recheckMember(
    identity,
    (q) => grantexPublic({ from: req.headers, requestId, retries: 0 }).sso.sessions.check(q),
    now,
  );
  logSsoEvent('member_session_check', { requestId, org: identity.developerId, outcome: outcome.kind });
  switch (outcome.kind) {
    case 'active':
    case 'unconfirmed': {
      const res = seeOther(appUrl('/member'));
      res.cookies.set(
        MEMBER_COOKIE,
        await sealMemberSession(outcome.identity, secret, now),
        ssoCookie(MEMBER_COOKIE_PATH, memberCookieMaxAge(outcome.identity, now)),
      );
      return res;
    }
    case 'ended': {
      // The member signs in again: /member now shows the signed-out page with its sign-in link.
      const res = seeOther(appUrl('/member'));
      res.cookies.set(MEMBER_COOKIE, '', expiredCookie(MEMBER_COOKIE_PATH));
      return res;
    }
    case 'unavailable':
      return seeOther(appUrl('/member/unavailable'));
  }
}
