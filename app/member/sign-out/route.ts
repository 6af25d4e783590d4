/** POST /member/sign-out — ends the member session (a POST so a link or image cannot sign anyone out). */
import type { NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { isSameOriginPost } from '@/lib/console/utils/request-guard';
import { MEMBER_COOKIE, MEMBER_COOKIE_PATH, readMemberSession } from '@/lib/console/member-login/member-session';
import { expiredCookie, sealingSecret } from '@/lib/console/utils/cookie-options';
import { appUrl, seeOther } from '@/lib/console/member-login/sso-redirects';
import { logSsoEvent } from '@/lib/console/utils/log';

export const dynamic = 'force-dynamic';

export async function POST(req: NextRequest) {
  if (!isSameOriginPost(req.headers, env().APP_URL)) return seeOther(appUrl('/member'));
  const identity = await readMemberSession(req.cookies.get(MEMBER_COOKIE)?.value, sealingSecret());
  const target = appUrl('/login');
  if (identity) target.searchParams.set('org', identity.developerId);
  // A flag, not a message: the login page shows its own fixed confirmation text.
  target.searchParams.set('signedOut', '1');
  const res = seeOther(target);
  res.cookies.set(MEMBER_COOKIE, '', expiredCookie(MEMBER_COOKIE_PATH));
  logSsoEvent('member_sign_out', { org: identity?.developerId ?? null });
  return res;
}
