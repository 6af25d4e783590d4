/**
 * The scheduled refresh of SAML connections' IdP metadata (metadata-refresh.ts): which connections are due, the
 * claim that lets one process refresh a connection, and each attempt's outcome. Written once against Kysely for
 * both backends (migration 16, `saml_metadata_refresh`).
 */
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import type { MetadataRefreshOutcome, MetadataRefreshRecord } from '../../storage/types';

export interface MetadataRefreshStore {
  /**
   * SAML connections with an IdP metadata URL whose refresh is due at `nowIso` (`next_due_at` passed, or never
   * refreshed and last saved at `savedBeforeIso` or earlier: a save from the URL read the metadata just then),
   * the longest-waiting first, at most `limit`.
   */
  listMetadataRefreshDue(
    nowIso: string,
    savedBeforeIso: string,
    limit: number,
  ): Promise<{ connectionId: string; developerId: string }[]>;
  /**
   * Takes a connection's refresh: moves `nextDueAt` to `nextDueIso` only while it is due at `nowIso`
   * (compare-and-set, or the first row's insert), so of several processes exactly one gets true. `force` (the
   * "refresh now" action) takes it whatever `nextDueAt` says. False also when the connection is gone.
   */
  claimMetadataRefresh(
    claim: { connectionId: string; developerId: string; nowIso: string; nextDueIso: string },
    force?: boolean,
  ): Promise<boolean>;
  /** An attempt's outcome (a success also sets `lastRefreshedAt`; a failure keeps the last success). */
  recordMetadataRefresh(connectionId: string, outcome: MetadataRefreshOutcome): Promise<void>;
  getMetadataRefresh(connectionId: string): Promise<MetadataRefreshRecord | undefined>;
}

const row = z.object({
  connection_id: z.string(),
  next_due_at: z.string(),
  last_attempt_at: z.string().nullable(),
  last_success_at: z.string().nullable(),
  last_result: z.enum(['updated', 'unchanged', 'failed']).nullable(),
  last_error: z.string().nullable(),
  warning: z.string().nullable(),
});
const warningsOf = (text: string | null): string[] => {
  if (text === null) return [];
  const parsed = z.array(z.string()).safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : [];
};

export function createMetadataRefreshStore(database: StoreDatabase): MetadataRefreshStore {
  const { db, dialect } = database;
  return {
    async listMetadataRefreshDue(nowIso, savedBeforeIso, limit) {
      const rows = await db
        .selectFrom('sso_connections')
        .leftJoin('saml_metadata_refresh as r', 'r.connection_id', 'sso_connections.id')
        .select(['sso_connections.id as connection_id', 'sso_connections.developer_id as developer_id'])
        .where('sso_connections.protocol', '=', 'saml')
        .where(dialect.idpMetadataUrl, 'is not', null)
        .where((eb) =>
          eb.or([
            eb.and([eb('r.connection_id', 'is', null), eb('sso_connections.updated_at', '<=', savedBeforeIso)]),
            eb('r.next_due_at', '<=', nowIso),
          ]),
        )
        .orderBy('r.next_due_at', (ob) => ob.asc().nullsFirst())
        .limit(limit)
        .execute();
      return rows.map((r) => ({ connectionId: r.connection_id, developerId: r.developer_id }));
    },
    async claimMetadataRefresh(c, force = false) {
      // INSERT … SELECT from the connection: a connection deleted meanwhile inserts nothing (and claims nothing).
      const r = await db
        .insertInto('saml_metadata_refresh')
        .columns(['connection_id', 'developer_id', 'next_due_at', 'last_attempt_at'])
        .expression((eb) =>
          eb
            .selectFrom('sso_connections')
            .select((s) => [
              'sso_connections.id',
              'sso_connections.developer_id',
              s.val(c.nextDueIso).as('next_due_at'),
              s.val(c.nowIso).as('last_attempt_at'),
            ])
            .where('sso_connections.id', '=', c.connectionId)
            .where('sso_connections.developer_id', '=', c.developerId),
        )
        .onConflict((oc) => {
          const update = oc.column('connection_id').doUpdateSet((eb) => ({
            next_due_at: eb.ref('excluded.next_due_at'),
            last_attempt_at: eb.ref('excluded.last_attempt_at'),
          }));
          return force ? update : update.where('saml_metadata_refresh.next_due_at', '<=', c.nowIso);
        })
        .executeTakeFirst();
      return r.numInsertedOrUpdatedRows === 1n;
    },
    async recordMetadataRefresh(connectionId, o) {
      await db
        .updateTable('saml_metadata_refresh')
        .set({
          last_result: o.result,
          last_error: o.error,
          warning: o.warnings.length > 0 ? JSON.stringify(o.warnings) : null,
          ...(o.result === 'failed' ? {} : { last_success_at: o.at }),
          ...(o.nextDueAt ? { next_due_at: o.nextDueAt } : {}),
        })
        .where('connection_id', '=', connectionId)
        .execute();
    },
    async getMetadataRefresh(connectionId) {
      const found = await db
        .selectFrom('saml_metadata_refresh')
        .selectAll()
        .where('connection_id', '=', connectionId)
        .executeTakeFirst();
      if (found === undefined) return undefined;
      const r = row.parse(found);
      return {
        connectionId: r.connection_id,
        nextDueAt: r.next_due_at,
        lastAttemptAt: r.last_attempt_at,
        lastRefreshedAt: r.last_success_at,
        lastResult: r.last_result,
        lastError: r.last_error,
        warnings: warningsOf(r.warning),
      };
    },
  };
}
