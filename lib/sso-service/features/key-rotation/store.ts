/**
 * Every column that holds a value sealed by the secret box (crypto/secret-box.ts), read in primary-key order and
 * replaced one row at a time with a compare-and-set on the old value, for the re-seal job (reseal.ts). The
 * compare-and-set is what makes the job safe beside running services: a row the service rewrote meanwhile
 * (a new client secret, a webhook secret rotation, a deleted session) is left as it is now.
 * Written once against Kysely for both backends.
 */
import type { StoreDatabase } from '../../storage/connect';

/**
 * The sealed columns. Short-lived sealed values are not here: login states (in saml_relay_states) live ten
 * minutes under the state secret, and the SAML logout RelayState lives in the IdP's round trip.
 */
export const SEALED_COLUMNS = [
  'sso_connections.secret_enc',
  'saml_sp_keys.private_key_enc',
  'webhook_endpoints.secret_sealed',
  'webhook_endpoints.previous_secret_sealed',
  'sso_session_logout.id_token_sealed',
] as const;
export type SealedColumn = (typeof SEALED_COLUMNS)[number];

/** One sealed value and what its associated data is made of. */
export interface SealedValue {
  /** The row's primary key (the session id for sso_session_logout). */
  rowId: string;
  developerId: string;
  /** The row's connection, where it has one (SP keys' associated data names it). */
  connectionId: string | null;
  /** The secret box's text (base64url), as the service reads it. */
  sealed: string;
}

export interface KeyRotationStore {
  /** Up to `limit` non-NULL values of the column whose row id sorts after `afterRowId` (null: from the start), in row-id order. */
  listSealedValues(column: SealedColumn, afterRowId: string | null, limit: number): Promise<SealedValue[]>;
  /** Writes `replacement` only while the column still holds `expected`; false when it changed or the row is gone. */
  replaceSealedValue(column: SealedColumn, rowId: string, expected: string, replacement: string): Promise<boolean>;
}

export function createKeyRotationStore({ db }: StoreDatabase): KeyRotationStore {
  const after = (afterRowId: string | null) => afterRowId ?? '';
  const changed = (result: { numUpdatedRows: bigint }) => result.numUpdatedRows > 0n;
  return {
    async listSealedValues(column, afterRowId, limit) {
      switch (column) {
        case 'sso_connections.secret_enc': {
          const rows = await db
            .selectFrom('sso_connections')
            .select(['id', 'developer_id', 'secret_enc'])
            .where('secret_enc', 'is not', null)
            .where('id', '>', after(afterRowId))
            .orderBy('id')
            .limit(limit)
            .execute();
          return rows.map((r) => ({
            rowId: r.id,
            developerId: r.developer_id,
            connectionId: r.id,
            sealed: Buffer.from(r.secret_enc!).toString('base64url'),
          }));
        }
        case 'saml_sp_keys.private_key_enc': {
          const rows = await db
            .selectFrom('saml_sp_keys')
            .select(['id', 'developer_id', 'connection_id', 'private_key_enc'])
            .where('id', '>', after(afterRowId))
            .orderBy('id')
            .limit(limit)
            .execute();
          return rows.map((r) => ({
            rowId: r.id,
            developerId: r.developer_id,
            connectionId: r.connection_id,
            sealed: r.private_key_enc,
          }));
        }
        case 'webhook_endpoints.secret_sealed':
        case 'webhook_endpoints.previous_secret_sealed': {
          const col = column === 'webhook_endpoints.secret_sealed' ? 'secret_sealed' : 'previous_secret_sealed';
          const rows = await db
            .selectFrom('webhook_endpoints')
            .select(['id', 'developer_id', col])
            .where(col, 'is not', null)
            .where('id', '>', after(afterRowId))
            .orderBy('id')
            .limit(limit)
            .execute();
          return rows.map((r) => ({
            rowId: r.id,
            developerId: r.developer_id,
            connectionId: null,
            sealed: (r as Record<typeof col, string>)[col],
          }));
        }
        case 'sso_session_logout.id_token_sealed': {
          const rows = await db
            .selectFrom('sso_session_logout')
            .select(['session_id', 'developer_id', 'connection_id', 'id_token_sealed'])
            .where('id_token_sealed', 'is not', null)
            .where('session_id', '>', after(afterRowId))
            .orderBy('session_id')
            .limit(limit)
            .execute();
          return rows.map((r) => ({
            rowId: r.session_id,
            developerId: r.developer_id,
            connectionId: r.connection_id,
            sealed: r.id_token_sealed!,
          }));
        }
      }
    },

    async replaceSealedValue(column, rowId, expected, replacement) {
      switch (column) {
        case 'sso_connections.secret_enc':
          return changed(
            await db
              .updateTable('sso_connections')
              .set({ secret_enc: Buffer.from(replacement, 'base64url') })
              .where('id', '=', rowId)
              .where('secret_enc', '=', Buffer.from(expected, 'base64url'))
              .executeTakeFirst(),
          );
        case 'saml_sp_keys.private_key_enc':
          return changed(
            await db
              .updateTable('saml_sp_keys')
              .set({ private_key_enc: replacement })
              .where('id', '=', rowId)
              .where('private_key_enc', '=', expected)
              .executeTakeFirst(),
          );
        case 'webhook_endpoints.secret_sealed':
          return changed(
            await db
              .updateTable('webhook_endpoints')
              .set({ secret_sealed: replacement })
              .where('id', '=', rowId)
              .where('secret_sealed', '=', expected)
              .executeTakeFirst(),
          );
        case 'webhook_endpoints.previous_secret_sealed':
          return changed(
            await db
              .updateTable('webhook_endpoints')
              .set({ previous_secret_sealed: replacement })
              .where('id', '=', rowId)
              .where('previous_secret_sealed', '=', expected)
              .executeTakeFirst(),
          );
        case 'sso_session_logout.id_token_sealed':
          return changed(
            await db
              .updateTable('sso_session_logout')
              .set({ id_token_sealed: replacement })
              .where('session_id', '=', rowId)
              .where('id_token_sealed', '=', expected)
              .executeTakeFirst(),
          );
      }
    },
  };
}
