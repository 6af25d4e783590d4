/**
 * The SQLite implementation of ServiceStore (the default). Every statement is prepared once at start-up;
 * each method is one statement (so atomic without an explicit transaction) except createDeveloper, which
 * runs two inserts in one IMMEDIATE transaction. better-sqlite3 is synchronous: methods run to completion
 * and return settled promises, so the async seam costs a promise, not a thread hop.
 * Rows are turned into domain records here (and parsed with zod, so a schema drift fails loudly).
 */
import type Database from 'better-sqlite3';
import { bytes, CONNECTION_COLUMNS, SESSION_COLUMNS, sessionParams, toLastSignIns, toSession, CONNECTION_UPDATE_COLUMNS, connectionParams, replaceParams, DEFAULT_OIDC_UPSERT_TAIL, defaultOidcParams, DEVELOPER_COLUMNS, toConnection, toDeveloper, toKeyConnection, toSavedConnection, toStateFailure, DOMAIN_COLUMNS, domainParams, toDomain, insertSetupLinkSql, insertSetupLinkUseSql, revokeSetupLinkSql, setupLinkByTokenSql, setupLinkParams, setupLinksOfOrgSql, setupLinkUseParams, setupLinkUsesOfOrgSql, toSetupLink, toSetupLinkUse, toSetupLinkWithOrg, withUses, CLAIM_ASSERTION_SQL, PURGE_ASSERTIONS_SQL, CONNECTION_BY_ID_SQL, DEVELOPER_BY_ID_SQL } from '../rows';
import type { MemberSignIn, ServiceStore, StateFailure } from '../types';
import { isSqliteUniqueViolation, mapSqliteError } from './errors';
import { createSqliteEventStore } from './events-store';


/** Runs `op`, turning a thrown driver error into a rejected StoreError (mapped in one place). */
function guarded<A extends unknown[], R>(op: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) => {
    try {
      return Promise.resolve(op(...args));
    } catch (err) {
      return Promise.reject(mapSqliteError(err));
    }
  };
}

const optional = (row: unknown) => (row === undefined ? undefined : toConnection(row));

export function createSqliteStore(db: Database.Database): ServiceStore {
  const insertDeveloper = db.prepare(
    'INSERT INTO developers (id, name, email, mode, plan, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertApiKey = db.prepare('INSERT INTO api_keys (key_hash, developer_id, created_at) VALUES (?, ?, ?)');
  const selectDeveloperByKey = db.prepare(
    `SELECT ${DEVELOPER_COLUMNS}
       FROM api_keys k JOIN developers d ON d.id = k.developer_id
      WHERE k.key_hash = ?`,
  );
  const selectDefaultByKey = db.prepare(
    `SELECT k.developer_id AS key_developer_id, c.*
       FROM api_keys k LEFT JOIN sso_connections c ON c.default_for = k.developer_id
      WHERE k.key_hash = ?`,
  );
  const selectDefault = db.prepare(`SELECT ${CONNECTION_COLUMNS} FROM sso_connections WHERE default_for = ?`);
  const selectConnection = db.prepare(`SELECT ${CONNECTION_COLUMNS} FROM sso_connections WHERE id = ? AND developer_id = ?`);
  const upsertDefaultOidc = db.prepare(
    `INSERT INTO sso_connections (${CONNECTION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ${DEFAULT_OIDC_UPSERT_TAIL}`,
  );
  const deleteDefault = db.prepare(`DELETE FROM sso_connections WHERE default_for = ? RETURNING ${CONNECTION_COLUMNS}`);
  const selectConnections = db.prepare(
    `SELECT ${CONNECTION_COLUMNS} FROM sso_connections WHERE developer_id = ? ORDER BY created_at, id`,
  );
  // Writers are serialized on SQLite, so "default when the org has none" needs no retry here.
  const insertConnection = db.prepare(
    `INSERT INTO sso_connections (${CONNECTION_COLUMNS})
     VALUES (?, ?, CASE WHEN EXISTS (SELECT 1 FROM sso_connections WHERE default_for = ?) THEN NULL ELSE ? END,
             ?, ?, ?, ?, ?, ?, ?, ?, ?)
     RETURNING ${CONNECTION_COLUMNS}`,
  );
  const updateConnection = db.prepare(
    `UPDATE sso_connections SET ${CONNECTION_UPDATE_COLUMNS.map((c) => `${c} = ?`).join(', ')}
      WHERE id = ? AND developer_id = ? AND updated_at = ? RETURNING ${CONNECTION_COLUMNS}`,
  );
  const deleteConnection = db.prepare(
    `DELETE FROM sso_connections WHERE id = ? AND developer_id = ? RETURNING ${CONNECTION_COLUMNS}`,
  );
  const insertState = db.prepare(
    `INSERT INTO consumed_states (state_id, developer_id, expires_at, outcome) VALUES (?, ?, ?, 'pending')
     ON CONFLICT (state_id) DO NOTHING`,
  );
  const selectFailure = db.prepare(
    `SELECT error_status, error_code, error_message FROM consumed_states
      WHERE state_id = ? AND outcome = 'failed'`,
  );
  const markStateFailed = db.prepare(
    "UPDATE consumed_states SET outcome = 'failed', error_status = ?, error_code = ?, error_message = ? WHERE state_id = ?",
  );
  const purgeStates = db.prepare('DELETE FROM consumed_states WHERE expires_at < ?');
  const purgeSessions = db.prepare('DELETE FROM sso_sessions WHERE expires_at < ?');
  const insertAssertion = db.prepare(`${CLAIM_ASSERTION_SQL} VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`);
  const purgeAssertions = db.prepare(PURGE_ASSERTIONS_SQL('?'));
  const selectConnectionById = db.prepare(CONNECTION_BY_ID_SQL('?'));
  // The expression is the one migration 8 indexes.
  const selectIdsByRedirectUri = db.prepare(
    `SELECT id FROM sso_connections WHERE protocol = 'oidc' AND json_extract(settings, '$.redirectUri') = ? LIMIT ?`,
  );
  const selectDeveloperById = db.prepare(DEVELOPER_BY_ID_SQL('?'));

  // Principals and sessions. A member sign-in is two statements in one IMMEDIATE transaction (SQLite has no
  // data-modifying CTE); both run in-process, so it is still one call.
  const upsertPrincipal = db.prepare(
    `INSERT INTO sso_principals (id, developer_id, connection_id, idp_subject, email, name, groups, created_at, updated_at, last_sign_in_at)
     VALUES (@id, @developerId, @connectionId, @subject, @email, @name, @groups, @now, @now, @now)
     ON CONFLICT (connection_id, idp_subject) DO UPDATE SET
       email = excluded.email, name = excluded.name, groups = excluded.groups,
       updated_at = excluded.updated_at, last_sign_in_at = excluded.last_sign_in_at
     RETURNING id`,
  );
  const updatePrincipal = db.prepare(
    `UPDATE sso_principals SET email = @email, name = @name, groups = @groups, updated_at = @now, last_sign_in_at = @now
      WHERE developer_id = @developerId AND connection_id = @connectionId AND idp_subject = @subject
      RETURNING id`,
  );
  const insertSession = db.prepare(
    `INSERT INTO sso_sessions (principal_id, id, developer_id, connection_id, email, name, idp_subject, groups, mapped_scopes, expires_at, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${SESSION_COLUMNS}`,
  );
  const selectActiveSessions = db.prepare(
    `SELECT ${SESSION_COLUMNS} FROM sso_sessions
      WHERE developer_id = ? AND revoked_at IS NULL AND expires_at > ?
      ORDER BY created_at DESC, id DESC LIMIT ?`,
  );
  const selectActiveSession = db.prepare(
    `SELECT ${SESSION_COLUMNS} FROM sso_sessions
      WHERE id = ? AND developer_id = ? AND revoked_at IS NULL AND expires_at > ?`,
  );
  const markSessionRevoked = db.prepare(
    `UPDATE sso_sessions SET revoked_at = @now
      WHERE id = @id AND developer_id = @developerId AND revoked_at IS NULL AND expires_at > @now`,
  );
  const selectLastSignIns = db.prepare(
    `SELECT connection_id, MAX(last_sign_in_at) AS last_sign_in_at FROM sso_principals
      WHERE developer_id = ? GROUP BY connection_id`,
  );

  const signInTx = db.transaction((s: MemberSignIn) => {
    const member = {
      developerId: s.developerId,
      connectionId: s.connectionId,
      subject: s.idpSubject,
      email: s.email,
      name: s.name,
      groups: JSON.stringify(s.groups),
      now: s.now,
    };
    const principal = s.jit ? upsertPrincipal.get({ id: s.newPrincipalId, ...member }) : updatePrincipal.get(member);
    if (principal === undefined) return undefined;
    return toSession(insertSession.get((principal as { id: string }).id, ...sessionParams(s)));
  });

  // Verified domains (migration 4).
  const selectDomains = db.prepare(`SELECT ${DOMAIN_COLUMNS} FROM sso_domains WHERE developer_id = ? ORDER BY created_at, domain`);
  const selectDomain = db.prepare(`SELECT ${DOMAIN_COLUMNS} FROM sso_domains WHERE developer_id = ? AND domain = ?`);
  const insertDomain = db.prepare(
    `INSERT INTO sso_domains (${DOMAIN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (developer_id, domain) DO NOTHING RETURNING ${DOMAIN_COLUMNS}`,
  );
  const verifyDomain = db.prepare(
    `UPDATE sso_domains SET verified_at = COALESCE(verified_at, ?), last_checked_at = ?
      WHERE developer_id = ? AND domain = ? RETURNING ${DOMAIN_COLUMNS}`,
  );
  const checkDomain = db.prepare(
    `UPDATE sso_domains SET last_checked_at = ? WHERE developer_id = ? AND domain = ? RETURNING ${DOMAIN_COLUMNS}`,
  );
  const removeDomain = db.prepare('DELETE FROM sso_domains WHERE developer_id = ? AND domain = ?');
  const listsDomain = 'EXISTS (SELECT 1 FROM json_each(c.domains) WHERE json_each.value = ?)';
  // The partial unique index on verified domains finds the org, sso_connections_developer its connections.
  const selectVerifiedDomainConnections = db.prepare(
    `SELECT ${CONNECTION_COLUMNS.split(', ').map((col) => `c.${col}`).join(', ')}
       FROM sso_domains d JOIN sso_connections c ON c.developer_id = d.developer_id
      WHERE d.domain = ? AND d.verified_at IS NOT NULL AND c.status = 'active' AND ${listsDomain}
      ORDER BY c.created_at, c.id LIMIT ?`,
  );
  const selectOrgDomainConnections = db.prepare(
    `SELECT ${CONNECTION_COLUMNS} FROM sso_connections c
      WHERE c.developer_id = ? AND c.status = 'active' AND ${listsDomain}
      ORDER BY c.created_at, c.id LIMIT ?`,
  );
  const insertSetupLink = db.prepare(insertSetupLinkSql(Array<string>(7).fill('?')));
  const selectSetupLinkByToken = db.prepare(setupLinkByTokenSql('?'));
  const selectSetupLinks = db.prepare(setupLinksOfOrgSql('?'));
  const selectSetupLinkUses = db.prepare(setupLinkUsesOfOrgSql('?', '?'));
  const revokeSetupLink = db.prepare(revokeSetupLinkSql('?', '?', '?'));
  const insertSetupLinkUse = db.prepare(insertSetupLinkUseSql(Array<string>(5).fill('?')));

  const createDeveloperTx = db.transaction((dev: Parameters<ServiceStore['createDeveloper']>[0]) => {
    insertDeveloper.run(dev.id, dev.name, dev.email, dev.mode, dev.plan, dev.createdAt);
    insertApiKey.run(bytes(dev.keyHash), dev.id, dev.createdAt);
  });

  return {
    backend: 'sqlite',
    // One process owns a SQLite file: the rate-limit plugin's in-memory counters are exact and cost no write.
    sharedRateLimits: null,
    createDeveloper: guarded((dev) => {
      try {
        createDeveloperTx.immediate(dev);
        return 'created' as const;
      } catch (err) {
        if (isSqliteUniqueViolation(err) && dev.email !== null) return 'email_taken' as const;
        throw err;
      }
    }),
    findDeveloperByKey: guarded((keyHash) => {
      const row = selectDeveloperByKey.get(bytes(keyHash));
      return row === undefined ? undefined : toDeveloper(row);
    }),
    findDefaultConnectionByKey: guarded((keyHash) => {
      const row = selectDefaultByKey.get(bytes(keyHash));
      return row === undefined ? undefined : toKeyConnection(row);
    }),
    getDefaultConnection: guarded((developerId) => optional(selectDefault.get(developerId))),
    getConnection: guarded((developerId, connectionId) => optional(selectConnection.get(connectionId, developerId))),
    // The last parameter (`now`) is bound twice: createdAt of a first save and updatedAt.
    saveDefaultOidcConnection: guarded((w) => toSavedConnection(upsertDefaultOidc.get(...defaultOidcParams(w), w.now))),
    deleteDefaultConnection: guarded((developerId) => optional(deleteDefault.get(developerId))),
    listConnections: guarded((developerId) => selectConnections.all(developerId).map(toConnection)),
    createConnection: guarded((c) => {
      const [id, developerId, ...rest] = connectionParams(c);
      return toConnection(insertConnection.get(id, developerId, developerId, developerId, ...rest));
    }),
    replaceConnection: guarded((next, expectedUpdatedAt) => optional(updateConnection.get(...replaceParams(next, expectedUpdatedAt)))),
    deleteConnection: guarded((developerId, connectionId) => optional(deleteConnection.get(connectionId, developerId))),
    createSetupLink: guarded((link) => toSetupLink(insertSetupLink.get(...setupLinkParams(link)))),
    findSetupLinkByToken: guarded((tokenHash) => {
      const row = selectSetupLinkByToken.get(bytes(tokenHash));
      return row === undefined ? undefined : toSetupLinkWithOrg(row);
    }),
    listSetupLinks: guarded((developerId, usesPerLink) =>
      withUses(selectSetupLinks.all(developerId).map(toSetupLink), selectSetupLinkUses.all(developerId, usesPerLink).map(toSetupLinkUse)),
    ),
    revokeSetupLink: guarded((developerId, linkId, revokedAt) => {
      const row = revokeSetupLink.get(revokedAt, linkId, developerId);
      return row === undefined ? undefined : toSetupLink(row);
    }),
    recordSetupLinkUse: guarded((use) => {
      insertSetupLinkUse.run(...setupLinkUseParams(use));
    }),
    claimState: guarded((stateId, developerId, expiresAtMs) => insertState.run(stateId, developerId, expiresAtMs).changes === 1),
    getStateFailure: guarded((stateId): StateFailure | undefined => {
      const row = selectFailure.get(stateId);
      return row === undefined ? undefined : toStateFailure(row);
    }),
    recordStateFailure: guarded((stateId, f) => {
      markStateFailed.run(f.status, f.code, f.message, stateId);
    }),
    claimAssertionId: guarded((developerId, connectionId, assertionId, expiresAtMs) =>
      insertAssertion.run(developerId, assertionId, connectionId, expiresAtMs).changes === 1,
    ),
    getConnectionById: guarded((connectionId) => optional(selectConnectionById.get(connectionId))),
    findOidcConnectionIdsByRedirectUri: guarded((redirectUri, limit) =>
      (selectIdsByRedirectUri.all(redirectUri, limit) as { id: string }[]).map((r) => r.id),
    ),
    getDeveloper: guarded((developerId) => {
      const row = selectDeveloperById.get(developerId);
      return row === undefined ? undefined : toDeveloper(row);
    }),
    purgeExpired: guarded((beforeMs, nowMs) => {
      purgeSessions.run(new Date(nowMs).toISOString());
      purgeAssertions.run(nowMs);
      return purgeStates.run(beforeMs).changes;
    }),
    signInMember: guarded((s) => signInTx.immediate(s)),
    listActiveSessions: guarded((developerId, nowIso, limit) => selectActiveSessions.all(developerId, nowIso, limit).map(toSession)),
    getActiveSession: guarded((developerId, sessionId, nowIso) => {
      const row = selectActiveSession.get(sessionId, developerId, nowIso);
      return row === undefined ? undefined : toSession(row);
    }),
    revokeSession: guarded((developerId, sessionId, nowIso) => markSessionRevoked.run({ id: sessionId, developerId, now: nowIso }).changes === 1),
    lastSignIns: guarded((developerId) => toLastSignIns(selectLastSignIns.all(developerId))),
    listDomains: guarded((developerId) => selectDomains.all(developerId).map(toDomain)),
    getDomain: guarded((developerId, domain) => {
      const row = selectDomain.get(developerId, domain);
      return row === undefined ? undefined : toDomain(row);
    }),
    addDomain: guarded((record) => {
      const inserted = insertDomain.get(...domainParams(record));
      if (inserted !== undefined) return { created: true, domain: toDomain(inserted) };
      return { created: false, domain: toDomain(selectDomain.get(record.developerId, record.domain)) };
    }),
    markDomainVerified: guarded((developerId, domain, nowIso) => {
      try {
        const row = verifyDomain.get(nowIso, nowIso, developerId, domain);
        return row === undefined ? { kind: 'missing' as const } : { kind: 'verified' as const, domain: toDomain(row) };
      } catch (err) {
        if (!isSqliteUniqueViolation(err)) throw err;
        return { kind: 'taken' as const };
      }
    }),
    markDomainChecked: guarded((developerId, domain, nowIso) => {
      const row = checkDomain.get(nowIso, developerId, domain);
      return row === undefined ? undefined : toDomain(row);
    }),
    deleteDomain: guarded((developerId, domain) => removeDomain.run(developerId, domain).changes === 1),
    findVerifiedDomainConnections: guarded((domain, limit) =>
      selectVerifiedDomainConnections.all(domain, domain, limit).map(toConnection),
    ),
    findOrgDomainConnections: guarded((developerId, domain, limit) =>
      selectOrgDomainConnections.all(developerId, domain, limit).map(toConnection),
    ),
    events: createSqliteEventStore(db, guarded),
    close: guarded(() => {
      db.close();
    }),
  };
}
