/**
 * Console access: console sessions opened by an SSO console sign-in or a break-glass credential, SSO enforcement,
 * break-glass credentials, and who may change what grants console roles (docs/ENFORCEMENT.md).
 */
import { isDeepStrictEqual } from 'node:util';
import {
  CONSOLE_ACCESS_ERROR_CODES,
  CONSOLE_ACCESS_LIMITS,
  CONSOLE_ACCESS_MESSAGES,
  CONSOLE_ROLE_RANK,
  consoleRoleFor,
  emailDomainOf,
  type BreakGlassCreated,
  type BreakGlassCredential,
  type ConsoleGrant,
  type ConsoleRole,
  type SsoEnforcement,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import {
  breakGlassIdOf,
  generateBreakGlassCredential,
  generateConsoleToken,
  hashConsoleSecret,
} from '../../crypto/console-tokens';
import { randomId } from '../../crypto/random-id';
import { ApiError, notFound, unauthorized } from '../../http/api-error';
import { consoleRoleRefused, type Actor } from '../../http/auth';
import type { SsoConnection, SsoSession } from '../../storage/types';
import { consoleSessionActor, type AuditActor } from '../events/recorder';
import type { ConsoleSession } from './store';

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- console sign-in through SSO

/** A console sign-in whose groups map to no console role on the connection: nothing is opened. */
export const consoleRoleMissing = () =>
  new ApiError(
    403,
    CONSOLE_ACCESS_ERROR_CODES.consoleRoleMissing,
    CONSOLE_ACCESS_MESSAGES.consoleRoleMissing,
    'console_role_missing',
  );

/**
 * The console role a console sign-in gets: the highest role the IdP's groups of THIS sign-in map to. Directory
 * (SCIM) groups never grant a role: a SCIM token can be made by an admin or a setup link, who must not be able to
 * hand themselves a higher role.
 */
export function consoleRoleOf(connection: SsoConnection, idpGroups: readonly string[]): ConsoleRole {
  const role = consoleRoleFor(idpGroups, connection.provisioning.consoleRoleMappings);
  if (role === null) throw consoleRoleMissing();
  return role;
}

/** Opens the console session of an SSO console sign-in, ending with the member's session (8 hours at most). */
export async function openSsoConsoleSession(
  ctx: ServiceContext,
  connection: SsoConnection,
  session: SsoSession,
  role: ConsoleRole,
): Promise<ConsoleGrant> {
  const now = ctx.now();
  const expiresAtMs = Math.min(now + CONSOLE_ACCESS_LIMITS.ssoSessionMaxSeconds * 1000, Date.parse(session.expiresAt));
  const token = generateConsoleToken();
  const expiresAt = iso(expiresAtMs);
  await ctx.store.createConsoleSession({
    id: randomId('csn'),
    developerId: connection.developerId,
    tokenHash: hashConsoleSecret(token),
    role,
    via: 'sso',
    email: session.email,
    subject: session.idpSubject,
    connectionId: connection.id,
    principalId: session.principalId,
    ssoSessionId: session.id,
    label: null,
    createdAt: iso(now),
    expiresAt,
  });
  return { token, role, expiresAt };
}

// ---------------------------------------------------------------- who may change what grants console roles

/** Connection fields that decide who the IdP vouches for, or which groups a sign-in carries. */
const TRUST_FIELDS = [
  'issuerUrl',
  'clientId',
  'clientSecret',
  'idpEntityId',
  'idpSsoUrl',
  'idpCertificate',
  'addIdpCertificate',
  'idpMetadataXml',
  'idpMetadataUrl',
  'groupAttribute',
  'attributeMapping',
] as const;
/** Fields only an owner (or the API key) sets. */
const OWNER_FIELDS = ['consoleRoleMappings', 'enforce'] as const;

/** The caller's rank for these rules: the API key and owners 3, admins 2, viewers 1, a setup session 0. */
function rankOf(actor: Actor): number {
  if (actor.kind === 'api_key') return CONSOLE_ROLE_RANK.owner;
  if (actor.kind === 'console_session') return CONSOLE_ROLE_RANK[actor.session.role];
  return 0;
}

const fieldsOf = (body: unknown): Record<string, unknown> =>
  body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};

/** A JSON value with object keys sorted (and trimmed), for comparing what was sent with what is stored. */
function canonical(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>)
          .map(([k, x]) => [k.trim(), walk(x)] as const)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    return typeof v === 'string' ? v.trim() : v;
  };
  return JSON.stringify(walk(value)) ?? 'undefined';
}

/** A SAML attribute mapping as stored: each field a list of names, cleared fields absent. */
function normalizedMapping(value: unknown): unknown {
  if (value === null) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fieldsOf(value))) {
    const list = typeof v === 'string' ? (v.trim() === '' ? [] : [v]) : Array.isArray(v) ? v : v === null ? [] : [v];
    if (list.length > 0) out[k] = list;
  }
  return out;
}

/**
 * What a field holds now (null: absent or write-only, so anything sent is a change). A form that sends every field
 * back unchanged is not a change.
 */
function storedValue(before: SsoConnection | null, field: string): unknown {
  if (before === null) {
    if (field === 'consoleRoleMappings') return {};
    if (field === 'enforce') return false;
    return undefined;
  }
  const p = before.provisioning;
  switch (field) {
    case 'consoleRoleMappings':
      return p.consoleRoleMappings;
    case 'enforce':
      return p.enforce;
    case 'groupAttribute':
      return p.groupAttribute;
    case 'issuerUrl':
      return before.protocol === 'oidc' ? before.oidc.issuerUrl : undefined;
    case 'clientId':
      return before.protocol === 'oidc' ? before.oidc.clientId : undefined;
    case 'idpEntityId':
      return before.protocol === 'saml' ? before.saml.idpEntityId : undefined;
    case 'idpSsoUrl':
      return before.protocol === 'saml' ? before.saml.idpSsoUrl : undefined;
    case 'idpMetadataUrl':
      return before.protocol === 'saml' ? before.saml.idpMetadataUrl : undefined;
    case 'attributeMapping':
      return before.protocol === 'saml' ? before.saml.attributeMapping : undefined;
    default:
      // clientSecret, certificates, metadata XML: write-only, so sending one is a change.
      return undefined;
  }
}

function changes(before: SsoConnection | null, body: Record<string, unknown>, field: string): boolean {
  if (!Object.hasOwn(body, field)) return false;
  const stored = storedValue(before, field);
  if (stored === undefined) return true;
  const sent = field === 'attributeMapping' ? normalizedMapping(body[field]) : body[field];
  return canonical(sent) !== canonical(stored);
}

/**
 * A create or PATCH of a connection by someone below owner: it may not change the console role mappings or
 * enforcement, nor (on a connection whose mappings grant a role above the caller's) whom the IdP vouches for or
 * which groups it sends — that would let an admin or a setup link sign in as an owner through an IdP of their
 * own. Fields sent back unchanged (a form saving every field) are not changes.
 */
export function checkConnectionWrite(actor: Actor, before: SsoConnection | null, body: unknown): void {
  const rank = rankOf(actor);
  if (rank >= CONSOLE_ROLE_RANK.owner) return;
  const sent = fieldsOf(body);
  if (OWNER_FIELDS.some((f) => changes(before, sent, f)))
    throw consoleRoleRefused(CONSOLE_ACCESS_MESSAGES.ownerFieldsOnly);
  if (before === null) return;
  const granted = Object.values(before.provisioning.consoleRoleMappings);
  if (granted.some((role) => CONSOLE_ROLE_RANK[role] > rank) && TRUST_FIELDS.some((f) => changes(before, sent, f)))
    throw consoleRoleRefused(CONSOLE_ACCESS_MESSAGES.trustFieldsOwnerOnly);
}

// ---------------------------------------------------------------- enforcement

/** Switches enforcement; on needs an owner's SSO console sign-in in the org within the hour. */
export async function setEnforcement(
  ctx: ServiceContext,
  developerId: string,
  enforce: boolean,
  actor: AuditActor,
): Promise<{ changed: boolean }> {
  const now = ctx.now();
  const current = await ctx.store.getSsoEnforcement(developerId);
  if (enforce) {
    const since = iso(now - CONSOLE_ACCESS_LIMITS.enforcementOwnerSignInWithinSeconds * 1000);
    if (!(await ctx.store.hasRecentOwnerSsoSession(developerId, since)))
      throw new ApiError(
        409,
        CONSOLE_ACCESS_ERROR_CODES.enforcementNeedsOwnerSso,
        CONSOLE_ACCESS_MESSAGES.enforcementNeedsOwnerSso,
      );
  }
  if (current?.enforce === enforce) return { changed: false };
  await ctx.store.setSsoEnforcement(
    developerId,
    enforce
      ? { enforce: true, enforcedAt: iso(now), enforcedBy: actor.label ?? actor.id ?? actor.kind }
      : { enforce: false, enforcedAt: null, enforcedBy: null },
  );
  return { changed: true };
}

/** The org's enforcement as the console reads it; with an email, whether that person must use SSO. */
export async function readEnforcement(
  ctx: ServiceContext,
  developerId: string,
  email: string | undefined,
): Promise<SsoEnforcement> {
  const [record, connections, lastUse] = await Promise.all([
    ctx.store.getSsoEnforcement(developerId),
    ctx.store.listConnections(developerId),
    ctx.store.lastBreakGlassUse(developerId),
  ]);
  const enforce = record?.enforce ?? false;
  const body: SsoEnforcement = {
    developerId,
    enforce,
    enforcedAt: record?.enforcedAt ?? null,
    enforcedBy: record?.enforcedBy ?? null,
    connections: connections.map((c) => ({ id: c.id, name: c.name, enforce: c.provisioning.enforce })),
    breakGlass: lastUse ? { lastUsedAt: lastUse.lastUsedAt, lastUsedLabel: lastUse.label } : null,
  };
  if (email === undefined) return body;
  const routed = await routedConnection(ctx, developerId, email);
  return { ...body, ssoRequired: enforce || (routed?.provisioning.enforce ?? false), connectionId: routed?.id ?? null };
}

/** The org's one active connection an email's VERIFIED domain routes to (as `/sso/login?domain=` routes it). */
async function routedConnection(
  ctx: ServiceContext,
  developerId: string,
  email: string,
): Promise<SsoConnection | undefined> {
  const domain = emailDomainOf(email);
  if (domain === null) return undefined;
  const found = await ctx.store.findVerifiedDomainConnections(domain, 2);
  const routed = found.length === 1 ? found[0]?.connection : undefined;
  return routed?.developerId === developerId ? routed : undefined;
}

/** `GET /sso/login`'s `ssoRequired`: the org enforces SSO, or the connection the login routed to does. */
export async function ssoRequiredFor(ctx: ServiceContext, connection: SsoConnection): Promise<boolean> {
  if (connection.provisioning.enforce) return true;
  return (await ctx.store.getSsoEnforcement(connection.developerId))?.enforce ?? false;
}

// ---------------------------------------------------------------- break-glass

export const toWireBreakGlass = (r: {
  id: string;
  label: string;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
}): BreakGlassCredential => ({
  id: r.id,
  label: r.label,
  createdAt: r.createdAt,
  createdBy: r.createdBy,
  lastUsedAt: r.lastUsedAt,
});

export async function createBreakGlass(
  ctx: ServiceContext,
  developerId: string,
  label: string,
  createdBy: AuditActor,
): Promise<BreakGlassCreated> {
  const id = randomId('bgc');
  const credential = generateBreakGlassCredential(id);
  const createdAt = iso(ctx.now());
  const created = await ctx.store.createBreakGlass(
    { id, developerId, label, createdAt, createdBy: createdBy.label ?? createdBy.id },
    hashConsoleSecret(credential),
    CONSOLE_ACCESS_LIMITS.breakGlassPerOrgMax,
  );
  if (!created) throw new ApiError(409, 'CONFLICT', CONSOLE_ACCESS_MESSAGES.breakGlassLimit);
  return { id, label, credential, createdAt };
}

export async function revokeBreakGlass(ctx: ServiceContext, developerId: string, id: string): Promise<void> {
  if (!(await ctx.store.revokeBreakGlass(developerId, id, iso(ctx.now()))))
    throw notFound(CONSOLE_ACCESS_MESSAGES.breakGlassNotFound);
}

const breakGlassInvalid = () => unauthorized(CONSOLE_ACCESS_MESSAGES.breakGlassInvalid);

/**
 * A break-glass sign-in: a live credential of the org opens a one-hour owner console session (the credential's
 * last use stamped in the same transaction). Unknown, malformed and revoked credentials get one answer.
 */
export async function breakGlassSignIn(
  ctx: ServiceContext,
  credential: string,
  /** Where the sign-in came from (http/client-address.ts), for the audit entry and the SIEM formats. */
  clientIp: string | null,
): Promise<{ session: ConsoleSession; grant: ConsoleGrant & { role: 'owner' } }> {
  const claimedId = breakGlassIdOf(credential);
  if (claimedId === null) throw breakGlassInvalid();
  const found = await ctx.store.findBreakGlassBySecret(hashConsoleSecret(credential));
  if (!found || found.id !== claimedId || found.revokedAt !== null) throw breakGlassInvalid();
  const now = ctx.now();
  const token = generateConsoleToken();
  const opened: Omit<ConsoleSession, 'revokedAt'> = {
    id: randomId('csn'),
    developerId: found.developerId,
    role: 'owner',
    via: 'break_glass',
    email: null,
    subject: null,
    connectionId: null,
    principalId: null,
    ssoSessionId: null,
    label: found.label,
    createdAt: iso(now),
    expiresAt: iso(now + CONSOLE_ACCESS_LIMITS.breakGlassSessionSeconds * 1000),
  };
  if (!(await ctx.store.useBreakGlass(found.id, { ...opened, tokenHash: hashConsoleSecret(token) })))
    throw breakGlassInvalid();
  const session: ConsoleSession = { ...opened, revokedAt: null };
  ctx.audit.record({
    developerId: found.developerId,
    actor: { ...consoleSessionActor(session), ip: clientIp },
    action: 'sso.break_glass_used',
    target: { type: 'break_glass', id: found.id },
  });
  return { session, grant: { token, role: 'owner', expiresAt: session.expiresAt } };
}

/** Whether a save moved whom the connection's IdP vouches for, which groups it sends, or switched it off or on. */
function trustChanged(before: SsoConnection, after: SsoConnection): boolean {
  if (before.status !== after.status || before.protocol !== after.protocol) return true;
  if (before.provisioning.groupAttribute !== after.provisioning.groupAttribute) return true;
  if (before.protocol === 'oidc' && after.protocol === 'oidc') {
    // The client secret is left out: it authenticates us to the same IdP and client, and a value sealed afresh on
    // every save (a new IV) would otherwise end everyone's console session at each legacy config save.
    // What canonical() would compare, without building and serialising objects on every config save.
    return (
      before.oidc.issuerUrl.trim() !== after.oidc.issuerUrl.trim() ||
      before.oidc.clientId.trim() !== after.oidc.clientId.trim()
    );
  }
  if (before.protocol === 'saml' && after.protocol === 'saml') {
    const trust = (c: typeof before) => ({
      entityId: c.saml.idpEntityId,
      ssoUrl: c.saml.idpSsoUrl,
      certificates: c.saml.idpCertificates,
      mapping: c.saml.attributeMapping,
    });
    return canonical(trust(before)) !== canonical(trust(after));
  }
  return true;
}

/**
 * Revocations that must not depend on a statement after the change commits (the database can fail between the two,
 * and the change would stand with the sessions still open) run before it: ending sessions for a save or delete that
 * then fails only costs their holders a sign-in.
 *
 * The legacy config save changes only the default OIDC connection's issuer, client and secret; a new issuer or
 * client is another trust, so every console session opened through it ends.
 */
export async function endConsoleSessionsBeforeLegacySave(
  ctx: ServiceContext,
  before: SsoConnection | null,
  input: { issuerUrl: string; clientId: string },
): Promise<void> {
  if (before?.protocol !== 'oidc') return; // none yet, or SAML (which the save refuses)
  const same =
    before.oidc.issuerUrl.trim() === input.issuerUrl.trim() && before.oidc.clientId.trim() === input.clientId.trim();
  if (!same) await ctx.store.revokeConsoleSessionsOfConnection(before.developerId, before.id, iso(ctx.now()));
}

/** Before a connection is deleted (see above): every console session opened through it ends. */
export async function endConsoleSessionsBeforeDelete(
  ctx: ServiceContext,
  developerId: string,
  connectionId: string,
): Promise<void> {
  await ctx.store.revokeConsoleSessionsOfConnection(developerId, connectionId, iso(ctx.now()));
}

/**
 * A connection is about to be saved through the connections API (run before the write, as above): another IdP
 * trust, group attribute or status ends every console session opened through it; other role mappings end only
 * the sessions whose role (from the groups their sign-in carried) would be another one, or none. Each person's
 * next sign-in then takes the role the connection gives now; an owner editing the mappings stays signed in while
 * their role stays, and a save that changes none of this ends nothing.
 */
export async function endConsoleSessionsOfConnection(
  ctx: ServiceContext,
  after: SsoConnection,
  before: SsoConnection,
): Promise<void> {
  const nowIso = iso(ctx.now());
  if (trustChanged(before, after)) {
    await ctx.store.revokeConsoleSessionsOfConnection(after.developerId, after.id, nowIso);
    return;
  }
  const mappings = [before.provisioning.consoleRoleMappings, after.provisioning.consoleRoleMappings] as const;
  // Equal as stored is equal canonically too; the canonical form only decides the rest.
  if (isDeepStrictEqual(mappings[0], mappings[1]) || canonical(mappings[0]) === canonical(mappings[1])) return;
  const live = await ctx.store.liveConsoleSessionsOfConnection(after.developerId, after.id, nowIso);
  const stale = live.filter(
    (s) => s.groups === null || consoleRoleFor(s.groups, after.provisioning.consoleRoleMappings) !== s.role,
  );
  await ctx.store.revokeConsoleSessionsByIds(
    after.developerId,
    stale.map((s) => s.id),
    nowIso,
  );
}

/** Member sessions ended (logout, the IdP's logout, an admin's revoke): the console sessions opened with them end too. */
export async function endConsoleSessionsOf(
  ctx: ServiceContext,
  developerId: string,
  ssoSessionIds: readonly string[],
): Promise<void> {
  await ctx.store.revokeConsoleSessionsOfSsoSessions(developerId, [...ssoSessionIds], iso(ctx.now()));
}

// ---------------------------------------------------------------- directory sync

/**
 * Directory sync changed people (deactivated, deleted, re-addressed, or moved between groups): their SSO console
 * sessions end now, so their next console sign-in takes the role their groups give then.
 */
export async function revokeConsoleSessionsOf(
  ctx: ServiceContext,
  scope: { developerId: string; connectionId: string | null },
  emailKeys: readonly string[],
): Promise<void> {
  await ctx.store.revokeConsoleSessionsByEmail(scope, [...new Set(emailKeys)], iso(ctx.now()));
}
