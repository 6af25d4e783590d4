/**
 * Client authentication at the token endpoint with a client secret: `client_secret_basic` or
 * `client_secret_post`, chosen per token request from what the IdP advertises and from the credentials.
 *
 * Basic credentials are form-encoded before base64 (RFC 6749 §2.3.1). Many IdPs decode them, some
 * compare the raw bytes. With the minimal form encoding, credentials made only of letters, digits and
 * `-._~*` (GUIDs, `…apps.googleusercontent.com`, `GOCSPX-…`, Entra secrets with `~` and `.`) are sent
 * as they are, so both kinds of IdP read the same bytes. Credentials that still need escaping go by
 * `client_secret_post` when the IdP offers it, where no such question arises. An IdP that rejects the
 * chosen method gets the other one once (`withAuthMethodFallback`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ClientSecretPost, ResponseBodyError, WWWAuthenticateChallengeError, type ClientAuth } from 'openid-client';

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
export function chooseAuthMethod(
  supported: readonly string[] | undefined,
  credentials?: ClientCredentials,
): AuthMethod | null {
  const basic = !supported || supported.includes('client_secret_basic');
  const post = supported?.includes('client_secret_post') ?? false;
  const escaped =
    credentials !== undefined &&
    (needsFormEncoding(credentials.clientId) || needsFormEncoding(credentials.clientSecret));
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
 * Per client set-up (relying-party.ts caches one per client, never keyed by the plaintext secret): the method
 * the IdP accepted after a fallback, so later logins use it straight away.
 */
export interface AuthMethodMemory {
  learned?: AuthMethod;
}

/** One code exchange: the method forced for this attempt (the fallback), and the one actually sent. */
interface Attempt {
  forced?: AuthMethod;
  sent?: AuthMethod;
}
const attempts = new AsyncLocalStorage<Attempt>();

/**
 * The ClientAuth given to openid-client. The secret is read only when a token request is sent (the
 * service decrypts it on read), and the method is chosen then: the attempt's forced method, else the
 * one this client set-up learned, else from the advertised list and the credentials.
 */
export function clientSecretAuth(
  supported: readonly string[] | undefined,
  readSecret: () => string,
  memory: AuthMethodMemory = {},
): ClientAuth {
  return function clientSecretAuthentication(as, client, body, headers) {
    const clientSecret = readSecret();
    const attempt = attempts.getStore();
    const learned = memory.learned && advertises(supported, memory.learned) ? memory.learned : undefined;
    const method =
      attempt?.forced ?? learned ?? chooseAuthMethod(supported, { clientId: client.client_id, clientSecret });
    if (attempt) attempt.sent = method ?? undefined;
    const auth =
      method === 'client_secret_post' ? ClientSecretPost(clientSecret) : clientSecretBasicMinimal(clientSecret);
    return auth(as, client, body, headers);
  };
}

/** Whether the IdP advertises `method` (an absent list means Basic only). */
function advertises(supported: readonly string[] | undefined, method: AuthMethod): boolean {
  return supported ? supported.includes(method) : method === 'client_secret_basic';
}

/** The other secret method, when the IdP advertises it. */
export function otherAuthMethod(supported: readonly string[] | undefined, method: AuthMethod): AuthMethod | null {
  const other: AuthMethod = method === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic';
  return advertises(supported, other) ? other : null;
}

const CLIENT_AUTH_ERRORS: readonly unknown[] = ['invalid_client', 'unauthorized_client'];
const CLIENT_AUTH_STATUSES: readonly number[] = [400, 401, 403];

/**
 * The token endpoint refused the client itself: `invalid_client` (RFC 6749 §5.2), or `unauthorized_client`
 * as some IdPs answer, with HTTP 400, 401 or 403; or a 401 whose WWW-Authenticate challenge names no other
 * error. Nothing else counts (invalid_grant, 5xx, timeouts, network errors are never retried).
 */
export function isClientAuthRejection(err: unknown): boolean {
  if (err instanceof ResponseBodyError)
    return CLIENT_AUTH_STATUSES.includes(err.status) && CLIENT_AUTH_ERRORS.includes(err.error);
  if (err instanceof WWWAuthenticateChallengeError) {
    return (
      err.status === 401 &&
      err.cause.every((c) => c.parameters.error === undefined || CLIENT_AUTH_ERRORS.includes(c.parameters.error))
    );
  }
  return false;
}

/** Thrown when the IdP refused both secret methods; token-errors.ts turns it into the user-facing message. */
export class BothAuthMethodsRejected extends Error {
  override name = 'BothAuthMethodsRejected';
  constructor() {
    super('the identity provider rejected the client credentials with both client_secret_basic and client_secret_post');
  }
}

/**
 * Runs a code exchange, and once more with the other secret method if the IdP rejected the client and
 * advertises that method: Auth0 and Okta accept only the method registered for the application although
 * discovery lists both, and LemonLDAP 2.16 misreads Basic tokens containing `+` or `/`. The retry is safe
 * because an IdP authenticates the client before it looks at the code, so a rejected request leaves the
 * code unused; any other failure is rethrown as is. The method that worked is remembered in `memory`.
 */
export async function withAuthMethodFallback<T>(
  supported: readonly string[] | undefined,
  memory: AuthMethodMemory,
  exchange: () => Promise<T>,
): Promise<T> {
  const first: Attempt = {};
  try {
    return await attempts.run(first, exchange);
  } catch (err) {
    const other = first.sent && isClientAuthRejection(err) ? otherAuthMethod(supported, first.sent) : null;
    if (!other) throw err;
    try {
      const result = await attempts.run({ forced: other }, exchange);
      memory.learned = other;
      return result;
    } catch (retryErr) {
      throw isClientAuthRejection(retryErr) ? new BothAuthMethodsRejected() : retryErr;
    }
  }
}
