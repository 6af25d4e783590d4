/**
 * Redirect responses for the /sso/* route handlers. Absolute URLs are built from APP_URL (not
 * from the request, which may carry a spoofed Host or have 127.0.0.1 rewritten to localhost), and
 * every response is uncacheable and leaks no referrer (the IdP's callback URL holds code+state).
 */
import 'server-only';
import { NextResponse } from 'next/server';
import { env } from '@/lib/env';
import type { SsoErrorCode } from './sso-errors';
import { sealFlash, FLASH_COOKIE, FLASH_COOKIE_PATH, FLASH_TTL_SECONDS, type SsoFlash } from './sso-flash';
import {
  sealTestResult,
  TEST_RESULT_COOKIE,
  TEST_RESULT_COOKIE_PATH,
  TEST_RESULT_TTL_SECONDS,
  type TestResult,
} from './test-result';
import { expiredCookie, sealingSecret, ssoCookie } from '../utils/cookie-options';

export function appUrl(path: string): URL {
  return new URL(path, `${env().APP_URL}/`);
}

export function seeOther(location: string | URL): NextResponse {
  const res = NextResponse.redirect(typeof location === 'string' ? location : location.toString(), 303);
  res.headers.set('Cache-Control', 'no-store');
  res.headers.set('Referrer-Policy', 'no-referrer');
  return res;
}

/** 303 to the member error page, with only a short code and the org in the URL. */
export async function toErrorPage(code: SsoErrorCode, org: string | null, flash?: SsoFlash): Promise<NextResponse> {
  const url = appUrl('/sso/error');
  url.searchParams.set('code', code);
  if (org) url.searchParams.set('org', org);
  const res = seeOther(url);
  if (flash) {
    res.cookies.set(
      FLASH_COOKIE,
      await sealFlash(flash, sealingSecret()),
      ssoCookie(FLASH_COOKIE_PATH, FLASH_TTL_SECONDS),
    );
  } else {
    // An earlier failure's detail must not be shown under this one.
    res.cookies.set(FLASH_COOKIE, '', expiredCookie(FLASH_COOKIE_PATH));
  }
  return res;
}

/** Records the admin's test outcome and shows it in the test tab. */
export async function toTestResult(
  result: TestResult,
  res: NextResponse = seeOther(appUrl('/sso/test-result')),
): Promise<NextResponse> {
  res.cookies.set(
    TEST_RESULT_COOKIE,
    await sealTestResult(result, sealingSecret()),
    ssoCookie(TEST_RESULT_COOKIE_PATH, TEST_RESULT_TTL_SECONDS),
  );
  return res;
}
