/** Connections on the wire: the connections API's object and the legacy config's (the secret is never part of either). */
import {
  MESSAGES,
  type SamlMetadataRefresh,
  type SsoConfig,
  type SsoConnection as WireConnection,
} from '@/lib/contract';
import { notFound } from '../../http/api-error';
import { SAML_REASONS, type SamlReason } from '../../saml';
import type { LegacyConfig, MetadataRefreshRecord, SamlConnection, SsoConnection } from '../../storage/types';
import { samlWireFields } from './saml-settings';

const isSamlReason = (code: string): code is SamlReason => Object.hasOwn(SAML_REASONS, code);

/** A SAML connection's metadata refresh state (null without a metadata URL; all null before its first run). */
export function toWireMetadataRefresh(
  c: SamlConnection,
  r: MetadataRefreshRecord | undefined,
): SamlMetadataRefresh | null {
  if (c.saml.idpMetadataUrl === null) return null;
  if (r === undefined)
    return {
      lastAttemptAt: null,
      lastRefreshedAt: null,
      lastResult: null,
      error: null,
      warnings: [],
      nextRefreshAt: null,
    };
  const code = r.lastResult === 'failed' ? (r.lastError ?? 'metadata_fetch_failed') : null;
  return {
    lastAttemptAt: r.lastAttemptAt,
    lastRefreshedAt: r.lastRefreshedAt,
    lastResult: r.lastResult,
    error:
      code === null
        ? null
        : { code, message: isSamlReason(code) ? SAML_REASONS[code] : SAML_REASONS.metadata_fetch_failed },
    warnings: r.warnings,
    nextRefreshAt: r.nextDueAt,
  };
}

/**
 * `lastSignInAt`: the connection's latest member sign-in (ours), read apart from the login path.
 * `metadataRefresh`: given (even undefined) where the answer carries a SAML connection's refresh state.
 */
export function toWireConnection(
  c: SsoConnection,
  nowMs: number,
  lastSignIns?: ReadonlyMap<string, string>,
  metadataRefresh?: { record: MetadataRefreshRecord | undefined },
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
  if (c.protocol === 'saml')
    return {
      ...common,
      protocol: 'saml',
      ...samlWireFields(c, nowMs),
      ...(metadataRefresh ? { idpMetadataRefresh: toWireMetadataRefresh(c, metadataRefresh.record) } : {}),
    };
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
/** The legacy config read's answer: the stored fields are the wire's, in its order (see toWireConfig). */
export function legacyConfigWire(config: LegacyConfig): SsoConfig {
  return config;
}

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
