import { http, headerList, redact } from './http';

export interface IdpUser {
  username: string;
  password: string;
}

/**
 * Drives the dev IdP's sign-in over plain HTTP, like a browser without JavaScript would:
 * follow redirects with a cookie jar, submit the login form, stop at the redirect to the RP.
 *
 * The bench keeps its own driver (rather than tests/support/idp-login.ts) so that its timings do
 * not change when test helpers change, and so it runs before that helper exists.
 */
export async function loginAtIdpOverHttp(authorizeUrl: string, user: IdpUser, redirectUri: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(authorizeUrl);
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  let submitted = false;

  for (let hop = 0; hop < 20; hop++) {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await http(url.href, { method, headers, body });
    for (const raw of headerList(res.headers['set-cookie'])) {
      const [pair] = raw.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    method = 'GET';
    body = undefined;

    if (res.status >= 300 && res.status < 400) {
      const location = headerList(res.headers.location)[0];
      if (!location) throw new Error(`IdP answered ${res.status} without Location at ${redact(url.href)}`);
      const next = new URL(location, url);
      if (next.href.startsWith(redirectUri)) {
        if (next.searchParams.has('error')) {
          throw new Error(
            `IdP returned error=${next.searchParams.get('error')}: ${next.searchParams.get('error_description') ?? ''}`,
          );
        }
        return next;
      }
      url = next;
      continue;
    }
    if (res.status === 200 && !submitted) {
      const action = /<form[^>]*action="([^"]*\/login)"/i.exec(res.text)?.[1];
      if (!action) throw new Error(`IdP page at ${url.pathname} has no login form`);
      url = new URL(action.replace(/&amp;/g, '&'), url);
      method = 'POST';
      body = new URLSearchParams({ username: user.username, password: user.password }).toString();
      submitted = true;
      continue;
    }
    throw new Error(
      `IdP answered ${res.status} at ${url.pathname}: ${res.text.replace(/<[^>]+>/g, ' ').slice(0, 200)}`,
    );
  }
  throw new Error('IdP login did not reach the redirect URI within 20 hops');
}
