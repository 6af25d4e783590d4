/**
 * Connections (service.ts, connection-tests.ts, legacy-config.ts, saml-metadata.ts):
 * - `GET|POST /v1/sso/connections`, `GET|PATCH|DELETE /v1/sso/connections/:id`: the connections API. Callers:
 *   the org's API key or one of its setup sessions (CONNECTION_ACTORS); deleting is the API key's alone.
 * - `POST /v1/sso/connections/:id/test`, `POST /v1/sso/connections/:id/test-sign-in`: connection checks.
 * - `POST /v1/sso/connections/:id/metadata/refresh`: a SAML connection's IdP metadata fetched again from its URL
 *   now (metadata-refresh.ts; the same callers).
 * - `POST|GET|DELETE /v1/sso/config`: the legacy single config (the org's default OIDC connection; API key).
 * - `GET /sso/saml/:connectionId/metadata` (public, rate-limited per address): a SAML connection's SP metadata.
 */
import type { FastifyRequest } from 'fastify';
import {
  idParamsSchema,
  MESSAGES,
  SAML_LIMITS,
  samlMetadataParamsSchema,
  ssoConfigSaveSchema,
  ssoConnectionCreateSchema,
  ssoTestSignInRequestSchema,
  type SsoConnectionList,
  type SsoMetadataRefreshResponse,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { badRequest, notFound, unauthorized } from '../../http/api-error';
import {
  actorOf,
  API_KEY_ONLY,
  authenticate,
  looksLikeConsoleBearer,
  apiKeyHashFrom,
  CONNECTION_ACTORS,
  developerOf,
  requireActor,
  requireDeveloper,
} from '../../http/auth';
import type { RouteRateLimit } from '../../http/rate-limit-options';
import { absentAsEmpty, type ServiceApp } from '../../http/validation';
import type { SsoConnection } from '../../storage/types';
import { apiKeyActor, auditActorOf, type AuditEntry } from '../events/recorder';
import {
  checkConnectionWrite,
  endConsoleSessionsBeforeDelete,
  endConsoleSessionsOfConnection,
} from '../console-access/service';
import { logoutWireFields } from '../logout/wire';
import { startTestSignIn, testConnection } from './connection-tests';
import { deleteLegacyConfig, saveLegacyConfig } from './legacy-config';
import { samlMetadataOf } from './saml-metadata';
import { publicBaseUrl } from './saml-settings';
import { nextDueAfter, refreshConnectionMetadata } from './metadata-refresh';
import { createConnectionService } from './service';

export const METADATA_REFRESH_MESSAGES = {
  noMetadataUrl: 'This connection was not set up from an IdP metadata URL; there is nothing to refresh',
} as const;
import { legacyConfigWire, toWireConfig, toWireConnection } from './wire';

/** Connection bodies may carry pasted SAML IdP metadata (ADFS federation metadata runs to tens of KB). */
const CONNECTION_BODY_LIMIT_BYTES = SAML_LIMITS.metadataXmlMax + 64 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** The body as sent, before its schema stripped unknown fields (the other protocol's fields are refused by name). */
    bodyAsSent: unknown;
    /** The legacy config's default connection as its authentication read it (null: none; unset: not read yet). */
    legacyDefault: { connection: SsoConnection | null } | null;
  }
}

export function registerConnectionRoutes(app: ServiceApp, ctx: ServiceContext, metadataRateLimit: RouteRateLimit) {
  const connections = createConnectionService(ctx);
  const asActor = requireActor(ctx, CONNECTION_ACTORS);
  const asApiKey = requireActor(ctx, API_KEY_ONLY);
  const asDeveloper = requireDeveloper(ctx);
  /** Authenticates, then keeps the body as sent (the schema's parse returns a new, stripped object). */
  const asActorKeepingBody = async (request: FastifyRequest) => {
    await asActor(request);
    request.bodyAsSent = request.body;
  };
  app.decorateRequest('bodyAsSent', null);
  /**
   * The legacy save's and delete's authentication: with an API key, one read finds the key's org and its default
   * connection, which they act on (same 401s and 403s as requireDeveloper); a console session authenticates as
   * everywhere and the route reads the connection itself.
   */
  const asDeveloperWithDefault = async (request: FastifyRequest) => {
    if (looksLikeConsoleBearer(request)) return asDeveloper(request);
    const found = await ctx.store.findDeveloperWithDefaultByKey(apiKeyHashFrom(request));
    if (!found) throw unauthorized(MESSAGES.invalidKey);
    request.developer = found.developer;
    request.legacyDefault = { connection: found.defaultConnection ?? null };
  };
  app.decorateRequest('legacyDefault', null);
  /** The org's default connection: as asDeveloperWithDefault read it, else read now (null: none). */
  const legacyDefaultOf = async (request: FastifyRequest): Promise<SsoConnection | null> =>
    request.legacyDefault
      ? request.legacyDefault.connection
      : ((await ctx.store.getDefaultConnection(developerOf(request).id)) ?? null);

  const audit = (
    request: FastifyRequest,
    action: AuditEntry['action'],
    id: string,
    changedFields?: readonly string[],
  ) => {
    const actor = actorOf(request);
    ctx.audit.record({
      developerId: actor.developerId,
      actor: auditActorOf(request, actor),
      action,
      target: { type: 'connection', id },
      ...(changedFields ? { changedFields: [...changedFields] } : {}),
    });
  };
  const params = idParamsSchema;
  // The connection object with the logout URLs to give the IdP (features/logout/wire.ts).
  const wire = (
    request: FastifyRequest,
    c: SsoConnection,
    lastSignIns?: ReadonlyMap<string, string>,
    metadataRefresh?: Parameters<typeof toWireConnection>[3],
  ) => ({
    ...toWireConnection(c, ctx.now(), lastSignIns, metadataRefresh),
    ...logoutWireFields(c, publicBaseUrl(ctx, request)),
  });

  app.get('/v1/sso/connections', { preValidation: asActor }, async (request) => {
    const { connections: all, lastSignIns } = await connections.list(actorOf(request).developerId);
    const body: SsoConnectionList = { connections: all.map((c) => wire(request, c, lastSignIns)) };
    return body;
  });

  app.post(
    '/v1/sso/connections',
    {
      bodyLimit: CONNECTION_BODY_LIMIT_BYTES,
      preValidation: asActorKeepingBody,
      schema: { body: ssoConnectionCreateSchema },
    },
    async (request, reply) => {
      checkConnectionWrite(actorOf(request), null, request.bodyAsSent);
      const { connection, changedFields } = await connections.create(
        actorOf(request).developerId,
        request.body,
        request.bodyAsSent,
        publicBaseUrl(ctx, request),
      );
      audit(request, 'connection.created', connection.id, changedFields);
      return reply.code(201).send(wire(request, connection));
    },
  );

  app.get('/v1/sso/connections/:id', { preValidation: asActor, schema: { params } }, async (request) => {
    const { connection, lastSignIns } = await connections.get(actorOf(request).developerId, request.params.id);
    const refresh =
      connection.protocol === 'saml' ? { record: await ctx.store.getMetadataRefresh(connection.id) } : undefined;
    return wire(request, connection, lastSignIns, refresh);
  });

  // "Refresh now": the IdP metadata fetched again from the connection's URL, applied as the scheduled refresh does.
  app.post(
    '/v1/sso/connections/:id/metadata/refresh',
    { preValidation: asActor, schema: { params } },
    async (request): Promise<SsoMetadataRefreshResponse> => {
      const actor = actorOf(request);
      const connection = await connections.findOwn(actor.developerId, request.params.id);
      if (connection.protocol !== 'saml' || connection.saml.idpMetadataUrl === null)
        throw badRequest(METADATA_REFRESH_MESSAGES.noMetadataUrl);
      const now = ctx.now();
      // Taken whatever its schedule says; the next scheduled turn is a full interval away.
      await ctx.store.claimMetadataRefresh(
        {
          connectionId: connection.id,
          developerId: connection.developerId,
          nowIso: new Date(now).toISOString(),
          nextDueIso: nextDueAfter(now, ctx.metadataRefresh.intervalMs),
        },
        true,
      );
      const done = await refreshConnectionMetadata(ctx.metadataRefresh, connection, auditActorOf(request, actor));
      const wired = wire(request, done.connection, await ctx.store.lastSignIns(actor.developerId), {
        record: await ctx.store.getMetadataRefresh(connection.id),
      });
      if (wired.protocol !== 'saml') throw new Error('not a SAML connection');
      return { result: done.result, changedFields: done.changedFields, connection: wired };
    },
  );

  // The body's schema depends on the stored connection's protocol: service.patch parses it (http/validation.ts parseWith).
  app.patch(
    '/v1/sso/connections/:id',
    { bodyLimit: CONNECTION_BODY_LIMIT_BYTES, preValidation: asActor, schema: { params } },
    async (request) => {
      const actor = actorOf(request);
      const developerId = actor.developerId;
      // Who may change what grants console roles (features/console-access): checked against the stored connection.
      const before = await connections.findOwn(developerId, request.params.id);
      checkConnectionWrite(actor, before, request.body);
      // The console sessions the save makes stale end before it writes (console-access/service.ts says why).
      const { connection, changedFields } = await connections.patch(developerId, request.params.id, request.body, {
        beforeWrite: (current, next) => endConsoleSessionsOfConnection(ctx, next, current),
      });
      audit(request, 'connection.updated', connection.id, changedFields);
      return wire(request, connection, await ctx.store.lastSignIns(developerId));
    },
  );

  // Deleting is the org's own call: a setup link configures and tests connections, it does not remove them.
  app.delete('/v1/sso/connections/:id', { preValidation: asApiKey, schema: { params } }, async (request, reply) => {
    const developerId = actorOf(request).developerId;
    await endConsoleSessionsBeforeDelete(ctx, developerId, request.params.id);
    const removed = await connections.remove(developerId, request.params.id);
    audit(request, 'connection.deleted', removed.id);
    return reply.code(204).send();
  });

  app.post('/v1/sso/connections/:id/test', { preValidation: asActor, schema: { params } }, async (request, reply) => {
    const connection = await connections.findOwn(actorOf(request).developerId, request.params.id);
    const result = await testConnection(ctx, connection);
    audit(request, 'connection.tested', connection.id);
    return reply.code(result.success ? 200 : 422).send(result);
  });

  app.post(
    '/v1/sso/connections/:id/test-sign-in',
    { preValidation: asActor, schema: { params, body: absentAsEmpty(ssoTestSignInRequestSchema) } },
    async (request) => {
      const connection = await connections.findOwn(actorOf(request).developerId, request.params.id);
      return startTestSignIn(ctx, connection, request.body.redirect_uri);
    },
  );

  // ---------------------------------------------------------------- the legacy config

  app.post(
    '/v1/sso/config',
    // Authentication runs before the body is validated: a request without a valid key gets a 401, never a 400.
    {
      preValidation: asDeveloperWithDefault,
      schema: { body: ssoConfigSaveSchema },
      config: { invalid: () => badRequest(MESSAGES.configFieldsRequired) },
    },
    async (request, reply) => {
      const dev = developerOf(request);
      // Read once: the role check, the save (the redirect URI rule, the audit's issuer change) and the console
      // sessions' revocation all compare against this row.
      const before = await legacyDefaultOf(request);
      if (request.consoleSession) {
        const actor = {
          kind: 'console_session' as const,
          developerId: dev.id,
          developer: dev,
          session: request.consoleSession,
        };
        checkConnectionWrite(actor, before, request.body);
      }
      const { saved, changedFields } = await saveLegacyConfig(ctx, connections, dev.id, request.body, { before });
      ctx.audit.record({
        developerId: dev.id,
        actor: apiKeyActor(request),
        action: 'config.saved',
        target: { type: 'connection', id: saved.id },
        changedFields: [...changedFields],
      });
      return reply.code(201).send(toWireConfig(saved));
    },
  );

  app.get('/v1/sso/config', async (request) => {
    // A console session: its org's default connection (the role table lets viewers read it).
    if (looksLikeConsoleBearer(request)) {
      const dev = await authenticate(ctx, request);
      const connection = await ctx.store.getDefaultConnection(dev.id);
      if (!connection) throw notFound(MESSAGES.configNotFound);
      return toWireConfig(connection);
    }
    // One query: the key's developer joined with its default connection (same 401s as authenticate()).
    const found = await ctx.store.findLegacyConfigByKey(apiKeyHashFrom(request));
    if (!found) throw unauthorized(MESSAGES.invalidKey);
    if (!found.config) throw notFound(MESSAGES.configNotFound);
    return legacyConfigWire(found.config);
  });

  app.delete('/v1/sso/config', { preValidation: asDeveloperWithDefault }, async (request, reply) => {
    const dev = developerOf(request);
    const current = await legacyDefaultOf(request);
    if (current) await endConsoleSessionsBeforeDelete(ctx, dev.id, current.id);
    const removed = await deleteLegacyConfig(ctx, dev.id);
    ctx.audit.record({
      developerId: dev.id,
      actor: apiKeyActor(request),
      action: 'config.deleted',
      target: { type: 'connection', id: removed.id },
    });
    return reply.code(204).send();
  });

  // ---------------------------------------------------------------- SAML SP metadata

  app.get(
    '/sso/saml/:connectionId/metadata',
    { config: { rateLimit: metadataRateLimit }, schema: { params: samlMetadataParamsSchema } },
    async (request, reply) => {
      const { connection, xml } = await samlMetadataOf(ctx, request.params.connectionId);
      return reply
        .header('content-type', 'application/samlmetadata+xml; charset=utf-8')
        .header('content-disposition', `inline; filename="saml-sp-${connection.id}.xml"`)
        .send(xml);
    },
  );
}
