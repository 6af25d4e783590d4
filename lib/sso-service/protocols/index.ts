/** The login protocols by name; routes pick one by the connection's `protocol`. */
import type { ConnectionProtocol } from '../storage/types';
import { createOidcProtocol, type OidcProtocolDeps } from './oidc';
import type { LoginProtocol } from './types';

export type { LoginProtocol, ProtocolResponse, SealedLogin, SettingsCheck, SettingsTest, SsoIdentity } from './types';

export type LoginProtocols = Readonly<Record<ConnectionProtocol, LoginProtocol>>;

export function createLoginProtocols(deps: OidcProtocolDeps): LoginProtocols {
  return { oidc: createOidcProtocol(deps) };
}
