/**
 * The PostgreSQL implementation of ServiceStore, on a `pg` pool. Every statement is named, so each pooled
 * connection parses and plans it once. Each method is ONE statement, so atomic without a transaction
 * (createDeveloper inserts both rows through a data-modifying CTE). Rows become domain records here.
 *
 * Shared rate limits: a fixed window per key, anchored at the key's first hit (the same semantics as the
 * in-memory limiter), counted by one upsert. Tolerance: exact across processes within a window (the upsert
 * is atomic); at a window's end a client may get up to 2 × the limit within a short span (as with any fixed
 * window); windows are timed by each process's clock, so clock skew between hosts shifts a window's end by
 * that skew.
 */
import pg from 'pg';
import { z } from 'zod';
import type { PostgresConfig } from '../../config';
import { bytes, CONNECTION_COLUMNS, principalParams, SESSION_COLUMNS, sessionParams, toLastSignIns, toSession, CONNECTION_UPDATE_COLUMNS, connectionParams, replaceParams, DEFAULT_OIDC_UPSERT_TAIL, defaultOidcParams, DEVELOPER_COLUMNS, toConnection, toDeveloper, toKeyConnection, toSavedConnection, toStateFailure, DOMAIN_COLUMNS, domainParams, toDomain, insertSetupLinkSql, insertSetupLinkUseSql, revokeSetupLinkSql, setupLinkByTokenSql, setupLinkParams, setupLinksOfOrgSql, setupLinkUseParams, setupLinkUsesOfOrgSql, toSetupLink, toSetupLinkUse, toSetupLinkWithOrg, withUses, CLAIM_ASSERTION_SQL, PURGE_ASSERTIONS_SQL, CONNECTION_BY_ID_SQL, DEVELOPER_BY_ID_SQL } from '../rows';
import type { ServiceStore, SharedRateLimiter } from '../types';
import { isPgUniqueViolation, mapPgError } from './errors';
import { createPostgresEventStore, EVENT_SQL } from './events-store';
import { migratePg } from './migrations';


const SQL = {
  createDeveloper: `WITH d AS (
      INSERT INTO developers (id, name, email, mode, plan, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
    ) INSERT INTO api_keys (key_hash, developer_id, created_at) SELECT $7, id, $6 FROM d`,
  developerByKey: `SELECT ${DEVELOPER_COLUMNS}
      FROM api_keys k JOIN developers d ON d.id = k.developer_id WHERE k.key_hash = $1`,
  defaultByKey: `SELECT k.developer_id AS key_developer_id, ${CONNECTION_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')}
      FROM api_keys k LEFT JOIN sso_connections c ON c.default_for = k.developer_id WHERE k.key_hash = $1`,
  defaultConnection: `SELECT ${CONNECTION_COLUMNS} FROM sso_connections WHERE default_for = $1`,
  connection: `SELECT ${CONNECTION_COLUMNS} FROM sso_connections WHERE id = $1 AND developer_id = $2`,
  saveDefaultOidc: `INSERT INTO sso_connections (${CONNECTION_COLUMNS})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) ${DEFAULT_OIDC_UPSERT_TAIL}`,
  deleteDefault: `DELETE FROM sso_connections WHERE default_for = $1 RETURNING ${CONNECTION_COLUMNS}`,
  connections: `SELECT ${CONNECTION_COLUMNS} FROM sso_connections WHERE developer_id = $1 ORDER BY created_at, id`,
  createConnection: `INSERT INTO sso_connections (${CONNECTION_COLUMNS})
      VALUES ($1, $2, CASE WHEN EXISTS (SELECT 1 FROM sso_connections WHERE default_for = $2) THEN NULL ELSE $2 END,
              $3, $4, $5, $6, $7, $8, $9, $10, $11)
      RETURNING ${CONNECTION_COLUMNS}`,
  replaceConnection: `UPDATE sso_connections SET ${CONNECTION_UPDATE_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')}
      WHERE id = $9 AND developer_id = $10 AND updated_at = $11 RETURNING ${CONNECTION_COLUMNS}`,
  deleteConnection: `DELETE FROM sso_connections WHERE id = $1 AND developer_id = $2 RETURNING ${CONNECTION_COLUMNS}`,
  claimState: `INSERT INTO consumed_states (state_id, developer_id, expires_at, outcome) VALUES ($1, $2, $3, 'pending')
      ON CONFLICT (state_id) DO NOTHING`,
  stateFailure: `SELECT error_status, error_code, error_message FROM consumed_states
      WHERE state_id = $1 AND outcome = 'failed'`,
  recordFailure: `UPDATE consumed_states SET outcome = 'failed', error_status = $2, error_code = $3, error_message = $4
      WHERE state_id = $1`,
  purgeStates: 'DELETE FROM consumed_states WHERE expires_at < $1',
  purgeRateLimits: 'DELETE FROM rate_limits WHERE reset_at <= $1',
  purgeSessions: 'DELETE FROM sso_sessions WHERE expires_at < $1',
  claimAssertion: `${CLAIM_ASSERTION_SQL} VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
  purgeAssertions: PURGE_ASSERTIONS_SQL('$1'),
  connectionById: CONNECTION_BY_ID_SQL('$1'),
  // The expression is the one migration 8 indexes.
  idsByRedirectUri: `SELECT id FROM sso_connections WHERE protocol = 'oidc' AND settings->>'redirectUri' = $1 LIMIT $2`,
  developerById: DEVELOPER_BY_ID_SQL('$1'),
  // A member sign-in is ONE statement: the principal's upsert (or, without JIT, its update) in a CTE feeding
  // the session's insert, so it is atomic and one round trip. No principal (no JIT, unknown subject): no row.
  signInJit: `WITH p AS (
      INSERT INTO sso_principals (id, developer_id, connection_id, idp_subject, email, name, groups, created_at, updated_at, last_sign_in_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $8, $8)
      ON CONFLICT (connection_id, idp_subject) DO UPDATE SET
        email = excluded.email, name = excluded.name, groups = excluded.groups,
        updated_at = excluded.updated_at, last_sign_in_at = excluded.last_sign_in_at
      RETURNING id
    ) INSERT INTO sso_sessions (principal_id, id, developer_id, connection_id, email, name, idp_subject, groups, mapped_scopes, expires_at, created_at)
      SELECT p.id, $9, $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb, $17, $18 FROM p
      RETURNING ${SESSION_COLUMNS}`,
  signInExisting: `WITH p AS (
      UPDATE sso_principals SET email = $5, name = $6, groups = $7::jsonb, updated_at = $8, last_sign_in_at = $8
       WHERE developer_id = $2 AND connection_id = $3 AND idp_subject = $4 AND $1::text IS NOT NULL
      RETURNING id
    ) INSERT INTO sso_sessions (principal_id, id, developer_id, connection_id, email, name, idp_subject, groups, mapped_scopes, expires_at, created_at)
      SELECT p.id, $9, $10, $11, $12, $13, $14, $15::jsonb, $16::jsonb, $17, $18 FROM p
      RETURNING ${SESSION_COLUMNS}`,
  activeSessions: `SELECT ${SESSION_COLUMNS} FROM sso_sessions
      WHERE developer_id = $1 AND revoked_at IS NULL AND expires_at > $2
      ORDER BY created_at DESC, id DESC LIMIT $3`,
  activeSession: `SELECT ${SESSION_COLUMNS} FROM sso_sessions
      WHERE id = $1 AND developer_id = $2 AND revoked_at IS NULL AND expires_at > $3`,
  revokeSession: `UPDATE sso_sessions SET revoked_at = $3
      WHERE id = $1 AND developer_id = $2 AND revoked_at IS NULL AND expires_at > $3`,
  lastSignIns: `SELECT connection_id, MAX(last_sign_in_at) AS last_sign_in_at FROM sso_principals
      WHERE developer_id = $1 GROUP BY connection_id`,
  hitRateLimit: `INSERT INTO rate_limits AS r (key, count, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
      ON CONFLICT (key) DO UPDATE SET
        count    = CASE WHEN r.reset_at > $2::bigint THEN r.count + 1 ELSE 1 END,
        reset_at = CASE WHEN r.reset_at > $2::bigint THEN r.reset_at ELSE $2::bigint + $3::bigint END
      RETURNING count, reset_at`,
  // Verified domains (migration 4).
  domains: `SELECT ${DOMAIN_COLUMNS} FROM sso_domains WHERE developer_id = $1 ORDER BY created_at, domain`,
  domain: `SELECT ${DOMAIN_COLUMNS} FROM sso_domains WHERE developer_id = $1 AND domain = $2`,
  addDomain: `INSERT INTO sso_domains (${DOMAIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
      ON CONFLICT (developer_id, domain) DO NOTHING RETURNING ${DOMAIN_COLUMNS}`,
  verifyDomain: `UPDATE sso_domains SET verified_at = COALESCE(verified_at, $3), last_checked_at = $3
      WHERE developer_id = $1 AND domain = $2 RETURNING ${DOMAIN_COLUMNS}`,
  checkDomain: `UPDATE sso_domains SET last_checked_at = $3 WHERE developer_id = $1 AND domain = $2 RETURNING ${DOMAIN_COLUMNS}`,
  deleteDomain: 'DELETE FROM sso_domains WHERE developer_id = $1 AND domain = $2',
  // The partial unique index on verified domains finds the org, sso_connections_developer its connections.
  verifiedDomainConnections: `SELECT ${CONNECTION_COLUMNS.split(', ').map((c) => `c.${c}`).join(', ')}
      FROM sso_domains d JOIN sso_connections c ON c.developer_id = d.developer_id
      WHERE d.domain = $1 AND d.verified_at IS NOT NULL AND c.status = 'active' AND c.domains @> jsonb_build_array($1::text)
      ORDER BY c.created_at, c.id LIMIT $2`,
  orgDomainConnections: `SELECT ${CONNECTION_COLUMNS} FROM sso_connections c
      WHERE c.developer_id = $1 AND c.status = 'active' AND c.domains @> jsonb_build_array($2::text)
      ORDER BY c.created_at, c.id LIMIT $3`,
  createSetupLink: insertSetupLinkSql(['$1', '$2', '$3', '$4', '$5', '$6', '$7']),
  setupLinkByToken: setupLinkByTokenSql('$1'),
  setupLinks: setupLinksOfOrgSql('$1'),
  setupLinkUses: setupLinkUsesOfOrgSql('$1', '$2'),
  revokeSetupLink: revokeSetupLinkSql('$1', '$2', '$3'),
  recordSetupLinkUse: insertSetupLinkUseSql(['$1', '$2', '$3', '$4', '$5']),
} as const;

type StatementName = keyof typeof SQL | keyof typeof EVENT_SQL;
const ALL_SQL: Record<StatementName, string> = { ...SQL, ...EVENT_SQL };

const hitRow = z.object({ count: z.number().int(), reset_at: z.coerce.number() });

/** A pool configured from PostgresConfig, with idle-client errors absorbed (a restart must not crash us). */
export function createPgPool(config: PostgresConfig, onIdleError: (err: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.url,
    max: config.poolMax,
    connectionTimeoutMillis: config.connectTimeoutMs,
    statement_timeout: config.statementTimeoutMs,
    // The server cancels at statement_timeout; this catches a server that no longer answers at all.
    query_timeout: config.statementTimeoutMs + config.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    application_name: 'grantex-sso',
  });
  // An idle connection dropped by the server (restart, failover) emits here; the pool replaces it on demand.
  pool.on('error', onIdleError);
  return pool;
}

export async function openPostgresStore(
  config: PostgresConfig,
  opts: { onIdleError?: (err: Error) => void } = {},
): Promise<ServiceStore> {
  const pool = createPgPool(config, opts.onIdleError ?? (() => undefined));
  try {
    await migratePg(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw mapPgError(err);
  }
  return createPostgresStore(pool);
}

const optional = ({ rows }: pg.QueryResult) => (rows[0] === undefined ? undefined : toConnection(rows[0]));

export function createPostgresStore(pool: pg.Pool): ServiceStore {
  async function run(name: StatementName, values: unknown[]): Promise<pg.QueryResult> {
    try {
      return await pool.query({ name: `gx_${name}`, text: ALL_SQL[name], values });
    } catch (err) {
      throw mapPgError(err);
    }
  }

  const sharedRateLimits: SharedRateLimiter = {
    async hit(key, windowMs, nowMs) {
      const { rows } = await run('hitRateLimit', [key, nowMs, windowMs]);
      const r = hitRow.parse(rows[0]);
      return { count: r.count, resetAtMs: r.reset_at };
    },
  };

  return {
    backend: 'postgres',
    sharedRateLimits,
    async createDeveloper(dev) {
      try {
        await run('createDeveloper', [dev.id, dev.name, dev.email, dev.mode, dev.plan, dev.createdAt, bytes(dev.keyHash)]);
        return 'created';
      } catch (err) {
        if (isPgUniqueViolation(err) && dev.email !== null) return 'email_taken';
        throw err;
      }
    },
    async findDeveloperByKey(keyHash) {
      const { rows } = await run('developerByKey', [bytes(keyHash)]);
      return rows[0] === undefined ? undefined : toDeveloper(rows[0]);
    },
    async findDefaultConnectionByKey(keyHash) {
      const { rows } = await run('defaultByKey', [bytes(keyHash)]);
      return rows[0] === undefined ? undefined : toKeyConnection(rows[0]);
    },
    async getDefaultConnection(developerId) {
      return optional(await run('defaultConnection', [developerId]));
    },
    async getConnection(developerId, connectionId) {
      return optional(await run('connection', [connectionId, developerId]));
    },
    async saveDefaultOidcConnection(w) {
      const { rows } = await run('saveDefaultOidc', defaultOidcParams(w));
      return toSavedConnection(rows[0]);
    },
    async deleteDefaultConnection(developerId) {
      return optional(await run('deleteDefault', [developerId]));
    },
    async listConnections(developerId) {
      const { rows } = await run('connections', [developerId]);
      return rows.map(toConnection);
    },
    async createConnection(c) {
      const insert = () => run('createConnection', connectionParams(c));
      try {
        return toConnection((await insert()).rows[0]);
      } catch (err) {
        // Two first connections of one org at once: both saw no default, one got it; the other retries and
        // sees it (each statement reads the latest committed rows).
        if (!isPgUniqueViolation(err)) throw err;
        return toConnection((await insert()).rows[0]);
      }
    },
    async replaceConnection(next, expectedUpdatedAt) {
      return optional(await run('replaceConnection', replaceParams(next, expectedUpdatedAt)));
    },
    async deleteConnection(developerId, connectionId) {
      return optional(await run('deleteConnection', [connectionId, developerId]));
    },
    async createSetupLink(link) {
      return toSetupLink((await run('createSetupLink', setupLinkParams(link))).rows[0]);
    },
    async findSetupLinkByToken(tokenHash) {
      const { rows } = await run('setupLinkByToken', [bytes(tokenHash)]);
      return rows[0] === undefined ? undefined : toSetupLinkWithOrg(rows[0]);
    },
    async listSetupLinks(developerId, usesPerLink) {
      const [links, uses] = await Promise.all([run('setupLinks', [developerId]), run('setupLinkUses', [developerId, usesPerLink])]);
      return withUses(links.rows.map(toSetupLink), uses.rows.map(toSetupLinkUse));
    },
    async revokeSetupLink(developerId, linkId, revokedAt) {
      const { rows } = await run('revokeSetupLink', [revokedAt, linkId, developerId]);
      return rows[0] === undefined ? undefined : toSetupLink(rows[0]);
    },
    async recordSetupLinkUse(use) {
      await run('recordSetupLinkUse', setupLinkUseParams(use));
    },
    async claimState(stateId, developerId, expiresAtMs) {
      return (await run('claimState', [stateId, developerId, expiresAtMs])).rowCount === 1;
    },
    async getStateFailure(stateId) {
      const { rows } = await run('stateFailure', [stateId]);
      return rows[0] === undefined ? undefined : toStateFailure(rows[0]);
    },
    async recordStateFailure(stateId, f) {
      await run('recordFailure', [stateId, f.status, f.code, f.message]);
    },
    async claimAssertionId(developerId, connectionId, assertionId, expiresAtMs) {
      return (await run('claimAssertion', [developerId, assertionId, connectionId, expiresAtMs])).rowCount === 1;
    },
    async getConnectionById(connectionId) {
      return optional(await run('connectionById', [connectionId]));
    },
    async findOidcConnectionIdsByRedirectUri(redirectUri, limit) {
      return (await run('idsByRedirectUri', [redirectUri, limit])).rows.map((r) => String((r as { id: unknown }).id));
    },
    async getDeveloper(developerId) {
      const { rows } = await run('developerById', [developerId]);
      return rows[0] === undefined ? undefined : toDeveloper(rows[0]);
    },
    async purgeExpired(beforeMs, nowMs) {
      const purged = await run('purgeStates', [beforeMs]);
      await run('purgeAssertions', [nowMs]);
      await run('purgeRateLimits', [nowMs]);
      await run('purgeSessions', [new Date(nowMs).toISOString()]);
      return purged.rowCount ?? 0;
    },
    async signInMember(s) {
      const { rows } = await run(s.jit ? 'signInJit' : 'signInExisting', [...principalParams(s), ...sessionParams(s)]);
      return rows[0] === undefined ? undefined : toSession(rows[0]);
    },
    async listActiveSessions(developerId, nowIso, limit) {
      const { rows } = await run('activeSessions', [developerId, nowIso, limit]);
      return rows.map(toSession);
    },
    async getActiveSession(developerId, sessionId, nowIso) {
      const { rows } = await run('activeSession', [sessionId, developerId, nowIso]);
      return rows[0] === undefined ? undefined : toSession(rows[0]);
    },
    async revokeSession(developerId, sessionId, nowIso) {
      return (await run('revokeSession', [sessionId, developerId, nowIso])).rowCount === 1;
    },
    async lastSignIns(developerId) {
      return toLastSignIns((await run('lastSignIns', [developerId])).rows);
    },
    async listDomains(developerId) {
      return (await run('domains', [developerId])).rows.map(toDomain);
    },
    async getDomain(developerId, domain) {
      const { rows } = await run('domain', [developerId, domain]);
      return rows[0] === undefined ? undefined : toDomain(rows[0]);
    },
    async addDomain(record) {
      const { rows } = await run('addDomain', domainParams(record));
      if (rows[0] !== undefined) return { created: true, domain: toDomain(rows[0]) };
      return { created: false, domain: toDomain((await run('domain', [record.developerId, record.domain])).rows[0]) };
    },
    async markDomainVerified(developerId, domain, nowIso) {
      try {
        const { rows } = await run('verifyDomain', [developerId, domain, nowIso]);
        return rows[0] === undefined ? { kind: 'missing' } : { kind: 'verified', domain: toDomain(rows[0]) };
      } catch (err) {
        if (!isPgUniqueViolation(err)) throw err;
        return { kind: 'taken' };
      }
    },
    async markDomainChecked(developerId, domain, nowIso) {
      const { rows } = await run('checkDomain', [developerId, domain, nowIso]);
      return rows[0] === undefined ? undefined : toDomain(rows[0]);
    },
    async deleteDomain(developerId, domain) {
      return (await run('deleteDomain', [developerId, domain])).rowCount === 1;
    },
    async findVerifiedDomainConnections(domain, limit) {
      return (await run('verifiedDomainConnections', [domain, limit])).rows.map(toConnection);
    },
    async findOrgDomainConnections(developerId, domain, limit) {
      return (await run('orgDomainConnections', [developerId, domain, limit])).rows.map(toConnection);
    },
    events: createPostgresEventStore(run),
    async close() {
      await pool.end();
    },
  };
}
