/**
 * A SAML connection's SP metadata for its IdP (`GET /sso/saml/:connectionId/metadata`, public): entity ID and ACS
 * URL (HTTP-POST). Stable per connection; 404 for an unknown id or a connection of another protocol.
 */
import { ID_MAX, MESSAGES } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { notFound } from '../../http/api-error';
import { hasUnsafeText } from '../../http/text-rules';
import type { SamlConnection } from '../../storage/types';

export async function samlMetadataOf(
  ctx: ServiceContext,
  connectionId: string,
): Promise<{ connection: SamlConnection; xml: string }> {
  const usable = connectionId.length <= ID_MAX && !hasUnsafeText(connectionId);
  const connection = usable ? await ctx.store.getConnectionById(connectionId) : undefined;
  if (!connection || connection.protocol !== 'saml') throw notFound(MESSAGES.connectionNotFound);
  return { connection, xml: await ctx.protocols.saml.metadataXml(connection) };
}
