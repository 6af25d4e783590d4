/**
 * A SAML connection's SP keys (service.ts has the rotation rules):
 * - `GET /v1/sso/connections/:id/sp-keys`: the keys (id, use, state, fingerprint, created, notAfter, certificate).
 * - `POST /v1/sso/connections/:id/sp-keys/rotate` `{ use }`: the first key of a use, else a `next` key (201).
 * - `POST /v1/sso/connections/:id/sp-keys/promote` `{ use }`: `next` becomes `current`.
 * - `DELETE /v1/sso/connections/:id/sp-keys/:keyId`: retires a key.
 * Callers: the org's API key or one of its setup sessions (like PATCH of the connection); each change is in the
 * audit trail as a connection update naming the key use, never a key. Every answer is the list after the change.
 */
import { ID_MAX, MESSAGES, samlSpKeyUseRequestSchema, type SamlSpKeyList } from '@/lib/contract';
import { z } from 'zod';
import type { ServiceContext } from '../../context';
import { notFound } from '../../http/api-error';
import { actorOf, CONNECTION_ACTORS, requireActor } from '../../http/auth';
import type { RouteRateLimit } from '../../http/rate-limit-options';
import type { ServiceApp } from '../../http/validation';
import { auditActorOf } from '../events/recorder';
import type { SamlConnection } from '../../storage/types';
import { listSpKeys, promoteSpKey, retireSpKey, rotateSpKey } from './service';
import type { FastifyRequest } from 'fastify';

const params = z.object({ id: z.string() });
// A key id longer than ours can be is simply unknown (404), like an over-long connection id.
const keyParams = z.object({ id: z.string(), keyId: z.string() });

/** Key generation costs CPU (RSA-3072): at most this many rotation requests per minute from one address. */
export const SP_KEY_ROTATIONS_PER_MIN = 10;

export function registerSpKeyRoutes(app: ServiceApp, ctx: ServiceContext, rotateRateLimit: RouteRateLimit) {
  const asActor = requireActor(ctx, CONNECTION_ACTORS);

  /** The org's SAML connection; an OIDC one, another org's and an unknown id are the same 404. */
  async function samlConnection(developerId: string, id: string): Promise<SamlConnection> {
    const found = id.length <= ID_MAX ? await ctx.store.getConnection(developerId, id) : undefined;
    if (!found || found.protocol !== 'saml') throw notFound(MESSAGES.connectionNotFound);
    return found;
  }

  const audit = (request: FastifyRequest, connectionId: string, field: string) => {
    const actor = actorOf(request);
    ctx.audit.record({
      developerId: actor.developerId,
      actor: auditActorOf(request, actor),
      action: 'connection.updated',
      target: { type: 'connection', id: connectionId },
      changedFields: [field],
    });
  };
  const field = (use: 'signing' | 'encryption') => (use === 'signing' ? 'spSigningKey' : 'spEncryptionKey');
  const list = async (connection: SamlConnection): Promise<SamlSpKeyList> => ({
    keys: await listSpKeys(ctx, connection),
  });

  app.get('/v1/sso/connections/:id/sp-keys', { preValidation: asActor, schema: { params } }, async (request) =>
    list(await samlConnection(actorOf(request).developerId, request.params.id)),
  );

  app.post(
    '/v1/sso/connections/:id/sp-keys/rotate',
    {
      config: { rateLimit: rotateRateLimit },
      preValidation: asActor,
      schema: { params, body: samlSpKeyUseRequestSchema },
    },
    async (request, reply) => {
      const connection = await samlConnection(actorOf(request).developerId, request.params.id);
      await rotateSpKey(ctx, connection, request.body.use);
      audit(request, connection.id, field(request.body.use));
      return reply.code(201).send(await list(connection));
    },
  );

  app.post(
    '/v1/sso/connections/:id/sp-keys/promote',
    { preValidation: asActor, schema: { params, body: samlSpKeyUseRequestSchema } },
    async (request) => {
      const connection = await samlConnection(actorOf(request).developerId, request.params.id);
      await promoteSpKey(ctx, connection, request.body.use);
      audit(request, connection.id, field(request.body.use));
      return list(connection);
    },
  );

  app.delete(
    '/v1/sso/connections/:id/sp-keys/:keyId',
    { preValidation: asActor, schema: { params: keyParams } },
    async (request) => {
      const connection = await samlConnection(actorOf(request).developerId, request.params.id);
      const removed =
        request.params.keyId.length <= ID_MAX ? await retireSpKey(ctx, connection, request.params.keyId) : undefined;
      if (!removed) throw notFound('SP key not found');
      audit(request, connection.id, field(removed.use));
      return list(connection);
    },
  );
}
