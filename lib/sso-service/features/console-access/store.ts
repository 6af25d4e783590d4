/**
 * Console access (migration 22): people's console sessions, break-glass credentials and the org's SSO
 * enforcement. Written once against Kysely for both backends. Tokens and credentials are stored as sha256 only.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { CONSOLE_ROLES, type ConsoleRole } from '@/lib/contract';
import type { StoreDatabase } from '../../storage/connect';
import { boolColumn, bytes, joinedDeveloperColumns, json, toJoinedDeveloper } from '../../storage/rows';
import type { Developer } from '../../storage/types';

/** sha256 of a `gxc_` token or a `gxbg_` credential, base64url (the API keys' hash). */
export type ConsoleSecretHash = string;

export interface ConsoleSession {
  /** `csn_…` */
  id: string;
  developerId: string;
  role: ConsoleRole;
  via: 'sso' | 'break_glass';
  email: string | null;
  subject: string | null;
  connectionId: string | null;
  principalId: string | null;
  /** SSO: the member session opened with it (its end ends this one). */
  ssoSessionId: string | null;
  /** Break-glass: the credential's label. */
  label: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface NewConsoleSession extends Omit<ConsoleSession, 'revokedAt'> {
  tokenHash: ConsoleSecretHash;
}

export interface BreakGlassRecord {
  /** `bgc_…` */
  id: string;
  developerId: string;
  label: string;
  createdAt: string;
  createdBy: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface SsoEnforcementRecord {
  enforce: boolean;
  enforcedAt: string | null;
  enforcedBy: string | null;
}

/** Which console sessions a directory change ends: the org's (or one connection's), by the people's emails. */
export interface ConsoleRevocationScope {
  developerId: string;
  /** null: every connection of the org. */
  connectionId: string | null;
}

export interface ConsoleAccessStore {
  createConsoleSession(session: NewConsoleSession): Promise<void>;
  /** The session behind a token with its org (any status: the caller checks expiry and revocation); one indexed read. */
  findConsoleSessionByToken(
    tokenHash: ConsoleSecretHash,
  ): Promise<{ session: ConsoleSession; developer: Developer } | undefined>;
  /** Revokes one of the org's console sessions; false when it is unknown, another org's or already revoked. */
  revokeConsoleSession(developerId: string, id: string, nowIso: string): Promise<boolean>;
  /** Whether an owner opened an SSO console session in the org since `sinceIso` that is not revoked. */
  hasRecentOwnerSsoSession(developerId: string, sinceIso: string): Promise<boolean>;
  /** Ends the live SSO console sessions of people (by lower-cased email) in a scope; returns how many. */
  revokeConsoleSessionsByEmail(scope: ConsoleRevocationScope, emailKeys: string[], nowIso: string): Promise<number>;
  /** Ends the live console sessions opened through one of the org's connections; returns how many. */
  revokeConsoleSessionsOfConnection(developerId: string, connectionId: string, nowIso: string): Promise<number>;
  /**
   * The live SSO console sessions opened through a connection, each with its role and the groups its member session
   * was opened with (null when that session is gone).
   */
  liveConsoleSessionsOfConnection(
    developerId: string,
    connectionId: string,
    nowIso: string,
  ): Promise<{ id: string; role: ConsoleRole; groups: string[] | null }[]>;
  /** Ends these console sessions of the org. */
  revokeConsoleSessionsByIds(developerId: string, ids: string[], nowIso: string): Promise<number>;
  /** Ends the live console sessions opened with these member sessions of the org; returns how many. */
  revokeConsoleSessionsOfSsoSessions(developerId: string, ssoSessionIds: string[], nowIso: string): Promise<number>;
  /** The lower-cased emails (email key and userName) of directory users, by id, within the org. */
  directoryUserEmailKeys(developerId: string, userIds: string[]): Promise<string[]>;

  getSsoEnforcement(developerId: string): Promise<SsoEnforcementRecord | undefined>;
  /** Sets the org's enforcement; switching it on stamps when and by whom, switching it off clears both. */
  setSsoEnforcement(developerId: string, value: SsoEnforcementRecord): Promise<void>;

  /**
   * Inserts a break-glass credential unless the org already has `max` live ones (then false, nothing written);
   * one transaction.
   */
  createBreakGlass(
    record: Omit<BreakGlassRecord, 'lastUsedAt' | 'revokedAt'>,
    secretHash: ConsoleSecretHash,
    max: number,
  ): Promise<boolean>;
  /** The org's live credentials, oldest first. */
  listBreakGlass(developerId: string): Promise<BreakGlassRecord[]>;
  /** Revokes one; false when unknown, another org's or already revoked. */
  revokeBreakGlass(developerId: string, id: string, nowIso: string): Promise<boolean>;
  /** The credential behind a secret (any status: the caller checks). */
  findBreakGlassBySecret(secretHash: ConsoleSecretHash): Promise<BreakGlassRecord | undefined>;
  /**
   * A break-glass sign-in: stamps the credential's last use and opens the session, atomically, only while the
   * credential is live; false (nothing written) otherwise.
   */
  useBreakGlass(credentialId: string, session: NewConsoleSession): Promise<boolean>;
  /** The org's latest break-glass use (revoked credentials included). */
  lastBreakGlassUse(developerId: string): Promise<{ lastUsedAt: string; label: string } | undefined>;
}

const SESSION_COLUMNS = [
  's.id',
  's.developer_id',
  's.role',
  's.via',
  's.email',
  's.subject',
  's.connection_id',
  's.principal_id',
  's.sso_session_id',
  's.label',
  's.created_at',
  's.expires_at',
  's.revoked_at',
] as const;

const sessionRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  role: z.enum(CONSOLE_ROLES),
  via: z.enum(['sso', 'break_glass']),
  email: z.string().nullable(),
  subject: z.string().nullable(),
  connection_id: z.string().nullable(),
  principal_id: z.string().nullable(),
  sso_session_id: z.string().nullable(),
  label: z.string().nullable(),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
});

function toConsoleSession(row: unknown): ConsoleSession {
  const r = sessionRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    role: r.role,
    via: r.via,
    email: r.email,
    subject: r.subject,
    connectionId: r.connection_id,
    principalId: r.principal_id,
    ssoSessionId: r.sso_session_id,
    label: r.label,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

const BREAK_GLASS_COLUMNS = [
  'id',
  'developer_id',
  'label',
  'created_at',
  'created_by',
  'last_used_at',
  'revoked_at',
] as const;
const breakGlassRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  label: z.string(),
  created_at: z.string(),
  created_by: z.string().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
function toBreakGlass(row: unknown): BreakGlassRecord {
  const r = breakGlassRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    label: r.label,
    createdAt: r.created_at,
    createdBy: r.created_by,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
  };
}

const liveRow = z.object({
  id: z.string(),
  role: z.enum(CONSOLE_ROLES),
  groups: json(z.array(z.string())).nullable(),
});

const enforcementRow = z.object({
  sso_enforce: boolColumn,
  sso_enforced_at: z.string().nullable(),
  sso_enforced_by: z.string().nullable(),
});

const sessionValues = (s: NewConsoleSession) => ({
  id: s.id,
  developer_id: s.developerId,
  token_hash: bytes(s.tokenHash),
  role: s.role,
  via: s.via,
  email: s.email,
  subject: s.subject,
  connection_id: s.connectionId,
  principal_id: s.principalId,
  sso_session_id: s.ssoSessionId,
  label: s.label,
  created_at: s.createdAt,
  expires_at: s.expiresAt,
});

export function createConsoleAccessStore({ db, dialect }: StoreDatabase): ConsoleAccessStore {
  const unrevoked = (developerId: string, nowIso: string) =>
    db
      .updateTable('console_sessions')
      .set({ revoked_at: nowIso })
      .where('developer_id', '=', developerId)
      .where('revoked_at', 'is', null);

  /** Every revoke: stamps the org's still-unrevoked console sessions that `narrow` picks; answers how many. */
  const revokeWhere = async (
    developerId: string,
    nowIso: string,
    narrow: (query: ReturnType<typeof unrevoked>) => ReturnType<typeof unrevoked>,
  ) => Number((await narrow(unrevoked(developerId, nowIso)).executeTakeFirst()).numUpdatedRows);

  return {
    async createConsoleSession(s) {
      await db.insertInto('console_sessions').values(sessionValues(s)).execute();
    },
    async findConsoleSessionByToken(tokenHash) {
      const row = await db
        .selectFrom('console_sessions as s')
        .innerJoin('developers as d', 'd.id', 's.developer_id')
        .select([...SESSION_COLUMNS, ...joinedDeveloperColumns(dialect)])
        .where('s.token_hash', '=', bytes(tokenHash))
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        session: toConsoleSession(row),
        developer: toJoinedDeveloper(row),
      };
    },
    async revokeConsoleSession(developerId, id, nowIso) {
      return (await revokeWhere(developerId, nowIso, (q) => q.where('id', '=', id))) > 0;
    },
    async hasRecentOwnerSsoSession(developerId, sinceIso) {
      const row = await db
        .selectFrom('console_sessions')
        .select('id')
        .where('developer_id', '=', developerId)
        .where('via', '=', 'sso')
        .where('role', '=', 'owner')
        .where('created_at', '>=', sinceIso)
        .where('revoked_at', 'is', null)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },
    async revokeConsoleSessionsByEmail(scope, emailKeys, nowIso) {
      if (emailKeys.length === 0) return 0;
      return revokeWhere(scope.developerId, nowIso, (q) => {
        const live = q
          .where('via', '=', 'sso')
          .where('expires_at', '>', nowIso)
          .where(sql<string>`lower(email)`, 'in', emailKeys);
        return scope.connectionId === null ? live : live.where('connection_id', '=', scope.connectionId);
      });
    },
    async revokeConsoleSessionsOfConnection(developerId, connectionId, nowIso) {
      return revokeWhere(developerId, nowIso, (q) => q.where('connection_id', '=', connectionId));
    },
    async liveConsoleSessionsOfConnection(developerId, connectionId, nowIso) {
      const rows = await db
        .selectFrom('console_sessions as s')
        .leftJoin('sso_sessions as m', 'm.id', 's.sso_session_id')
        .select(['s.id', 's.role', 'm.groups'])
        .where('s.developer_id', '=', developerId)
        .where('s.connection_id', '=', connectionId)
        .where('s.via', '=', 'sso')
        .where('s.revoked_at', 'is', null)
        .where('s.expires_at', '>', nowIso)
        .execute();
      return rows.map((row) => {
        const r = liveRow.parse(row);
        return { id: r.id, role: r.role, groups: r.groups };
      });
    },
    async revokeConsoleSessionsByIds(developerId, ids, nowIso) {
      if (ids.length === 0) return 0;
      return revokeWhere(developerId, nowIso, (q) => q.where('id', 'in', ids));
    },
    async revokeConsoleSessionsOfSsoSessions(developerId, ssoSessionIds, nowIso) {
      if (ssoSessionIds.length === 0) return 0;
      return revokeWhere(developerId, nowIso, (q) => q.where('sso_session_id', 'in', ssoSessionIds));
    },
    async directoryUserEmailKeys(developerId, userIds) {
      if (userIds.length === 0) return [];
      const rows = await db
        .selectFrom('scim_users')
        .select(['email_key', 'user_name'])
        .where('developer_id', '=', developerId)
        .where('id', 'in', userIds)
        .execute();
      const keys = new Set<string>();
      for (const r of rows) {
        if (typeof r.email_key === 'string') keys.add(r.email_key);
        keys.add(String(r.user_name).toLowerCase());
      }
      return [...keys];
    },
    async getSsoEnforcement(developerId) {
      const row = await db
        .selectFrom('developers')
        .select(['sso_enforce', 'sso_enforced_at', 'sso_enforced_by'])
        .where('id', '=', developerId)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const r = enforcementRow.parse(row);
      return { enforce: r.sso_enforce, enforcedAt: r.sso_enforced_at, enforcedBy: r.sso_enforced_by };
    },
    async setSsoEnforcement(developerId, value) {
      await db
        .updateTable('developers')
        .set({
          sso_enforce: dialect.bool(value.enforce),
          sso_enforced_at: value.enforcedAt,
          sso_enforced_by: value.enforcedBy,
        })
        .where('id', '=', developerId)
        .execute();
    },
    async createBreakGlass(record, secretHash, max) {
      return db.transaction().execute(async (tx) => {
        const { count } = await tx
          .selectFrom('break_glass_credentials')
          .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
          .where('developer_id', '=', record.developerId)
          .where('revoked_at', 'is', null)
          .executeTakeFirstOrThrow();
        if (Number(count) >= max) return false;
        await tx
          .insertInto('break_glass_credentials')
          .values({
            id: record.id,
            developer_id: record.developerId,
            label: record.label,
            secret_hash: bytes(secretHash),
            created_at: record.createdAt,
            created_by: record.createdBy,
          })
          .execute();
        return true;
      });
    },
    async listBreakGlass(developerId) {
      const rows = await db
        .selectFrom('break_glass_credentials')
        .select(BREAK_GLASS_COLUMNS)
        .where('developer_id', '=', developerId)
        .where('revoked_at', 'is', null)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toBreakGlass);
    },
    async revokeBreakGlass(developerId, id, nowIso) {
      const result = await db
        .updateTable('break_glass_credentials')
        .set({ revoked_at: nowIso })
        .where('developer_id', '=', developerId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async findBreakGlassBySecret(secretHash) {
      const row = await db
        .selectFrom('break_glass_credentials')
        .select(BREAK_GLASS_COLUMNS)
        .where('secret_hash', '=', bytes(secretHash))
        .executeTakeFirst();
      return row === undefined ? undefined : toBreakGlass(row);
    },
    async useBreakGlass(credentialId, session) {
      return db.transaction().execute(async (tx) => {
        const result = await tx
          .updateTable('break_glass_credentials')
          .set({ last_used_at: session.createdAt })
          .where('id', '=', credentialId)
          .where('developer_id', '=', session.developerId)
          .where('revoked_at', 'is', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        await tx.insertInto('console_sessions').values(sessionValues(session)).execute();
        return true;
      });
    },
    async lastBreakGlassUse(developerId) {
      const row = await db
        .selectFrom('break_glass_credentials')
        .select(['label', 'last_used_at'])
        .where('developer_id', '=', developerId)
        .where('last_used_at', 'is not', null)
        .orderBy('last_used_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.last_used_at ? { lastUsedAt: row.last_used_at, label: row.label } : undefined;
    },
  };
}

/** Drops console sessions that have expired (revoked or not); run by the minute purge. */
export async function purgeExpiredConsoleSessions({ db }: StoreDatabase, nowIso: string): Promise<void> {
  await db.deleteFrom('console_sessions').where('expires_at', '<', nowIso).execute();
}
