/**
 * Cross-site request checks for the console's own POST routes (/sso/start, member sign-out).
 * Browsers send Sec-Fetch-Site on every request; older ones at least send Origin on a POST. A
 * request with neither is not from a browser form on this site, so it is refused as well.
 */
export function isSameOriginPost(headers: Headers, appUrl: string): boolean {
  const site = headers.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = headers.get('origin');
  if (!origin) return false;
  try {
    return origin === new URL(appUrl).origin;
  } catch {
    return false;
  }
}

/** Only http(s) URLs may be redirected to; a `javascript:` authorize URL must never become a Location. */
export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
