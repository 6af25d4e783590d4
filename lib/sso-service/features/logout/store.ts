/**
 * Logout's store slice (migration 17): the logout keys written beside a session at sign-in, the look-up of one
 * session for a member's logout, the revocation of a connection's sessions an IdP names, and single use of logout
 * messages. Written once against Kysely for both backends.
 */
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import type { Tx } from '../../storage/database';
import type { MemberSignIn, SessionLogoutKeys, SsoSession } from '../../storage/types';
import { SESSION_COLUMNS, toSession } from '../sessions/store';

/** What an IdP's logout names: always within one connection; every given field must match. */
export interface IdpSessionMatch {
  /** The IdP subject (OIDC `sub`). */
  subject?: string;
  /** OIDC `sid` / SAML `SessionIndex`. */
  idpSessionId?: string;
  /** SAML NameID value. */
  samlNameId?: string;
}

export interface LogoutClaim {
  /** The IdP that sent it (OIDC issuer, SAML IdP entity ID). */
  issuer: string;
  /** The LogoutRequest ID or the logout token's `jti`. */
  messageId: string;
  developerId: string;
  connectionId: string;
  expiresAtMs: number;
}

export interface LogoutStore {
  /** Claims a logout message once per issuer, whichever connection receives it; false: already seen (a replay). */
  claimLogoutMessage(claim: LogoutClaim): Promise<boolean>;
  /** One active session of the org with its logout keys (null when the sign-in kept none). */
  getSessionForLogout(
    developerId: string,
    sessionId: string,
    nowIso: string,
  ): Promise<{ session: SsoSession; keys: SessionLogoutKeys | null } | undefined>;
  /**
   * Revokes the connection's active sessions that match every field given (at least one must be); returns the
   * ids it revoked. Sessions of any other connection are never touched.
   */
  revokeIdpSessions(connectionId: string, match: IdpSessionMatch, nowIso: string): Promise<string[]>;
}

const keysRow = z.object({
  idp_session_id: z.string().nullable(),
  saml_name_id: z.string().nullable(),
  saml_name_id_format: z.string().nullable(),
  id_token_sealed: z.string().nullable(),
});

/** Inside the sign-in's transaction (features/login/store.ts): the keys beside the session just inserted. */
export async function insertSessionLogout(tx: Tx, s: MemberSignIn): Promise<void> {
  if (!s.logout) return;
  await tx
    .insertInto('sso_session_logout')
    .values({
      session_id: s.sessionId,
      developer_id: s.developerId,
      connection_id: s.connectionId,
      idp_session_id: s.logout.idpSessionId,
      saml_name_id: s.logout.samlNameId,
      saml_name_id_format: s.logout.samlNameIdFormat,
      id_token_sealed: s.logout.idTokenSealed,
    })
    .execute();
}

export function createLogoutStore({ db }: StoreDatabase): LogoutStore {
  return {
    async claimLogoutMessage(c) {
      const r = await db
        .insertInto('logout_claims')
        .values({
          issuer: c.issuer,
          message_id: c.messageId,
          developer_id: c.developerId,
          connection_id: c.connectionId,
          expires_at: c.expiresAtMs,
        })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows === 1n;
    },
    async getSessionForLogout(developerId, sessionId, nowIso) {
      const row = await db
        .selectFrom('sso_sessions')
        .select(SESSION_COLUMNS)
        .where('developer_id', '=', developerId)
        .where('id', '=', sessionId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', nowIso)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      const keys = await db
        .selectFrom('sso_session_logout')
        .select(['idp_session_id', 'saml_name_id', 'saml_name_id_format', 'id_token_sealed'])
        .where('session_id', '=', sessionId)
        .where('developer_id', '=', developerId)
        .executeTakeFirst();
      const k = keys === undefined ? null : keysRow.parse(keys);
      return {
        session: toSession(row),
        keys:
          k === null
            ? null
            : {
                idpSessionId: k.idp_session_id,
                samlNameId: k.saml_name_id,
                samlNameIdFormat: k.saml_name_id_format,
                idTokenSealed: k.id_token_sealed,
              },
      };
    },
    async revokeIdpSessions(connectionId, match, nowIso) {
      if (match.subject === undefined && match.idpSessionId === undefined && match.samlNameId === undefined) return [];
      let update = db
        .updateTable('sso_sessions')
        .set({ revoked_at: nowIso })
        .where('connection_id', '=', connectionId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', nowIso);
      if (match.subject !== undefined) update = update.where('idp_subject', '=', match.subject);
      if (match.idpSessionId !== undefined || match.samlNameId !== undefined) {
        let keys = db.selectFrom('sso_session_logout').select('session_id').where('connection_id', '=', connectionId);
        if (match.idpSessionId !== undefined) keys = keys.where('idp_session_id', '=', match.idpSessionId);
        if (match.samlNameId !== undefined) keys = keys.where('saml_name_id', '=', match.samlNameId);
        update = update.where('id', 'in', keys);
      }
      const rows = await update.returning('id').execute();
      return rows.map((r) => r.id);
    },
  };
}

/** Logout messages past the time they could be replayed. */
export async function purgeExpiredLogoutClaims({ db }: StoreDatabase, nowMs: number): Promise<void> {
  await db.deleteFrom('logout_claims').where('expires_at', '<', nowMs).execute();
}
