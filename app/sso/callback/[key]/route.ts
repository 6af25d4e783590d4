/**
 * GET /sso/callback/<key> — one connection's own redirect URI (see lib/console/member-login/callback-address.ts).
 * A key of any other shape is no address the console ever gave out: the error page, and no Grantex call.
 */
import type { NextRequest } from 'next/server';
import { handleOidcCallback } from '@/lib/console/member-login/oidc-callback';
import { isCallbackKey, SHARED_CALLBACK_PATH } from '@/lib/console/member-login/callback-address';
import { toErrorPage } from '@/lib/console/member-login/sso-redirects';
import { logSsoEvent } from '@/lib/console/utils/log';

export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest, ctx: { params: Promise<{ key: string }> }) {
  const { key } = await ctx.params;
  if (!isCallbackKey(key)) {
    logSsoEvent('callback', { outcome: 'refused_unknown_callback_address' });
    return toErrorPage('bad_request', null);
  }
  return handleOidcCallback(req, `${SHARED_CALLBACK_PATH}/${key}`);
}
