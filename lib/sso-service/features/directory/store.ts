/**
 * Directory sync (migration 18): SCIM tokens, the users and groups a directory provisions, group memberships,
 * and what sign-in asks of them. Written once against Kysely for both backends. Every read and write is scoped
 * by org and directory (a connection id, or '*' for the whole org): a token only ever reaches its own scope.
 */
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../storage/database';
import type { StoreDatabase } from '../../storage/connect';
import { boolColumn, bytes, json } from '../../storage/rows';

/** Where a token's users and groups live: its org and its directory (a connection id, or ORG_WIDE). */
export interface DirectoryScope {
  developerId: string;
  directory: string;
}
/** A listing's scope: one directory, or (null) every directory of the org. */
export interface ListScope {
  developerId: string;
  directory: string | null;
}
/** The directory of a token created without a connection: its users may sign in through any of the org's. */
export const ORG_WIDE = '*';

export interface ScimTokenRecord {
  id: string;
  developerId: string;
  connectionId: string | null;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A SCIM document as stored: what the client sent (unknown attributes kept), without id and meta. */
export type ScimDocument = Record<string, unknown>;

export interface DirectoryUser {
  id: string;
  developerId: string;
  directory: string;
  userName: string;
  externalId: string | null;
  displayName: string | null;
  /** The lower-cased address sign-in links by (the primary email, else an email-shaped userName). */
  emailKey: string | null;
  active: boolean;
  resource: ScimDocument;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface DirectoryGroup {
  id: string;
  developerId: string;
  directory: string;
  displayName: string;
  externalId: string | null;
  resource: ScimDocument;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A filter the store can run in SQL (features/directory/scim-filter.ts builds them). */
export type UserWhere = (eb: ExpressionBuilder<Database, 'scim_users'>) => Expression<SqlBool>;
export type GroupWhere = (eb: ExpressionBuilder<Database, 'scim_groups'>) => Expression<SqlBool>;

export interface Page<T> {
  total: number;
  items: T[];
}

/** A write that a uniqueness rule refused, or that found nothing to change. */
export type WriteOutcome<T> = { ok: true; value: T } | { ok: false; reason: 'conflict' | 'missing' };

export interface DirectoryStore {
  createScimToken(token: ScimTokenRecord & { tokenHash: string }): Promise<ScimTokenRecord>;
  /** The org's tokens that are not revoked, newest first. */
  listScimTokens(developerId: string): Promise<ScimTokenRecord[]>;
  /** Revokes the org's token (the first time stays); false when the org has no such live token. */
  revokeScimToken(developerId: string, id: string, nowIso: string): Promise<boolean>;
  /** The live token whose secret hashes to `tokenHash`, one indexed read. */
  findScimToken(tokenHash: string): Promise<ScimTokenRecord | undefined>;
  /** Records a use; written at most once a minute per token so a sync burst is not a write per request. */
  touchScimToken(id: string, nowIso: string, notSinceIso: string): Promise<void>;

  insertScimUser(user: DirectoryUser): Promise<WriteOutcome<DirectoryUser>>;
  getScimUser(scope: DirectoryScope, id: string): Promise<DirectoryUser | undefined>;
  /**
   * One page (startIndex is 1-based) of the users matching `where` (all when null), oldest first: of one
   * directory, or (`directory: null`, the console's view) of every directory of the org.
   */
  listScimUsers(
    scope: ListScope,
    where: UserWhere | null,
    startIndex: number,
    count: number,
  ): Promise<Page<DirectoryUser>>;
  /** Replaces a user's columns and document; `missing` when the scope has no such user. */
  updateScimUser(scope: DirectoryScope, user: DirectoryUser): Promise<WriteOutcome<DirectoryUser>>;
  deleteScimUser(scope: DirectoryScope, id: string): Promise<DirectoryUser | undefined>;

  insertScimGroup(group: DirectoryGroup, memberIds: string[]): Promise<WriteOutcome<DirectoryGroup>>;
  getScimGroup(scope: DirectoryScope, id: string): Promise<DirectoryGroup | undefined>;
  listScimGroups(
    scope: ListScope,
    where: GroupWhere | null,
    startIndex: number,
    count: number,
  ): Promise<Page<DirectoryGroup>>;
  /** Replaces a group's columns and document, adds and removes members (ids of the scope's users only). */
  updateScimGroup(
    scope: DirectoryScope,
    group: DirectoryGroup,
    members: { add: string[]; remove: string[] | 'all' },
  ): Promise<WriteOutcome<DirectoryGroup>>;
  deleteScimGroup(scope: DirectoryScope, id: string): Promise<boolean>;
  /** The group's member ids (its users' ids), in insertion-independent order. */
  scimGroupMembers(groupIds: string[]): Promise<Map<string, { id: string; display: string }[]>>;
  /** Which of `ids` are users of the scope. */
  existingScimUserIds(scope: DirectoryScope, ids: string[]): Promise<Set<string>>;

  /**
   * The directory users a sign-in through `connectionId` links to: in that connection's directory or the org's,
   * whose email key or userName is `emailKey`. With their groups' display names.
   */
  directoryUsersForSignIn(
    developerId: string,
    connectionId: string,
    emailKey: string,
  ): Promise<{ user: DirectoryUser; groups: string[] }[]>;
  /** The display names of each user's groups, by user id (users without groups are absent). */
  groupNamesOfUsers(userIds: string[]): Promise<Map<string, string[]>>;
  /** How many members each group has, by group id. */
  scimGroupMemberCounts(groupIds: string[]): Promise<Map<string, number>>;
  /** Ends the live sessions a directory user has (same org, the directory's connection or any, same email). */
  revokeDirectoryUserSessions(scope: DirectoryScope, emailKey: string, nowIso: string): Promise<number>;
}

const TOKEN_COLUMNS = [
  'id',
  'developer_id',
  'connection_id',
  'label',
  'created_at',
  'last_used_at',
  'revoked_at',
] as const;
const tokenRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  connection_id: z.string().nullable(),
  label: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
const toToken = (row: unknown): ScimTokenRecord => {
  const r = tokenRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    connectionId: r.connection_id,
    label: r.label,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
};

const USER_COLUMNS = [
  'id',
  'developer_id',
  'directory',
  'user_name',
  'external_id',
  'display_name',
  'email_key',
  'active',
  'resource',
  'version',
  'created_at',
  'updated_at',
] as const;
const documentColumn = json(z.record(z.string(), z.unknown()));
const userRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  directory: z.string(),
  user_name: z.string(),
  external_id: z.string().nullable(),
  display_name: z.string().nullable(),
  email_key: z.string().nullable(),
  active: boolColumn,
  resource: documentColumn,
  version: z.coerce.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
const toUser = (row: unknown): DirectoryUser => {
  const r = userRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    directory: r.directory,
    userName: r.user_name,
    externalId: r.external_id,
    displayName: r.display_name,
    emailKey: r.email_key,
    active: r.active,
    resource: r.resource,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};

const GROUP_COLUMNS = [
  'id',
  'developer_id',
  'directory',
  'display_name',
  'external_id',
  'resource',
  'version',
  'created_at',
  'updated_at',
] as const;
const groupRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  directory: z.string(),
  display_name: z.string(),
  external_id: z.string().nullable(),
  resource: documentColumn,
  version: z.coerce.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
const toGroup = (row: unknown): DirectoryGroup => {
  const r = groupRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    directory: r.directory,
    displayName: r.display_name,
    externalId: r.external_id,
    resource: r.resource,
    version: r.version,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};
const countRow = z.object({ total: z.coerce.number().int() });
const memberRow = z.object({ group_id: z.string(), user_id: z.string(), display: z.string() });

/** A LIKE operand matching `value` literally (with `escape '\\'`). */
export const likeEscape = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A listing's page: the total and (unless `rows` is null: a count of 0) the rows, read together. */
async function pageOf<T>(
  total: Promise<unknown>,
  rows: (() => Promise<unknown[]>) | null,
  map: (row: unknown) => T,
): Promise<Page<T>> {
  const [counted, read] = await Promise.all([total, rows ? rows() : Promise.resolve([])]);
  return { total: countRow.parse(counted).total, items: read.map(map) };
}

/** Keys compare case-insensitively (userName and displayName are caseExact false in RFC 7643). */
export const nameKey = (value: string) => value.toLowerCase();

export function createDirectoryStore({ db, dialect }: StoreDatabase): DirectoryStore {
  const userValues = (u: DirectoryUser) => ({
    user_name: u.userName,
    user_name_key: nameKey(u.userName),
    external_id: u.externalId,
    display_name: u.displayName,
    email_key: u.emailKey,
    active: dialect.bool(u.active),
    resource: JSON.stringify(u.resource),
    version: u.version,
    updated_at: u.updatedAt,
  });
  const groupValues = (g: DirectoryGroup) => ({
    display_name: g.displayName,
    display_name_key: nameKey(g.displayName),
    external_id: g.externalId,
    resource: JSON.stringify(g.resource),
    version: g.version,
    updated_at: g.updatedAt,
  });

  async function groupNamesOfUsers(userIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (userIds.length === 0) return out;
    const rows = await db
      .selectFrom('scim_group_members as m')
      .innerJoin('scim_groups as g', 'g.id', 'm.group_id')
      .select(['m.user_id', 'g.display_name'])
      .where('m.user_id', 'in', userIds)
      .orderBy('g.display_name')
      .execute();
    for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r.display_name]);
    return out;
  }

  return {
    async createScimToken(t) {
      const row = await db
        .insertInto('scim_tokens')
        .values({
          id: t.id,
          developer_id: t.developerId,
          connection_id: t.connectionId,
          label: t.label,
          token_hash: bytes(t.tokenHash),
          created_at: t.createdAt,
        })
        .returning(TOKEN_COLUMNS)
        .executeTakeFirstOrThrow();
      return toToken(row);
    },
    async listScimTokens(developerId) {
      const rows = await db
        .selectFrom('scim_tokens')
        .select(TOKEN_COLUMNS)
        .where('developer_id', '=', developerId)
        .where('revoked_at', 'is', null)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
      return rows.map(toToken);
    },
    async revokeScimToken(developerId, id, nowIso) {
      const result = await db
        .updateTable('scim_tokens')
        .set({ revoked_at: nowIso })
        .where('id', '=', id)
        .where('developer_id', '=', developerId)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
    async findScimToken(tokenHash) {
      const row = await db
        .selectFrom('scim_tokens')
        .select(TOKEN_COLUMNS)
        .where('token_hash', '=', bytes(tokenHash))
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row === undefined ? undefined : toToken(row);
    },
    async touchScimToken(id, nowIso, notSinceIso) {
      await db
        .updateTable('scim_tokens')
        .set({ last_used_at: nowIso })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', notSinceIso)]))
        .execute();
    },

    async insertScimUser(u) {
      try {
        const row = await db
          .insertInto('scim_users')
          .values({
            id: u.id,
            developer_id: u.developerId,
            directory: u.directory,
            created_at: u.createdAt,
            ...userValues(u),
          })
          .returning(USER_COLUMNS)
          .executeTakeFirstOrThrow();
        return { ok: true, value: toUser(row) };
      } catch (err) {
        if (dialect.isUniqueViolation(err)) return { ok: false, reason: 'conflict' };
        throw err;
      }
    },
    async getScimUser(scope, id) {
      const row = await db
        .selectFrom('scim_users')
        .select(USER_COLUMNS)
        .where('id', '=', id)
        .where('developer_id', '=', scope.developerId)
        .where('directory', '=', scope.directory)
        .executeTakeFirst();
      return row === undefined ? undefined : toUser(row);
    },
    async listScimUsers(scope, where, startIndex, count) {
      let base = db.selectFrom('scim_users').where('developer_id', '=', scope.developerId);
      if (scope.directory !== null) base = base.where('directory', '=', scope.directory);
      if (where) base = base.where(where);
      const total = base.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
      const rows = () =>
        base
          .select(USER_COLUMNS)
          .orderBy('created_at')
          .orderBy('id')
          .limit(count)
          .offset(startIndex - 1)
          .execute();
      return pageOf(total, count === 0 ? null : rows, toUser);
    },
    async updateScimUser(scope, u) {
      try {
        const row = await db
          .updateTable('scim_users')
          .set(userValues(u))
          .where('id', '=', u.id)
          .where('developer_id', '=', scope.developerId)
          .where('directory', '=', scope.directory)
          .returning(USER_COLUMNS)
          .executeTakeFirst();
        return row === undefined ? { ok: false, reason: 'missing' } : { ok: true, value: toUser(row) };
      } catch (err) {
        if (dialect.isUniqueViolation(err)) return { ok: false, reason: 'conflict' };
        throw err;
      }
    },
    async deleteScimUser(scope, id) {
      const row = await db
        .deleteFrom('scim_users')
        .where('id', '=', id)
        .where('developer_id', '=', scope.developerId)
        .where('directory', '=', scope.directory)
        .returning(USER_COLUMNS)
        .executeTakeFirst();
      return row === undefined ? undefined : toUser(row);
    },

    async insertScimGroup(g, memberIds) {
      try {
        return await db.transaction().execute(async (tx) => {
          const row = await tx
            .insertInto('scim_groups')
            .values({
              id: g.id,
              developer_id: g.developerId,
              directory: g.directory,
              created_at: g.createdAt,
              ...groupValues(g),
            })
            .returning(GROUP_COLUMNS)
            .executeTakeFirstOrThrow();
          if (memberIds.length > 0) {
            await tx
              .insertInto('scim_group_members')
              .values(memberIds.map((user_id) => ({ group_id: g.id, user_id })))
              .onConflict((oc) => oc.doNothing())
              .execute();
          }
          return { ok: true as const, value: toGroup(row) };
        });
      } catch (err) {
        if (dialect.isUniqueViolation(err)) return { ok: false, reason: 'conflict' };
        throw err;
      }
    },
    async getScimGroup(scope, id) {
      const row = await db
        .selectFrom('scim_groups')
        .select(GROUP_COLUMNS)
        .where('id', '=', id)
        .where('developer_id', '=', scope.developerId)
        .where('directory', '=', scope.directory)
        .executeTakeFirst();
      return row === undefined ? undefined : toGroup(row);
    },
    async listScimGroups(scope, where, startIndex, count) {
      let base = db.selectFrom('scim_groups').where('developer_id', '=', scope.developerId);
      if (scope.directory !== null) base = base.where('directory', '=', scope.directory);
      if (where) base = base.where(where);
      const total = base.select((eb) => eb.fn.countAll().as('total')).executeTakeFirstOrThrow();
      const rows = () =>
        base
          .select(GROUP_COLUMNS)
          .orderBy('created_at')
          .orderBy('id')
          .limit(count)
          .offset(startIndex - 1)
          .execute();
      return pageOf(total, count === 0 ? null : rows, toGroup);
    },
    async updateScimGroup(scope, g, members) {
      try {
        return await db.transaction().execute(async (tx) => {
          const row = await tx
            .updateTable('scim_groups')
            .set(groupValues(g))
            .where('id', '=', g.id)
            .where('developer_id', '=', scope.developerId)
            .where('directory', '=', scope.directory)
            .returning(GROUP_COLUMNS)
            .executeTakeFirst();
          if (row === undefined) return { ok: false as const, reason: 'missing' as const };
          if (members.remove === 'all') {
            await tx.deleteFrom('scim_group_members').where('group_id', '=', g.id).execute();
          } else if (members.remove.length > 0) {
            await tx
              .deleteFrom('scim_group_members')
              .where('group_id', '=', g.id)
              .where('user_id', 'in', members.remove)
              .execute();
          }
          if (members.add.length > 0) {
            await tx
              .insertInto('scim_group_members')
              .values(members.add.map((user_id) => ({ group_id: g.id, user_id })))
              .onConflict((oc) => oc.doNothing())
              .execute();
          }
          return { ok: true as const, value: toGroup(row) };
        });
      } catch (err) {
        if (dialect.isUniqueViolation(err)) return { ok: false, reason: 'conflict' };
        throw err;
      }
    },
    async deleteScimGroup(scope, id) {
      const result = await db
        .deleteFrom('scim_groups')
        .where('id', '=', id)
        .where('developer_id', '=', scope.developerId)
        .where('directory', '=', scope.directory)
        .executeTakeFirst();
      return result.numDeletedRows === 1n;
    },
    async scimGroupMembers(groupIds) {
      const out = new Map<string, { id: string; display: string }[]>(groupIds.map((id) => [id, []]));
      if (groupIds.length === 0) return out;
      const rows = await db
        .selectFrom('scim_group_members as m')
        .innerJoin('scim_users as u', 'u.id', 'm.user_id')
        .select(['m.group_id', 'm.user_id', (eb) => eb.fn.coalesce('u.display_name', 'u.user_name').as('display')])
        .where('m.group_id', 'in', groupIds)
        .orderBy('m.group_id')
        .orderBy('u.created_at')
        .orderBy('u.id')
        .execute();
      for (const r of rows.map((row) => memberRow.parse(row))) {
        out.get(r.group_id)?.push({ id: r.user_id, display: r.display });
      }
      return out;
    },
    async existingScimUserIds(scope, ids) {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('scim_users')
        .select('id')
        .where('developer_id', '=', scope.developerId)
        .where('directory', '=', scope.directory)
        .where('id', 'in', ids)
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    async directoryUsersForSignIn(developerId, connectionId, emailKey) {
      const rows = await db
        .selectFrom('scim_users')
        .select(USER_COLUMNS)
        .where('developer_id', '=', developerId)
        .where('directory', 'in', [connectionId, ORG_WIDE])
        .where((eb) => eb.or([eb('email_key', '=', emailKey), eb('user_name_key', '=', emailKey)]))
        .execute();
      if (rows.length === 0) return [];
      const users = rows.map(toUser);
      const groups = await groupNamesOfUsers(users.map((u) => u.id));
      return users.map((user) => ({ user, groups: groups.get(user.id) ?? [] }));
    },
    groupNamesOfUsers,
    async scimGroupMemberCounts(groupIds) {
      if (groupIds.length === 0) return new Map();
      const rows = await db
        .selectFrom('scim_group_members')
        .select(['group_id', (eb) => eb.fn.countAll().as('n')])
        .where('group_id', 'in', groupIds)
        .groupBy('group_id')
        .execute();
      return new Map(rows.map((r) => [r.group_id, Number(r.n)]));
    },
    async revokeDirectoryUserSessions(scope, emailKey, nowIso) {
      let query = db
        .updateTable('sso_sessions')
        .set({ revoked_at: nowIso })
        .where('developer_id', '=', scope.developerId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', nowIso)
        .where(sql<boolean>`lower(email) = ${emailKey}`);
      if (scope.directory !== ORG_WIDE) query = query.where('connection_id', '=', scope.directory);
      const result = await query.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
