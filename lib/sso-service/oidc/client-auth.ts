/**
 * Client authentication at the token endpoint with a client secret: `client_secret_basic` or
 * `client_secret_post`, chosen per token request from what the IdP advertises and from the credentials.
 *
 * Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1). Many IdPs decode them, some
 * compare the raw bytes. With the minimal form encoding, credentials made only of letters, digits and
 * `-._~*` (GUIDs, `…apps.googleusercontent.com`, `GOCSPX-…`, Entra secrets with `~` and `.`) are sent
 * as they are, so both kinds of IdP read the same bytes. Credentials that still need escaping go by
 * `client_secret_post` when the IdP offers it, where no such question arises.
 */
import { ClientSecretPost, type ClientAuth } from 'openid-client';

export type AuthMethod = 'client_secret_basic' | 'client_secret_post';

/** What the application/x-www-form-urlencoded serializer leaves as is, plus `~` (unreserved in RFC 3986). */
const FORM_SAFE = /^[A-Za-z0-9*\-._~]*$/;

export function needsFormEncoding(value: string): boolean {
  return !FORM_SAFE.test(value);
}

/** Minimal form encoding: letters, digits and `-._~*` as they are, space as `+`, everything else %XX of its UTF-8 bytes. */
export function formEncodeMinimal(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/**
 * RFC 8414 / Discovery: an absent list means the default, client_secret_basic. When both methods are
 * advertised and the credentials need escaping, post is used so an IdP that does not decode Basic
 * credentials still sees the exact secret.
 */
export function chooseAuthMethod(supported: readonly string[] | undefined, credentials?: ClientCredentials): AuthMethod | null {
  const basic = !supported || supported.includes('client_secret_basic');
  const post = supported?.includes('client_secret_post') ?? false;
  const escaped = credentials !== undefined && (needsFormEncoding(credentials.clientId) || needsFormEncoding(credentials.clientSecret));
  if (basic && !(post && escaped)) return 'client_secret_basic';
  return post ? 'client_secret_post' : null;
}

/**
 * client_secret_basic with the minimal form encoding. Not openid-client's ClientSecretBasic: it
 * percent-encodes every character but letters and digits (`-` becomes `%2D`), more than RFC 6749
 * Appendix B requires, and IdPs that do not decode Basic credentials then reject the client.
 */
export function clientSecretBasicMinimal(clientSecret: string): ClientAuth {
  return function clientSecretBasicMinimalAuth(_as, client, _body, headers) {
    const credentials = `${formEncodeMinimal(client.client_id)}:${formEncodeMinimal(clientSecret)}`;
    headers.set('authorization', `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`);
  };
}

/**
 * The ClientAuth given to openid-client. The secret is read only when a token request is sent (the
 * service decrypts it on read), and the method is chosen then, from the advertised list and the credentials.
 */
export function clientSecretAuth(supported: readonly string[] | undefined, readSecret: () => string): ClientAuth {
  return function clientSecretAuthentication(as, client, body, headers) {
    const clientSecret = readSecret();
    const method = chooseAuthMethod(supported, { clientId: client.client_id, clientSecret });
    const auth = method === 'client_secret_post' ? ClientSecretPost(clientSecret) : clientSecretBasicMinimal(clientSecret);
    return auth(as, client, body, headers);
  };
}
