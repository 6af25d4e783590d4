/**
 * Row ↔ domain record for what several store slices share: developers and connections (the connections,
 * orgs and domains slices all return connections). Rows are parsed with zod (JSON columns included) so a schema
 * drift fails loudly instead of leaking undefined; each slice keeps the mappers only it needs.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import { consoleRoleSchema, modeSchema } from '@/lib/contract';
import { BoundedMap } from '../bounded-map';
import type { SsoConnectionsTable } from './database';
import type { Dialect } from './dialect';
import type { Developer, LegacyConfig, LoginConnection, NewConnection, SsoConnection } from './types';

/** A JSON column: text on SQLite, jsonb (already parsed by pg) on PostgreSQL. */
export const json = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v), schema);

/** Sealed secrets and token/key hashes travel as base64url text and are stored as bytes. */
export const bytes = (base64url: string) => Buffer.from(base64url, 'base64url');

/** SQLite stores 0/1, PostgreSQL a boolean. */
export const boolColumn = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((v) => v === true || v === 1);

const developerRow = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  mode: modeSchema,
  plan: z.string(),
  created_at: z.string(),
});

export function toDeveloper(row: unknown): Developer {
  const r = developerRow.parse(row);
  return { id: r.id, name: r.name, email: r.email, mode: r.mode, plan: r.plan, createdAt: r.created_at };
}

/**
 * The org's columns in a join that names `developers` as `d`, prefixed `d_` so they sit beside the other table's
 * (`id`, `name` and `created_at` would collide); toJoinedDeveloper reads them back.
 */
export function joinedDeveloperColumns(dialect: Dialect) {
  return [
    'd.id as d_id',
    'd.name as d_name',
    `d.${dialect.developerEmail} as d_email`,
    'd.mode as d_mode',
    'd.plan as d_plan',
    'd.created_at as d_created_at',
  ] as const;
}

export function toJoinedDeveloper(row: Record<string, unknown>): Developer {
  return toDeveloper({
    id: row.d_id,
    name: row.d_name,
    email: row.d_email,
    mode: row.d_mode,
    plan: row.d_plan,
    created_at: row.d_created_at,
  });
}

const oidcSettings = z.object({ issuerUrl: z.string(), clientId: z.string(), redirectUri: z.string() });
const provisioning = z.object({
  jitProvisioning: z.boolean(),
  groupAttribute: z.string().nullable(),
  groupMappings: z.record(z.string(), z.array(z.string())),
  defaultScopes: z.array(z.string()),
  // Connections saved before the option existed accept any email, as they always did.
  verifiedDomainsOnly: z.boolean().default(false),
  // Connections saved before the session policy existed: the service's TTL, no max_age.
  maxSessionSeconds: z.number().int().nullable().default(null),
  maxAuthAgeSeconds: z.number().int().nullable().default(null),
  directoryUsersOnly: z.boolean().default(false),
  // Connections saved before console access: nobody gets a console role through them, no enforcement.
  consoleRoleMappings: z.record(z.string(), consoleRoleSchema).default({}),
  enforce: z.boolean().default(false),
});

const samlSettings = z.object({
  idpEntityId: z.string(),
  idpSsoUrl: z.string(),
  idpCertificates: z.array(z.string()).min(1).max(2),
  idpMetadataUrl: z.string().nullable(),
  spEntityId: z.string(),
  spAcsUrl: z.string(),
  spMetadataUrl: z.string(),
  allowIdpInitiated: z.boolean(),
  // Connections saved before the mapping existed read the built-in defaults.
  attributeMapping: z
    .object({
      email: z.array(z.string()).optional(),
      name: z.array(z.string()).optional(),
      givenName: z.array(z.string()).optional(),
      familyName: z.array(z.string()).optional(),
      subject: z.array(z.string()).optional(),
      groups: z.array(z.string()).optional(),
    })
    .default({}),
  idpSloUrl: z.string().nullable().optional(),
  // Connections saved before the option existed send unsigned AuthnRequests (absent = false).
  signAuthnRequests: z.boolean().optional(),
});

const connectionRowBase = z.object({
  id: z.string(),
  developer_id: z.string(),
  default_for: z.string().nullable(),
  name: z.string(),
  status: z.enum(['active', 'inactive', 'testing']),
  domains: json(z.array(z.string())),
  provisioning: json(provisioning),
  created_at: z.string(),
  updated_at: z.string(),
});
/** The row by protocol: OIDC keeps its sealed secret in secret_enc; SAML has no secret (secret_enc NULL). */
const connectionRow = z.discriminatedUnion('protocol', [
  connectionRowBase.extend({
    protocol: z.literal('oidc'),
    settings: json(oidcSettings),
    secret_enc: z.instanceof(Buffer),
  }),
  connectionRowBase.extend({ protocol: z.literal('saml'), settings: json(samlSettings), secret_enc: z.null() }),
]);

/** Every column of sso_connections, in the order the mappers and RETURNING lists use. */
export const CONNECTION_COLUMNS = [
  'id',
  'developer_id',
  'default_for',
  'name',
  'protocol',
  'status',
  'settings',
  'secret_enc',
  'domains',
  'provisioning',
  'created_at',
  'updated_at',
] as const;
/** The same columns qualified by the `c` alias (joins). */
export const CONNECTION_COLUMNS_C = CONNECTION_COLUMNS.map((c) => `c.${c}` as const);

const JSON_CONNECTION_COLUMNS: ReadonlySet<string> = new Set(['settings', 'domains', 'provisioning']);

/**
 * The hot reads' select list (of `alias` when given): CONNECTION_COLUMNS with the JSON columns read as text on
 * both backends, so the parse memo below serves PostgreSQL rows as well as SQLite ones.
 */
export function connectionColumnsAsText(dialect: Dialect, alias?: 'c') {
  return CONNECTION_COLUMNS.map((column) => {
    const ref = alias ? `${alias}.${column}` : column;
    return JSON_CONNECTION_COLUMNS.has(column) ? dialect.jsonText(ref).as(column) : sql.ref(ref).as(column);
  });
}

/**
 * Connections parsed from rows by the hot reads (toSharedConnection), by id, with the column values they
 * were parsed from (PARSED_CONNECTIONS_MAX entries, oldest dropped; an OIDC entry is about 2 KB). The config GET,
 * the login URL and the callback would otherwise JSON.parse three columns and run the row schema again for an
 * unchanged row. The
 * memo is keyed by content, so it needs no invalidation: a row is served from it only when every column the
 * database just returned equals the memoised row's, and any write (by this process or another) shows up as a
 * changed column and is parsed afresh. The parsed connection is frozen: callers share it. The JSON columns must
 * arrive as text (connectionColumnsAsText): PostgreSQL's jsonb would arrive parsed, a new object per read, and
 * such rows are parsed each time.
 */
const PARSED_CONNECTIONS_MAX = 4096;
const parsedConnections = new BoundedMap<string, { row: Record<string, unknown>; connection: SsoConnection }>(
  PARSED_CONNECTIONS_MAX,
);

/** Whether every column but those in `except` holds the memoised value (bytes compared by content). */
function sameRow(memo: Record<string, unknown>, row: Record<string, unknown>, except?: ReadonlySet<string>): boolean {
  for (const column of CONNECTION_COLUMNS) {
    const a = memo[column];
    const b = row[column];
    if (a === b || except?.has(column)) continue;
    if (!(a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0)) return false;
  }
  return true;
}

/**
 * What a reseal changes (a legacy save with the stored settings, a key rotation): the sealed secret and updatedAt.
 * The row schema checks nothing of them but their type, so such a row is the memoised connection with the two new
 * values, without parsing the JSON columns again (every save's returned row would otherwise be one full parse).
 */
const RESEAL_COLUMNS: ReadonlySet<string> = new Set(['secret_enc', 'updated_at']);
function resealed(memo: SsoConnection, row: Record<string, unknown>): SsoConnection | undefined {
  const { secret_enc: secret, updated_at: updatedAt } = row;
  if (memo.protocol !== 'oidc' || !(secret instanceof Buffer) || typeof updatedAt !== 'string') return undefined;
  return { ...memo, oidc: { ...memo.oidc, clientSecretSealed: secret.toString('base64url') }, updatedAt };
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * toConnection through the memo above, for the hot reads and for the legacy save's returned row (which the next
 * save's authentication reads back). Other writes' returned rows go through toConnection, unmemoised.
 */
export function toSharedConnection(row: unknown): SsoConnection {
  const r = row as Record<string, unknown> | null;
  if (r === null || typeof r !== 'object' || typeof r.id !== 'string' || typeof r.settings !== 'string')
    return toConnection(row);
  const memo = parsedConnections.get(r.id);
  if (memo && sameRow(memo.row, r)) return memo.connection;
  const connection = deepFreeze(
    (memo && sameRow(memo.row, r, RESEAL_COLUMNS) ? resealed(memo.connection, r) : undefined) ?? toConnection(row),
  );
  const snapshot: Record<string, unknown> = {};
  for (const column of CONNECTION_COLUMNS) {
    const v = r[column];
    snapshot[column] = v instanceof Uint8Array ? Buffer.from(v) : v;
  }
  parsedConnections.set(r.id, { row: snapshot, connection });
  return connection;
}

export function toConnection(row: unknown): SsoConnection {
  const r = connectionRow.parse(row);
  const base = {
    id: r.id,
    developerId: r.developer_id,
    name: r.name,
    status: r.status,
    isDefault: r.default_for !== null,
    domains: r.domains,
    provisioning: r.provisioning,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  if (r.protocol === 'saml') return { ...base, protocol: 'saml', saml: r.settings };
  return { ...base, protocol: 'oidc', oidc: { ...r.settings, clientSecretSealed: r.secret_enc.toString('base64url') } };
}

/**
 * The login reads' select list: a connection (aliased `c`, as connectionColumnsAsText) and its org's own SSO
 * enforcement (`developers` aliased `org`), so a login answers `ssoRequired` from the read that found the connection.
 */
export function loginConnectionColumns(dialect: Dialect) {
  return [...connectionColumnsAsText(dialect, 'c'), sql.ref('org.sso_enforce').as('org_sso_enforce')];
}

export function toLoginConnection(row: Record<string, unknown>): LoginConnection {
  return { connection: toSharedConnection(row), orgEnforces: boolColumn.parse(row.org_sso_enforce) };
}

export const optionalConnection = (row: unknown) => (row === undefined ? undefined : toConnection(row));
export const optionalSharedConnection = (row: unknown) => (row === undefined ? undefined : toSharedConnection(row));

/** A connection's column values without default_for (each statement decides it). */
export function connectionValues(c: NewConnection): Omit<SsoConnectionsTable, 'default_for'> {
  const [settings, secret] = c.protocol === 'saml' ? [c.saml, null] : splitSecret(c.oidc);
  return {
    id: c.id,
    developer_id: c.developerId,
    name: c.name,
    protocol: c.protocol,
    status: c.status,
    settings: JSON.stringify(settings),
    secret_enc: secret,
    domains: JSON.stringify(c.domains),
    provisioning: JSON.stringify(c.provisioning),
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

function splitSecret({
  clientSecretSealed,
  ...settings
}: Extract<NewConnection, { protocol: 'oidc' }>['oidc']): [object, Buffer] {
  return [settings, bytes(clientSecretSealed)];
}

/**
 * The legacy config read's columns of the default connection (aliased `c`; all null when the org has none), the
 * settings as text (see connectionColumnsAsText).
 */
export function legacyConfigColumns(dialect: Dialect) {
  return [
    sql.ref('c.id').as('id'),
    sql.ref('c.protocol').as('protocol'),
    dialect.jsonText('c.settings').as('settings'),
    sql.ref('c.created_at').as('created_at'),
    sql.ref('c.updated_at').as('updated_at'),
  ];
}

const legacyConfigRow = z.discriminatedUnion('protocol', [
  z.object({
    id: z.string(),
    protocol: z.literal('oidc'),
    settings: json(oidcSettings),
    created_at: z.string(),
    updated_at: z.string(),
  }),
  z.object({ protocol: z.literal('saml') }),
  z.object({ protocol: z.null() }),
]);

/**
 * Parsed legacy configs by connection id, memoised by content like the connections above (same bound, same rule:
 * served only when the settings text and both times the database just returned are the memoised ones). Frozen:
 * callers share them.
 */
const parsedLegacyConfigs = new BoundedMap<
  string,
  { settings: string; createdAt: unknown; updatedAt: unknown; config: LegacyConfig }
>(PARSED_CONNECTIONS_MAX);

/** The legacy config in a row of LEGACY_CONFIG_COLUMNS_C, or null when the default is none or not OIDC. */
export function toLegacyConfig(row: Record<string, unknown>): LegacyConfig | null {
  const { id, settings } = row;
  const memo = typeof id === 'string' ? parsedLegacyConfigs.get(id) : undefined;
  if (memo && memo.settings === settings && memo.createdAt === row.created_at && memo.updatedAt === row.updated_at)
    return memo.config;
  const r = legacyConfigRow.parse(row);
  if (r.protocol !== 'oidc') return null;
  const config: LegacyConfig = Object.freeze({
    issuerUrl: r.settings.issuerUrl,
    clientId: r.settings.clientId,
    redirectUri: r.settings.redirectUri,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
  if (typeof settings === 'string')
    parsedLegacyConfigs.set(r.id, { settings, createdAt: r.created_at, updatedAt: r.updated_at, config });
  return config;
}
