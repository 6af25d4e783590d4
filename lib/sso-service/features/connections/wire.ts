/** Connections on the wire: the connections API's object and the legacy config's (the secret is never part of either). */
import { MESSAGES, type SsoConfig, type SsoConnection as WireConnection } from '@/lib/contract';
import { notFound } from '../../http/api-error';
import type { SsoConnection } from '../../storage/types';
import { samlWireFields } from './saml-settings';

/** `lastSignInAt`: the connection's latest member sign-in (ours), read apart from the login path. */
export function toWireConnection(
  c: SsoConnection,
  nowMs: number,
  lastSignIns?: ReadonlyMap<string, string>,
): WireConnection {
  // max_age is an OIDC request parameter: only an OIDC connection shows it.
  const { maxAuthAgeSeconds, ...provisioning } = c.provisioning;
  const common = {
    id: c.id,
    developerId: c.developerId,
    name: c.name,
    status: c.status,
    isDefault: c.isDefault,
    domains: c.domains,
    ...provisioning,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastSignInAt: lastSignIns?.get(c.id) ?? null,
  };
  if (c.protocol === 'saml') {
    return { ...common, protocol: 'saml', ...samlWireFields(c, nowMs) };
  }
  return {
    ...common,
    maxAuthAgeSeconds,
    protocol: 'oidc',
    issuerUrl: c.oidc.issuerUrl,
    clientId: c.oidc.clientId,
    redirectUri: c.oidc.redirectUri,
  };
}

/** The legacy config is the org's default OIDC connection, seen through the legacy wire shape (a SAML default has none). */
export function toWireConfig(connection: SsoConnection): SsoConfig {
  if (connection.protocol !== 'oidc') throw notFound(MESSAGES.configNotFound);
  return {
    issuerUrl: connection.oidc.issuerUrl,
    clientId: connection.oidc.clientId,
    redirectUri: connection.oidc.redirectUri,
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
  };
}
