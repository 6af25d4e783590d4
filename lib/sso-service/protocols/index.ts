/** The login protocols by name; routes pick one by the connection's `protocol`. */
import type { ConnectionProtocol } from '../storage/types';
import { createOidcProtocol, type OidcProtocolDeps } from './oidc';
import { createSamlProtocol, type SamlLoginProtocol, type SamlProtocolDeps } from './saml';
import type { LoginProtocol } from './types';

export type { LoginProtocol, ProtocolResponse, SealedLogin, SettingsCheck, SettingsTest, SsoIdentity } from './types';

export type LoginProtocols = Readonly<Record<ConnectionProtocol, LoginProtocol> & { saml: SamlLoginProtocol }>;

export function createLoginProtocols(deps: OidcProtocolDeps & { saml: SamlProtocolDeps }): LoginProtocols {
  return { oidc: createOidcProtocol(deps), saml: createSamlProtocol(deps.saml) };
}
