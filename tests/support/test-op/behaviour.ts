/**
 * What a test can make the test OP do. Every field is a plain value on `op.behave`, so a test flips
 * one field, drives a login, and asserts; `op.reset()` restores these defaults.
 */

export type SigningAlg = 'RS256' | 'ES256' | 'PS256';
export type AuthMethod = 'client_secret_basic' | 'client_secret_post';

/** How an endpoint answers, instead of its normal response. */
export type EndpointMode =
  | { kind: 'normal' }
  /** Never answers; the socket is destroyed by `close()`. */
  | { kind: 'hang' }
  /** A 200 JSON-looking body of `bytes` (default 50 MiB) with a Content-Length, streamed with backpressure. */
  | { kind: 'huge'; bytes?: number }
  /** A chunked 200 body that never ends (until the client aborts or `close()`). */
  | { kind: 'endless' }
  /** Any status with a text body, e.g. 500, or 200 with an HTML page. */
  | { kind: 'raw'; status?: number; body: string; contentType?: string }
  /** Any status with a JSON body, e.g. a token response without `id_token`. */
  | { kind: 'json'; status?: number; body: unknown }
  /** A redirect (default 302), e.g. to http://169.254.169.254/latest/meta-data/. */
  | { kind: 'redirect'; location: string; status?: number };

/**
 * How the ID token is signed.
 * - `key`: the current key, with its `kid` (unless `omitKid`).
 * - `none`: `alg: none`, empty signature (and `none` is added to the advertised algs).
 * - `hs256-client-secret`: HS256 with the client secret as key (HS256 is added to the advertised algs).
 * - `bad-signature`: signed with the current key, then the signature bytes are corrupted.
 * - `tampered-payload`: signed, then the payload is replaced (email changed) keeping the old signature.
 * - `unpublished-key`: signed by a fresh key of the same alg that is not in the JWKS, with the current `kid`.
 * - `encryption-key`: RS256-signed by the key published with `use: "enc"` (`op.addEncryptionKey()`), with its `kid`.
 */
export type SigningMode =
  'key' | 'none' | 'hs256-client-secret' | 'bad-signature' | 'tampered-payload' | 'unpublished-key' | 'encryption-key';

export interface TestUser {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
}

export interface Behaviour {
  /** The identity the OP "logs in" at /authorize. */
  user: TestUser;
  /** Merged over the computed ID token claims (iss, aud, azp, sub, iat, exp, nonce, email, name …). */
  idTokenClaims: Record<string, unknown>;
  /** Claim names deleted from the ID token after the overrides, e.g. ['sub'] or ['iat']. */
  omitIdTokenClaims: string[];
  /** Merged over the ID token's protected header, e.g. { kid: 'unknown-kid' }. */
  idTokenHeader: Record<string, unknown>;
  /** Drop the `kid` header (JWKS keeps whatever keys it has: one, or two after rotateKey({ keepOld: true })). */
  omitKid: boolean;
  signing: SigningMode;

  /** Merged over the discovery document, e.g. { issuer: issuer + '/' } or { token_endpoint: 'http://10.0.0.1/token' }. */
  discoveryOverrides: Record<string, unknown>;
  /** Fields deleted from the discovery document. */
  omitDiscoveryFields: string[];
  discovery: EndpointMode;
  jwks: EndpointMode;
  /** Serve the JWKS without `use` on any key (many IdPs omit it; it is optional in RFC 7517). */
  jwksOmitUse: boolean;
  /** Applied before the Bearer token is checked. */
  userinfo: EndpointMode;
  /** Merged over the userinfo claims (sub, email, email_verified, name of the user the token was issued for). */
  userinfoClaims: Record<string, unknown>;
  /** Claim names deleted from the userinfo response after the overrides. */
  omitUserinfoClaims: string[];
  /** Applied after the request body is read and recorded, before any validation. */
  token: EndpointMode;
  /** Extra members merged into a normal token response (e.g. { token_type: 'weird' }). */
  tokenResponseExtra: Record<string, unknown>;

  /** When set, /authorize redirects back with this error (and the state) instead of a code. */
  authorizeError: { error: string; error_description?: string } | null;
  /**
   * The RFC 9207 `iss` authorization-response parameter: 'issuer' sends the real issuer, 'omit' sends
   * none, any other string is sent verbatim (a wrong issuer).
   */
  authorizeIss: 'issuer' | 'omit' | (string & {});
  /** Extra query parameters on the authorization response (e.g. a duplicated or foreign `state`). */
  authorizeExtraParams: Record<string, string>;
  /** Milliseconds an endpoint waits before it answers (as its mode says), e.g. { token: 900 }: a slow IdP. */
  delayMs: Partial<Record<'discovery' | 'token' | 'jwks' | 'userinfo', number>>;
}

export const DEFAULT_USER: TestUser = Object.freeze({
  sub: 'test-op-user-1',
  email: 'user@test-op.example',
  email_verified: true,
  name: 'Test User',
});

export function defaultBehaviour(): Behaviour {
  return {
    user: { ...DEFAULT_USER },
    idTokenClaims: {},
    omitIdTokenClaims: [],
    idTokenHeader: {},
    omitKid: false,
    signing: 'key',
    discoveryOverrides: {},
    omitDiscoveryFields: [],
    discovery: { kind: 'normal' },
    jwks: { kind: 'normal' },
    jwksOmitUse: false,
    userinfo: { kind: 'normal' },
    userinfoClaims: {},
    omitUserinfoClaims: [],
    token: { kind: 'normal' },
    tokenResponseExtra: {},
    authorizeError: null,
    authorizeIss: 'issuer',
    authorizeExtraParams: {},
    delayMs: {},
  };
}
