/**
 * The one place that decides where the browser goes after an admin signs in (`/signin?callbackUrl=`).
 * Pure (no server-only) so the client sign-in form and tests can use it too.
 *
 * The target is judged on the URL a browser would actually request: the input is first resolved
 * against the console's own origin with the WHATWG URL parser (the one browsers use), so dot
 * segments (`/.//x`, `/..//x`, `/%2e//x`), scheme-relative forms and absolute URLs are all settled
 * before anything is checked. Only then must it be same-origin and inside an allow-list of paths.
 * Checking the raw string first (then normalising) is what lets `/.//evil.example` become `//evil.example`.
 */

export const DEFAULT_AFTER_SIGNIN = '/settings/sso';

/**
 * Where a post-sign-in redirect may go: the admin pages and the test sign-in result (the only pages that
 * send an admin to /signin with a return address). Matched on a path-segment boundary.
 */
export const AFTER_SIGNIN_PREFIXES: readonly string[] = ['/settings', '/sso/test-result'];

/** Used as the origin when the caller passes no APP_URL: only relative inputs can then pass. */
const PLACEHOLDER_ORIGIN = 'http://console.invalid';
const MAX_INPUT_CHARS = 2048;

/**
 * Control characters (C0 incl. tab/CR/LF, DEL, C1) are stripped or mangled differently by browsers, servers and
 * the URL parser; a backslash is a slash to browsers. Neither belongs in a return address.
 */
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\\]/;
/**
 * Encoded slash, backslash, dot, percent and NUL in the *resolved path*: a server or proxy that decodes once
 * more could read another path (or `//host`) into them. Query and fragment cannot change the origin.
 */
const ENCODED_TRAPS = /%(?:2f|5c|2e|25|00)/i;

function allowedPath(pathname: string): boolean {
  return AFTER_SIGNIN_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/**
 * Returns a same-origin path (`/x?y#z`) under one of AFTER_SIGNIN_PREFIXES, or `fallback`.
 * `appUrl` (the console's public URL) lets absolute URLs on the console's own origin through, reduced to
 * their path; without it only relative inputs can pass.
 */
export function safeRedirectPath(value: unknown, fallback = DEFAULT_AFTER_SIGNIN, appUrl?: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_INPUT_CHARS) return fallback;
  if (FORBIDDEN_CHARS.test(value)) return fallback;
  // A path or an absolute URL; a bare relative reference ("settings") depends on the page it is read on.
  if (!value.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(value)) return fallback;
  let origin: string;
  try {
    origin = new URL(appUrl ?? PLACEHOLDER_ORIGIN).origin;
  } catch {
    return fallback;
  }
  let resolved: URL;
  try {
    resolved = new URL(value, `${origin}/`);
  } catch {
    return fallback;
  }
  if (resolved.origin !== origin || resolved.username !== '' || resolved.password !== '') return fallback;
  const { pathname } = resolved;
  if (pathname.startsWith('//') || ENCODED_TRAPS.test(pathname) || !allowedPath(pathname)) return fallback;
  const path = `${pathname}${resolved.search}${resolved.hash}`;
  // The answer must mean the same thing when resolved again (by the browser, against any page of ours).
  try {
    const again = new URL(path, `${origin}/some/page`);
    if (again.origin !== origin || again.pathname !== pathname) return fallback;
  } catch {
    return fallback;
  }
  return path;
}
