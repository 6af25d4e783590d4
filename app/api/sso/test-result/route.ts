/**
 * GET /api/sso/test-result — the signed-in admin's last test sign-in, for the settings page's
 * polling. Admin-only (checked here, not only in the proxy) and never cached.
 */
import { cookies } from 'next/headers';
import { NextResponse } from 'next/server';
import { getAdmin } from '@/lib/auth';
import { readTestResult, TEST_RESULT_COOKIE } from '@/lib/console/member-login/test-result';
import { sealingSecret } from '@/lib/console/utils/cookie-options';

export const dynamic = 'force-dynamic';

const NO_STORE = { 'Cache-Control': 'no-store' };

export async function GET() {
  const admin = await getAdmin();
  if (!admin) {
    return NextResponse.json({ message: 'Sign in to see test results', code: 'UNAUTHORIZED' }, { status: 401, headers: NO_STORE });
  }
  const result = await readTestResult((await cookies()).get(TEST_RESULT_COOKIE)?.value, admin.developerId, sealingSecret());
  return NextResponse.json({ result }, { headers: NO_STORE });
}
