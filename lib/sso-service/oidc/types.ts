import type { SignInReason } from '@/lib/contract';
import type { IssuerAliases } from './issuer-aliases';
import type { LogoutTokenClaims } from './logout-token';

/**
 * The relying party's public interface. The service's routes are written against exactly these
 * types; change them only together with lib/sso-service.
 */
export interface RpClientConfig {
  issuerUrl: string;
  clientId: string;
  /** Read only by `redeem` (token request); `authorizationUrl` never reads it, so it may be a lazy getter. */
  clientSecret: string;
  redirectUri: string;
  /**
   * Optional non-secret key that changes whenever any field above changes (e.g. owner + ciphertext of the
   * secret). When given, the client set-up cache uses it instead of hashing the fields, so the secret need
   * not be read to find a cached set-up.
   */
  cacheKey?: string;
}

export interface RpIdentity {
  sub: string;
  email: string | null;
  /**
   * True only when the claims that gave `email` say `email_verified` is true (boolean true, or the string "true"
   * some IdPs send); false when they omit it, say anything else, or `email` is `preferred_username` (see identity.ts).
   */
  emailVerified: boolean;
  name: string | null;
  /** The ID token's value of the claim `redeem` was asked for (`groupsClaim`), as it came; absent when not asked. */
  groups?: unknown;
  /** The verified ID token's `sid` (the IdP's session, named again by back-channel logout), when it has one. */
  sid?: string;
  /** The verified ID token itself, for `id_token_hint` at RP-initiated logout (the caller seals it). */
  idToken?: string;
}

/** RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): what goes to the end_session_endpoint. */
export interface EndSessionParams {
  idTokenHint?: string;
  /** Already checked by the caller against the allowed post-logout URIs. */
  postLogoutRedirectUri: string;
  state: string;
}

export type RpErrorKind =
  | 'discovery_failed'
  | 'issuer_mismatch'
  | 'blocked_address'
  | 'idp_unavailable'
  | 'token_exchange_failed'
  | 'id_token_invalid'
  | 'nonce_mismatch'
  | 'iss_mismatch';

export type RpErrorStatus = 400 | 502 | 503 | 504;

/** A login failure. The message is safe to show users: no secrets, codes, tokens or raw IdP bodies. */
export class RpError extends Error {
  readonly kind: RpErrorKind;
  readonly status: RpErrorStatus;
  /** The sign-in log's reason code (finer than `kind`); absent: derived from `kind`. */
  readonly reason: SignInReason | undefined;

  constructor(kind: RpErrorKind, status: RpErrorStatus, message: string, reason?: SignInReason) {
    super(message);
    this.name = 'RpError';
    this.kind = kind;
    this.status = status;
    this.reason = reason;
  }
}

export type IssuerCheck =
  | { ok: true }
  | {
      ok: false;
      reason:
        | 'unreachable'
        | 'timeout'
        | 'not_json'
        | 'http_status'
        | 'issuer_mismatch'
        | 'missing_endpoints'
        | 'blocked_address'
        | 'too_large'
        | 'invalid_metadata'
        | 'discovery_url_as_issuer'
        | 'tenant_placeholder';
      message: string;
    };

/** A successful discovery's endpoints (the connection test shows them), or why it failed. */
export type IssuerDiscovery =
  | { ok: true; issuer: string; authorizationEndpoint: string; tokenEndpoint: string; jwksUri: string }
  | Extract<IssuerCheck, { ok: false }>;

/**
 * What one redeem may note for the sign-in log (filled as it goes, so a failure keeps what was learnt):
 * never the code, tokens, signature or secret. Claims are the ID token's payload minus the nonce and hashes.
 */
export type RpTrace = {
  issuer?: string;
  claims?: Record<string, unknown>;
  /** False when the claims come from a token that failed verification (read without trusting them). */
  claimsVerified?: boolean;
  /** IdP clock minus ours, in seconds, when iat or nbf was ahead of us. */
  clockSkewSec?: number;
  timings?: Record<string, number>;
  /** The attempt's steps in order: start and end in ms since the attempt began, and whether each succeeded. */
  steps?: TraceStep[];
};

export interface TraceStep {
  name: string;
  startMs: number;
  endMs: number;
  ok: boolean;
}

export interface RelyingParty {
  /** `maxAge`: sent as `max_age` (OIDC Core §3.1.2.1); the callback must then pass the same to `redeem`. */
  authorizationUrl(
    cfg: RpClientConfig,
    p: { state: string; nonce: string; codeVerifier: string; maxAge?: number },
  ): Promise<string>;
  redeem(
    cfg: RpClientConfig,
    p: {
      code: string;
      state: string;
      iss?: string;
      nonce: string;
      codeVerifier: string;
      groupsClaim?: string;
      /**
       * The `max_age` the login asked for: the ID token must carry `auth_time` (OIDC Core §3.1.3.7) no older than
       * it plus the clock tolerance (openid-client's check), else `id_token_auth_time_missing` / `_too_old`.
       */
      maxAge?: number;
      /** Ask userinfo for `email_verified` when the ID token has an email but leaves it out (see identity.ts). */
      wantEmailVerified?: boolean;
      trace?: RpTrace;
      /**
       * The sign-in's deadline (lib/net/deadline.ts): every IdP request of this redemption ends when it aborts
       * (each keeps its own timeout too), and waiting for a shared discovery or JWKS load stops. A redemption cut
       * by it fails with `idp_deadline_exceeded`.
       */
      signal?: AbortSignal;
    },
  ): Promise<RpIdentity>;
  checkIssuer(issuerUrl: string): Promise<IssuerCheck>;
  /** Fetches the issuer's discovery document now (no cache) and returns its endpoints. */
  discover(issuerUrl: string): Promise<IssuerDiscovery>;
  /**
   * The IdP's end_session_endpoint URL for RP-initiated logout (`client_id`, `id_token_hint` when given,
   * `post_logout_redirect_uri`, `state`); null when its discovery lists no end_session_endpoint. Makes no request
   * beyond a (cached) discovery.
   */
  endSessionUrl(cfg: Omit<RpClientConfig, 'clientSecret'>, p: EndSessionParams): Promise<string | null>;
  /** Verifies a back-channel logout token for this client (logout-token.ts); throws RpError when refused. */
  verifyLogoutToken(cfg: Omit<RpClientConfig, 'clientSecret'>, token: string): Promise<LogoutTokenClaims>;
  /**
   * Drops cached discovery, JWKS and client set-ups for an issuer (an operator-requested refresh). Config saves
   * need not call it: set-ups are keyed by the config itself, and the issuer caches are shared by all tenants.
   */
  forget(issuerUrl: string): void;
}

export interface RelyingPartyOptions {
  /** Loopback http issuers allowed; otherwise https only and no loopback. */
  devMode: boolean;
  /** Per outbound request (connect + headers + body). Default 8000 ms. */
  timeoutMs?: number;
  /** Largest IdP response body buffered. Default 1 MiB. */
  maxBytes?: number;
  /** Tolerance for exp/iat/nbf. Default 30 s. */
  clockToleranceSec?: number;
  /** Clock in milliseconds since the epoch (tests). */
  now?: () => number;
  /**
   * ID-token `iss` values accepted per issuer besides the issuer itself. Default `DEFAULT_ISSUER_ALIASES`:
   * only Google's documented `accounts.google.com` for `https://accounts.google.com`. A test seam (a test
   * cannot serve https://accounts.google.com on loopback); the service always uses the default.
   */
  issuerAliases?: IssuerAliases;
}
