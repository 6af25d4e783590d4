/**
 * The connections API's logic (routes.ts answers it): create, read, PATCH (a compare-and-set on `updatedAt`,
 * retried), delete. OIDC and SAML connections; another org's connection id is a 404, the same as an id that never
 * existed. The org's first connection becomes its default (the one the legacy endpoints use).
 */
import type { z } from 'zod';
import {
  ID_MAX,
  MESSAGES,
  perConnectionRedirectUri,
  ssoConnectionPatchSchema,
  ssoSamlConnectionPatchSchema,
  type ssoConnectionCreateSchema,
} from '@/lib/contract';
import { ensureSpSigningKey } from '../sp-keys/service';
import type { ServiceContext } from '../../context';
import { randomId } from '../../crypto/random-id';
import { ApiError, badRequest, fieldsRejected, notFound } from '../../http/api-error';
import { parseWith } from '../../http/validation';
import {
  ISSUER_CHANGED,
  principalIssuer,
  type OidcConnection,
  type SamlConnection,
  type SsoConnection,
} from '../../storage/types';
import { oidcSettingsRules, type OidcSettingsInput } from './oidc-settings';
import { refuseOtherProtocolFields, samlSettingsForCreate, samlSettingsForPatch, spDefaults } from './saml-settings';

/** A PATCH that keeps losing its compare-and-set to concurrent writes gives up after this many tries. */
const PATCH_ATTEMPTS = 3;

type CreateInput = z.output<typeof ssoConnectionCreateSchema>;
type OidcPatch = z.output<typeof ssoConnectionPatchSchema>;
type SamlPatch = z.output<typeof ssoSamlConnectionPatchSchema>;
type CommonPatch = Pick<
  OidcPatch,
  | 'name'
  | 'status'
  | 'domains'
  | 'jitProvisioning'
  | 'groupAttribute'
  | 'groupMappings'
  | 'defaultScopes'
  | 'verifiedDomainsOnly'
  | 'maxSessionSeconds'
  | 'directoryUsersOnly'
  | 'consoleRoleMappings'
  | 'enforce'
>;

/** A saved connection and the names of the fields the request set (the audit entry's `changedFields`). */
export interface Saved {
  connection: SsoConnection;
  changedFields: string[];
}

export interface PatchOptions {
  /**
   * Runs with the stored connection and the one about to replace it, after every check and before the write (once
   * per compare-and-set attempt): for what must not depend on a statement after the write commits (the database
   * can fail between the two). Its effect stands even when the write then fails.
   */
  beforeWrite?: (current: SsoConnection, next: SsoConnection) => Promise<void>;
}

/** A later time than `previous`, so every write moves updatedAt forward (the compare-and-set relies on it). */
function nextStamp(now: number, previous: string): string {
  return new Date(Math.max(now, Date.parse(previous) + 1)).toISOString();
}

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
      maxSessionSeconds: or(patch.maxSessionSeconds, p.maxSessionSeconds),
      maxAuthAgeSeconds: p.maxAuthAgeSeconds,
      directoryUsersOnly: or(patch.directoryUsersOnly, p.directoryUsersOnly),
      consoleRoleMappings: or(patch.consoleRoleMappings, p.consoleRoleMappings),
      enforce: or(patch.enforce, p.enforce),
    },
    updatedAt,
  };
}

/** The OIDC connection with the patch's fields applied (a new secret sealed for the org). */
function applyOidcPatch(ctx: ServiceContext, c: OidcConnection, patch: OidcPatch, updatedAt: string): OidcConnection {
  const { oidc } = c;
  const common = applyCommonPatch(c, patch, updatedAt);
  return {
    ...common,
    provisioning: {
      ...common.provisioning,
      maxAuthAgeSeconds: or(patch.maxAuthAgeSeconds, c.provisioning.maxAuthAgeSeconds),
    },
    oidc: {
      issuerUrl: or(patch.issuerUrl, oidc.issuerUrl),
      clientId: or(patch.clientId, oidc.clientId),
      clientSecretSealed:
        patch.clientSecret === undefined
          ? oidc.clientSecretSealed
          : ctx.secretBox.seal(patch.clientSecret, c.developerId),
      redirectUri: or(patch.redirectUri, oidc.redirectUri),
    },
  };
}

/**
 * The stored client secret was given for one IdP: a PATCH that moves the connection to another issuer must bring
 * the secret for that one, or the old secret would be sent to a different party's token endpoint.
 */
function refuseSecretForAnotherIssuer(current: OidcConnection, patch: OidcPatch): void {
  if (patch.issuerUrl !== undefined && patch.issuerUrl !== current.oidc.issuerUrl && patch.clientSecret === undefined) {
    throw badRequest(MESSAGES.secretNeededForNewIssuer);
  }
}

/** Names of the fields a request body sets (never their values). */
const namedFields = (input: object): string[] =>
  Object.entries(input)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);

const oidcOnly = (c: SsoConnection): OidcConnection | undefined => (c.protocol === 'oidc' ? c : undefined);
const samlOnly = (c: SsoConnection): SamlConnection | undefined => (c.protocol === 'saml' ? c : undefined);

export type ConnectionService = ReturnType<typeof createConnectionService>;

/** The connections' logic over one set of OIDC settings rules (their URL verdicts are memoized per service). */
export function createConnectionService(ctx: ServiceContext) {
  const rules = oidcSettingsRules(ctx);

  /** Field rules first (all problems in one message), then the issuer check. */
  async function checkOidc(input: OidcSettingsInput): Promise<void> {
    const problems = rules.fieldProblems(input);
    if (problems) throw problems;
    if (input.issuerUrl !== undefined) await rules.checkIssuer(input.issuerUrl);
  }

  /** One domain routes to one connection of an org: refuse a domain another of its connections lists (a 400 field error). */
  async function checkDomainsFree(
    developerId: string,
    domains: readonly string[] | undefined,
    ownId: string | null,
  ): Promise<void> {
    if (!domains || domains.length === 0) return;
    const others = (await ctx.store.listConnections(developerId)).filter((c) => c.id !== ownId);
    const problems = domains.flatMap((d) => {
      const holder = others.find((c) => c.domains.includes(d));
      return holder
        ? [
            {
              field: 'domains',
              code: 'taken' as const,
              message: `${d} is already listed by the connection "${holder.name}"; remove it there first`,
            },
          ]
        : [];
    });
    if (problems.length > 0) throw fieldsRejected(problems);
  }

  /** The org's connection `id`; an unknown id, a too long one and another org's all answer the same 404. */
  async function findOwn(developerId: string, id: string): Promise<SsoConnection> {
    const found = id.length <= ID_MAX ? await ctx.store.getConnection(developerId, id) : undefined;
    if (!found) throw notFound(MESSAGES.connectionNotFound);
    return found;
  }

  /**
   * Re-reads the connection, applies `next` and writes it only if nobody wrote it since (updatedAt), a few times.
   * Two concurrent PATCHes therefore never lose a field. `beforeWrite` runs with each attempt's current and next
   * connection just before its write (see PatchOptions).
   */
  async function replaceWithRetry<C extends SsoConnection>(
    developerId: string,
    id: string,
    ofProtocol: (c: SsoConnection) => C | undefined,
    next: (current: C, updatedAt: string) => Promise<C> | C,
    beforeWrite: PatchOptions['beforeWrite'],
  ): Promise<{ before: C; saved: SsoConnection }> {
    for (let attempt = 0; attempt < PATCH_ATTEMPTS; attempt++) {
      // The protocol is fixed at creation; a connection of another protocol under this id is not the one asked about.
      const current = ofProtocol(await findOwn(developerId, id));
      if (!current) throw notFound(MESSAGES.connectionNotFound);
      const replacement = await next(current, nextStamp(ctx.now(), current.updatedAt));
      await beforeWrite?.(current, replacement);
      const saved = await ctx.store.replaceConnection(replacement, current.updatedAt);
      if (saved) return { before: current, saved };
    }
    throw new ApiError(409, 'CONFLICT', 'The connection is being changed by another request; try again');
  }

  async function patchOidc(developerId: string, id: string, patch: OidcPatch, opts: PatchOptions): Promise<Saved> {
    await checkOidc(patch);
    const checked =
      patch.redirectUri === undefined
        ? patch
        : { ...patch, redirectUri: await rules.registeredRedirectUri(patch.redirectUri, id) };
    await checkDomainsFree(developerId, patch.domains, id);
    const { before, saved } = await replaceWithRetry(
      developerId,
      id,
      oidcOnly,
      (current, updatedAt) => {
        refuseSecretForAnotherIssuer(current, checked);
        return applyOidcPatch(ctx, current, checked, updatedAt);
      },
      opts.beforeWrite,
    );
    return { connection: saved, changedFields: changed(patch, before, saved) };
  }

  async function patchSaml(developerId: string, id: string, patch: SamlPatch, opts: PatchOptions): Promise<Saved> {
    await checkDomainsFree(developerId, patch.domains, id);
    // Signed AuthnRequests need a signing key before the first login after this save.
    if (patch.signAuthnRequests === true) {
      const current = samlOnly(await findOwn(developerId, id));
      if (current) await ensureSpSigningKey(ctx, current);
    }
    const { before, saved } = await replaceWithRetry(
      developerId,
      id,
      samlOnly,
      async (current, updatedAt) => ({
        ...applyCommonPatch(current, patch, updatedAt),
        saml: await samlSettingsForPatch(ctx, current, patch),
      }),
      opts.beforeWrite,
    );
    // Single logout signs its LogoutRequests and LogoutResponses with the same key (features/logout).
    if (saved.protocol === 'saml' && saved.saml.idpSloUrl) await ensureSpSigningKey(ctx, saved);
    return { connection: saved, changedFields: changed(patch, before, saved) };
  }

  /** The fields set, and the marker when the save moved the connection to another IdP (its members start over). */
  const changed = (patch: object, before: SsoConnection, saved: SsoConnection) => [
    ...namedFields(patch),
    ...(principalIssuer(before) !== principalIssuer(saved) ? [ISSUER_CHANGED] : []),
  ];

  return {
    rules,
    findOwn,

    async list(developerId: string) {
      const [connections, lastSignIns] = await Promise.all([
        ctx.store.listConnections(developerId),
        ctx.store.lastSignIns(developerId),
      ]);
      return { connections, lastSignIns };
    },

    async get(developerId: string, id: string) {
      const [connection, lastSignIns] = await Promise.all([
        findOwn(developerId, id),
        ctx.store.lastSignIns(developerId),
      ]);
      return { connection, lastSignIns };
    },

    /** `body`: the request body as sent (fields of the other protocol are refused by name, not dropped). */
    async create(developerId: string, input: CreateInput, body: unknown, publicBaseUrl: string): Promise<Saved> {
      refuseOtherProtocolFields(body, input.protocol);
      const id = randomId('sso');
      let settings: Pick<OidcConnection, 'protocol' | 'oidc'> | Pick<SamlConnection, 'protocol' | 'saml'>;
      if (input.protocol === 'saml') {
        settings = { protocol: 'saml', saml: await samlSettingsForCreate(ctx, input, spDefaults(publicBaseUrl, id)) };
      } else {
        await checkOidc(input);
        // Without one (the official SDKs never send it), the connection's own console callback.
        const redirectUri =
          input.redirectUri === undefined
            ? perConnectionRedirectUri(ctx.config.consoleUrl, id)
            : await rules.registeredRedirectUri(input.redirectUri, id);
        settings = {
          protocol: 'oidc',
          oidc: {
            issuerUrl: input.issuerUrl,
            clientId: input.clientId,
            clientSecretSealed: ctx.secretBox.seal(input.clientSecret, developerId),
            redirectUri,
          },
        };
      }
      await checkDomainsFree(developerId, input.domains, null);
      const now = new Date(ctx.now()).toISOString();
      const connection = await ctx.store.createConnection({
        id,
        developerId,
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
          maxSessionSeconds: input.maxSessionSeconds ?? null,
          maxAuthAgeSeconds: input.protocol === 'oidc' ? (input.maxAuthAgeSeconds ?? null) : null,
          directoryUsersOnly: input.directoryUsersOnly ?? false,
          consoleRoleMappings: input.consoleRoleMappings ?? {},
          enforce: input.enforce ?? false,
        },
        createdAt: now,
        updatedAt: now,
      });
      // Signed AuthnRequests and single logout (features/logout) sign with the connection's signing key.
      if (connection.protocol === 'saml' && (connection.saml.signAuthnRequests || connection.saml.idpSloUrl))
        await ensureSpSigningKey(ctx, connection);
      return { connection, changedFields: namedFields(input) };
    },

    /**
     * PATCH sets only the fields it names (an empty body is a 400). The stored connection's protocol decides which
     * fields apply, so the body is parsed here against that protocol's schema (the other's fields are refused).
     */
    async patch(developerId: string, id: string, body: unknown, opts: PatchOptions = {}): Promise<Saved> {
      const { protocol } = await findOwn(developerId, id);
      refuseOtherProtocolFields(body, protocol);
      const patch =
        protocol === 'saml' ? parseWith(ssoSamlConnectionPatchSchema, body) : parseWith(ssoConnectionPatchSchema, body);
      if (Object.values(patch).every((v) => v === undefined)) throw badRequest(MESSAGES.connectionPatchEmpty);
      return protocol === 'saml' ? patchSaml(developerId, id, patch, opts) : patchOidc(developerId, id, patch, opts);
    },

    async remove(developerId: string, id: string): Promise<SsoConnection> {
      const removed = id.length <= ID_MAX ? await ctx.store.deleteConnection(developerId, id) : undefined;
      if (!removed) throw notFound(MESSAGES.connectionNotFound);
      if (removed.protocol === 'oidc') ctx.issuerChecks.invalidate(removed.oidc.issuerUrl);
      return removed;
    },
  };
}
