/**
 * The SQLite implementation of ServiceStore (the default). Every statement is prepared once at start-up;
 * each method is one statement (so atomic without an explicit transaction) except createDeveloper, which
 * runs two inserts in one IMMEDIATE transaction. better-sqlite3 is synchronous: methods run to completion
 * and return settled promises, so the async seam costs a promise, not a thread hop.
 * Rows are turned into domain records here (and parsed with zod, so a schema drift fails loudly).
 */
import type Database from 'better-sqlite3';
import { bytes, CONNECTION_COLUMNS, CONNECTION_UPDATE_COLUMNS, connectionParams, replaceParams, DEFAULT_OIDC_UPSERT_TAIL, defaultOidcParams, DEVELOPER_COLUMNS, toConnection, toDeveloper, toKeyConnection, toSavedConnection, toStateFailure } from '../rows';
import type { ServiceStore, StateFailure } from '../types';
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
    claimState: guarded((stateId, developerId, expiresAtMs) => insertState.run(stateId, developerId, expiresAtMs).changes === 1),
    getStateFailure: guarded((stateId): StateFailure | undefined => {
      const row = selectFailure.get(stateId);
      return row === undefined ? undefined : toStateFailure(row);
    }),
    recordStateFailure: guarded((stateId, f) => {
      markStateFailed.run(f.status, f.code, f.message, stateId);
    }),
    purgeExpired: guarded((beforeMs) => purgeStates.run(beforeMs).changes),
    events: createSqliteEventStore(db, guarded),
    close: guarded(() => {
      db.close();
    }),
  };
}
