/**
 * GET /api/sso/test-result — the last test sign-in of the signed-in admin or setup-link user (both run test
 * sign-ins), for the connection page's polling. Checked here, not only in the proxy, and never cached.
 * A setup link that has ended gets the same 401 as no session.
 */
import { cookies } from 'next/headers';
import { NextResponse } from 'next/server';
import { getConnectionsActor, SETUP_LINK_ENDED } from '@/lib/auth';
import { checkPermission, refusalResponse } from '@/lib/auth/authorize';
import { readTestResult, TEST_RESULT_COOKIE } from '@/lib/console/member-login/test-result';
import { sealingSecret } from '@/lib/console/utils/cookie-options';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'Cache-Control': 'no-store' };

export async function GET() {
  const check = await checkPermission('GET /api/sso/test-result');
  if (!check.ok && check.reason !== 'signed_out') return refusalResponse(check);
  const actor = await getConnectionsActor();
  if (!actor || actor === SETUP_LINK_ENDED) {
    return NextResponse.json(
      { message: 'Sign in to see test results', code: 'UNAUTHORIZED' },
      { status: 401, headers: NO_STORE },
    );
  }
  const result = await readTestResult(
    (await cookies()).get(TEST_RESULT_COOKIE)?.value,
    actor.developerId,
    sealingSecret(),
  );
  return NextResponse.json({ result }, { headers: NO_STORE });
}
