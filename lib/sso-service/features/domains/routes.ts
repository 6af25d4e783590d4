/**
 * Verified domains: `GET|POST /v1/sso/domains`, `POST /v1/sso/domains/:domain/verify`,
 * `DELETE /v1/sso/domains/:domain` (the org's API key or one of its setup sessions). See service.ts.
 */
import type { FastifyRequest } from 'fastify';
import {
  domainParamsSchema,
  ssoDomainCreateSchema,
  type SsoDomainList,
  type SsoDomainVerifyFailure,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { actorOf, CONNECTION_ACTORS, requireActor } from '../../http/auth';
import type { ServiceApp } from '../../http/validation';
import { auditActorOf } from '../events/recorder';
import { addDomain, removeDomain, verifyDomain } from './service';
import { toWireDomain } from './wire';

export function registerDomainRoutes(app: ServiceApp, ctx: ServiceContext) {
  /** The one place these routes authenticate: the org's API key or one of its setup sessions. */
  const preValidation = requireActor(ctx, CONNECTION_ACTORS);
  const audit = (
    request: FastifyRequest,
    action: 'domain.added' | 'domain.verified' | 'domain.removed',
    domain: string,
  ) => {
    const dev = actorOf(request);
    ctx.audit.record({
      developerId: dev.developerId,
      actor: auditActorOf(request, dev),
      action,
      target: { type: 'domain', id: domain },
    });
  };
  const params = domainParamsSchema;

  app.get('/v1/sso/domains', { preValidation }, async (request) => {
    const body: SsoDomainList = {
      domains: (await ctx.store.listDomains(actorOf(request).developerId)).map(toWireDomain),
    };
    return body;
  });

  app.post('/v1/sso/domains', { preValidation, schema: { body: ssoDomainCreateSchema } }, async (request, reply) => {
    const { created, domain } = await addDomain(ctx, actorOf(request).developerId, request.body.domain);
    if (created) audit(request, 'domain.added', domain.domain);
    return reply.code(created ? 201 : 200).send(toWireDomain(domain));
  });

  app.post('/v1/sso/domains/:domain/verify', { preValidation, schema: { params } }, async (request, reply) => {
    const outcome = await verifyDomain(ctx, actorOf(request).developerId, request.params.domain);
    if (outcome.kind === 'verified') {
      audit(request, 'domain.verified', outcome.domain.domain);
      return toWireDomain(outcome.domain);
    }
    const body: SsoDomainVerifyFailure = { ...outcome.failure, requestId: request.id };
    return reply.code(422).send(body);
  });

  app.delete('/v1/sso/domains/:domain', { preValidation, schema: { params } }, async (request, reply) => {
    const domain = await removeDomain(ctx, actorOf(request).developerId, request.params.domain);
    audit(request, 'domain.removed', domain);
    return reply.code(204).send();
  });
}
