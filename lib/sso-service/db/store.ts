/**
 * All SQL the service runs, as statements prepared once at start-up. Routes call these functions and
 * never see SQL. Multi-statement writes run in IMMEDIATE transactions, so a failed write changes nothing.
 */
import type Database from 'better-sqlite3';
import { z } from 'zod';
import {
  consumedStateRowSchema,
  developerRowSchema,
  ssoConfigRowSchema,
  type ConsumedStateRow,
  type DeveloperRow,
  type SsoConfigRow,
} from './rows';

const keyDeveloperIdSchema = z.string();

export interface NewDeveloper {
  id: string;
  name: string;
  email: string | null;
  mode: DeveloperRow['mode'];
  plan: string;
  createdAt: string;
  keyHash: Buffer;
}

export interface SsoConfigWrite {
  developerId: string;
  /** Used only when the developer has no config yet: the connection id stays stable across updates. */
  newConnectionId: string;
  issuerUrl: string;
  clientId: string;
  clientSecretEnc: Buffer;
  redirectUri: string;
  now: string;
}

export type StateFailure = { status: number; code: string; message: string };

export interface ServiceStore {
  createDeveloper(dev: NewDeveloper): 'created' | 'email_taken';
  findDeveloperByKeyHash(keyHash: Buffer): DeveloperRow | undefined;
  /** The developer behind a key (undefined: no such key) and its config (null: none), in one query. */
  findConfigByKeyHash(keyHash: Buffer): { developerId: string; config: SsoConfigRow | null } | undefined;
  getSsoConfig(developerId: string): SsoConfigRow | undefined;
  upsertSsoConfig(write: SsoConfigWrite): SsoConfigRow;
  deleteSsoConfig(developerId: string): SsoConfigRow | undefined;
  /** Claims a state id; false when it was claimed before (a replay). */
  consumeState(stateId: string, developerId: string, expiresAtMs: number): boolean;
  getConsumedState(stateId: string): ConsumedStateRow | undefined;
  recordStateSuccess(stateId: string): void;
  recordStateFailure(stateId: string, failure: StateFailure): void;
  purgeConsumedStates(beforeMs: number): number;
}

function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

export function createStore(db: Database.Database): ServiceStore {
  const insertDeveloper = db.prepare(
    'INSERT INTO developers (id, name, email, mode, plan, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const insertApiKey = db.prepare('INSERT INTO api_keys (key_hash, developer_id, created_at) VALUES (?, ?, ?)');
  const selectDeveloperByKey = db.prepare(
    `SELECT d.id, d.name, d.email, d.mode, d.plan, d.created_at
       FROM api_keys k JOIN developers d ON d.id = k.developer_id
      WHERE k.key_hash = ?`,
  );
  const selectConfigByKey = db.prepare(
    `SELECT k.developer_id AS key_developer_id, c.*
       FROM api_keys k LEFT JOIN sso_configs c ON c.developer_id = k.developer_id
      WHERE k.key_hash = ?`,
  );
  const selectConfig = db.prepare('SELECT * FROM sso_configs WHERE developer_id = ?');
  // One statement, so atomic without a transaction: on update the connection id and createdAt are kept.
  const upsertConfig = db.prepare(
    `INSERT INTO sso_configs
       (developer_id, connection_id, issuer_url, client_id, client_secret_enc, redirect_uri, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (developer_id) DO UPDATE SET
       issuer_url = excluded.issuer_url,
       client_id = excluded.client_id,
       client_secret_enc = excluded.client_secret_enc,
       redirect_uri = excluded.redirect_uri,
       updated_at = excluded.updated_at
     RETURNING *`,
  );
  const deleteConfig = db.prepare('DELETE FROM sso_configs WHERE developer_id = ?');
  const insertState = db.prepare(
    `INSERT INTO consumed_states (state_id, developer_id, expires_at, outcome) VALUES (?, ?, ?, 'pending')
     ON CONFLICT (state_id) DO NOTHING`,
  );
  const selectState = db.prepare(
    'SELECT outcome, error_status, error_code, error_message FROM consumed_states WHERE state_id = ?',
  );
  const markStateOk = db.prepare("UPDATE consumed_states SET outcome = 'ok' WHERE state_id = ?");
  const markStateFailed = db.prepare(
    "UPDATE consumed_states SET outcome = 'failed', error_status = ?, error_code = ?, error_message = ? WHERE state_id = ?",
  );
  const purgeStates = db.prepare('DELETE FROM consumed_states WHERE expires_at < ?');

  const parseConfig = (row: unknown) => (row === undefined ? undefined : ssoConfigRowSchema.parse(row));

  const createDeveloperTx = db.transaction((dev: NewDeveloper) => {
    insertDeveloper.run(dev.id, dev.name, dev.email, dev.mode, dev.plan, dev.createdAt);
    insertApiKey.run(dev.keyHash, dev.id, dev.createdAt);
  });

  const deleteTx = db.transaction((developerId: string) => {
    const existing = parseConfig(selectConfig.get(developerId));
    if (existing) deleteConfig.run(developerId);
    return existing;
  });

  return {
    createDeveloper(dev) {
      try {
        createDeveloperTx.immediate(dev);
        return 'created';
      } catch (err) {
        if (isUniqueViolation(err) && dev.email !== null) return 'email_taken';
        throw err;
      }
    },
    findDeveloperByKeyHash(keyHash) {
      const row = selectDeveloperByKey.get(keyHash);
      return row === undefined ? undefined : developerRowSchema.parse(row);
    },
    findConfigByKeyHash(keyHash) {
      const row = selectConfigByKey.get(keyHash) as { key_developer_id: unknown; developer_id: unknown } | undefined;
      if (row === undefined) return undefined;
      const developerId = keyDeveloperIdSchema.parse(row.key_developer_id);
      return { developerId, config: row.developer_id === null ? null : ssoConfigRowSchema.parse(row) };
    },
    getSsoConfig(developerId) {
      return parseConfig(selectConfig.get(developerId));
    },
    upsertSsoConfig(w) {
      const row = parseConfig(
        upsertConfig.get(
          w.developerId,
          w.newConnectionId,
          w.issuerUrl,
          w.clientId,
          w.clientSecretEnc,
          w.redirectUri,
          w.now,
          w.now,
        ),
      );
      if (!row) throw new Error('sso config upsert returned no row');
      return row;
    },
    deleteSsoConfig(developerId) {
      return deleteTx.immediate(developerId);
    },
    consumeState(stateId, developerId, expiresAtMs) {
      return insertState.run(stateId, developerId, expiresAtMs).changes === 1;
    },
    getConsumedState(stateId) {
      const row = selectState.get(stateId);
      return row === undefined ? undefined : consumedStateRowSchema.parse(row);
    },
    recordStateSuccess(stateId) {
      markStateOk.run(stateId);
    },
    recordStateFailure(stateId, f) {
      markStateFailed.run(f.status, f.code, f.message, stateId);
    },
    purgeConsumedStates(beforeMs) {
      return purgeStates.run(beforeMs).changes;
    },
  };
}
