/**
 * Connections: an org's identity-provider connections, and the legacy config (the org's default connection,
 * keyed by the unique `default_for`). Written once against Kysely for both backends.
 */
import { sql } from 'kysely';
import type { StoreDatabase } from '../../storage/connect';
import { batchedRead, bufferId } from '../../storage/batched-read';
import { precompile } from '../../storage/precompiled';
import type { SsoConnectionsTable } from '../../storage/database';
import {
  bytes,
  CONNECTION_COLUMNS,
  connectionColumnsAsText,
  legacyConfigColumns,
  loginConnectionColumns,
  connectionValues,
  optionalConnection,
  optionalSharedConnection,
  toConnection,
  joinedDeveloperColumns,
  toJoinedDeveloper,
  toLegacyConfig,
  toLoginConnection,
  toSharedConnection,
} from '../../storage/rows';
import {
  DEFAULT_CONNECTION_NAME,
  LEGACY_PROVISIONING,
  type ApiKeyHash,
  type DefaultOidcConnectionWrite,
  type Developer,
  type LegacyConfig,
  type LoginConnection,
  type NewConnection,
  type SsoConnection,
} from '../../storage/types';

export interface ConnectionsStore {
  /**
   * The developer behind a key (undefined: no such key) and its legacy config (null: no default connection, or a
   * SAML one), in one query of the few columns the legacy config read answers.
   */
  findLegacyConfigByKey(keyHash: ApiKeyHash): Promise<{ developerId: string; config: LegacyConfig | null } | undefined>;
  /**
   * The org behind a key (undefined: no such key) with its default connection (undefined: none), in one query:
   * the legacy config save authenticates and reads that connection, a round trip fewer on PostgreSQL.
   */
  findDeveloperWithDefaultByKey(
    keyHash: ApiKeyHash,
  ): Promise<{ developer: Developer; defaultConnection: SsoConnection | undefined } | undefined>;
  /** The org's default connection (one indexed read). */
  getDefaultConnection(developerId: string): Promise<SsoConnection | undefined>;
  /**
   * The org's default connection and whether the org itself enforces SSO (`developers.sso_enforce`), in one
   * read: the member login's `?org=` path, which answers both.
   */
  getDefaultConnectionForLogin(developerId: string): Promise<LoginConnection | undefined>;
  /** A connection by id, only if it belongs to `developerId` (another org's id reads as absent). */
  getConnection(developerId: string, connectionId: string): Promise<SsoConnection | undefined>;
  /** Creates or updates the default OIDC connection in one statement (see DefaultOidcConnectionWrite). */
  saveDefaultOidcConnection(write: DefaultOidcConnectionWrite): Promise<SsoConnection>;
  /** The removed default connection, or undefined when there was none. */
  deleteDefaultConnection(developerId: string): Promise<SsoConnection | undefined>;
  /** The org's connections, oldest first. */
  listConnections(developerId: string): Promise<SsoConnection[]>;
  /** Inserts a connection; it is the org's default exactly when the org had none. */
  createConnection(connection: NewConnection): Promise<SsoConnection>;
  /**
   * Writes `next` (same id and org) over the stored connection if that one is still at `expectedUpdatedAt`
   * (compare-and-set); undefined when it changed or is gone. `isDefault` is not changed by it.
   */
  replaceConnection(next: SsoConnection, expectedUpdatedAt: string): Promise<SsoConnection | undefined>;
  /** The removed connection, or undefined when the org has none with that id. */
  deleteConnection(developerId: string, connectionId: string): Promise<SsoConnection | undefined>;
  /** A connection by id alone (the public SP metadata and the IdP-initiated ACS name no org). */
  getConnectionById(connectionId: string): Promise<SsoConnection | undefined>;
  /**
   * Ids of the OIDC connections, of any org, whose redirect URI is exactly `redirectUri` (at most `limit`; one
   * indexed read, migration 8): a connection's own console callback is held by one connection only.
   */
  findOidcConnectionIdsByRedirectUri(redirectUri: string, limit: number): Promise<string[]>;
}

export function createConnectionsStore(database: StoreDatabase): ConnectionsStore {
  const { db, dialect } = database;
  // The hot paths (every GET /v1/sso/config, GET /sso/login, callback and config save) run statements compiled
  // once: Kysely's build + compile per call cost more than the indexed read itself (storage README).
  const hotColumns = connectionColumnsAsText(dialect);
  const byDefault = precompile(database, (p: { developerId: string }) =>
    db.selectFrom('sso_connections').select(hotColumns).where('default_for', '=', p.developerId),
  );
  const byIdOfOrg = precompile(database, (p: { id: string; developerId: string }) =>
    db
      .selectFrom('sso_connections')
      .select(hotColumns)
      .where('id', '=', p.id)
      .where('developer_id', '=', p.developerId),
  );
  // Every config save checks who holds its redirect URI. A literal 'oidc' so the planner matches migration 8's
  // partial index (a bound parameter would not).
  const idsByRedirectUri = precompile(database, (p: { redirectUri: string; limit: number }) =>
    db
      .selectFrom('sso_connections')
      .select('id')
      .where('protocol', '=', sql.lit('oidc'))
      .where(dialect.redirectUri, '=', p.redirectUri)
      .limit(p.limit),
  );
  // The legacy save (saveDefaultOidcConnection), cheapest statement first. A save whose settings are the stored
  // ones (an app re-saving its config on each deploy) writes only the sealed secret and updatedAt: no CHECK on a
  // JSON column, no index (the redirect-URI index is over the settings). The `settings = ?` guard makes it miss
  // when they differ or changed meanwhile; then the upsert does the rest.
  const resealDefaultOidc = precompile(
    database,
    (p: Pick<SsoConnectionsTable, 'settings' | 'secret_enc' | 'updated_at'> & { developerId: string }) =>
      db
        .updateTable('sso_connections')
        .set({ secret_enc: p.secret_enc, updated_at: p.updated_at })
        .where('default_for', '=', p.developerId)
        .where('protocol', '=', sql.lit('oidc'))
        .where('settings', '=', p.settings)
        .returning(hotColumns),
  );
  // `default_for` is unique, so the org's default row is the conflict target; an update replaces only the OIDC
  // settings and updatedAt, and never turns another protocol's default connection into a half-OIDC one.
  const upsertDefaultOidc = precompile(database, (p: SsoConnectionsTable) =>
    db
      .insertInto('sso_connections')
      .values(Object.fromEntries([...CONNECTION_COLUMNS].map((c) => [c, p[c]])) as unknown as SsoConnectionsTable)
      .onConflict((oc) =>
        oc
          .column('default_for')
          .doUpdateSet((eb) => ({
            settings: eb.ref('excluded.settings'),
            secret_enc: eb.ref('excluded.secret_enc'),
            updated_at: eb.ref('excluded.updated_at'),
          }))
          .where('sso_connections.protocol', '=', sql.lit('oidc')),
      )
      .returning(hotColumns),
  );

  // The reads of every config read, API-key request and login: batched on PostgreSQL (storage/batched-read.ts).
  const byKeyHash = <R extends Record<string, unknown>>(select: () => unknown) =>
    batchedRead<Buffer, R>(database, { select: select as () => never, key: 'k.key_hash', idOf: bufferId });
  const defaultByKey = byKeyHash<{ key_developer_id: string } & Record<string, unknown>>(() =>
    db
      .selectFrom('api_keys as k')
      .leftJoin('sso_connections as c', 'c.default_for', 'k.developer_id')
      .select(['k.developer_id as key_developer_id', ...legacyConfigColumns(dialect)]),
  );
  const developerWithDefaultByKey = byKeyHash<Record<string, unknown>>(() =>
    db
      .selectFrom('api_keys as k')
      .innerJoin('developers as d', 'd.id', 'k.developer_id')
      .leftJoin('sso_connections as c', 'c.default_for', 'k.developer_id')
      .select([...joinedDeveloperColumns(dialect), ...connectionColumnsAsText(dialect, 'c')]),
  );

  const defaultForLogin = batchedRead<string, Record<string, unknown>>(database, {
    select: () =>
      db
        .selectFrom('sso_connections as c')
        .innerJoin('developers as org', 'org.id', 'c.developer_id')
        .select(loginConnectionColumns(dialect)) as never,
    key: 'c.default_for',
    idOf: (id) => id,
  });

  return {
    async getDefaultConnectionForLogin(developerId) {
      const row = await defaultForLogin(developerId);
      if (row === undefined) return undefined;
      return toLoginConnection(row);
    },
    async findLegacyConfigByKey(keyHash) {
      const row = await defaultByKey(bytes(keyHash));
      if (row === undefined) return undefined;
      return { developerId: row.key_developer_id, config: toLegacyConfig(row) };
    },
    async findDeveloperWithDefaultByKey(keyHash) {
      const row = await developerWithDefaultByKey(bytes(keyHash));
      if (row === undefined) return undefined;
      return {
        developer: toJoinedDeveloper(row),
        defaultConnection: row.id === null ? undefined : toSharedConnection(row),
      };
    },
    // The hot reads share one parsed (frozen) connection per unchanged row: storage/rows.ts.
    async getDefaultConnection(developerId) {
      return optionalSharedConnection((await byDefault({ developerId })).rows[0]);
    },
    async getConnection(developerId, connectionId) {
      return optionalSharedConnection((await byIdOfOrg({ id: connectionId, developerId })).rows[0]);
    },
    async saveDefaultOidcConnection(w) {
      const values = connectionValues({
        id: w.newConnectionId,
        developerId: w.developerId,
        name: DEFAULT_CONNECTION_NAME,
        protocol: 'oidc',
        status: 'active',
        oidc: w.oidc,
        domains: [],
        provisioning: LEGACY_PROVISIONING,
        createdAt: w.now,
        updatedAt: w.now,
      });
      const resealed = await resealDefaultOidc({ ...values, developerId: w.developerId });
      const [row] =
        resealed.rows.length > 0
          ? resealed.rows
          : (await upsertDefaultOidc({ ...values, default_for: w.developerId })).rows;
      if (row === undefined) throw new Error('the default connection is not an OIDC connection');
      // Through the parse memo: the next read of this row (the next save's authentication, a login) is served
      // from it instead of being parsed again.
      return toSharedConnection(row);
    },
    async deleteDefaultConnection(developerId) {
      return optionalConnection(
        await db
          .deleteFrom('sso_connections')
          .where('default_for', '=', developerId)
          .returning(CONNECTION_COLUMNS)
          .executeTakeFirst(),
      );
    },
    async listConnections(developerId) {
      const rows = await db
        .selectFrom('sso_connections')
        .select(CONNECTION_COLUMNS)
        .where('developer_id', '=', developerId)
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toConnection);
    },
    async createConnection(c) {
      const insert = () =>
        db
          .insertInto('sso_connections')
          .values({
            ...connectionValues(c),
            default_for: sql<
              string | null
            >`case when exists (select 1 from sso_connections where default_for = ${c.developerId}) then null else ${c.developerId} end`,
          })
          .returning(CONNECTION_COLUMNS)
          .executeTakeFirstOrThrow();
      try {
        return toConnection(await insert());
      } catch (err) {
        // Two first connections of one org at once (PostgreSQL; SQLite serializes writers): both saw no default,
        // one got it; the other retries and sees it (each statement reads the latest committed rows).
        if (!dialect.isUniqueViolation(err)) throw err;
        return toConnection(await insert());
      }
    },
    async replaceConnection(next, expectedUpdatedAt) {
      const { id, developer_id, created_at: _createdAt, ...values } = connectionValues(next);
      void _createdAt;
      return optionalConnection(
        await db
          .updateTable('sso_connections')
          .set(values)
          .where('id', '=', id)
          .where('developer_id', '=', developer_id)
          .where('updated_at', '=', expectedUpdatedAt)
          .returning(CONNECTION_COLUMNS)
          .executeTakeFirst(),
      );
    },
    async deleteConnection(developerId, connectionId) {
      return optionalConnection(
        await db
          .deleteFrom('sso_connections')
          .where('id', '=', connectionId)
          .where('developer_id', '=', developerId)
          .returning(CONNECTION_COLUMNS)
          .executeTakeFirst(),
      );
    },
    async getConnectionById(connectionId) {
      return optionalConnection(
        await db
          .selectFrom('sso_connections')
          .select(CONNECTION_COLUMNS)
          .where('id', '=', connectionId)
          .executeTakeFirst(),
      );
    },
    async findOidcConnectionIdsByRedirectUri(redirectUri, limit) {
      const { rows } = await idsByRedirectUri({ redirectUri, limit });
      return rows.map((r) => r.id);
    },
  };
}
