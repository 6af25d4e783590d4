import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MESSAGES, type SsoConfig, type SsoConfigRequest } from '@/lib/contract';
import type { ServiceContext } from '../context';
import { randomId } from '../crypto/random-id';
import { ApiError, notFound, unauthorized } from '../http/api-error';
import { apiKeyHashFrom, authenticate } from '../http/auth';
import { ISSUER_CHANGED, principalIssuer, type Developer, type SsoConnection } from '../storage/types';
import { apiKeyActor } from '../events/recorder';
import { oidcSettingsRules } from './oidc-settings-rules';
import { answerWith, stringFields } from './schemas';

/** The body's shape (the contract's ssoConfigRequestSchema); empty strings count as missing, as in the hosted service. */
const body = stringFields({ issuerUrl: {}, clientId: {}, clientSecret: {}, redirectUri: {} }, [
  'issuerUrl',
  'clientId',
  'clientSecret',
  'redirectUri',
]);

/** The legacy config is the org's default OIDC connection, seen through the legacy wire shape (a SAML default has none). */
function toWireConfig(connection: SsoConnection): SsoConfig {
  if (connection.protocol !== 'oidc') throw notFound(MESSAGES.configNotFound);
  return {
    issuerUrl: connection.oidc.issuerUrl,
    clientId: connection.oidc.clientId,
    redirectUri: connection.oidc.redirectUri,
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
  };
}

const SAML_DEFAULT_CONFLICT =
  "This organization's default SSO connection is a SAML connection; change it with the connections API (PATCH /v1/sso/connections/:id)";

/** What a legacy save writes (names only, for the audit trail). */
const LEGACY_FIELDS = ['issuerUrl', 'clientId', 'clientSecret', 'redirectUri'] as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the config routes' authentication hook. */
    developer?: Developer;
  }
}

function developerOf(request: FastifyRequest): Developer {
  if (!request.developer) throw new Error('route registered without its authentication hook');
  return request.developer;
}

export function registerSsoConfigRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const { fieldProblems, checkIssuer, registeredRedirectUri } = oidcSettingsRules(ctx);

  app.post<{ Body: SsoConfigRequest }>(
    '/v1/sso/config',
    {
      // Authentication runs before the body is validated: a request without a valid key gets a 401, never a 400.
      preValidation: async (request) => {
        request.developer = await authenticate(ctx.store, request);
      },
      schema: { body },
      schemaErrorFormatter: answerWith(() => MESSAGES.configFieldsRequired),
    },
    async (request, reply) => {
      const dev = developerOf(request);
      const input = request.body;
      // validate → check → one store call.
      const problems = fieldProblems(input);
      if (problems) throw problems;
      await checkIssuer(input.issuerUrl);
      // Read for the audit entry too: a save that moves the default connection to another issuer starts a new
      // set of members (principals are keyed by the issuer), and the trail says so.
      const before = await ctx.store.getDefaultConnection(dev.id);
      // The legacy endpoints have always named connections `conn_…`; the connections API uses `sso_…`.
      const newConnectionId = randomId('conn');
      // The same redirect URI rule as the connections API (the save updates the default connection, if any).
      const redirectUri = await registeredRedirectUri(input.redirectUri, async () => before?.id);
      const saved = await ctx.store.saveDefaultOidcConnection({
        developerId: dev.id,
        newConnectionId,
        oidc: {
          issuerUrl: input.issuerUrl,
          clientId: input.clientId,
          clientSecretSealed: ctx.secretBox.seal(input.clientSecret, dev.id),
          redirectUri,
        },
        now: new Date(ctx.now()).toISOString(),
      }).catch(async (err: unknown) => {
        // The upsert leaves a default connection of another protocol untouched (and answers no row): say so.
        if ((await ctx.store.getDefaultConnection(dev.id))?.protocol === 'saml') throw new ApiError(409, 'CONFLICT', SAML_DEFAULT_CONFLICT);
        throw err;
      });
      // No RP cache flush: client set-ups are keyed by this save's (new) sealed secret, so the change takes effect
      // at the next login, and the issuer's discovery/JWKS, shared with other tenants, stay warm (one org must not
      // be able to force cold fetches on everyone else's logins).
      const issuerChanged = before !== undefined && principalIssuer(before) !== principalIssuer(saved);
      ctx.audit.record({
        developerId: dev.id,
        actor: apiKeyActor(request),
        action: 'config.saved',
        target: { type: 'connection', id: saved.id },
        changedFields: issuerChanged ? [...LEGACY_FIELDS, ISSUER_CHANGED] : LEGACY_FIELDS,
      });
      return reply.code(201).send(toWireConfig(saved));
    },
  );

  app.get('/v1/sso/config', async (request) => {
    // One query: the key's developer joined with its default connection (same 401s as authenticate()).
    const found = await ctx.store.findDefaultConnectionByKey(apiKeyHashFrom(request));
    if (!found) throw unauthorized(MESSAGES.invalidKey);
    if (!found.connection) throw notFound(MESSAGES.configNotFound);
    return toWireConfig(found.connection);
  });

  app.delete('/v1/sso/config', async (request, reply) => {
    const dev = await authenticate(ctx.store, request);
    const removed = await ctx.store.deleteDefaultConnection(dev.id);
    if (!removed) throw notFound(MESSAGES.configNotFound);
    // Nothing to flush in the RP: without a row no login reaches it, and shared issuer caches stay warm.
    if (removed.protocol === 'oidc') ctx.issuerChecks.invalidate(removed.oidc.issuerUrl);
    ctx.audit.record({ developerId: dev.id, actor: apiKeyActor(request), action: 'config.deleted', target: { type: 'connection', id: removed.id } });
    return reply.code(204).send();
  });
}
