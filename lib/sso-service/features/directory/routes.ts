/**
 * Directory sync over HTTP.
 * - Grantex API (the org's API key, or a setup session: the IT admin connects their directory):
 *   `POST|GET /v1/scim/tokens`, `DELETE /v1/scim/tokens/:id`.
 * - SCIM 2.0 (a SCIM token as Bearer): `/scim/v2/Users`, `/scim/v2/Groups` (list, get, create, replace, patch,
 *   delete), and the discovery documents `ServiceProviderConfig`, `Schemas`, `ResourceTypes` (no token needed).
 *   Registered in their own scope: SCIM bodies (`application/scim+json`, up to 256 KB) and SCIM's error shape
 *   for every refusal, 404s included, since SCIM clients parse nothing else.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  directoryListQuerySchema,
  idParamsSchema,
  SCIM_LIMITS,
  scimTokenCreateSchema,
  type ScimTokenList,
} from '@/lib/contract';
import { SCIM_PER_MIN_DEFAULT } from '../../config';
import type { ServiceContext } from '../../context';
import { hashApiKey } from '../../crypto/api-keys';
import { actorOf, CONNECTION_ACTORS, requireActor } from '../../http/auth';
import { describeError } from '../../http/describe-error';
import { perMinute } from '../../http/rate-limit-options';
import { absentAsEmpty, type ServiceApp } from '../../http/validation';
import { asStoreError } from '../../storage/errors';
import { publicBaseUrl } from '../connections/saml-settings';
import { auditActorOf } from '../events/recorder';
import { discoveryDocument } from './discovery';
import { ScimError, SCIM_MESSAGES, scimError } from './errors';
import { projection } from './resources';
import {
  authenticateScimToken,
  createGroup,
  createScimToken,
  createUser,
  deleteGroup,
  deleteUser,
  directoryGroups,
  directoryUsers,
  getGroup,
  getUser,
  listGroups,
  listUsers,
  patchGroup,
  patchUser,
  renderSavedGroup,
  replaceGroup,
  replaceUser,
  revokeScimToken,
  toWireScimToken,
  type DirectoryCall,
} from './service';

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

const listQuerySchema = z.object({
  filter: z.string().optional(),
  startIndex: z.string().optional(),
  count: z.string().optional(),
  sortBy: z.string().optional(),
  sortOrder: z.string().optional(),
  attributes: z.string().optional(),
  excludedAttributes: z.string().optional(),
});
const attributesQuerySchema = listQuerySchema.pick({ attributes: true, excludedAttributes: true });

/** Each SCIM token is its own bucket: one org's sync never slows another's. */
function scimRateKey(request: FastifyRequest): string {
  const header = request.headers.authorization;
  return `scim\n${typeof header === 'string' ? hashApiKey(header.slice(0, 600)) : ''}`;
}

function ifMatchOf(request: FastifyRequest): string | undefined {
  const value = request.headers['if-match'];
  return typeof value === 'string' ? value : undefined;
}

export function registerDirectoryRoutes(app: ServiceApp, ctx: ServiceContext) {
  const preValidation = requireActor(ctx, CONNECTION_ACTORS);
  const scimBaseUrl = (request: FastifyRequest) => `${publicBaseUrl(ctx, request)}/scim/v2`;

  app.post(
    '/v1/scim/tokens',
    { preValidation, schema: { body: absentAsEmpty(scimTokenCreateSchema) } },
    async (request, reply) => {
      const actor = actorOf(request);
      const created = await createScimToken(ctx, actor.developerId, request.body, scimBaseUrl(request));
      ctx.audit.record({
        developerId: actor.developerId,
        actor: auditActorOf(request, actor),
        action: 'scim_token.created',
        target: { type: 'scim_token', id: created.id },
      });
      return reply.code(201).send(created);
    },
  );

  app.get('/v1/scim/tokens', { preValidation }, async (request) => {
    const tokens = await ctx.store.listScimTokens(actorOf(request).developerId);
    const body: ScimTokenList = { tokens: tokens.map(toWireScimToken), scimBaseUrl: scimBaseUrl(request) };
    return body;
  });

  app.delete('/v1/scim/tokens/:id', { preValidation, schema: { params: idParamsSchema } }, async (request, reply) => {
    const actor = actorOf(request);
    await revokeScimToken(ctx, actor.developerId, request.params.id);
    ctx.audit.record({
      developerId: actor.developerId,
      actor: auditActorOf(request, actor),
      action: 'scim_token.revoked',
      target: { type: 'scim_token', id: request.params.id },
    });
    return reply.code(204).send();
  });

  app.get('/v1/scim/users', { preValidation, schema: { querystring: directoryListQuerySchema } }, async (request) =>
    directoryUsers(ctx, actorOf(request).developerId, request.query),
  );
  app.get('/v1/scim/groups', { preValidation, schema: { querystring: directoryListQuerySchema } }, async (request) =>
    directoryGroups(ctx, actorOf(request).developerId, request.query),
  );

  void app.register(
    async (scim: ServiceApp) => {
      // The service's JSON parser is replaced here: SCIM clients send application/scim+json, bodies are larger,
      // and a malformed one is a SCIM error.
      scim.removeAllContentTypeParsers();
      scim.addContentTypeParser(
        ['application/scim+json', 'application/json'],
        { parseAs: 'string', bodyLimit: SCIM_LIMITS.bodyBytes },
        (_req, body, done) => {
          const text = typeof body === 'string' ? body : body.toString('utf8');
          if (text.trim() === '') return done(null, undefined);
          try {
            done(null, JSON.parse(text));
          } catch {
            done(scimError(400, 'invalidSyntax', SCIM_MESSAGES.notJson), undefined);
          }
        },
      );
      scim.addHook('onSend', async (_request, reply, payload) => {
        reply.header('content-type', SCIM_CONTENT_TYPE);
        return payload;
      });
      scim.setErrorHandler((err: FastifyError, request, reply) => sendScimError(ctx, err, request, reply));
      scim.setNotFoundHandler((_request, reply) =>
        reply.code(404).send(scimError(404, undefined, SCIM_MESSAGES.notFound).body()),
      );

      const limits = ctx.config.rateLimit;
      const limit = perMinute(limits.enabled, limits.scimPerMin ?? SCIM_PER_MIN_DEFAULT, scimRateKey);
      const authed =
        (handler: (call: DirectoryCall, request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) =>
        async (request: FastifyRequest, reply: FastifyReply) => {
          const token = await authenticateScimToken(ctx, request);
          return handler({ ctx, token, baseUrl: publicBaseUrl(ctx, request) }, request, reply);
        };
      const options = (schema: Record<string, z.ZodType>) => ({ config: { rateLimit: limit }, schema });

      for (const name of ['ServiceProviderConfig', 'Schemas', 'ResourceTypes'] as const) {
        scim.get(`/${name}`, async (request) => discoveryDocument(name, publicBaseUrl(ctx, request)));
      }
      scim.get('/Schemas/:id', { schema: { params: idParamsSchema } }, async (request) =>
        discoveryDocument('Schemas', publicBaseUrl(ctx, request), request.params.id),
      );
      scim.get('/ResourceTypes/:id', { schema: { params: idParamsSchema } }, async (request) =>
        discoveryDocument('ResourceTypes', publicBaseUrl(ctx, request), request.params.id),
      );
      scim.post('/Bulk', async (_request, reply) =>
        reply.code(501).send(scimError(501, undefined, SCIM_MESSAGES.bulkUnsupported).body()),
      );

      // ------------------------------------------------------------ Users
      scim.get(
        '/Users',
        options({ querystring: listQuerySchema }),
        authed(async (call, request) => {
          const query = request.query as z.infer<typeof listQuerySchema>;
          const list = await listUsers(call, query);
          return { ...list, Resources: list.Resources.map(projection(query)) };
        }),
      );
      scim.post(
        '/Users',
        options({ querystring: attributesQuerySchema }),
        authed(async (call, request, reply) => {
          const user = await createUser(call, request.body);
          const meta = user.meta as { location: string; version: string };
          return reply.code(201).header('location', meta.location).header('etag', meta.version).send(user);
        }),
      );
      scim.get(
        '/Users/:id',
        options({ params: idParamsSchema, querystring: attributesQuerySchema }),
        authed(async (call, request, reply) => {
          const user = await getUser(call, (request.params as { id: string }).id);
          return reply
            .header('etag', (user.meta as { version: string }).version)
            .send(projection(request.query as object)(user));
        }),
      );
      scim.put(
        '/Users/:id',
        options({ params: idParamsSchema }),
        authed(async (call, request, reply) => {
          const user = await replaceUser(call, (request.params as { id: string }).id, request.body, ifMatchOf(request));
          return reply.header('etag', (user.meta as { version: string }).version).send(user);
        }),
      );
      scim.patch(
        '/Users/:id',
        options({ params: idParamsSchema }),
        authed(async (call, request, reply) => {
          const user = await patchUser(call, (request.params as { id: string }).id, request.body, ifMatchOf(request));
          return reply.header('etag', (user.meta as { version: string }).version).send(user);
        }),
      );
      scim.delete(
        '/Users/:id',
        options({ params: idParamsSchema }),
        authed(async (call, request, reply) => {
          await deleteUser(call, (request.params as { id: string }).id);
          return reply.code(204).send();
        }),
      );

      // ------------------------------------------------------------ Groups
      scim.get(
        '/Groups',
        options({ querystring: listQuerySchema }),
        authed(async (call, request) => {
          const query = request.query as z.infer<typeof listQuerySchema>;
          const list = await listGroups(call, query);
          return { ...list, Resources: list.Resources.map(projection(query)) };
        }),
      );
      scim.post(
        '/Groups',
        options({}),
        authed(async (call, request, reply) => {
          const group = await createGroup(call, request.body);
          const meta = group.meta as { location: string; version: string };
          return reply.code(201).header('location', meta.location).header('etag', meta.version).send(group);
        }),
      );
      scim.get(
        '/Groups/:id',
        options({ params: idParamsSchema, querystring: attributesQuerySchema }),
        authed(async (call, request, reply) => {
          const query = request.query as z.infer<typeof attributesQuerySchema>;
          const excluded = (query.excludedAttributes ?? '')
            .toLowerCase()
            .split(',')
            .map((a) => a.trim());
          const group = await getGroup(call, (request.params as { id: string }).id, excluded.includes('members'));
          return reply.header('etag', (group.meta as { version: string }).version).send(projection(query)(group));
        }),
      );
      scim.put(
        '/Groups/:id',
        options({ params: idParamsSchema }),
        authed(async (call, request, reply) => {
          const group = await replaceGroup(
            call,
            (request.params as { id: string }).id,
            request.body,
            ifMatchOf(request),
          );
          return reply.header('etag', (group.meta as { version: string }).version).send(group);
        }),
      );
      scim.patch(
        '/Groups/:id',
        options({ params: idParamsSchema, querystring: attributesQuerySchema }),
        authed(async (call, request, reply) => {
          const saved = await patchGroup(call, (request.params as { id: string }).id, request.body, ifMatchOf(request));
          const query = request.query as z.infer<typeof attributesQuerySchema>;
          // 204 unless the client asked for the resource back (RFC 7644 §3.5.2).
          if (query.attributes === undefined && query.excludedAttributes === undefined) return reply.code(204).send();
          return reply.send(projection(query)(await renderSavedGroup(call, saved)));
        }),
      );
      scim.delete(
        '/Groups/:id',
        options({ params: idParamsSchema }),
        authed(async (call, request, reply) => {
          await deleteGroup(call, (request.params as { id: string }).id);
          return reply.code(204).send();
        }),
      );
    },
    { prefix: '/scim/v2' },
  );
}

/** Every refusal in SCIM's shape; the storage and unexpected errors as the rest of the service says them. */
function sendScimError(ctx: ServiceContext, err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  let scim: ScimError;
  if (err instanceof ScimError) {
    scim = err;
  } else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    scim = scimError(413, undefined, SCIM_MESSAGES.bodyTooLarge);
  } else if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    scim = scimError(415, undefined, SCIM_MESSAGES.mediaType);
  } else if (err.statusCode === 429) {
    scim = scimError(429, undefined, SCIM_MESSAGES.rateLimited);
  } else if (err.validation) {
    scim = scimError(400, 'invalidValue', 'The request has an invalid parameter');
  } else {
    const storeError = asStoreError(err);
    ctx.logger.log('error', {
      reqId: request.id,
      msg: storeError ? 'storage error' : 'unhandled error',
      err: describeError(storeError ?? err),
    });
    scim = storeError?.transient
      ? scimError(503, undefined, SCIM_MESSAGES.unavailable)
      : scimError(500, undefined, SCIM_MESSAGES.internal);
  }
  return reply.code(scim.status).send(scim.body());
}
