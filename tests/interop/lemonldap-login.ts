/**
 * Drives LemonLDAP::NG's login page over plain HTTP, as a browser without JavaScript would: the cookie jar,
 * manual redirects, and one post of its login form (`<form id="lform">`: hidden `url`, `token`, `skin`,
 * `timezone`, plus `user` and `password`). The page is LemonLDAP's, not ours: every input the form carries
 * is posted back as it is, and a page we do not recognise stops with what it said.
 */
import {
  decodeEntities,
  driveIdpLogin,
  type CookieJar,
  type IdpPage,
  type IdpNextRequest,
} from '@/tests/support/idp-login';
import { driveSamlLogin, type SamlPost } from '@/tests/support/saml-login';

export class LemonLdapLoginError extends Error {
  override name = 'LemonLdapLoginError';
}

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w-]+)\s*=\s*"([^"]*)"/g)) attrs[m[1]!.toLowerCase()] = decodeEntities(m[2]!);
  return attrs;
}

interface LoginForm {
  action: string;
  fields: URLSearchParams;
}

/** The login form on a LemonLDAP page, with every named input it carries (hidden ones keep their values). */
export function parseLoginForm(html: string): LoginForm | undefined {
  const form = /<form\b[^>]*\bid="lform"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) return undefined;
  const fields = new URLSearchParams();
  for (const [tag] of form[1]!.matchAll(/<input\b[^>]*>/g)) {
    const attrs = attributes(tag);
    if (attrs.name) fields.set(attrs.name, attrs.value ?? '');
  }
  return { action: attributes(form[0].slice(0, form[0].indexOf('>') + 1)).action ?? '', fields };
}

/** LemonLDAP's message box (e.g. a wrong password), as plain text. */
function pageMessage(html: string): string | undefined {
  const m = /<div[^>]*class="[^"]*\bmessage\b[^"]*"[^>]*>([\s\S]*?)<\/div>/.exec(html);
  return m?.[1]
    ? decodeEntities(m[1].replace(/<[^>]+>/g, ' '))
        .replace(/\s+/g, ' ')
        .trim()
    : undefined;
}

/** Answers LemonLDAP's login page with `user`'s credentials; any other page (or the form again) stops. */
function answerLoginPage(user: { username: string; password: string }) {
  return ({ status, html, url }: IdpPage, pagesBefore: number): IdpNextRequest => {
    const form = parseLoginForm(html);
    if (status !== 200 || !form || pagesBefore > 0 || !form.fields.has('user')) {
      const said = pageMessage(html);
      throw new LemonLdapLoginError(
        `LemonLDAP stopped at ${url.pathname} with HTTP ${status}${said ? `: ${said}` : ''}` +
          (pagesBefore > 0 ? ' (after the login form was posted)' : ''),
      );
    }
    form.fields.set('user', user.username);
    form.fields.set('password', user.password);
    // action="#" posts back to the page's own URL (the authorization or SSO request), as a browser does.
    const target = new URL(form.action, url);
    target.hash = '';
    return { url: target, body: form.fields.toString() };
  };
}

/**
 * Starts at the relying party's authorization URL, signs in as `user`, and returns the URL LemonLDAP finally
 * sends the browser to (the RP's redirect_uri with `code` and `state`, or an error). Throws when LemonLDAP
 * shows a page instead (wrong password, unknown client).
 */
export async function loginAtLemonLdap(
  authorizeUrl: string,
  user: { username: string; password: string },
  options: { jar?: CookieJar } = {},
): Promise<URL> {
  return driveIdpLogin(authorizeUrl, answerLoginPage(user), {
    jar: options.jar,
    tooManySteps: () => new LemonLdapLoginError('LemonLDAP redirected too many times'),
  });
}

/**
 * The SAML issuer's side (scripts/interop/lemonldap-saml.ts): starts at the SP's HTTP-Redirect URL, signs in
 * as `user` on the same login form, and returns the HTTP-POST binding form LemonLDAP answers with (what a
 * browser would post to the ACS). An error page (unknown SP, refused request) stops with what it said.
 */
export function loginAtLemonLdapSaml(
  loginUrl: string,
  user: { username: string; password: string },
  jar?: CookieJar,
): Promise<SamlPost> {
  return driveSamlLogin(loginUrl, answerLoginPage(user), jar);
}
