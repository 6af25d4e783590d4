/**
 * The connections API: `GET|POST /v1/sso/connections`, `GET|PATCH|DELETE /v1/sso/connections/:id`.
 * OIDC and SAML connections; an OIDC client secret is write-only; another org's connection id is a 404, the same as
 * an id that never existed. The org's first connection becomes its default (the one the legacy endpoints use).
 * Callers: the org's API key or one of its setup links (CONNECTION_ACTORS).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  MESSAGES,
  perConnectionRedirectUri,
  SAML_LIMITS,
  ssoConnectionCreateSchema,
  ssoConnectionPatchSchema,
  ssoSamlConnectionPatchSchema,
  type SsoConnection as WireConnection,
  type SsoConnectionList,
} from '@/lib/contract';
import type { ServiceContext } from '../context';
import { randomId } from '../crypto/random-id';
import { ApiError, badRequest, fieldsRejected, notFound } from '../http/api-error';
import { API_KEY_ONLY, authenticateActor, CONNECTION_ACTORS, type Actor } from '../http/auth';
import { invalidRequest } from '../http/describe-issues';
import { ISSUER_CHANGED, principalIssuer, type OidcConnection, type SsoConnection } from '../storage/types';
import { auditActorOf, type AuditEntry } from '../events/recorder';
import { oidcSettingsRules } from './oidc-settings-rules';
import { publicBaseUrl, refuseOtherProtocolFields, samlSettingsForCreate, samlSettingsForPatch, samlWireFields, spDefaults } from './saml-settings-rules';

/** A PATCH that keeps losing its compare-and-set to concurrent writes gives up after this many tries. */
const PATCH_ATTEMPTS = 3;
const ID_MAX = 128;
/** Connection bodies may carry pasted SAML IdP metadata (ADFS federation metadata runs to tens of KB). */
const CONNECTION_BODY_LIMIT_BYTES = SAML_LIMITS.metadataXmlMax + 64 * 1024;

/** `lastSignInAt`: the connection's latest member sign-in (ours), read apart from the login path. */
function toWireConnection(c: SsoConnection, nowMs: number, lastSignIns?: ReadonlyMap<string, string>): WireConnection {
  const common = {
    id: c.id,
    developerId: c.developerId,
    name: c.name,
    status: c.status,
    isDefault: c.isDefault,
    domains: c.domains,
    ...c.provisioning,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    lastSignInAt: lastSignIns?.get(c.id) ?? null,
  };
  if (c.protocol === 'saml') return { ...common, protocol: 'saml', ...samlWireFields(c, nowMs) };
  return { ...common, protocol: 'oidc', issuerUrl: c.oidc.issuerUrl, clientId: c.oidc.clientId, redirectUri: c.oidc.redirectUri };
}

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  return parsed.data;
}

/** A later time than `previous`, so every write moves updatedAt forward (the compare-and-set relies on it). */
function nextStamp(now: number, previous: string): string {
  return new Date(Math.max(now, Date.parse(previous) + 1)).toISOString();
}

type Patch = z.output<typeof ssoConnectionPatchSchema>;
type SamlPatch = z.output<typeof ssoSamlConnectionPatchSchema>;
type CommonPatch = Pick<
  Patch,
  'name' | 'status' | 'domains' | 'jitProvisioning' | 'groupAttribute' | 'groupMappings' | 'defaultScopes' | 'verifiedDomainsOnly'
>;

/** The patch's value for a field, or the stored one when the patch leaves it out (null is a value: it clears). */
const or = <T>(value: T | undefined, stored: T): T => (value === undefined ? stored : value);

/** The protocol-independent fields with the patch applied. */
function applyCommonPatch<C extends SsoConnection>(c: C, patch: CommonPatch, updatedAt: string): C {
  const p = c.provisioning;
  return {
    ...c,
    name: or(patch.name, c.name),
    status: or(patch.status, c.status),
    domains: or(patch.domains, c.domains),
    provisioning: {
      jitProvisioning: or(patch.jitProvisioning, p.jitProvisioning),
      groupAttribute: or(patch.groupAttribute, p.groupAttribute),
      groupMappings: or(patch.groupMappings, p.groupMappings),
      defaultScopes: or(patch.defaultScopes, p.defaultScopes),
      verifiedDomainsOnly: or(patch.verifiedDomainsOnly, p.verifiedDomainsOnly),
    },
    updatedAt,
  };
}

/** The OIDC connection with the patch's fields applied (a new secret sealed for the org). */
function applyPatch(ctx: ServiceContext, c: OidcConnection, patch: Patch, updatedAt: string): OidcConnection {
  const { oidc } = c;
  return {
    ...applyCommonPatch(c, patch, updatedAt),
    oidc: {
      issuerUrl: or(patch.issuerUrl, oidc.issuerUrl),
      clientId: or(patch.clientId, oidc.clientId),
      clientSecretSealed:
        patch.clientSecret === undefined ? oidc.clientSecretSealed : ctx.secretBox.seal(patch.clientSecret, c.developerId),
      redirectUri: or(patch.redirectUri, oidc.redirectUri),
    },
  };
}

/**
 * The stored client secret was given for one IdP: a PATCH that moves the connection to another issuer must bring
 * the secret for that one, or the old secret would be sent to a different party's token endpoint.
 */
function refuseSecretForAnotherIssuer(current: OidcConnection, patch: Patch): void {
  if (patch.issuerUrl !== undefined && patch.issuerUrl !== current.oidc.issuerUrl && patch.clientSecret === undefined) {
    throw badRequest(MESSAGES.secretNeededForNewIssuer);
  }
}

/** Names of the fields a request body sets (never their values). */
const namedFields = (input: object): string[] => Object.entries(input).filter(([, v]) => v !== undefined).map(([k]) => k);


export function registerSsoConnectionRoutes(app: FastifyInstance, ctx: ServiceContext) {
  const audit = (request: FastifyRequest, actor: Actor, action: AuditEntry['action'], id: string, changedFields?: string[]) =>
    ctx.audit.record({
      developerId: actor.developerId,
      actor: auditActorOf(request, actor),
      action,
      target: { type: 'connection', id },
      ...(changedFields ? { changedFields } : {}),
    });

  const { fieldProblems, checkIssuer, registeredRedirectUri } = oidcSettingsRules(ctx);

  /** Field rules first (all problems in one message), then the issuer check. */
  async function checkOidc(input: Parameters<typeof fieldProblems>[0]): Promise<void> {
    const problems = fieldProblems(input);
    if (problems) throw problems;
    if (input.issuerUrl !== undefined) await checkIssuer(input.issuerUrl);
  }

  /** One domain routes to one connection of an org: refuse a domain another of its connections lists (a 400 field error). */
  async function checkDomainsFree(developerId: string, domains: readonly string[] | undefined, ownId: string | null): Promise<void> {
    if (!domains || domains.length === 0) return;
    const others = (await ctx.store.listConnections(developerId)).filter((c) => c.id !== ownId);
    const problems = domains.flatMap((d) => {
      const holder = others.find((c) => c.domains.includes(d));
      return holder ? [{ field: 'domains', code: 'taken' as const, message: `${d} is already listed by the connection "${holder.name}"; remove it there first` }] : [];
    });
    if (problems.length > 0) throw fieldsRejected(problems);
  }

  async function findOwn(developerId: string, id: string): Promise<SsoConnection> {
    const found = id.length <= ID_MAX ? await ctx.store.getConnection(developerId, id) : undefined;
    if (!found) throw notFound(MESSAGES.connectionNotFound);
    return found;
  }

  app.get('/v1/sso/connections', async (request) => {
    const dev = await authenticateActor(ctx, request, CONNECTION_ACTORS);
    const [connections, lastSignIns] = await Promise.all([ctx.store.listConnections(dev.developerId), ctx.store.lastSignIns(dev.developerId)]);
    const body: SsoConnectionList = { connections: connections.map((c) => toWireConnection(c, ctx.now(), lastSignIns)) };
    return body;
  });

  app.post('/v1/sso/connections', { bodyLimit: CONNECTION_BODY_LIMIT_BYTES }, async (request, reply) => {
    const dev = await authenticateActor(ctx, request, CONNECTION_ACTORS);
    const input = parseBody(ssoConnectionCreateSchema, request.body);
    refuseOtherProtocolFields(request.body, input.protocol);
    const id = randomId('sso');
    const settings =
      input.protocol === 'saml'
        ? ({ protocol: 'saml', saml: await samlSettingsForCreate(ctx, input, spDefaults(publicBaseUrl(ctx, request), id)) } as const)
        : ({
            protocol: 'oidc',
            oidc: await (async () => {
              await checkOidc(input);
              // Without one (the official SDKs never send it), the connection's own console callback.
              const redirectUri =
                input.redirectUri === undefined
                  ? perConnectionRedirectUri(ctx.config.consoleUrl, id)
                  : await registeredRedirectUri(input.redirectUri, id);
              return {
                issuerUrl: input.issuerUrl,
                clientId: input.clientId,
                clientSecretSealed: ctx.secretBox.seal(input.clientSecret, dev.developerId),
                redirectUri,
              };
            })(),
          } as const);
    await checkDomainsFree(dev.developerId, input.domains, null);
    const now = new Date(ctx.now()).toISOString();
    const created = await ctx.store.createConnection({
      id,
      developerId: dev.developerId,
      name: input.name,
      status: input.status ?? 'active',
      ...settings,
      domains: input.domains ?? [],
      provisioning: {
        jitProvisioning: input.jitProvisioning ?? true,
        groupAttribute: input.groupAttribute ?? null,
        groupMappings: input.groupMappings ?? {},
        defaultScopes: input.defaultScopes ?? [],
        verifiedDomainsOnly: input.verifiedDomainsOnly ?? false,
      },
      createdAt: now,
      updatedAt: now,
    });
    audit(request, dev, 'connection.created', created.id, namedFields(input));
    return reply.code(201).send(toWireConnection(created, ctx.now()));
  });

  app.get<{ Params: { id: string } }>('/v1/sso/connections/:id', async (request) => {
    const dev = await authenticateActor(ctx, request, CONNECTION_ACTORS);
    const [connection, lastSignIns] = await Promise.all([findOwn(dev.developerId, request.params.id), ctx.store.lastSignIns(dev.developerId)]);
    return toWireConnection(connection, ctx.now(), lastSignIns);
  });

  app.patch<{ Params: { id: string } }>('/v1/sso/connections/:id', { bodyLimit: CONNECTION_BODY_LIMIT_BYTES }, async (request) => {
    const dev = await authenticateActor(ctx, request, CONNECTION_ACTORS);
    // The stored connection's protocol decides which fields apply (its own are parsed, the other's refused).
    const protocol = (await findOwn(dev.developerId, request.params.id)).protocol;
    refuseOtherProtocolFields(request.body, protocol);
    const patch = protocol === 'saml' ? parseBody(ssoSamlConnectionPatchSchema, request.body) : parseBody(ssoConnectionPatchSchema, request.body);
    if (Object.values(patch).every((v) => v === undefined)) throw badRequest(MESSAGES.connectionPatchEmpty);
    if (protocol === 'oidc') {
      await checkOidc(patch as Patch);
      const { redirectUri } = patch as Patch;
      if (redirectUri !== undefined) (patch as Patch).redirectUri = await registeredRedirectUri(redirectUri, request.params.id);
    }
    await checkDomainsFree(dev.developerId, patch.domains, request.params.id);
    for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
      const current = await findOwn(dev.developerId, request.params.id);
      if (current.protocol === 'oidc') refuseSecretForAnotherIssuer(current, patch as Patch);
      const updatedAt = nextStamp(ctx.now(), current.updatedAt);
      const next: SsoConnection =
        current.protocol === 'saml'
          ? { ...applyCommonPatch(current, patch, updatedAt), saml: await samlSettingsForPatch(ctx, current, patch as SamlPatch) }
          : applyPatch(ctx, current, patch as Patch, updatedAt);
      const saved = await ctx.store.replaceConnection(next, current.updatedAt);
      if (saved) {
        const issuerChanged = principalIssuer(current) !== principalIssuer(saved);
        audit(request, dev, 'connection.updated', saved.id, [...namedFields(patch), ...(issuerChanged ? [ISSUER_CHANGED] : [])]);
        return toWireConnection(saved, ctx.now(), await ctx.store.lastSignIns(dev.developerId));
      }
    }
    throw new ApiError(409, 'CONFLICT', 'The connection is being changed by another request; try again');
  });

  app.delete<{ Params: { id: string } }>('/v1/sso/connections/:id', async (request, reply) => {
    // Deleting is the org's own call: a setup link configures and tests connections, it does not remove them.
    const dev = await authenticateActor(ctx, request, API_KEY_ONLY);
    const removed = request.params.id.length <= ID_MAX ? await ctx.store.deleteConnection(dev.developerId, request.params.id) : undefined;
    if (!removed) throw notFound(MESSAGES.connectionNotFound);
    if (removed.protocol === 'oidc') ctx.issuerChecks.invalidate(removed.oidc.issuerUrl);
    audit(request, dev, 'connection.deleted', removed.id);
    return reply.code(204).send();
  });
}
