/**
 * GET /settings/sso/activity/export — the filtered sign-in activity as CSV (newest first, at most
 * EXPORT_MAX rows). Admin-only (checked here), never cached; the API key stays on the server.
 */
import { NextResponse, type NextRequest } from 'next/server';
import { getAdmin } from '@/lib/auth';
import { checkPermission, refusalResponse } from '@/lib/auth/authorize';
import { activityQuery, eventsToCsv, readActivityFilters } from '@/lib/console/activity';
import { ACTIVITY_NOT_SUPPORTED } from '@/lib/console/messages';
import { describeGrantexError } from '@/lib/console/grantex-errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import { EVENT_LIMITS, type SignInEvent } from '@/lib/contract';

export const dynamic = 'force-dynamic';

const EXPORT_MAX = 5000;
const NO_STORE = { 'Cache-Control': 'no-store' };

export async function GET(request: NextRequest) {
  const check = await checkPermission('GET /settings/sso/activity/export');
  if (!check.ok && check.reason !== 'signed_out') return refusalResponse(check);
  const admin = await getAdmin();
  if (!admin)
    return NextResponse.json(
      { message: 'Sign in to export sign-in activity', code: 'UNAUTHORIZED' },
      { status: 401, headers: NO_STORE },
    );
  const filters = readActivityFilters(Object.fromEntries(request.nextUrl.searchParams));
  const client = grantexForAdmin(admin);
  const events: SignInEvent[] = [];
  let cursor: string | undefined;
  try {
    do {
      const page = await client.sso.events.list(
        activityQuery(filters, { limit: EVENT_LIMITS.pageMax, ...(cursor ? { cursor } : {}) }),
      );
      if (!page.supported) {
        return NextResponse.json(
          { message: ACTIVITY_NOT_SUPPORTED.title, code: 'NOT_FOUND' },
          { status: 404, headers: NO_STORE },
        );
      }
      events.push(...page.events);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && events.length < EXPORT_MAX);
  } catch (err) {
    return NextResponse.json(
      { message: describeGrantexError(err), code: 'BAD_GATEWAY' },
      { status: 502, headers: NO_STORE },
    );
  }
  return new NextResponse(eventsToCsv(events.slice(0, EXPORT_MAX)), {
    headers: {
      ...NO_STORE,
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="sign-in-activity-${new Date().toISOString().slice(0, 10)}.csv"`,
    },
  });
}
