/**
 * The OpenID Connect relying party the service's login and callback routes call.
 *
 * Hot path (warm caches): `authorizationUrl` makes no request; `redeem` makes exactly one (the
 * token request; two only on a client's first login if its IdP refuses the first method, client-auth.ts) — discovery and JWKS come from per-issuer caches that keep serving while an IdP
 * hangs. openid-client does the protocol (auth request, code grant, client authentication);
 * the gaps it leaves (signature verification, alg allow-list, iat bounds, bounded JWKS refetch,
 * response caps, SSRF checks) are closed here, in id-token.ts, jwks-cache.ts and lib/net.
 */
import { hash } from 'node:crypto';
import {
  authorizationCodeGrant,
  buildEndSessionUrl,
  type Configuration,
  type TokenEndpointResponse,
} from 'openid-client';
import { MESSAGES } from '@/lib/contract';
import {
  deadlineExceeded,
  DEFAULT_MAX_BYTES,
  fetchDiscovery,
  untilAborted,
  type DiscoveryMetadata,
  type DiscoveryResult,
  type GuardOptions,
} from '@/lib/net';
import { chooseAuthMethod, withAuthMethodFallback, type AuthMethodMemory } from './client-auth';
import { BoundedMap } from '../bounded-map';
import { buildClientSetup, withOutboundSignal, type ClientSetup } from './client-configuration';
import { allowedIdTokenAlgs, verifyIdToken } from './id-token';
import { resolveIdentity } from './identity';
import { aliasesFor, DEFAULT_ISSUER_ALIASES, refusedAlias, runExchange, type Exchange } from './issuer-aliases';
import { JwksCache } from './jwks-cache';
import { verifyLogoutToken } from './logout-token';
import { RefreshingCache } from './refreshing-cache';
import { mapCodeGrantError } from './token-errors';
import { traceStep } from './trace';
import {
  RpError,
  type IssuerCheck,
  type IssuerDiscovery,
  type RelyingParty,
  type RelyingPartyOptions,
  type RpClientConfig,
  type RpIdentity,
} from './types';

type DiscoveryFailure = Extract<DiscoveryResult, { ok: false }>;

const DEFAULT_TIMEOUT_MS = 8000;
/** Full set-ups (callbacks only): a Configuration each. */
const MAX_CLIENT_SETUPS = 5000;
/** Authorization-URL prefixes (every login): a few hundred bytes each, so every tenant of a large service fits. */
const MAX_LOGIN_SETUPS = 50_000;

type LoginSetup = Pick<ClientSetup, 'metadata' | 'authorizationUrlPrefix'>;

function discoveryError(failure: DiscoveryFailure): RpError {
  const kind =
    failure.reason === 'issuer_mismatch'
      ? 'issuer_mismatch'
      : failure.reason === 'blocked_address'
        ? 'blocked_address'
        : 'discovery_failed';
  const reason =
    kind === 'issuer_mismatch'
      ? 'discovery_issuer_mismatch'
      : kind === 'blocked_address'
        ? 'discovery_blocked_address'
        : 'discovery_failed';
  return new RpError(
    kind,
    503,
    `The identity provider's configuration could not be loaded. ${failure.message}`,
    reason,
  );
}

/** Milliseconds since `started`, rounded to 0.1 ms, for a trace's timings. */
const since = (started: number) => Math.round((performance.now() - started) * 10) / 10;

/** Issuer-level problems that discovery itself does not catch but that make sign-in impossible. */
function metadataProblem(metadata: DiscoveryMetadata): string | null {
  if (metadata.response_types_supported && !metadata.response_types_supported.includes('code')) {
    return 'The identity provider does not support the authorization code flow (response_type "code").';
  }
  if (!chooseAuthMethod(metadata.token_endpoint_auth_methods_supported)) {
    return 'The identity provider supports neither client_secret_basic nor client_secret_post at its token endpoint.';
  }
  return null;
}

export function createRelyingParty(opts: RelyingPartyOptions): RelyingParty {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const guard: GuardOptions = { allowLoopback: opts.devMode, timeoutMs, maxBytes: opts.maxBytes ?? DEFAULT_MAX_BYTES };
  const now = opts.now ?? Date.now;
  const clockToleranceSec = opts.clockToleranceSec ?? 30;
  const issuerAliases = opts.issuerAliases ?? DEFAULT_ISSUER_ALIASES;

  const discovery = new RefreshingCache<DiscoveryMetadata, DiscoveryFailure>(
    async (issuer) => {
      const result = await fetchDiscovery(issuer, guard);
      return result.ok ? { ok: true, value: result.metadata } : { ok: false, error: result };
    },
    { ttlMs: 10 * 60_000, failureTtlMs: 5_000, maxStaleMs: 60 * 60_000, maxEntries: 1000 },
  );
  const jwks = new JwksCache(guard);
  // Login path: only the authorization-URL prefix, keyed by non-secret fields (strings, small).
  const prefixes = new BoundedMap<string, LoginSetup>(MAX_LOGIN_SETUPS);
  // Callback path: the full openid-client Configuration, keyed by a non-secret, change-aware key.
  const setups = new BoundedMap<string, ClientSetup>(MAX_CLIENT_SETUPS);

  /** `signal`: a sign-in's deadline stops the wait; a shared load goes on for the other sign-ins it serves. */
  async function metadataFor(issuerUrl: string, signal?: AbortSignal): Promise<DiscoveryMetadata> {
    const found = await untilAborted(discovery.get(issuerUrl), signal);
    if (!found.ok) throw discoveryError(found.error);
    return found.value;
  }

  function build(
    metadata: DiscoveryMetadata,
    cfg: RpClientConfig,
    clientSecret: () => string,
    authMemory?: AuthMethodMemory,
  ): ClientSetup {
    return buildClientSetup(metadata, cfg, {
      authMemory,
      devMode: opts.devMode,
      guard,
      clockSkewSec: Math.round((now() - Date.now()) / 1000),
      clockToleranceSec,
      clientSecret,
      issuerAliases: aliasesFor(issuerAliases, metadata.issuer),
    });
  }

  /**
   * The code grant. For an issuer with aliases (Google), a refusal by openid-client only because `iss`
   * is a listed alias is retried by the alias's Configuration on the kept response (no second request).
   */
  async function codeGrant(setup: ClientSetup, callbackUrl: URL, checks: Parameters<typeof authorizationCodeGrant>[2]) {
    const grant = (configuration: Configuration) => authorizationCodeGrant(configuration, callbackUrl, checks);
    if (setup.issuerAliases.length === 0) return grant(setup.configuration);
    const exchange: Exchange = {};
    try {
      return await runExchange(exchange, () => grant(setup.configuration));
    } catch (err) {
      const alias = refusedAlias(err, setup.issuerAliases);
      const aliasConfiguration = alias === null ? undefined : setup.aliasConfigurations.get(alias);
      if (!aliasConfiguration || !exchange.kept) throw err;
      return runExchange({ replay: exchange.kept }, () => grant(aliasConfiguration));
    }
  }

  async function loginSetupFor(cfg: RpClientConfig): Promise<LoginSetup> {
    const metadata = await metadataFor(cfg.issuerUrl);
    const key = `${cfg.issuerUrl}\0${cfg.clientId}\0${cfg.redirectUri}`;
    const cached = prefixes.get(key);
    if (cached && cached.metadata === metadata) return cached;
    // The secret is never read here: the URL does not carry it.
    const full = build(metadata, cfg, () => {
      throw new Error('client secret read while building an authorization URL');
    });
    const setup: LoginSetup = { metadata, authorizationUrlPrefix: full.authorizationUrlPrefix };
    prefixes.set(key, setup);
    return setup;
  }

  async function setupFor(cfg: RpClientConfig, signal?: AbortSignal): Promise<ClientSetup> {
    const metadata = await metadataFor(cfg.issuerUrl, signal);
    // Never the plaintext secret as a key: the caller's change-aware key, or a hash covering the secret
    // so a changed secret never reuses an old Configuration.
    const cacheKey = cfg.cacheKey; // may be a getter: read once
    const key =
      cacheKey !== undefined
        ? `k\0${cfg.issuerUrl}\0${cfg.clientId}\0${cfg.redirectUri}\0${cacheKey}`
        : `h\0${hash('sha256', `${cfg.issuerUrl}\0${cfg.clientId}\0${cfg.redirectUri}\0${cfg.clientSecret}`, 'base64url')}`;
    const cached = setups.get(key);
    if (cached && cached.metadata === metadata) return cached;
    // A refreshed discovery document rebuilds the set-up; the method the IdP accepted carries over.
    const setup = build(metadata, cfg, () => cfg.clientSecret, cached?.authMemory);
    setups.set(key, setup);
    return setup;
  }

  /** A fresh discovery fetch through the outbound guard; a good document also refreshes the cached one. */
  async function discover(issuerUrl: string): Promise<IssuerDiscovery> {
    const result = await fetchDiscovery(issuerUrl, guard);
    if (!result.ok) {
      return {
        ok: false,
        reason: result.reason === 'redirect' ? 'http_status' : result.reason,
        message: result.message,
      };
    }
    const problem = metadataProblem(result.metadata);
    if (problem) return { ok: false, reason: 'invalid_metadata', message: problem };
    discovery.set(issuerUrl, result.metadata);
    const m = result.metadata;
    return {
      ok: true,
      issuer: m.issuer,
      authorizationEndpoint: m.authorization_endpoint,
      tokenEndpoint: m.token_endpoint,
      jwksUri: m.jwks_uri,
    };
  }

  type RedeemParams = Parameters<RelyingParty['redeem']>[1];

  /** One redemption: discovery (cached), the token request, the ID token's checks, the identity. */
  async function redeemOnce(cfg: RpClientConfig, p: RedeemParams): Promise<RpIdentity> {
    if (p.iss !== undefined && p.iss !== cfg.issuerUrl) {
      throw new RpError(
        'iss_mismatch',
        400,
        'The sign-in response names a different identity provider than the one configured ("iss" mismatch); start the login again',
        'idp_iss_mismatch',
      );
    }
    const trace = p.trace;
    const setup = await traceStep(trace, 'discovery', () => setupFor(cfg, p.signal));
    if (trace) trace.issuer = setup.metadata.issuer;
    // RFC 9207 §2.4: an IdP that says it sends `iss` always does, so a response without it did not come from
    // this IdP's authorization endpoint as configured (an IdP mix-up); refused before the token request.
    if (p.iss === undefined && setup.metadata.authorization_response_iss_parameter_supported === true) {
      throw new RpError(
        'iss_mismatch',
        400,
        'The sign-in response did not name the identity provider ("iss" missing) although this identity provider always sends it; start the login again',
        'idp_iss_mismatch',
      );
    }
    let callbackUrl: URL;
    try {
      callbackUrl = new URL(cfg.redirectUri);
    } catch {
      throw new RpError(
        'token_exchange_failed',
        502,
        `${MESSAGES.tokenExchangeFailed}: the configured redirect URI is not a valid URL`,
        'redirect_uri_mismatch',
      );
    }
    callbackUrl.search = '';
    callbackUrl.hash = '';
    callbackUrl.searchParams.set('code', p.code);
    callbackUrl.searchParams.set('state', p.state);

    const timings: Record<string, number> = {};
    if (trace) trace.timings = timings;
    let started = performance.now();
    let tokens: TokenEndpointResponse;
    try {
      tokens = await traceStep(trace, 'token', () =>
        withAuthMethodFallback(setup.metadata.token_endpoint_auth_methods_supported, setup.authMemory, () =>
          codeGrant(setup, callbackUrl, {
            expectedState: p.state,
            expectedNonce: p.nonce,
            pkceCodeVerifier: p.codeVerifier,
            idTokenExpected: true,
            // openid-client then requires auth_time and refuses one older than maxAge + the clock tolerance.
            ...(p.maxAge !== undefined ? { maxAge: p.maxAge } : {}),
          }),
        ),
      );
    } catch (err) {
      throw mapCodeGrantError(err, timeoutMs);
    } finally {
      timings.tokenMs = since(started);
    }
    const idToken = tokens.id_token;
    if (!idToken) {
      throw new RpError(
        'token_exchange_failed',
        502,
        `${MESSAGES.tokenExchangeFailed}: the identity provider answered without an ID token`,
        'token_no_id_token',
      );
    }
    started = performance.now();

    const claims = await traceStep(trace, 'id_token', () =>
      verifyIdToken(
        idToken,
        jwks,
        {
          issuer: cfg.issuerUrl,
          issuerAliases: setup.issuerAliases,
          clientId: cfg.clientId,
          nonce: p.nonce,
          jwksUri: setup.metadata.jwks_uri,
          algorithms: setup.idTokenAlgs,
          clockToleranceSec,
          nowMs: now(),
          ...(p.signal ? { signal: p.signal } : {}),
        },
        trace,
      ),
    ).finally(() => {
      timings.verifyMs = since(started);
    });
    started = performance.now();
    try {
      const identity = await traceStep(trace, 'userinfo', () =>
        resolveIdentity(claims, {
          configuration: setup.configuration,
          userinfoEndpoint: setup.metadata.userinfo_endpoint,
          accessToken: tokens.access_token,
          timeoutMs,
          ...(p.wantEmailVerified ? { wantEmailVerified: true } : {}),
        }),
      );
      // Read from the verified ID token only (Object.hasOwn: a claim named like a prototype member is absent).
      if (p.groupsClaim !== undefined)
        identity.groups = Object.hasOwn(claims, p.groupsClaim) ? claims[p.groupsClaim] : undefined;
      const sid = (claims as { sid?: unknown }).sid;
      if (typeof sid === 'string' && sid.length > 0) identity.sid = sid;
      identity.idToken = idToken;
      return identity;
    } finally {
      timings.identityMs = since(started);
    }
  }

  return {
    async authorizationUrl(cfg, p) {
      if (!cfg.redirectUri)
        throw new RpError(
          'discovery_failed',
          503,
          'The SSO configuration has no redirect URI',
          'redirect_uri_mismatch',
        );
      const setup = await loginSetupFor(cfg);
      // One-shot hash: a third of a createHash chain's cost (the PKCE challenge is computed on every login).
      const challenge = hash('sha256', p.codeVerifier, 'base64url');
      const maxAge = p.maxAge === undefined ? '' : `&max_age=${Math.trunc(p.maxAge)}`;
      return `${setup.authorizationUrlPrefix}&state=${encodeURIComponent(p.state)}&nonce=${encodeURIComponent(p.nonce)}&code_challenge=${challenge}${maxAge}`;
    },

    async redeem(cfg, p): Promise<RpIdentity> {
      try {
        // openid-client's requests (token, userinfo) find the deadline through the fetch hook.
        return await withOutboundSignal(p.signal, () => redeemOnce(cfg, p));
      } catch (err) {
        // Whichever step the deadline cut, and however that step reported it, the sign-in ran out of time.
        if (deadlineExceeded(p.signal))
          throw new RpError('idp_unavailable', 504, MESSAGES.idpDeadlineExceeded, 'idp_deadline_exceeded');
        throw err;
      }
    },

    async endSessionUrl(cfg, p) {
      const metadata = await metadataFor(cfg.issuerUrl);
      if (typeof metadata.end_session_endpoint !== 'string' || metadata.end_session_endpoint === '') return null;
      // openid-client builds the URL (client_id added); the secret is never read for it.
      const setup = build(metadata, { ...cfg, clientSecret: '' }, () => {
        throw new Error('client secret read while building an end-session URL');
      });
      const params: Record<string, string> = {
        post_logout_redirect_uri: p.postLogoutRedirectUri,
        state: p.state,
      };
      if (p.idTokenHint !== undefined) params.id_token_hint = p.idTokenHint;
      return buildEndSessionUrl(setup.configuration, params).href;
    },

    async verifyLogoutToken(cfg, token) {
      const metadata = await metadataFor(cfg.issuerUrl);
      return verifyLogoutToken(token, jwks, {
        issuer: cfg.issuerUrl,
        clientId: cfg.clientId,
        jwksUri: metadata.jwks_uri,
        algorithms: allowedIdTokenAlgs(metadata.id_token_signing_alg_values_supported),
        clockToleranceSec,
        nowMs: now(),
      });
    },

    async checkIssuer(issuerUrl): Promise<IssuerCheck> {
      const found = await discover(issuerUrl);
      return found.ok ? { ok: true } : found;
    },

    discover,

    forget(issuerUrl) {
      const known = discovery.peek(issuerUrl);
      discovery.delete(issuerUrl);
      if (!known?.ok) return;
      jwks.forget(known.value.jwks_uri);
      // Set-ups are only reused with the metadata object they were built on; drop those now to free memory.
      const dropped = known.value;
      for (const [key, setup] of setups) if (setup.metadata === dropped) setups.delete(key);
      for (const [key, setup] of prefixes) if (setup.metadata === dropped) prefixes.delete(key);
    },
  };
}
