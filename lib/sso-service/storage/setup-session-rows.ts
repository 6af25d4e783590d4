/**
 * Setup sessions (migration 11): what redeeming a setup link gives the IT admin. SQL and row parsing for both
 * backends; `$` arguments are the backend's placeholders (`?` or `$n`). Only the backends import this module.
 */
import { z } from 'zod';
import { bytes, SETUP_LINK_COLUMNS, toSetupLinkWithOrg } from './rows';
import type { NewSetupSession, SetupSession, SetupSessionWithLink } from './types';

const sessionRow = z.object({
  session_id: z.string(),
  session_link_id: z.string(),
  session_developer_id: z.string(),
  session_name: z.string(),
  session_email: z.string(),
  session_created_at: z.string(),
  session_expires_at: z.string(),
});

const SESSION_SELECT = `s.id AS session_id, s.link_id AS session_link_id, s.developer_id AS session_developer_id,
       s.name AS session_name, s.email AS session_email, s.created_at AS session_created_at,
       s.expires_at AS session_expires_at`;

/**
 * Inserts the session only while its link is neither revoked nor expired at `created_at` (so a revocation racing
 * the redeem cannot leave a session behind). Placeholders: id, token_hash, name, email, created_at, expires_at,
 * link id, and created_at again (positional `?` cannot be reused).
 */
export const insertSetupSessionSql = (p: string[]) =>
  `INSERT INTO setup_sessions (id, link_id, developer_id, token_hash, name, email, created_at, expires_at)
     SELECT ${p[0]}, l.id, l.developer_id, ${p[1]}, ${p[2]}, ${p[3]}, ${p[4]}, ${p[5]} FROM setup_links l
      WHERE l.id = ${p[6]} AND l.revoked_at IS NULL AND l.expires_at > ${p[7]}
     RETURNING id, link_id, developer_id`;

/** The use that goes with a session (placeholders: session id, user agent); copies the rest from the session. */
export const insertSessionUseSql = (id: string, userAgent: string) =>
  `INSERT INTO setup_link_uses (link_id, developer_id, used_at, name, email, user_agent, session_id)
     SELECT link_id, developer_id, created_at, name, email, ${userAgent}, id FROM setup_sessions WHERE id = ${id}`;

/** PostgreSQL: both rows in one statement (a data-modifying CTE): no session without its recorded use. */
export const insertSetupSessionWithUsePgSql = `WITH s AS (
    ${insertSetupSessionSql(['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8'])}
  ) INSERT INTO setup_link_uses (link_id, developer_id, used_at, name, email, user_agent, session_id)
    SELECT s.link_id, s.developer_id, $5, $3, $4, $9, s.id FROM s RETURNING session_id`;

/** The session by token hash, with its link and the link's org (one indexed read). */
export const setupSessionByTokenSql = ($: string) => `SELECT ${SESSION_SELECT},
       ${SETUP_LINK_COLUMNS.split(', ')
         .map((c) => `l.${c}`)
         .join(', ')}, d.name AS organization_name
    FROM setup_sessions s JOIN setup_links l ON l.id = s.link_id JOIN developers d ON d.id = l.developer_id
   WHERE s.token_hash = ${$}`;

/** Sessions past their end are useless (a use keeps its session id as a plain reference). Placeholder: now, ISO. */
export const purgeSetupSessionsSql = ($: string) => `DELETE FROM setup_sessions WHERE expires_at < ${$}`;

/** insertSetupSessionSql's parameters, in order. */
export function setupSessionParams(s: NewSetupSession): unknown[] {
  return [s.id, bytes(s.tokenHash), s.name, s.email, s.createdAt, s.expiresAt, s.linkId, s.createdAt];
}

export function toSetupSessionWithLink(row: unknown): SetupSessionWithLink {
  const r = sessionRow.parse(row);
  const session: SetupSession = {
    id: r.session_id,
    linkId: r.session_link_id,
    developerId: r.session_developer_id,
    name: r.session_name,
    email: r.session_email,
    createdAt: r.session_created_at,
    expiresAt: r.session_expires_at,
  };
  return { session, link: toSetupLinkWithOrg(row) };
}
