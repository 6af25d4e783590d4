/** The logout URLs of a connection, as the connections API shows them for the admin to give the IdP. */
import type { SamlConnection, SsoConnection } from '../../storage/types';

/**
 * A SAML connection's SingleLogoutService: beside its SP metadata (both on the service's public base, fixed when
 * the connection was created), so it is as stable as the entity ID.
 */
export function samlSloUrl(connection: SamlConnection): string {
  return connection.saml.spMetadataUrl.replace(/\/metadata$/, '/slo');
}

/** An OIDC connection's back-channel logout URI on the service's public base. */
export function backchannelLogoutUri(publicBase: string, connectionId: string): string {
  return `${publicBase}/sso/oidc/${encodeURIComponent(connectionId)}/backchannel-logout`;
}

/** The fields the connection object gains: `spSloUrl` (SAML) or `backchannelLogoutUri` (OIDC). */
export function logoutWireFields(
  connection: SsoConnection,
  publicBase: string,
): { spSloUrl: string } | { backchannelLogoutUri: string } {
  return connection.protocol === 'saml'
    ? { spSloUrl: samlSloUrl(connection) }
    : { backchannelLogoutUri: backchannelLogoutUri(publicBase, connection.id) };
}
