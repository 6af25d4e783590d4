/**
 * Drives the dev IdP's login page over plain HTTP, the way a browser without JavaScript would:
 * manual redirects, a tiny path-aware cookie jar, one form post. Used by integration tests and
 * benchmarks, so it stays dependency-free and regex-based (we own the page it parses).
 */
import { fetch } from 'undici';

export type DevIdpUser = { username: string; password: string };

export class DevIdpLoginError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly url: string,
    /** Visible text of the error banner on the page, when there was one (e.g. "Wrong username or password"). */
    readonly pageError?: string,
  ) {
    super(message);
    this.name = 'DevIdpLoginError';
  }
}

interface Cookie {
  name: string;
  value: string;
  path: string;
}

/** Only what oidc-provider sets: name, value, path, and deletion via past `expires`/`max-age=0`. */
export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  store(setCookies: string[], requestUrl: URL): void {
    for (const header of setCookies) {
      const [pair = '', ...attrs] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = requestUrl.pathname.replace(/\/[^/]*$/, '') || '/';
      let expired = false;
      for (const attr of attrs) {
        const [k = '', v = ''] = attr.split('=').map((s) => s.trim());
        const key = k.toLowerCase();
        if (key === 'path' && v.startsWith('/')) path = v;
        else if (key === 'max-age' && Number(v) <= 0) expired = true;
        else if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const id = `${name}\u0000${path}`;
      if (expired || value === '') this.cookies.delete(id);
      else this.cookies.set(id, { name, value, path });
    }
  }

  header(url: URL): string | undefined {
    const matches = [...this.cookies.values()].filter(
      (c) => url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
    );
    return matches.length ? matches.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }
}

const MAX_STEPS = 12;

/** One request as a browser would send it: the jar's cookies, no redirect following. */
async function step(
  jar: CookieJar,
  url: URL,
  init: { method?: string; body?: string } = {},
): Promise<{ status: number; location?: URL; html?: string }> {
  const headers: Record<string, string> = { accept: 'text/html' };
  const cookie = jar.header(url);
  if (cookie) headers.cookie = cookie;
  if (init.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body, redirect: 'manual' });
  jar.store(res.headers.getSetCookie(), url);
  const location = res.headers.get('location');
  if (res.status >= 300 && res.status < 400 && location) {
    await res.body?.cancel();
    return { status: res.status, location: new URL(location, url) };
  }
  return { status: res.status, html: await res.text() };
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&#96;/g, '`')
    .replace(/&amp;/g, '&');
}

function pageError(html: string | undefined): string | undefined {
  const m = html && /<p class="error"[^>]*>([\s\S]*?)<\/p>/.exec(html);
  return m?.[1] ? decodeEntities(m[1]) : undefined;
}

/** A page an IdP showed (not a redirect), and where. */
export interface IdpPage {
  status: number;
  html: string;
  url: URL;
}

/** The request a page leads to: usually its form, posted. */
export interface IdpNextRequest {
  url: URL;
  method?: 'GET' | 'POST';
  body?: string;
}

/**
 * Follows an IdP's redirects from the relying party's authorization URL, as a browser would, and hands every
 * page the IdP shows to `onPage` (with how many pages came before), which answers with the next request or
 * throws. Returns the first URL outside the IdP's origin: the RP's redirect_uri with `code` & `state`, or an error.
 */
export async function driveIdpLogin(
  authorizeUrl: string,
  onPage: (page: IdpPage, pagesBefore: number) => IdpNextRequest,
  options: { jar?: CookieJar; tooManySteps?: (url: URL) => Error } = {},
): Promise<URL> {
  const jar = options.jar ?? new CookieJar();
  const idpOrigin = new URL(authorizeUrl).origin;
  let current = new URL(authorizeUrl);
  let res = await step(jar, current);
  let pages = 0;

  for (let i = 0; i < MAX_STEPS; i++) {
    if (res.location) {
      if (res.location.origin !== idpOrigin) return res.location;
      current = res.location;
      res = await step(jar, current);
      continue;
    }
    const next = onPage({ status: res.status, html: res.html ?? '', url: current }, pages++);
    current = next.url;
    res = await step(jar, current, { method: next.method ?? 'POST', body: next.body });
  }
  throw options.tooManySteps?.(current) ?? new Error(`the IdP redirected too many times (last: ${current.href})`);
}

/**
 * Starts at the relying party's authorization URL and returns the URL the IdP finally sends the
 * browser to: the RP's redirect_uri with `code` & `state`, or with `error=access_denied` after a cancel.
 * Throws DevIdpLoginError when the IdP shows a page instead (wrong password, bad request).
 */
export async function loginAtDevIdp(
  authorizeUrl: string,
  user: DevIdpUser | 'cancel',
  /** Pass one jar to several logins to act as one browser (keeps the IdP session cookie). */
  options: { jar?: CookieJar } = {},
): Promise<URL> {
  return driveIdpLogin(
    authorizeUrl,
    ({ status, html, url }, pagesBefore) => {
      const action = /<form method="post" action="([^"]+)" id="login-form">/.exec(html)?.[1];
      if (status !== 200 || !action || pagesBefore > 0) {
        const shown = pageError(html);
        throw new DevIdpLoginError(
          `dev IdP stopped at ${url.pathname} with HTTP ${status}${shown ? `: ${shown}` : ''}`,
          status,
          url.href,
          shown,
        );
      }
      const loginUrl = new URL(decodeEntities(action), url);
      if (user === 'cancel')
        return { url: new URL(loginUrl.pathname.replace(/\/login$/, '/abort'), loginUrl), body: '' };
      return {
        url: loginUrl,
        body: new URLSearchParams({ username: user.username, password: user.password }).toString(),
      };
    },
    { jar: options.jar, tooManySteps: (url) => new DevIdpLoginError('dev IdP redirected too many times', 0, url.href) },
  );
}
