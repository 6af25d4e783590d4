/**
 * A SAML connection's SP keys (migration 15): at most one key per connection, use and state (`current`, `next`,
 * `previous`), enforced by a UNIQUE constraint, so two rotations at once cannot both add a `next` key. The private
 * key stays sealed here; the caller seals and opens it (features/sp-keys/service.ts). Written once against
 * Kysely for both backends.
 */
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';

export const SP_KEY_USES = ['signing', 'encryption'] as const;
export type SpKeyUse = (typeof SP_KEY_USES)[number];
export const SP_KEY_STATES = ['next', 'current', 'previous'] as const;
export type SpKeyState = (typeof SP_KEY_STATES)[number];

/** One stored SP key; `privateKeySealed` is the secret box's text (AAD: spKeyAad). */
export interface StoredSpKey {
  id: string;
  connectionId: string;
  developerId: string;
  use: SpKeyUse;
  state: SpKeyState;
  privateKeySealed: string;
  certificatePem: string;
  /** ISO-8601, UTC. */
  createdAt: string;
}

export interface SpKeysStore {
  /** The connection's keys (any use), oldest first. */
  listSpKeys(connectionId: string): Promise<StoredSpKey[]>;
  /**
   * Inserts a key; false when the connection already has a key of that use in that state (nothing written).
   * When `dropPrevious`, the connection's `previous` key of that use is deleted in the same transaction.
   */
  addSpKey(key: StoredSpKey, options?: { dropPrevious?: boolean }): Promise<boolean>;
  /**
   * Promotion, atomically: the `previous` key of that use is deleted, `current` becomes `previous` and `next`
   * becomes `current`. False (nothing changed) when the connection has no `next` key of that use.
   */
  promoteSpKey(connectionId: string, use: SpKeyUse): Promise<boolean>;
  /** The removed key, or undefined when the connection has no key with that id. */
  deleteSpKey(connectionId: string, keyId: string): Promise<StoredSpKey | undefined>;
}

const spKeyRow = z.object({
  id: z.string(),
  connection_id: z.string(),
  developer_id: z.string(),
  key_use: z.enum(SP_KEY_USES),
  state: z.enum(SP_KEY_STATES),
  private_key_enc: z.string(),
  certificate_pem: z.string(),
  created_at: z.string(),
});

const SP_KEY_COLUMNS = [
  'id',
  'connection_id',
  'developer_id',
  'key_use',
  'state',
  'private_key_enc',
  'certificate_pem',
  'created_at',
] as const;

function toSpKey(row: unknown): StoredSpKey {
  const r = spKeyRow.parse(row);
  return {
    id: r.id,
    connectionId: r.connection_id,
    developerId: r.developer_id,
    use: r.key_use,
    state: r.state,
    privateKeySealed: r.private_key_enc,
    certificatePem: r.certificate_pem,
    createdAt: r.created_at,
  };
}

export function createSpKeysStore(database: StoreDatabase): SpKeysStore {
  const { db, dialect } = database;
  return {
    async listSpKeys(connectionId) {
      const rows = await db
        .selectFrom('saml_sp_keys')
        .select(SP_KEY_COLUMNS)
        .where('connection_id', '=', connectionId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toSpKey);
    },
    async addSpKey(k, options = {}) {
      try {
        await db.transaction().execute(async (tx) => {
          if (options.dropPrevious) {
            await tx
              .deleteFrom('saml_sp_keys')
              .where('connection_id', '=', k.connectionId)
              .where('key_use', '=', k.use)
              .where('state', '=', 'previous')
              .execute();
          }
          await tx
            .insertInto('saml_sp_keys')
            .values({
              id: k.id,
              connection_id: k.connectionId,
              developer_id: k.developerId,
              key_use: k.use,
              state: k.state,
              private_key_enc: k.privateKeySealed,
              certificate_pem: k.certificatePem,
              created_at: k.createdAt,
            })
            .execute();
        });
        return true;
      } catch (err) {
        if (dialect.isUniqueViolation(err)) return false;
        throw err;
      }
    },
    async promoteSpKey(connectionId, use) {
      return db.transaction().execute(async (tx) => {
        const ofUse = () =>
          tx.updateTable('saml_sp_keys').where('connection_id', '=', connectionId).where('key_use', '=', use);
        const next = await tx
          .selectFrom('saml_sp_keys')
          .select('id')
          .where('connection_id', '=', connectionId)
          .where('key_use', '=', use)
          .where('state', '=', 'next')
          .executeTakeFirst();
        if (!next) return false;
        await tx
          .deleteFrom('saml_sp_keys')
          .where('connection_id', '=', connectionId)
          .where('key_use', '=', use)
          .where('state', '=', 'previous')
          .execute();
        // One state at a time, so the UNIQUE (connection, use, state) constraint holds after every statement.
        await ofUse().set({ state: 'previous' }).where('state', '=', 'current').execute();
        await ofUse().set({ state: 'current' }).where('id', '=', next.id).execute();
        return true;
      });
    },
    async deleteSpKey(connectionId, keyId) {
      const row = await db
        .deleteFrom('saml_sp_keys')
        .where('connection_id', '=', connectionId)
        .where('id', '=', keyId)
        .returning(SP_KEY_COLUMNS)
        .executeTakeFirst();
      return row === undefined ? undefined : toSpKey(row);
    },
  };
}
