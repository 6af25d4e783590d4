/** What the login, callback and config routes share when they call the relying party. */
import type { ServiceContext } from '../context';
import type { SsoConfigRow } from '../db/rows';
import { ApiError } from '../http/api-error';
import { asRpFailure, type RpClientConfig } from '../relying-party-port';

/**
 * The stored config as the relying party wants it. The client secret is decrypted only if it is read (the
 * token request reads it; an authorization URL does not), and never kept. `cacheKey` is non-secret and
 * changes with every save (the ciphertext has a fresh IV each time), so a cached client set-up is never
 * reused after a change.
 */
export function rpClientConfig(ctx: ServiceContext, row: SsoConfigRow): RpClientConfig {
  const { secretBox } = ctx;
  return {
    issuerUrl: row.issuer_url,
    clientId: row.client_id,
    get clientSecret() {
      return secretBox.open(row.client_secret_enc, row.developer_id);
    },
    redirectUri: row.redirect_uri,
    // Lazy as well: only the callback's set-up look-up reads it, so a login allocates nothing for it.
    get cacheKey() {
      return `${row.developer_id}\0${row.client_secret_enc.toString('base64url')}`;
    },
  };
}

/** An RpError becomes an SSO_ERROR with its status and (safe) message; anything else is left to the 500 path. */
export function ssoErrorFrom(err: unknown): ApiError | null {
  const failure = asRpFailure(err);
  return failure ? new ApiError(failure.status, 'SSO_ERROR', failure.message) : null;
}
