/**
 * Open-redirect guard for `callbackUrl`: only same-origin paths survive. Pure (no server-only)
 * so the client sign-in form and tests can use it too.
 */

export const DEFAULT_AFTER_SIGNIN = '/settings/sso';

const BASE = 'http://console.invalid';

/**
 * Returns `value` as a same-origin path (`/x?y#z`) or `fallback`.
 * Refused: absolute URLs, scheme-relative `//host`, `/\host` (browsers treat `\` as `/`),
 * control characters and anything that resolves to another origin after URL parsing.
 * Absolute URLs on our own origin (`appUrl`) are reduced to their path.
 */
export function safeRedirectPath(value: unknown, fallback = DEFAULT_AFTER_SIGNIN, appUrl?: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return fallback;
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  let candidate = value;
  if (!candidate.startsWith('/')) {
    if (!appUrl) return fallback;
    try {
      const url = new URL(candidate);
      if (url.origin !== new URL(appUrl).origin) return fallback;
      candidate = `${url.pathname}${url.search}${url.hash}`;
    } catch {
      return fallback;
    }
  }
  if (candidate.startsWith('//')) return fallback;
  let resolved: URL;
  try {
    resolved = new URL(candidate, BASE);
  } catch {
    return fallback;
  }
  if (resolved.origin !== BASE) return fallback;
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  // Never bounce back into the sign-in page or the auth API (loops, or a GET to signout).
  if (path === '/signin' || path.startsWith('/signin?') || path.startsWith('/api/auth')) return fallback;
  return path;
}
