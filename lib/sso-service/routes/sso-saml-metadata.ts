/**
 * `GET /sso/saml/:connectionId/metadata` (public): a SAML connection's SP metadata for its IdP — entity ID and
 * ACS URL (HTTP-POST). Stable per connection; 404 for an unknown id or a connection of another protocol.
 */
import type { FastifyInstance } from 'fastify';
import { MESSAGES } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { notFound } from '../http/api-error';
import { hasUnsafeText } from '../http/text-rules';
import type { RouteRateLimit } from './rate-limit-options';

const ID_MAX = 128;

export function registerSamlMetadataRoute(app: FastifyInstance, ctx: ServiceContext, rateLimit: RouteRateLimit) {
  app.get<{ Params: { connectionId: string } }>('/sso/saml/:connectionId/metadata', { config: { rateLimit } }, async (request, reply) => {
    const { connectionId } = request.params;
    const usable = connectionId.length <= ID_MAX && !hasUnsafeText(connectionId);
    const connection = usable ? await ctx.store.getConnectionById(connectionId) : undefined;
    if (!connection || connection.protocol !== 'saml') throw notFound(MESSAGES.connectionNotFound);
    return reply
      .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
      .header('content-disposition', `inline; filename="saml-sp-${connection.id}.xml"`)
      .send(ctx.protocols.saml.metadataXml(connection));
  });
}
