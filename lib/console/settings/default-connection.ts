import 'server-only';
import type { SsoConfig, SsoConfigRequest } from '@/lib/contract';
import type { ConnectionsActor } from '@/lib/auth/connections-actor';

/** The name the service gives a default connection created through the legacy config. */
const DEFAULT_CONNECTION_NAME = 'Default connection';

/**
 * The organization's default connection as the single-config form knows it, for either connections actor: the
 * API-key admin keeps using the legacy `/v1/sso/config` (its exact contract), a setup-link user (who may not call
 * it) goes through the connections API to the same default connection.
 */
export async function loadDefaultConfig(actor: ConnectionsActor): Promise<SsoConfig | null> {
  if (actor.kind === 'api_key') return actor.grantex().getConfig();
  const found = (await actor.grantex().listConnections()).find((c) => c.isDefault);
  if (!found) return null;
  const { issuerUrl, clientId, redirectUri, createdAt, updatedAt } = found;
  return { issuerUrl, clientId, redirectUri, createdAt, updatedAt };
}

/** Saves the form's four fields to the default connection (creating it when the organization has none). */
export async function saveDefaultConfig(actor: ConnectionsActor, config: SsoConfigRequest, requestId: string): Promise<void> {
  const grantex = actor.grantex({ requestId });
  if (actor.kind === 'api_key') {
    await grantex.createConfig(config);
    return;
  }
  const current = (await grantex.listConnections()).find((c) => c.isDefault);
  if (current) await grantex.updateConnection(current.id, config);
  else await grantex.createConnection({ name: DEFAULT_CONNECTION_NAME, protocol: 'oidc', ...config });
}
