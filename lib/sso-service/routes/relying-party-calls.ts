/** What the login, callback and config routes share when they call the relying party. */
import type { ServiceContext } from '../context';
import type { SsoConfigRow } from '../db/rows';
import { ApiError } from '../http/api-error';
import { asRpFailure, type RpClientConfig } from '../relying-party-port';

/** The stored config as the relying party wants it, with the client secret decrypted for this call only. */
export function rpClientConfig(ctx: ServiceContext, row: SsoConfigRow): RpClientConfig {
  return {
    issuerUrl: row.issuer_url,
    clientId: row.client_id,
    clientSecret: ctx.secretBox.open(row.client_secret_enc, row.developer_id),
    redirectUri: row.redirect_uri,
  };
}

/** An RpError becomes an SSO_ERROR with its status and (safe) message; anything else is left to the 500 path. */
export function ssoErrorFrom(err: unknown): ApiError | null {
  const failure = asRpFailure(err);
  return failure ? new ApiError(failure.status, 'SSO_ERROR', failure.message) : null;
}
