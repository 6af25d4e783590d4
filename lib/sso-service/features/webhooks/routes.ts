/**
 * Webhook endpoints: Grantex's `POST|GET /v1/webhooks` and `DELETE /v1/webhooks/:id`, and ours: `PATCH
 * /v1/webhooks/:id` (enable/disable, events), `POST /v1/webhooks/:id/rotate-secret`, `GET
 * /v1/webhooks/:id/deliveries`, `POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver`. The org's API key
 * only: a setup session configures one connection's sign-in for an outside admin, and an endpoint receives every
 * event of the org (its members' sign-ins and directory changes included), which is more than a setup link grants.
 */
import {
  webhookCreateSchema,
  webhookDeliveriesQuerySchema,
  webhookDeliveryParamsSchema,
  webhookParamsSchema,
  webhookRotateSchema,
  webhookUpdateSchema,
  type WebhookDeliveryList,
  type WebhookList,
  type WebhookWithSecret,
} from '@/lib/contract';
import type { FastifyRequest } from 'fastify';
import type { AuditAction } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { developerOf, requireDeveloper } from '../../http/auth';
import { apiKeyActor } from '../events/recorder';
import type { ServiceApp } from '../../http/validation';
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  redeliver,
  rotateWebhookSecret,
  updateWebhook,
} from './service';
import { toWireDelivery, toWireWebhook } from './wire';

export function registerWebhookRoutes(app: ServiceApp, ctx: ServiceContext) {
  const preValidation = requireDeveloper(ctx);
  const params = webhookParamsSchema;
  // Who changed which endpoint: an endpoint receives every event of the org, so adding, redirecting or
  // re-keying one is as much an admin change as a connection's.
  const audit = (request: FastifyRequest, action: AuditAction, id: string, changedFields: readonly string[] = []) =>
    ctx.audit.record({
      developerId: developerOf(request).id,
      actor: apiKeyActor(request),
      action,
      target: { type: 'webhook', id },
      changedFields,
    });

  app.post('/v1/webhooks', { preValidation, schema: { body: webhookCreateSchema } }, async (request, reply) => {
    const { endpoint, secret } = await createWebhook(ctx, developerOf(request).id, request.body);
    audit(request, 'webhook.created', endpoint.id);
    const body: WebhookWithSecret = { ...toWireWebhook(endpoint, ctx.now()), secret };
    return reply.code(201).header('cache-control', 'no-store').send(body);
  });

  app.get('/v1/webhooks', { preValidation }, async (request) => {
    const body: WebhookList = {
      webhooks: (await ctx.store.listWebhookEndpoints(developerOf(request).id)).map((e) => toWireWebhook(e, ctx.now())),
    };
    return body;
  });

  app.get('/v1/webhooks/:id', { preValidation, schema: { params } }, async (request) =>
    toWireWebhook(await getWebhook(ctx, developerOf(request).id, request.params.id), ctx.now()),
  );

  app.patch('/v1/webhooks/:id', { preValidation, schema: { params, body: webhookUpdateSchema } }, async (request) => {
    const updated = await updateWebhook(ctx, developerOf(request).id, request.params.id, request.body);
    const { enabled, events, format } = request.body;
    const changed = [...(events !== undefined ? ['events'] : []), ...(format !== undefined ? ['format'] : [])];
    if (changed.length > 0) audit(request, 'webhook.updated', updated.id, changed);
    if (enabled !== undefined)
      audit(request, enabled ? 'webhook.enabled' : 'webhook.disabled', updated.id, ['enabled']);
    return toWireWebhook(updated, ctx.now());
  });

  app.post(
    '/v1/webhooks/:id/rotate-secret',
    { preValidation, schema: { params, body: webhookRotateSchema } },
    async (request, reply) => {
      const { endpoint, secret } = await rotateWebhookSecret(
        ctx,
        developerOf(request).id,
        request.params.id,
        request.body?.overlapSeconds,
      );
      audit(request, 'webhook.secret_rotated', endpoint.id, ['secret']);
      const body: WebhookWithSecret = { ...toWireWebhook(endpoint, ctx.now()), secret };
      return reply.header('cache-control', 'no-store').send(body);
    },
  );

  app.delete('/v1/webhooks/:id', { preValidation, schema: { params } }, async (request, reply) => {
    await deleteWebhook(ctx, developerOf(request).id, request.params.id);
    audit(request, 'webhook.deleted', request.params.id);
    return reply.code(204).send();
  });

  app.get(
    '/v1/webhooks/:id/deliveries',
    { preValidation, schema: { params, querystring: webhookDeliveriesQuerySchema } },
    async (request) => {
      const body: WebhookDeliveryList = {
        deliveries: (await listDeliveries(ctx, developerOf(request).id, request.params.id, request.query.limit)).map(
          toWireDelivery,
        ),
      };
      return body;
    },
  );

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    { preValidation, schema: { params: webhookDeliveryParamsSchema } },
    async (request, reply) => {
      await redeliver(ctx, developerOf(request).id, request.params.id, request.params.deliveryId);
      return reply.code(202).send({ status: 'pending' });
    },
  );
}
