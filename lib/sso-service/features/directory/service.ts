/**
 * Directory sync: SCIM tokens (the org's API key or a setup session manages them), the Users and Groups a token's
 * client provisions into its directory, and what a directory means at sign-in. Deactivating or deleting a user
 * ends their sessions at once; their next sign-in is refused while the directory says so.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import {
  ID_MAX,
  SCIM_LIMITS,
  SCIM_TOKEN_MESSAGES,
  SCIM_TOKEN_PREFIX,
  type DirectoryGroupList,
  type DirectoryListQuery,
  type DirectoryUserList,
  type ScimToken,
  type ScimTokenCreate,
  type ScimTokenCreated,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { hashApiKey } from '../../crypto/api-keys';
import { randomId } from '../../crypto/random-id';
import { notFound, reasonError } from '../../http/api-error';
import type { SsoIdentity } from '../../protocols';
import type { SsoConnection } from '../../storage/types';
import { revokeConsoleSessionsOf } from '../console-access/service';
import type { AuditActor } from '../events/recorder';
import { SCIM_MESSAGES, scimError } from './errors';
import { applyPatch, operationsOf } from './scim-patch';
import {
  compileGroupFilter,
  compileUserFilter,
  consoleGroupSearch,
  consoleUserSearch,
  parseFilter,
} from './scim-filter';
import { groupColumns, groupMemberIds, renderGroup, renderUser, userColumns, versionTag } from './resources';
import {
  ORG_WIDE,
  type DirectoryGroup,
  type DirectoryScope,
  type DirectoryUser,
  type Page,
  type ScimDocument,
  type ScimTokenRecord,
} from './store';

/** A token's last use is written at most this often (a sync is hundreds of requests). */
const TOUCH_EVERY_MS = 60_000;
/** Directories larger than this cannot be searched on a non-indexed attribute (the in-memory filter). */
const MEMORY_FILTER_MAX = 50_000;

const iso = (ms: number) => new Date(ms).toISOString();

// ---------------------------------------------------------------- tokens

export const toWireScimToken = (t: ScimTokenRecord): ScimToken => ({
  id: t.id,
  label: t.label,
  connectionId: t.connectionId,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
});

export async function createScimToken(
  ctx: ServiceContext,
  developerId: string,
  input: ScimTokenCreate,
  scimBaseUrl: string,
): Promise<ScimTokenCreated> {
  if (input.connectionId !== undefined && !(await ctx.store.getConnection(developerId, input.connectionId))) {
    throw notFound(SCIM_TOKEN_MESSAGES.connectionNotFound);
  }
  const token = `${SCIM_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const created = await ctx.store.createScimToken({
    id: randomId('scim'),
    developerId,
    connectionId: input.connectionId ?? null,
    label: input.label,
    tokenHash: hashApiKey(token),
    createdAt: iso(ctx.now()),
    lastUsedAt: null,
    revokedAt: null,
  });
  return { ...toWireScimToken(created), token, scimBaseUrl };
}

export async function revokeScimToken(ctx: ServiceContext, developerId: string, id: string): Promise<void> {
  const revoked = id.length <= ID_MAX && (await ctx.store.revokeScimToken(developerId, id, iso(ctx.now())));
  if (!revoked) throw notFound(SCIM_TOKEN_MESSAGES.notFound);
}

const SCIM_BEARER = /^bearer (gxscim_[A-Za-z0-9_-]{43})$/i;

/** The live token behind the request's bearer, read on every request (a revocation holds at once everywhere). */
export async function authenticateScimToken(ctx: ServiceContext, request: FastifyRequest): Promise<ScimTokenRecord> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? SCIM_BEARER.exec(header) : null;
  const token = match?.[1] ? await ctx.store.findScimToken(hashApiKey(match[1])) : undefined;
  if (!token) throw scimError(401, undefined, SCIM_MESSAGES.unauthorized);
  const now = ctx.now();
  if (token.lastUsedAt === null || Date.parse(token.lastUsedAt) < now - TOUCH_EVERY_MS) {
    await ctx.store.touchScimToken(token.id, iso(now), iso(now - TOUCH_EVERY_MS));
  }
  return token;
}

export const scopeOf = (token: ScimTokenRecord): DirectoryScope => ({
  developerId: token.developerId,
  directory: token.connectionId ?? ORG_WIDE,
});

export const tokenActor = (token: ScimTokenRecord): AuditActor => ({
  kind: 'scim_token',
  id: token.id,
  label: token.label,
});

// ---------------------------------------------------------------- listing

export interface ListQuery {
  filter?: string | undefined;
  startIndex?: string | undefined;
  count?: string | undefined;
  sortBy?: string | undefined;
}

/** RFC 7644 §3.4.2.4: startIndex < 1 is 1; count < 0 is 0; capped at the service's page size. */
function paging(query: ListQuery): { startIndex: number; count: number } {
  const start = Number.parseInt(query.startIndex ?? '1', 10);
  const count = Number.parseInt(query.count ?? String(SCIM_LIMITS.maxResults), 10);
  return {
    startIndex: Number.isFinite(start) && start >= 1 ? start : 1,
    count: Number.isFinite(count) ? Math.min(Math.max(count, 0), SCIM_LIMITS.maxResults) : SCIM_LIMITS.maxResults,
  };
}

async function inMemoryPage<T>(
  load: (start: number, count: number) => Promise<Page<T>>,
  render: (item: T) => Promise<ScimDocument> | ScimDocument,
  test: (doc: object) => boolean,
  startIndex: number,
  count: number,
): Promise<Page<ScimDocument>> {
  const all = await load(1, MEMORY_FILTER_MAX);
  if (all.total > MEMORY_FILTER_MAX) {
    throw scimError(
      400,
      'tooMany',
      'This directory is too large to filter on that attribute; filter on userName, externalId or displayName',
    );
  }
  const matched: ScimDocument[] = [];
  for (const item of all.items) {
    const doc = await render(item);
    if (test(doc)) matched.push(doc);
  }
  return { total: matched.length, items: matched.slice(startIndex - 1, startIndex - 1 + count) };
}

export function listResponse(page: Page<ScimDocument>, startIndex: number) {
  return {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
    totalResults: page.total,
    startIndex,
    itemsPerPage: page.items.length,
    Resources: page.items,
  };
}

// ---------------------------------------------------------------- users

const isDocument = (body: unknown): body is ScimDocument =>
  typeof body === 'object' && body !== null && !Array.isArray(body);

function documentOf(body: unknown): ScimDocument {
  if (!isDocument(body))
    throw scimError(400, 'invalidSyntax', 'The request body must be a SCIM resource (a JSON object)');
  return body;
}

/** If-Match (RFC 7644 §3.14): when sent, it must name the current version (or be `*`). */
function checkVersion(ifMatch: string | undefined, version: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const tags = ifMatch.split(',').map((t) => t.trim());
  if (!tags.includes(versionTag(version)) && !tags.includes(`"${version}"`)) {
    throw scimError(412, undefined, SCIM_MESSAGES.versionMismatch);
  }
}

export interface DirectoryCall {
  ctx: ServiceContext;
  token: ScimTokenRecord;
  baseUrl: string;
}

const userNotFound = () => scimError(404, undefined, SCIM_MESSAGES.userNotFound);
const groupNotFound = () => scimError(404, undefined, SCIM_MESSAGES.groupNotFound);

function audit(
  call: DirectoryCall,
  action: Parameters<ServiceContext['audit']['record']>[0]['action'],
  target: { type: 'directory_user' | 'directory_group'; id: string },
  changedFields?: string[],
) {
  call.ctx.audit.record({
    developerId: call.token.developerId,
    actor: tokenActor(call.token),
    action,
    target,
    ...(changedFields ? { changedFields } : {}),
  });
}

export async function listUsers({ ctx, token, baseUrl }: DirectoryCall, query: ListQuery) {
  if (query.sortBy !== undefined) throw scimError(400, 'invalidValue', SCIM_MESSAGES.sortUnsupported);
  const scope = scopeOf(token);
  const { startIndex, count } = paging(query);
  const compiled = query.filter === undefined ? null : compileUserFilter(parseFilter(query.filter));
  if (compiled?.kind === 'memory') {
    const page = await inMemoryPage(
      (s, c) => ctx.store.listScimUsers(scope, compiled.narrow, s, c),
      (u) => renderUser(u, baseUrl),
      compiled.test,
      startIndex,
      count,
    );
    return listResponse(page, startIndex);
  }
  const page = await ctx.store.listScimUsers(scope, compiled?.where ?? null, startIndex, count);
  return listResponse({ total: page.total, items: page.items.map((u) => renderUser(u, baseUrl)) }, startIndex);
}

export async function getUser({ ctx, token, baseUrl }: DirectoryCall, id: string) {
  const user = id.length <= ID_MAX ? await ctx.store.getScimUser(scopeOf(token), id) : undefined;
  if (!user) throw userNotFound();
  return renderUser(user, baseUrl);
}

export async function createUser(call: DirectoryCall, body: unknown) {
  const { ctx, token, baseUrl } = call;
  const columns = userColumns(documentOf(body));
  const now = iso(ctx.now());
  const scope = scopeOf(token);
  const result = await ctx.store.insertScimUser({
    id: randomId('dus'),
    ...scope,
    ...columns,
    version: 1,
    createdAt: now,
    updatedAt: now,
  });
  if (!result.ok) throw scimError(409, 'uniqueness', SCIM_MESSAGES.userNameTaken);
  audit(call, 'directory_user.created', { type: 'directory_user', id: result.value.id });
  return renderUser(result.value, baseUrl);
}

/** Saves a user's new document; ends their sessions when they became inactive. */
async function saveUser(call: DirectoryCall, before: DirectoryUser, doc: ScimDocument) {
  const { ctx, token, baseUrl } = call;
  const columns = userColumns(doc);
  const scope = scopeOf(token);
  const result = await ctx.store.updateScimUser(scope, {
    ...before,
    ...columns,
    version: before.version + 1,
    updatedAt: iso(Math.max(ctx.now(), Date.parse(before.updatedAt) + 1)),
  });
  if (!result.ok)
    throw result.reason === 'missing' ? userNotFound() : scimError(409, 'uniqueness', SCIM_MESSAGES.userNameTaken);
  const after = result.value;
  if (before.active && !after.active) {
    await endSessions(call, before);
    audit(call, 'directory_user.deactivated', { type: 'directory_user', id: after.id });
  } else {
    // A changed address is a different person to sign-in: the old one's sessions end too.
    if (before.emailKey !== null && before.emailKey !== after.emailKey) await endSessions(call, before);
    audit(call, !before.active && after.active ? 'directory_user.reactivated' : 'directory_user.updated', {
      type: 'directory_user',
      id: after.id,
    });
  }
  return renderUser(after, baseUrl);
}

/** Ends the sessions (member and console) of the member a directory user was (by their email and their userName). */
async function endSessions(call: DirectoryCall, before: DirectoryUser) {
  const keys = new Set([before.emailKey, before.userName.toLowerCase()].filter((k): k is string => k !== null));
  const nowIso = iso(call.ctx.now());
  for (const key of keys) await call.ctx.store.revokeDirectoryUserSessions(scopeOf(call.token), key, nowIso);
  await revokeConsoleSessionsOf(call.ctx, consoleScopeOf(call.token), [...keys]);
}

/** The console sessions a token's directory covers: its connection's, or every connection's of the org. */
const consoleScopeOf = (token: ScimTokenRecord) => ({
  developerId: token.developerId,
  connectionId: scopeOf(token).directory === ORG_WIDE ? null : scopeOf(token).directory,
});

/**
 * A group's membership changed (or the group went): the console sessions of everyone who was or is in it end, so
 * their next console sign-in takes the role their groups give then.
 */
async function endConsoleSessionsOfGroup(call: DirectoryCall, userIds: readonly string[]) {
  if (userIds.length === 0) return;
  const keys = await call.ctx.store.directoryUserEmailKeys(call.token.developerId, [...new Set(userIds)]);
  await revokeConsoleSessionsOf(call.ctx, consoleScopeOf(call.token), keys);
}

/** The ids of a group's members now. */
async function memberIdsOf(call: DirectoryCall, groupId: string): Promise<string[]> {
  return ((await call.ctx.store.scimGroupMembers([groupId])).get(groupId) ?? []).map((m) => m.id);
}

async function existingUser(call: DirectoryCall, id: string, ifMatch: string | undefined): Promise<DirectoryUser> {
  const user = id.length <= ID_MAX ? await call.ctx.store.getScimUser(scopeOf(call.token), id) : undefined;
  if (!user) throw userNotFound();
  checkVersion(ifMatch, user.version);
  return user;
}

export async function replaceUser(call: DirectoryCall, id: string, body: unknown, ifMatch: string | undefined) {
  const before = await existingUser(call, id, ifMatch);
  return saveUser(call, before, documentOf(body));
}

export async function patchUser(call: DirectoryCall, id: string, body: unknown, ifMatch: string | undefined) {
  const ops = operationsOf(body);
  const before = await existingUser(call, id, ifMatch);
  const current: ScimDocument = { ...before.resource, userName: before.userName, active: before.active };
  const { doc } = applyPatch(current, ops, { members: false });
  return saveUser(call, before, doc);
}

export async function deleteUser(call: DirectoryCall, id: string) {
  const user = id.length <= ID_MAX ? await call.ctx.store.deleteScimUser(scopeOf(call.token), id) : undefined;
  if (!user) throw userNotFound();
  await endSessions(call, user);
  audit(call, 'directory_user.deleted', { type: 'directory_user', id: user.id });
}

// ---------------------------------------------------------------- groups

async function renderGroups(call: DirectoryCall, groups: DirectoryGroup[], withMembers: boolean) {
  const members = withMembers ? await call.ctx.store.scimGroupMembers(groups.map((g) => g.id)) : new Map();
  return groups.map((g) => renderGroup(g, members.get(g.id) ?? [], call.baseUrl));
}

/** Member ids must be users of the token's directory: anything else is refused, never linked. */
async function checkMembers(call: DirectoryCall, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  if (unique.length > SCIM_LIMITS.groupMembers) throw scimError(400, 'tooMany', SCIM_MESSAGES.tooManyMembers);
  const valid = unique.filter((id) => id.length <= ID_MAX);
  const existing = await call.ctx.store.existingScimUserIds(scopeOf(call.token), valid);
  if (existing.size !== unique.length) throw scimError(400, 'invalidValue', SCIM_MESSAGES.memberUnknown);
  return unique;
}

export async function listGroups(call: DirectoryCall, query: ListQuery & { excludedAttributes?: string | undefined }) {
  const { ctx, token } = call;
  if (query.sortBy !== undefined) throw scimError(400, 'invalidValue', SCIM_MESSAGES.sortUnsupported);
  const scope = scopeOf(token);
  const { startIndex, count } = paging(query);
  // Entra and Okta list groups with excludedAttributes=members: no membership read then.
  const withMembers = !(query.excludedAttributes ?? '')
    .toLowerCase()
    .split(',')
    .map((a) => a.trim())
    .includes('members');
  const compiled = query.filter === undefined ? null : compileGroupFilter(parseFilter(query.filter));
  if (compiled?.kind === 'memory') {
    const page = await inMemoryPage(
      (s, c) => ctx.store.listScimGroups(scope, compiled.narrow, s, c),
      async (g) => (await renderGroups(call, [g], true))[0]!,
      compiled.test,
      startIndex,
      count,
    );
    return listResponse(page, startIndex);
  }
  const page = await ctx.store.listScimGroups(scope, compiled?.where ?? null, startIndex, count);
  return listResponse({ total: page.total, items: await renderGroups(call, page.items, withMembers) }, startIndex);
}

async function existingGroup(call: DirectoryCall, id: string, ifMatch?: string): Promise<DirectoryGroup> {
  const group = id.length <= ID_MAX ? await call.ctx.store.getScimGroup(scopeOf(call.token), id) : undefined;
  if (!group) throw groupNotFound();
  checkVersion(ifMatch, group.version);
  return group;
}

export async function getGroup(call: DirectoryCall, id: string, excludeMembers: boolean) {
  return (await renderGroups(call, [await existingGroup(call, id)], !excludeMembers))[0]!;
}

export async function createGroup(call: DirectoryCall, body: unknown) {
  const doc = documentOf(body);
  const columns = groupColumns(doc);
  const memberIds = await checkMembers(call, groupMemberIds(doc));
  const now = iso(call.ctx.now());
  const result = await call.ctx.store.insertScimGroup(
    { id: randomId('dgr'), ...scopeOf(call.token), ...columns, version: 1, createdAt: now, updatedAt: now },
    memberIds,
  );
  if (!result.ok) throw scimError(409, 'uniqueness', SCIM_MESSAGES.groupNameTaken);
  audit(call, 'directory_group.created', { type: 'directory_group', id: result.value.id });
  return (await renderGroups(call, [result.value], true))[0]!;
}

async function saveGroup(
  call: DirectoryCall,
  before: DirectoryGroup,
  doc: ScimDocument,
  members: { add: string[]; remove: string[] | 'all' },
) {
  const columns = groupColumns(doc);
  const add = await checkMembers(call, members.add);
  // A replace (remove: all) needs the members it drops; a PATCH names them.
  const removed = members.remove === 'all' ? await memberIdsOf(call, before.id) : members.remove;
  const result = await call.ctx.store.updateScimGroup(
    scopeOf(call.token),
    {
      ...before,
      ...columns,
      version: before.version + 1,
      updatedAt: iso(Math.max(call.ctx.now(), Date.parse(before.updatedAt) + 1)),
    },
    { add, remove: members.remove },
  );
  if (!result.ok)
    throw result.reason === 'missing' ? groupNotFound() : scimError(409, 'uniqueness', SCIM_MESSAGES.groupNameTaken);
  audit(call, 'directory_group.updated', { type: 'directory_group', id: before.id });
  // Everyone added or removed (a re-added member too: harmless), and everyone in a renamed group (its mapping
  // now means something else).
  const renamed = before.displayName !== result.value.displayName;
  await endConsoleSessionsOfGroup(call, [...add, ...removed, ...(renamed ? await memberIdsOf(call, before.id) : [])]);
  return result.value;
}

export async function replaceGroup(call: DirectoryCall, id: string, body: unknown, ifMatch: string | undefined) {
  const before = await existingGroup(call, id, ifMatch);
  const doc = documentOf(body);
  const saved = await saveGroup(call, before, doc, { add: groupMemberIds(doc), remove: 'all' });
  return (await renderGroups(call, [saved], true))[0]!;
}

/**
 * PATCH answers 204 with no body unless the client asks for attributes (RFC 7644 §3.5.2 allows either); Entra
 * and Okta accept both, and a group of thousands is not re-read on every membership batch.
 */
export async function patchGroup(call: DirectoryCall, id: string, body: unknown, ifMatch: string | undefined) {
  const ops = operationsOf(body);
  const before = await existingGroup(call, id, ifMatch);
  const current: ScimDocument = { ...before.resource, displayName: before.displayName };
  const { doc, members } = applyPatch(current, ops, { members: true });
  return saveGroup(call, before, doc, members);
}

export async function renderSavedGroup(call: DirectoryCall, group: DirectoryGroup) {
  return (await renderGroups(call, [group], true))[0]!;
}

export async function deleteGroup(call: DirectoryCall, id: string) {
  const membersBefore = id.length <= ID_MAX ? await memberIdsOf(call, id) : [];
  const deleted = id.length <= ID_MAX && (await call.ctx.store.deleteScimGroup(scopeOf(call.token), id));
  if (!deleted) throw groupNotFound();
  await endConsoleSessionsOfGroup(call, membersBefore);
  audit(call, 'directory_group.deleted', { type: 'directory_group', id });
}

// ---------------------------------------------------------------- the console's view (ours)

const directoryOf = (directory: string) => (directory === ORG_WIDE ? null : directory);

export async function directoryUsers(
  ctx: ServiceContext,
  developerId: string,
  q: DirectoryListQuery,
): Promise<DirectoryUserList> {
  const startIndex = q.startIndex ?? 1;
  const where = consoleUserSearch(q.search?.trim() || null, q.state === undefined ? null : q.state === 'active');
  const page = await ctx.store.listScimUsers({ developerId, directory: null }, where, startIndex, q.count ?? 50);
  const groups = await ctx.store.groupNamesOfUsers(page.items.map((u) => u.id));
  return {
    users: page.items.map((user) => ({
      id: user.id,
      connectionId: directoryOf(user.directory),
      userName: user.userName,
      displayName: user.displayName,
      email: user.emailKey,
      active: user.active,
      externalId: user.externalId,
      groups: groups.get(user.id) ?? [],
      createdAt: user.createdAt,
      updatedAt: user.updatedAt,
    })),
    totalResults: page.total,
    startIndex,
  };
}

export async function directoryGroups(
  ctx: ServiceContext,
  developerId: string,
  q: DirectoryListQuery,
): Promise<DirectoryGroupList> {
  const startIndex = q.startIndex ?? 1;
  const where = consoleGroupSearch(q.search?.trim() || null);
  const page = await ctx.store.listScimGroups({ developerId, directory: null }, where, startIndex, q.count ?? 50);
  const counts = await ctx.store.scimGroupMemberCounts(page.items.map((g) => g.id));
  return {
    groups: page.items.map((group) => ({
      id: group.id,
      connectionId: directoryOf(group.directory),
      displayName: group.displayName,
      externalId: group.externalId,
      memberCount: counts.get(group.id) ?? 0,
      createdAt: group.createdAt,
      updatedAt: group.updatedAt,
    })),
    totalResults: page.total,
    startIndex,
  };
}

// ---------------------------------------------------------------- sign-in

/** A refusal the member's application can tell apart by its code (body `errors[0].code`), and the sign-in log's reason. */
const directoryRefusal = (reason: 'directory_user_inactive' | 'directory_user_unknown') =>
  reasonError(reason, { status: 403, code: 'SSO_ERROR', reason });

/**
 * What the directory says of a sign-in through `connection` (after the IdP vouched, before a session opens). A
 * directory user links to the signed-in member by email: the IdP's email, lower-cased, equal to the user's
 * primary email or userName, within the connection's directory or the org's. An inactive linked user is refused
 * whatever the connection's mode; with `directoryUsersOnly`, so is a member no directory knows. A linked, active
 * user's directory groups are the member's groups on a directory-only connection (the directory is then the
 * source of truth); otherwise the IdP's groups stay.
 */
export async function directoryGate(
  ctx: ServiceContext,
  connection: SsoConnection,
  identity: SsoIdentity,
): Promise<{ groups: string[] | null }> {
  const directoryOnly = connection.provisioning.directoryUsersOnly;
  const email = identity.email?.toLowerCase() ?? null;
  const linked = email ? await ctx.store.directoryUsersForSignIn(connection.developerId, connection.id, email) : [];
  if (linked.some(({ user }) => !user.active)) {
    throw directoryRefusal('directory_user_inactive');
  }
  if (linked.length === 0) {
    if (directoryOnly) throw directoryRefusal('directory_user_unknown');
    return { groups: null };
  }
  return { groups: directoryOnly ? [...new Set(linked.flatMap((l) => l.groups))] : null };
}
