/**
 * Everything that differs between SQLite and PostgreSQL once the SQL is written with Kysely, in one place.
 * A store slice writes its statements once and asks the dialect only for these: how a boolean is bound, which
 * column holds a developer's email, the JSON expressions the migrations index, and how driver errors read.
 * Upserts (`ON CONFLICT … DO UPDATE/NOTHING`), `RETURNING`, window functions and `NULLS FIRST` are the same SQL
 * on both (SQLite ≥ 3.35); JSON columns are written as JSON text on both (PostgreSQL casts it to jsonb on insert)
 * and read back through the zod row mappers, which accept text or parsed values; timestamps are ISO-8601 text on
 * both, expiry instants in ms are integers (bigint on PostgreSQL).
 */
import { sql, type RawBuilder } from 'kysely';
import type { BoolColumn } from './database';
import type { StoreError } from './errors';
import { isPgUniqueViolation, mapPgError } from './postgres/errors';
import { isSqliteUniqueViolation, mapSqliteError } from './sqlite/errors';

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** SQLite binds no booleans: 0/1. */
  bool(value: boolean): BoolColumn;
  /** The column with a developer's contact email: SQLite moved it to `contact_email` (migration 12). */
  readonly developerEmail: 'email' | 'contact_email';
  /** `column` (a JSON array of strings) lists `value`. */
  jsonArrayContains(column: string, value: string): RawBuilder<boolean>;
  /**
   * A JSON column read as its text, as SQLite stores it (PostgreSQL's jsonb would arrive parsed, a new object per
   * read): the hot reads' parse memo (storage/rows.ts) compares the text, so it serves both backends.
   */
  jsonText(column: string): RawBuilder<string>;
  /** An OIDC connection's redirect URI, written exactly as migration 8 indexes it. */
  readonly redirectUri: RawBuilder<string>;
  /** A SAML connection's IdP metadata URL (NULL when none), of `sso_connections` in a query that names it. */
  readonly idpMetadataUrl: RawBuilder<string | null>;
  /** Case-insensitive equality on sign_in_events.email, the way its index is built (NOCASE column / lower()). */
  emailEquals(value: string): RawBuilder<boolean>;
  isUniqueViolation(err: unknown): boolean;
  /** The driver's error as a StoreError (the driver's message is dropped: it can quote parameters). */
  mapError(err: unknown): StoreError;
  /**
   * Rate-limit counters live in the database only on PostgreSQL (several processes share it); one process owns a
   * SQLite file, so its in-memory counters are exact and cost no write.
   */
  readonly sharedRateLimits: boolean;
}

export const SQLITE: Dialect = {
  name: 'sqlite',
  bool: (value) => (value ? 1 : 0),
  developerEmail: 'contact_email',
  jsonArrayContains: (column, value) =>
    sql<boolean>`exists (select 1 from json_each(${sql.ref(column)}) where json_each.value = ${value})`,
  jsonText: (column) => sql<string>`${sql.ref(column)}`,
  redirectUri: sql<string>`json_extract(settings, '$.redirectUri')`,
  idpMetadataUrl: sql<string | null>`json_extract(sso_connections.settings, '$.idpMetadataUrl')`,
  emailEquals: (value) => sql<boolean>`email = ${value}`,
  isUniqueViolation: isSqliteUniqueViolation,
  mapError: mapSqliteError,
  sharedRateLimits: false,
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  bool: (value) => value,
  developerEmail: 'email',
  jsonArrayContains: (column, value) => sql<boolean>`${sql.ref(column)} @> jsonb_build_array(${value}::text)`,
  jsonText: (column) => sql<string>`${sql.ref(column)}::text`,
  redirectUri: sql<string>`settings->>'redirectUri'`,
  idpMetadataUrl: sql<string | null>`sso_connections.settings->>'idpMetadataUrl'`,
  emailEquals: (value) => sql<boolean>`lower(email) = lower(${value})`,
  isUniqueViolation: isPgUniqueViolation,
  mapError: mapPgError,
  sharedRateLimits: true,
};
