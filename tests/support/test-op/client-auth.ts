import type { IncomingHttpHeaders } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AuthMethod } from './behaviour';

export interface TestOpClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs; an empty list accepts any http(s) URI (still bound to the code). */
  redirectUris: string[];
  /**
   * The one method this client may use, though the OP advertises both: Auth0's per-application "Authentication
   * Method" (Dashboard → Applications → Credentials: Client Secret (Basic) or (Post),
   * https://auth0.com/docs/get-started/applications/credentials) and Okta's per-app client authentication
   * (`token_endpoint_auth_method`; "include a header or parameter … depending on the authentication method that
   * the application is configured with", https://developer.okta.com/docs/api/openapi/okta-oauth/guides/client-auth).
   */
  onlyMethod?: AuthMethod;
  /** How the other method is refused; default 401 invalid_client. */
  wrongMethodAnswer?: { status: 400 | 401 | 403; error: 'invalid_client' | 'unauthorized_client' };
}

export type ClientAuthResult =
  | { ok: true; client: TestOpClient; method: AuthMethod }
  | {
      ok: false;
      status: 400 | 401 | 403;
      error: 'invalid_request' | 'invalid_client' | 'unauthorized_client';
      description: string;
    };

/**
 * How the OP reads the user and password of Basic credentials:
 * - `form`: form-decodes them (RFC 6749 §2.3.1 / Appendix B), like most IdPs;
 * - `raw`: compares the bytes as sent, like the IdPs in the field that do not decode them;
 * - `lemonldap`: raw, and reads the base64 token only up to its first `+` or `/`, as LemonLDAP::NG 2.16
 *   does (tests/interop/lemonldap.test.ts pins that down against the real one).
 */
export type BasicDecoding = 'form' | 'raw' | 'lemonldap';

/** RFC 6749 §2.3.1 / Appendix B: Basic credentials are application/x-www-form-urlencoded first. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseBasic(
  header: string | undefined,
  decoding: BasicDecoding = 'form',
): { clientId: string; clientSecret: string } | 'malformed' | undefined {
  if (!header) return undefined;
  const [scheme, value, ...rest] = header.split(' ');
  if (scheme?.toLowerCase() !== 'basic' || !value || rest.length) return 'malformed';
  const token = decoding === 'lemonldap' ? (value.split(/[+/]/)[0] ?? '') : value;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  // LemonLDAP answers a cut-off token like wrong credentials.
  if (i < 0) return decoding === 'lemonldap' ? { clientId: decoded, clientSecret: '' } : 'malformed';
  const read = decoding === 'form' ? formDecode : (v: string) => v;
  try {
    return { clientId: read(decoded.slice(0, i)), clientSecret: read(decoded.slice(i + 1)) };
  } catch {
    return 'malformed';
  }
}

/** Enforces exactly one client authentication, with a method the OP advertises. */
export function authenticateClient(
  headers: IncomingHttpHeaders,
  form: URLSearchParams,
  clients: readonly TestOpClient[],
  allowed: readonly AuthMethod[],
  decoding: BasicDecoding = 'form',
): ClientAuthResult {
  const basic = parseBasic(headers.authorization, decoding);
  const postSecret = form.get('client_secret');
  if (basic === 'malformed') {
    return { ok: false, status: 400, error: 'invalid_request', description: 'malformed Basic credentials' };
  }
  if (basic && postSecret !== null) {
    return { ok: false, status: 400, error: 'invalid_request', description: 'more than one client authentication' };
  }
  const method: AuthMethod | undefined = basic
    ? 'client_secret_basic'
    : postSecret !== null
      ? 'client_secret_post'
      : undefined;
  if (!method) return { ok: false, status: 401, error: 'invalid_client', description: 'no client authentication' };
  if (!allowed.includes(method)) {
    return { ok: false, status: 401, error: 'invalid_client', description: `${method} is not supported` };
  }
  const clientId = basic ? basic.clientId : form.get('client_id');
  const secret = basic ? basic.clientSecret : (postSecret ?? '');
  if (basic && form.get('client_id') !== null && form.get('client_id') !== basic.clientId) {
    return { ok: false, status: 400, error: 'invalid_request', description: 'client_id mismatch' };
  }
  const client = clients.find((c) => c.clientId === clientId);
  if (!client || !sameString(secret, client.clientSecret)) {
    return { ok: false, status: 401, error: 'invalid_client', description: 'client authentication failed' };
  }
  if (client.onlyMethod && client.onlyMethod !== method) {
    const answer = client.wrongMethodAnswer ?? { status: 401, error: 'invalid_client' };
    return { ok: false, ...answer, description: `this client must use ${client.onlyMethod}` };
  }
  return { ok: true, client, method };
}
