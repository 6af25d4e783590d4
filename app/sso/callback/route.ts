/**
 * GET /sso/callback — the shared redirect URI that connections registered before each had its own
 * (`/sso/callback/<key>`). The implementation is lib/console/member-login/oidc-callback.ts.
 */
import type { NextRequest } from 'next/server';
import { handleOidcCallback } from '@/lib/console/member-login/oidc-callback';
import { SHARED_CALLBACK_PATH } from '@/lib/console/member-login/callback-address';

export const dynamic = 'force-dynamic';

export function GET(req: NextRequest) {
  return handleOidcCallback(req, SHARED_CALLBACK_PATH);
}
