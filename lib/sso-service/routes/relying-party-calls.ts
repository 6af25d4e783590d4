/** What the login, callback and config routes share when they call the relying party. */
import type { ServiceContext } from '../context';
import { ApiError } from '../http/api-error';
import { asRpFailure, type RpClientConfig } from '../relying-party-port';
import type { SsoConfigRecord } from '../storage/types';

/**
 * The stored config as the relying party wants it. The client secret is decrypted only if it is read (the
 * token request reads it; an authorization URL does not), and never kept. `cacheKey` is non-secret and
 * changes with every save (the sealed secret has a fresh IV each time), so a cached client set-up is never
 * reused after a change.
 */
export function rpClientConfig(ctx: ServiceContext, config: SsoConfigRecord): RpClientConfig {
  const { secretBox } = ctx;
  return {
    issuerUrl: config.issuerUrl,
    clientId: config.clientId,
    get clientSecret() {
      return secretBox.open(config.clientSecretSealed, config.developerId);
    },
    redirectUri: config.redirectUri,
    // Lazy as well: only the callback's set-up look-up reads it, so a login builds no string for it.
    get cacheKey() {
      return `${config.developerId}\0${config.clientSecretSealed}`;
    },
  };
}

/** An RpError becomes an SSO_ERROR with its status and (safe) message; anything else is left to the 500 path. */
export function ssoErrorFrom(err: unknown): ApiError | null {
  const failure = asRpFailure(err);
  return failure ? new ApiError(failure.status, 'SSO_ERROR', failure.message) : null;
}
