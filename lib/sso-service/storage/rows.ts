/**
 * Both backends name their columns alike: these turn a row (snake_case, bytes as a Buffer) into the domain
 * records of types.ts, parsed with zod so a schema drift fails loudly instead of leaking undefined. Only the
 * backends import this module.
 */
import { z } from 'zod';
import { modeSchema } from '@/lib/contract';
import type { Developer, SsoConfigRecord, SsoConfigWrite, StateFailure } from './types';

const developerRow = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  mode: modeSchema,
  plan: z.string(),
  created_at: z.string(),
});

const configRow = z.object({
  developer_id: z.string(),
  connection_id: z.string(),
  issuer_url: z.string(),
  client_id: z.string(),
  client_secret_enc: z.instanceof(Buffer),
  redirect_uri: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});

const keyDeveloperId = z.string();
const failureRow = z.object({ error_status: z.number().int(), error_code: z.string(), error_message: z.string() });

export const CONFIG_COLUMNS =
  'developer_id, connection_id, issuer_url, client_id, client_secret_enc, redirect_uri, created_at, updated_at';
/** The upsert's conflict clause (same SQL on both backends): an update keeps the connection id and createdAt. */
export const CONFIG_UPSERT_TAIL = `ON CONFLICT (developer_id) DO UPDATE SET
       issuer_url = excluded.issuer_url,
       client_id = excluded.client_id,
       client_secret_enc = excluded.client_secret_enc,
       redirect_uri = excluded.redirect_uri,
       updated_at = excluded.updated_at
     RETURNING ${CONFIG_COLUMNS}`;
export const DEVELOPER_COLUMNS = 'd.id, d.name, d.email, d.mode, d.plan, d.created_at';

export function toDeveloper(row: unknown): Developer {
  const r = developerRow.parse(row);
  return { id: r.id, name: r.name, email: r.email, mode: r.mode, plan: r.plan, createdAt: r.created_at };
}

export function toConfig(row: unknown): SsoConfigRecord {
  const r = configRow.parse(row);
  return {
    developerId: r.developer_id,
    connectionId: r.connection_id,
    issuerUrl: r.issuer_url,
    clientId: r.client_id,
    clientSecretSealed: r.client_secret_enc.toString('base64url'),
    redirectUri: r.redirect_uri,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The row of `SELECT k.developer_id AS key_developer_id, <config columns>` (a LEFT JOIN: config columns may be null). */
export function toKeyConfig(row: unknown): { developerId: string; config: SsoConfigRecord | null } {
  const r = row as { key_developer_id: unknown; developer_id: unknown };
  return { developerId: keyDeveloperId.parse(r.key_developer_id), config: r.developer_id === null ? null : toConfig(row) };
}

export function toStateFailure(row: unknown): StateFailure {
  const r = failureRow.parse(row);
  return { status: r.error_status, code: r.error_code, message: r.error_message };
}

/** The upsert's parameters in column order, ending with `now` (the created/updated time). */
export function configParams(w: SsoConfigWrite): unknown[] {
  return [w.developerId, w.newConnectionId, w.issuerUrl, w.clientId, bytes(w.clientSecretSealed), w.redirectUri, w.now];
}

/** Sealed secrets and key hashes travel as base64url text and are stored as bytes. */
export const bytes = (base64url: string) => Buffer.from(base64url, 'base64url');
