/**
 * Drives a SAML IdP's pages over plain HTTP (no JavaScript): the login form, then the HTTP-POST binding's
 * auto-submitting form, whose fields are what a browser would post to the ACS.
 */
import {
  CookieJar,
  decodeEntities,
  driveIdpLogin,
  type DevIdpUser,
  type IdpPage,
  type IdpNextRequest,
} from './idp-login';

export interface SamlPost {
  acsUrl: string;
  samlResponse: string;
  relayState: string | null;
}

function attr(tag: string, name: string): string | null {
  const m = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return m?.[1] !== undefined ? decodeEntities(m[1]) : null;
}

/** The hidden fields of the HTTP-POST binding form in `html`, or null if the page has none. */
export function readSamlPostForm(html: string, base: URL): SamlPost | null {
  const fields = new Map<string, string>();
  for (const input of html.match(/<input\b[^>]*>/gi) ?? []) {
    const name = attr(input, 'name');
    const value = attr(input, 'value');
    if (name && value !== null) fields.set(name, value);
  }
  const samlResponse = fields.get('SAMLResponse');
  if (!samlResponse) return null;
  // The form around the SAMLResponse field: the last <form> tag before it.
  const before = html.slice(0, html.indexOf('name="SAMLResponse"'));
  const formTag = [...before.matchAll(/<form\b[^>]*>/gi)].at(-1)?.[0];
  const action = formTag ? attr(formTag, 'action') : null;
  if (!action) return null;
  return { acsUrl: new URL(action, base).href, samlResponse, relayState: fields.get('RelayState') ?? null };
}

/**
 * Follows `loginUrl` (the SP's HTTP-Redirect URL) through the IdP: `onLoginPage` answers the login page with
 * the form post; the page that carries a SAMLResponse ends the walk.
 */
export async function driveSamlLogin(
  loginUrl: string,
  /** Gets the page and how many pages came before it (a login page shown twice means the login failed). */
  onLoginPage: (page: IdpPage, pagesBefore: number) => IdpNextRequest,
  jar = new CookieJar(),
): Promise<SamlPost> {
  let post: SamlPost | null = null;
  const stop = new Error('saml-post-reached');
  try {
    await driveIdpLogin(
      loginUrl,
      (page, pagesBefore) => {
        post = readSamlPostForm(page.html, page.url);
        if (post) throw stop;
        return onLoginPage(page, pagesBefore);
      },
      { jar },
    );
  } catch (err) {
    if (err !== stop) throw err;
  }
  if (!post) throw new Error('the IdP left its origin without an HTTP-POST form');
  return post;
}

/** The dev IdP's SAML login: its login form posted with `user`, or its Cancel button. */
export function loginAtDevSamlIdp(loginUrl: string, user: DevIdpUser | 'cancel'): Promise<SamlPost> {
  return driveSamlLogin(loginUrl, ({ status, html, url }, pagesBefore) => {
    const action = /<form method="post" action="([^"]+)" id="login-form">/.exec(html)?.[1];
    if (status !== 200 || !action || pagesBefore > 0)
      throw new Error(`dev IdP stopped at ${url.pathname} with HTTP ${status}`);
    const loginAction = new URL(decodeEntities(action), url);
    if (user === 'cancel')
      return { url: new URL(loginAction.pathname.replace(/\/login$/, '/abort'), loginAction), body: '' };
    return { url: loginAction, body: new URLSearchParams(user).toString() };
  });
}
