/** Member sessions (migration 3): listed, read and revoked by the org; purged after they expire. */
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import { boolColumn, json } from '../../storage/rows';
import type { SsoSession } from '../../storage/types';

export interface SessionsStore {
  /** The org's active sessions (unrevoked, expiring after `nowIso`), newest first, at most `limit`. */
  listActiveSessions(developerId: string, nowIso: string, limit: number): Promise<SsoSession[]>;
  /** One active session of the org (another org's id, a revoked or an expired one reads as absent). */
  getActiveSession(developerId: string, sessionId: string, nowIso: string): Promise<SsoSession | undefined>;
  /** Marks an active session revoked; false when the org has no such active session. */
  revokeSession(developerId: string, sessionId: string, nowIso: string): Promise<boolean>;
}

export const SESSION_COLUMNS = [
  'id',
  'developer_id',
  'connection_id',
  'principal_id',
  'email',
  'email_verified',
  'name',
  'idp_subject',
  'groups',
  'mapped_scopes',
  'expires_at',
  'created_at',
] as const;

const sessionRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  connection_id: z.string(),
  principal_id: z.string(),
  email: z.string().nullable(),
  email_verified: boolColumn,
  name: z.string().nullable(),
  idp_subject: z.string(),
  groups: json(z.array(z.string())),
  mapped_scopes: json(z.array(z.string())),
  expires_at: z.string(),
  created_at: z.string(),
});

export function toSession(row: unknown): SsoSession {
  const r = sessionRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    connectionId: r.connection_id,
    principalId: r.principal_id,
    email: r.email,
    emailVerified: r.email_verified,
    name: r.name,
    idpSubject: r.idp_subject,
    groups: r.groups,
    mappedScopes: r.mapped_scopes,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  };
}

export function createSessionsStore({ db }: StoreDatabase): SessionsStore {
  const active = (developerId: string, nowIso: string) =>
    db
      .selectFrom('sso_sessions')
      .select(SESSION_COLUMNS)
      .where('developer_id', '=', developerId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', nowIso);
  return {
    async listActiveSessions(developerId, nowIso, limit) {
      const rows = await active(developerId, nowIso)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toSession);
    },
    async getActiveSession(developerId, sessionId, nowIso) {
      const row = await active(developerId, nowIso).where('id', '=', sessionId).executeTakeFirst();
      return row === undefined ? undefined : toSession(row);
    },
    async revokeSession(developerId, sessionId, nowIso) {
      const r = await db
        .updateTable('sso_sessions')
        .set({ revoked_at: nowIso })
        .where('id', '=', sessionId)
        .where('developer_id', '=', developerId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', nowIso)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
  };
}

/** Sessions past their end. */
export async function purgeExpiredSessions({ db }: StoreDatabase, nowIso: string): Promise<void> {
  await db.deleteFrom('sso_sessions').where('expires_at', '<', nowIso).execute();
}
