/**
 * POST /sso/start, the admin's test sign-in (the "Test sign-in" button, `mode=test`). It always runs for the
 * signed-in admin's (or setup-link user's) own org, whatever the form says: on the connection the form names
 * (through Grantex's test sign-in, which works whatever the connection's status, ./test-sign-in-start.ts) or,
 * without one, on the org's default connection as a member's sign-in would. Its outcome, failures included, goes
 * to the test-result tab (./test-result.ts), never to the member's error page.
 */
import 'server-only';
import type { NextResponse } from 'next/server';
import { getConnectionsActor, SETUP_LINK_ENDED } from '@/lib/auth';
import { checkPermission, refusalResponse } from '@/lib/auth/authorize';
import { grantexPublic } from '@/lib/grantex/server';
import { classifyGrantexFailure } from './grantex-failure';
import { logStartFailure, redirectToIdp } from './idp-redirect';
import { memberLoginUrl } from './member-target';
import { safeConnectionId } from './sso-errors';
import type { SsoFlash } from './sso-flash';
import { appUrl, seeOther, toTestResult } from './sso-redirects';
import { testSignInUrl } from './test-sign-in-start';

export async function startTestSignIn(headers: Headers, form: FormData, requestId: string): Promise<NextResponse> {
  // A viewer may not run a test sign-in (it logs in with the connection as configured); refused before Grantex.
  const check = await checkPermission('startTestSignIn');
  if (!check.ok && check.reason !== 'signed_out' && check.reason !== 'role') return refusalResponse(check);
  const actor = await getConnectionsActor();
  if (actor === SETUP_LINK_ENDED) return seeOther(appUrl('/setup/ended'));
  if (!actor) return seeOther(appUrl('/signin'));
  const adminDeveloperId = actor.developerId;
  const connectionId = safeConnectionId(form.get('connectionId'));
  const test = {
    developerId: adminDeveloperId,
    ...(connectionId ? { connectionId } : {}),
    startedAt: new Date().toISOString(),
  };
  const failed = (detail: SsoFlash) =>
    toTestResult({ status: 'failure', ...test, finishedAt: new Date().toISOString(), stage: 'start', error: detail });
  // The button is disabled for a role without it; a form sent anyway gets the reason in the tab it opened, as any
  // other failure to start does, instead of a bare JSON answer.
  if (!check.ok && check.reason === 'role')
    return failed({ message: check.error.message, code: check.error.code, requestId });

  let started: { authorizeUrl: string; org: string };
  try {
    started = connectionId
      ? { authorizeUrl: await testSignInUrl(actor.grantex({ requestId }), connectionId), org: adminDeveloperId }
      : await memberLoginUrl(grantexPublic({ from: headers, requestId }), {
          kind: 'org',
          org: adminDeveloperId,
          connection: null,
        });
  } catch (err) {
    const { code, detail } = classifyGrantexFailure(err);
    logStartFailure(requestId, adminDeveloperId, 'test', code, err);
    return failed(detail);
  }

  return redirectToIdp(
    started.authorizeUrl,
    { requestId, org: started.org, mode: 'test', adminDeveloperId },
    {
      unusable: failed,
      // The test-result tab shows "pending" until the IdP sends the browser back.
      redirected: (res) => toTestResult({ status: 'pending', ...test }, res),
    },
  );
}
