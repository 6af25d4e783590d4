/** The OIDC protocol: the relying party in ../oidc behind the protocol seam. */
import type { SecretBox } from '../crypto/secret-box';
import { ApiError } from '../http/api-error';
import type { IssuerCheckMemo } from '../features/connections/issuer-check-memo';
import {
  asRpFailure,
  TRANSIENT_ISSUER_REASONS,
  type RelyingPartyPort,
  type RpClientConfig,
} from '../relying-party-port';
import type { OidcConnection, SsoConnection } from '../storage/types';
import { readGroups } from '../features/login/provisioning';
import { currentSignInTrace } from '../features/events/sign-in-context';
import type { LoginProtocol } from './types';

export interface OidcProtocolDeps {
  rp: RelyingPartyPort;
  secretBox: SecretBox;
  /** rp.checkIssuer behind its memo. */
  issuerChecks: IssuerCheckMemo;
}

/** An RpError becomes an SSO_ERROR with its status and (safe) message; anything else is left to the 500 path. */
function ssoErrorFrom(err: unknown): unknown {
  const failure = asRpFailure(err);
  return failure ? new ApiError(failure.status, 'SSO_ERROR', failure.message, failure.reason) : err;
}

async function rpCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw ssoErrorFrom(err);
  }
}

/**
 * The connection as the relying party wants it. The client secret is decrypted only if it is read (the token
 * request reads it; an authorization URL does not), and never kept. `cacheKey` is non-secret and changes with
 * every save (the sealed secret has a fresh IV each time), so a cached client set-up is never reused after a
 * change; it names the connection, so two connections of one org never share a set-up.
 */
function rpClientConfig(secretBox: SecretBox, connection: SsoConnection): RpClientConfig {
  const { oidc, developerId } = oidcOf(connection);
  return {
    issuerUrl: oidc.issuerUrl,
    clientId: oidc.clientId,
    get clientSecret() {
      return secretBox.open(oidc.clientSecretSealed, developerId);
    },
    redirectUri: oidc.redirectUri,
    // Lazy as well: only the callback's set-up look-up reads it, so a login builds no string for it.
    get cacheKey() {
      return `${developerId}\0${connection.id}\0${oidc.clientSecretSealed}`;
    },
  };
}

function oidcOf(connection: SsoConnection): OidcConnection {
  if (connection.protocol !== 'oidc') throw new Error('not an OIDC connection');
  return connection;
}

/**
 * The connection's `max_age` for the authorization request and the ID-token check. Both read the connection as
 * stored at that moment: a setting turned on between the two requires auth_time of a login that did not ask for
 * it (refused, the member signs in again), one turned off skips the check.
 */
function maxAgeOf(connection: SsoConnection): { maxAge?: number } {
  const seconds = connection.provisioning.maxAuthAgeSeconds;
  return seconds === null ? {} : { maxAge: seconds };
}

export function createOidcProtocol({ rp, secretBox, issuerChecks }: OidcProtocolDeps): LoginProtocol {
  return {
    protocol: 'oidc',
    startLogin(connection, { token, state }) {
      return rpCall(() =>
        rp.authorizationUrl(rpClientConfig(secretBox, connection), {
          state: token,
          nonce: state.nonce,
          codeVerifier: state.cv,
          ...maxAgeOf(connection),
        }),
      );
    },
    async completeLogin(connection, { token, state }, response, options) {
      if (response.protocol !== 'oidc') throw new Error('not an OIDC response');
      const groupsClaim = connection.provisioning.groupAttribute;
      const { groups, sid, idToken, ...identity } = await rpCall(() =>
        rp.redeem(rpClientConfig(secretBox, connection), {
          code: response.code,
          state: token,
          ...(response.iss !== undefined ? { iss: response.iss } : {}),
          nonce: state.nonce,
          codeVerifier: state.cv,
          ...(groupsClaim !== null ? { groupsClaim } : {}),
          ...maxAgeOf(connection),
          // Only a connection that refuses unverified emails pays for a userinfo call to learn email_verified.
          ...(connection.provisioning.verifiedDomainsOnly ? { wantEmailVerified: true } : {}),
          trace: currentSignInTrace(),
          ...(options?.signal ? { signal: options.signal } : {}),
        }),
      );
      return {
        ...identity,
        groups: groupsClaim === null ? [] : readGroups(groups),
        logout: { ...(sid !== undefined ? { idpSessionId: sid } : {}), ...(idToken !== undefined ? { idToken } : {}) },
      };
    },
    async testSettings(connection) {
      const found = await rp.discover(oidcOf(connection).oidc.issuerUrl);
      if (!found.ok) return { success: false, protocol: 'oidc', error: found.message };
      const { issuer, authorizationEndpoint, tokenEndpoint, jwksUri } = found;
      return { success: true, protocol: 'oidc', issuer, authorizationEndpoint, tokenEndpoint, jwksUri };
    },
    async checkSettings(settings) {
      if (settings.protocol !== 'oidc') throw new Error('not OIDC settings');
      const { issuerUrl } = settings;
      const check = await rpCall(() => issuerChecks.check(issuerUrl));
      if (check.ok) return check;
      return {
        ok: false,
        field: 'issuerUrl',
        message: check.message,
        transient: TRANSIENT_ISSUER_REASONS.has(check.reason),
      };
    },
  };
}
