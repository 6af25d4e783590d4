/**
 * Both backends name their columns alike: these turn a row (snake_case, bytes as a Buffer) into the domain
 * records of types.ts, parsed with zod (JSON columns included) so a schema drift fails loudly instead of leaking undefined. Only the
 * backends import this module.
 */
import { z } from 'zod';
import { modeSchema } from '@/lib/contract';
import { DEFAULT_CONNECTION_NAME, NO_PROVISIONING, type DefaultOidcConnectionWrite, type Developer, type NewConnection, type SsoConnection, type StateFailure } from './types';

const developerRow = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  mode: modeSchema,
  plan: z.string(),
  created_at: z.string(),
});

/** A JSON column: text on SQLite, jsonb (already parsed by pg) on PostgreSQL. */
export const json = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' ? (JSON.parse(v) as unknown) : v), schema);

const oidcSettings = z.object({ issuerUrl: z.string(), clientId: z.string(), redirectUri: z.string() });
const provisioning = z.object({
  jitProvisioning: z.boolean(),
  groupAttribute: z.string().nullable(),
  groupMappings: z.record(z.string(), z.array(z.string())),
  defaultScopes: z.array(z.string()),
});

const connectionRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  default_for: z.string().nullable(),
  name: z.string(),
  protocol: z.literal('oidc'),
  status: z.enum(['active', 'inactive', 'testing']),
  settings: json(oidcSettings),
  secret_enc: z.instanceof(Buffer),
  domains: json(z.array(z.string())),
  provisioning: json(provisioning),
  created_at: z.string(),
  updated_at: z.string(),
});

const keyDeveloperId = z.string();
const failureRow = z.object({ error_status: z.number().int(), error_code: z.string(), error_message: z.string() });

export const CONNECTION_COLUMNS =
  'id, developer_id, default_for, name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at';
/**
 * The default connection's upsert tail (same SQL on both backends). `default_for` is unique, so the org's
 * default row is the conflict target; an update replaces only the OIDC settings and updatedAt, and never
 * turns another protocol's default connection into a half-OIDC one (no row comes back: see toSavedConnection).
 */
export const DEFAULT_OIDC_UPSERT_TAIL = `ON CONFLICT (default_for) DO UPDATE SET
       settings = excluded.settings,
       secret_enc = excluded.secret_enc,
       updated_at = excluded.updated_at
     WHERE sso_connections.protocol = 'oidc'
     RETURNING ${CONNECTION_COLUMNS}`;
/** A compare-and-set update's SET list (both backends; placeholders added by each). */
export const CONNECTION_UPDATE_COLUMNS = ['name', 'protocol', 'status', 'settings', 'secret_enc', 'domains', 'provisioning', 'updated_at'] as const;

/** replaceConnection's parameters: the SET values, then id, developer_id and the expected updated_at. */
export function replaceParams(next: NewConnection, expectedUpdatedAt: string): unknown[] {
  const [id, developerId, ...values] = connectionParams(next);
  // values: name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at
  return [...values.slice(0, 7), values[8], id, developerId, expectedUpdatedAt];
}

export const DEVELOPER_COLUMNS = 'd.id, d.name, d.email, d.mode, d.plan, d.created_at';

export function toDeveloper(row: unknown): Developer {
  const r = developerRow.parse(row);
  return { id: r.id, name: r.name, email: r.email, mode: r.mode, plan: r.plan, createdAt: r.created_at };
}

export function toConnection(row: unknown): SsoConnection {
  const r = connectionRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    name: r.name,
    status: r.status,
    isDefault: r.default_for !== null,
    domains: r.domains,
    provisioning: r.provisioning,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    protocol: r.protocol,
    oidc: { ...r.settings, clientSecretSealed: r.secret_enc.toString('base64url') },
  };
}

/** The upsert's returned row; none means the default connection exists with another protocol. */
export function toSavedConnection(row: unknown): SsoConnection {
  if (row === undefined) throw new Error('the default connection is not an OIDC connection');
  return toConnection(row);
}

/**
 * The row of `SELECT k.developer_id AS key_developer_id, <connection columns>` (a LEFT JOIN: connection columns
 * may be null).
 */
export function toKeyConnection(row: unknown): { developerId: string; connection: SsoConnection | null } {
  const r = row as { key_developer_id: unknown; id: unknown };
  return { developerId: keyDeveloperId.parse(r.key_developer_id), connection: r.id === null ? null : toConnection(row) };
}

export function toStateFailure(row: unknown): StateFailure {
  const r = failureRow.parse(row);
  return { status: r.error_status, code: r.error_code, message: r.error_message };
}

/**
 * The default-connection upsert's parameters in column order, up to created_at; updated_at is `now` again (the
 * caller binds it).
 */
export function defaultOidcParams(w: DefaultOidcConnectionWrite): unknown[] {
  const [id, developerId, ...rest] = connectionParams({
    id: w.newConnectionId,
    developerId: w.developerId,
    name: DEFAULT_CONNECTION_NAME,
    protocol: 'oidc',
    status: 'active',
    oidc: w.oidc,
    domains: [],
    provisioning: NO_PROVISIONING,
    createdAt: w.now,
    updatedAt: w.now,
  });
  // default_for = the org; the caller binds updated_at (= now) itself.
  return [id, developerId, developerId, ...rest.slice(0, -1)];
}

/**
 * A connection's column values in CONNECTION_COLUMNS order, without default_for (each statement decides it):
 * id, developer_id, name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at.
 */
export function connectionParams(c: NewConnection): unknown[] {
  const { clientSecretSealed, ...settings } = c.oidc;
  return [
    c.id,
    c.developerId,
    c.name,
    c.protocol,
    c.status,
    JSON.stringify(settings),
    bytes(clientSecretSealed),
    JSON.stringify(c.domains),
    JSON.stringify(c.provisioning),
    c.createdAt,
    c.updatedAt,
  ];
}

/** Sealed secrets and key hashes travel as base64url text and are stored as bytes. */
export const bytes = (base64url: string) => Buffer.from(base64url, 'base64url');
