import { NextResponse, type NextRequest } from 'next/server';

/**
 * Runs before every console route except static assets:
 * 1. security headers, including a per-request nonce CSP (Next.js reads the nonce from the
 *    request's Content-Security-Policy header and stamps it on its scripts);
 * 2. an optimistic redirect of /settings/** to /signin when no session cookie is present.
 *    Only the presence is checked here; pages and actions verify the session (requireAdmin).
 */

const SESSION_COOKIES = ['next-auth.session-token', '__Secure-next-auth.session-token'];

function hasSessionCookie(req: NextRequest): boolean {
  return req.cookies
    .getAll()
    .some((c) => SESSION_COOKIES.some((name) => c.name === name || c.name.startsWith(`${name}.`)));
}

/**
 * Absolute redirects must use the configured public URL: req.nextUrl turns 127.0.0.1 into
 * localhost, and a redirect to the other host would lose its cookies (Next rewrites 127.0.0.1 as localhost in request URLs).
 * lib/env is server-only (React server condition), so the two variables are read directly here.
 */
function publicOrigin(req: NextRequest): string {
  for (const candidate of [process.env.APP_URL, process.env.NEXTAUTH_URL]) {
    if (!candidate) continue;
    try {
      return new URL(candidate).origin;
    } catch {
      // invalid values are reported by lib/env at the first page render
    }
  }
  return req.nextUrl.origin;
}

export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    `default-src 'self'`,
    // 'strict-dynamic' lets Next's nonced bootstrap load its chunks; 'unsafe-eval' only for dev tooling.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Inline style attributes come from React/Radix; styles cannot run code.
    `style-src 'self' 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self' data:`,
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    `object-src 'none'`,
    `base-uri 'self'`,
    // No form-action: the member login form posts to /sso/start, which redirects to the IdP, and
    // browsers apply form-action to that redirect too.
    `frame-ancestors 'none'`,
    `frame-src 'none'`,
    `worker-src 'self' blob:`,
    `manifest-src 'self'`,
    ...(dev ? [] : ['upgrade-insecure-requests']),
  ].join('; ');
}

const STATIC_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Permissions-Policy':
    'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Two years, subdomains included (the value browsers' preload lists expect as a minimum). */
export const HSTS_VALUE = 'max-age=63072000; includeSubDomains';

/**
 * `Strict-Transport-Security` only for a production console whose public URL is https: after the first visit
 * the browser never tries plain http again (no downgrade, no cookie over http). Never on http or in development,
 * where it would pin `localhost` to https for two years.
 */
export function strictTransportSecurity(appUrl: string | undefined, production: boolean): string | null {
  return production && appUrl?.startsWith('https://') ? HSTS_VALUE : null;
}

/** SSO pages carry codes, states and org ids (setup pages a setup token) in their URLs: no Referer at all, even same-origin. */
function referrerPolicyFor(pathname: string): string {
  return pathname.startsWith('/sso/') ||
    pathname === '/login' ||
    pathname.startsWith('/member') ||
    pathname.startsWith('/setup/')
    ? 'no-referrer'
    : 'strict-origin-when-cross-origin';
}

function withSecurityHeaders(res: NextResponse, csp: string, pathname: string): NextResponse {
  res.headers.set('Content-Security-Policy', csp);
  const hsts = strictTransportSecurity(
    process.env.APP_URL || process.env.NEXTAUTH_URL,
    process.env.NODE_ENV === 'production',
  );
  if (hsts) res.headers.set('Strict-Transport-Security', hsts);
  for (const [name, value] of Object.entries(STATIC_HEADERS)) res.headers.set(name, value);
  res.headers.set('Referrer-Policy', referrerPolicyFor(pathname));
  return res;
}

export function proxy(req: NextRequest): NextResponse {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const dev = process.env.NODE_ENV !== 'production';
  const csp = contentSecurityPolicy(nonce, dev);
  const { pathname, search } = req.nextUrl;

  if ((pathname === '/settings' || pathname.startsWith('/settings/')) && !hasSessionCookie(req)) {
    const target = new URL(`/signin?callbackUrl=${encodeURIComponent(`${pathname}${search}`)}`, publicOrigin(req));
    return withSecurityHeaders(NextResponse.redirect(target, 307), csp, pathname);
  }

  const requestHeaders = new Headers(req.headers);
  requestHeaders.set('x-nonce', nonce);
  requestHeaders.set('Content-Security-Policy', csp);
  return withSecurityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), csp, pathname);
}

export const config = {
  matcher: [
    {
      // Everything but build assets, image optimisation and the static icon (public/); prefetches get headers too.
      source: '/((?!_next/static|_next/image|icon.svg).*)',
    },
  ],
};
