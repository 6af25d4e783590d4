/**
 * Builds the openid-client Configuration for one (issuer, client) from cached discovery metadata:
 * client authentication chosen from what the IdP advertises, every request through the outbound
 * guard, and S256 PKCE on every login.
 */
import {
  allowInsecureRequests,
  buildAuthorizationUrl,
  clockSkew,
  clockTolerance,
  Configuration,
  customFetch,
  type CustomFetchOptions,
  type ServerMetadata,
} from 'openid-client';
import { AsyncLocalStorage } from 'node:async_hooks';
import { guardedFetch, type DiscoveryMetadata, type GuardOptions } from '@/lib/net';
import { chooseAuthMethod, clientSecretAuth, type AuthMethodMemory } from './client-auth';
import { allowedIdTokenAlgs } from './id-token';
import { keptOrFetched } from './issuer-aliases';
import { RpError, type RpClientConfig } from './types';

export interface ClientSetup {
  metadata: DiscoveryMetadata;
  configuration: Configuration;
  /** The secret method this client's IdP accepted after a fallback (client-auth.ts). */
  authMemory: AuthMethodMemory;
  idTokenAlgs: string[];
  /** ID-token `iss` values accepted besides the issuer (issuer-aliases.ts); usually none. */
  issuerAliases: readonly string[];
  /** One openid-client Configuration per alias, for the code grant's own `iss` comparison. */
  aliasConfigurations: ReadonlyMap<string, Configuration>;
  /**
   * The authorization URL with every per-client parameter already in place, ending in a query;
   * a login only appends state, nonce and the PKCE challenge (keeps the hot path to microseconds).
   */
  authorizationUrlPrefix: string;
}

/**
 * The signal of the sign-in whose requests openid-client is sending (its deadline, relying-party.ts `redeem`).
 * A Configuration is cached and shared by every sign-in of its client, and openid-client's code grant and
 * userinfo calls take no signal of their own, so the fetch hook finds the caller's here.
 */
const outboundSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` with `signal` ending every request openid-client sends for it (combined with its own timeout). */
export function withOutboundSignal<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
  return signal ? outboundSignal.run(signal, work) : work();
}

function hasPlainHttpEndpoint(metadata: DiscoveryMetadata): boolean {
  return [metadata.issuer, metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri].some((u) =>
    u.startsWith('http:'),
  );
}

const SCOPE = 'openid email profile';

export function buildClientSetup(
  metadata: DiscoveryMetadata,
  cfg: Omit<RpClientConfig, 'clientSecret'>,
  o: {
    devMode: boolean;
    guard: GuardOptions;
    clockSkewSec: number;
    clockToleranceSec: number;
    /**
     * Read only when a token request authenticates, so a set-up built for an authorization URL never
     * touches (or keeps) the secret.
     */
    clientSecret: () => string;
    issuerAliases?: readonly string[];
    /** Kept from the previous set-up of the same client when discovery is refreshed. */
    authMemory?: AuthMethodMemory;
  },
): ClientSetup {
  const issuerAliases = o.issuerAliases ?? [];
  const supportedAuth = metadata.token_endpoint_auth_methods_supported;
  if (!chooseAuthMethod(supportedAuth)) {
    throw new RpError(
      'discovery_failed',
      503,
      'The identity provider supports neither client_secret_basic nor client_secret_post at its token endpoint, so this client cannot authenticate',
      'discovery_failed',
    );
  }
  // Method and encoding are chosen per token request (client-auth.ts), when the secret is read.
  const authMemory: AuthMethodMemory = o.authMemory ?? {};
  const auth = clientSecretAuth(supportedAuth, o.clientSecret, authMemory);

  // We check the RFC 9207 `iss` parameter ourselves (relying-party.ts: required when the IdP advertises it,
  // compared when given), so openid-client must not insist on it.
  const { authorization_response_iss_parameter_supported: _iss, ...rest } = metadata;
  void _iss;
  // The zod-parsed document is a superset of what openid-client reads; it validates it again.
  const server = rest as unknown as ServerMetadata;

  // openid-client derives the token request's redirect_uri from the callback URL's href, which
  // normalises it (a bare origin gains "/"); the token request must carry the configured string.
  const exactRedirectUri = cfg.redirectUri;
  const send = (url: string, init: CustomFetchOptions) => {
    const body = init.body;
    const codeGrant = body instanceof URLSearchParams && body.get('grant_type') === 'authorization_code';
    if (codeGrant) body.set('redirect_uri', exactRedirectUri);
    // openid-client's own per-request timeout signal, combined with the sign-in's deadline when there is one.
    const deadline = outboundSignal.getStore();
    const signal = deadline && init.signal ? AbortSignal.any([init.signal, deadline]) : (deadline ?? init.signal);
    const fetchIt = () => guardedFetch(url, { ...(init as RequestInit), signal }, o.guard);
    // Only an issuer with aliases keeps its token responses (for a second validation); others pay nothing.
    return codeGrant && issuerAliases.length > 0 ? keptOrFetched(fetchIt) : fetchIt();
  };
  const configure = (issuer: string): Configuration => {
    const configuration = new Configuration(
      { ...server, issuer },
      cfg.clientId,
      { [clockSkew]: o.clockSkewSec, [clockTolerance]: o.clockToleranceSec },
      auth,
    );
    configuration[customFetch] = send;
    if (o.devMode && hasPlainHttpEndpoint(metadata)) allowInsecureRequests(configuration);
    return configuration;
  };
  const configuration = configure(metadata.issuer);
  const aliasConfigurations = new Map(issuerAliases.map((alias) => [alias, configure(alias)] as const));

  // S256 PKCE always (RFC 9700 §2.1.1), whatever discovery lists: it binds the code to this login's verifier, so
  // a code injected into another login (a mix-up, a stolen code) cannot be redeemed by it. An IdP without PKCE
  // ignores the parameters; none is known to refuse them.
  const fixed: Record<string, string> = {
    response_type: 'code',
    scope: SCOPE,
    redirect_uri: cfg.redirectUri,
    code_challenge_method: 'S256',
  };
  const authorizationUrlPrefix = buildAuthorizationUrl(configuration, fixed).href;

  return {
    metadata,
    configuration,
    authMemory,
    authorizationUrlPrefix,
    idTokenAlgs: allowedIdTokenAlgs(metadata.id_token_signing_alg_values_supported),
    issuerAliases,
    aliasConfigurations,
  };
}
