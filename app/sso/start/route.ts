/**
 * POST /sso/start — begins an SSO login. Three flows share this address: a member's sign-in from the hosted login
 * form (by work email or by organization; lib/console/member-login/start-member.ts), the admin's "Test sign-in"
 * button (`mode=test`; start-test.ts) and an admin's console sign-in by work email from /signin (`mode=console`;
 * start-console.ts). A plain form target, so it works without JavaScript. This dispatcher does
 * what both need first — the same-origin check, the capped form read, the per-address limits — then hands the
 * form to the flow's handler, which binds the login to this browser (login-binding.ts) and sends it to the IdP.
 */
import { randomUUID } from 'node:crypto';
import type { NextRequest } from 'next/server';
import { env } from '@/lib/env';
import { isSameOriginPost } from '@/lib/console/utils/request-guard';
import { appUrl, seeOther, toErrorPage } from '@/lib/console/member-login/sso-redirects';
import { formDataCapped } from '@/lib/console/utils/capped-body';
import { refuseOverStartLimit, START_FORM_MAX_BYTES } from '@/lib/console/member-login/start-limit';
import { startMemberSignIn } from '@/lib/console/member-login/start-member';
import { startTestSignIn } from '@/lib/console/member-login/start-test';
import { startConsoleSignIn } from '@/lib/console/member-login/start-console';
import { logSsoEvent } from '@/lib/console/utils/log';

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
  const asked = form.get('mode');
  const mode = asked === 'test' ? 'test' : asked === 'console' ? 'console' : 'member';
  const overLimit = await refuseOverStartLimit(req.headers, form, mode);
  if (overLimit) return overLimit;

  if (mode === 'test') return startTestSignIn(req.headers, form, requestId);
  if (mode === 'console') return startConsoleSignIn(req.headers, form, requestId);
  return startMemberSignIn(req.headers, form, requestId);
}
