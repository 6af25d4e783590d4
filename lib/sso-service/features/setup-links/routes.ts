/**
 * Setup links: `POST|GET /v1/sso/setup-links`, `DELETE /v1/sso/setup-links/:id` (API key only);
 * `GET /v1/sso/setup-links/preview` (the LINK token as Bearer: what the landing page shows, nothing recorded);
 * `POST /v1/sso/setup-links/session` (the LINK token: the IT admin redeems it for a setup SESSION token, the use
 * recorded with that session); `GET /v1/sso/setup-links/session` (the SESSION token: the console re-checks it).
 * A link token is refused everywhere else (http/auth.ts). Another org's link id is a 404.
 */
import type { FastifyRequest } from 'fastify';
import {
  idParamsSchema,
  SETUP_LINK_USES_LISTED,
  setupLinkCreateSchema,
  setupLinkRedeemSchema,
  type SetupLinkList,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import {
  apiKeyHashFrom,
  authenticateSetupLink,
  authenticateSetupSession,
  developerOf,
  requireDeveloper,
} from '../../http/auth';
import { absentAsEmpty, type ServiceApp } from '../../http/validation';
import type { SetupLinkWithOrg } from '../../storage/types';
import { apiKeyActor } from '../events/recorder';
import { createSetupLink, redeemSetupLink, revokeSetupLink } from './service';
import { toPreview, toWireLink, toWireSetupSession } from './wire';

declare module 'fastify' {
  interface FastifyRequest {
    /** The usable setup link behind a redeem request's LINK token, set by its preValidation hook. */
    setupLink: SetupLinkWithOrg | null;
  }
}

function setupLinkOf(request: FastifyRequest): SetupLinkWithOrg {
  if (!request.setupLink) throw new Error('route registered without its setup-link hook');
  return request.setupLink;
}

export function registerSetupLinkRoutes(app: ServiceApp, ctx: ServiceContext) {
  const preValidation = requireDeveloper(ctx);
  app.decorateRequest('setupLink', null);

  app.post(
    '/v1/sso/setup-links',
    { preValidation, schema: { body: absentAsEmpty(setupLinkCreateSchema) } },
    async (request, reply) => {
      const dev = developerOf(request);
      const creator = request.consoleSession
        ? { consoleSessionId: request.consoleSession.id }
        : { keyHash: apiKeyHashFrom(request) };
      const created = await createSetupLink(ctx, dev.id, creator, request.body);
      ctx.audit.record({
        developerId: dev.id,
        actor: apiKeyActor(request),
        action: 'setup_link.created',
        target: { type: 'setup_link', id: created.id },
      });
      return reply.code(201).send(created);
    },
  );

  app.get('/v1/sso/setup-links', { preValidation }, async (request) => {
    const now = ctx.now();
    const links = await ctx.store.listSetupLinks(developerOf(request).id, SETUP_LINK_USES_LISTED);
    const body: SetupLinkList = { setupLinks: links.map(({ link, uses }) => toWireLink(link, uses, now)) };
    return body;
  });

  app.delete(
    '/v1/sso/setup-links/:id',
    { preValidation, schema: { params: idParamsSchema } },
    async (request, reply) => {
      const dev = developerOf(request);
      const { id } = request.params;
      await revokeSetupLink(ctx, dev.id, id);
      ctx.audit.record({
        developerId: dev.id,
        actor: apiKeyActor(request),
        action: 'setup_link.revoked',
        target: { type: 'setup_link', id },
      });
      return reply.code(204).send();
    },
  );

  // What the landing page shows the link's holder before they say who they are; records nothing.
  app.get('/v1/sso/setup-links/preview', async (request) => toPreview(await authenticateSetupLink(ctx, request)));

  app.post(
    '/v1/sso/setup-links/session',
    {
      preValidation: async (request) => {
        request.setupLink = await authenticateSetupLink(ctx, request);
      },
      schema: { body: absentAsEmpty(setupLinkRedeemSchema) },
    },
    async (request, reply) => {
      const userAgent = request.headers['user-agent'];
      const created = await redeemSetupLink(
        ctx,
        setupLinkOf(request),
        request.body,
        typeof userAgent === 'string' ? userAgent : undefined,
      );
      return reply.code(201).send(created);
    },
  );

  // The console asks on every page of a setup session whether it is still good (no use recorded).
  app.get('/v1/sso/setup-links/session', async (request) =>
    toWireSetupSession(await authenticateSetupSession(ctx, request)),
  );
}
