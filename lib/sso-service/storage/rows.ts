/**
 * Both backends name their columns alike: these turn a row (snake_case, bytes as a Buffer) into the domain
 * records of types.ts, parsed with zod (JSON columns included) so a schema drift fails loudly instead of leaking undefined. Only the
 * backends import this module.
 */
import { z } from 'zod';
import { modeSchema } from '@/lib/contract';
import { DEFAULT_CONNECTION_NAME, LEGACY_PROVISIONING, type DefaultOidcConnectionWrite, type Developer, type NewConnection, type MemberSignIn, type SsoConnection, type SsoSession, type StateFailure, type SsoDomainRecord, type NewSetupLink, type SetupLink, type SetupLinkUse, type SetupLinkWithOrg } from './types';

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

const samlSettings = z.object({
  idpEntityId: z.string(),
  idpSsoUrl: z.string(),
  idpCertificates: z.array(z.string()).min(1).max(2),
  idpMetadataUrl: z.string().nullable(),
  spEntityId: z.string(),
  spAcsUrl: z.string(),
  spMetadataUrl: z.string(),
  allowIdpInitiated: z.boolean(),
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
  connectionRowBase.extend({ protocol: z.literal('oidc'), settings: json(oidcSettings), secret_enc: z.instanceof(Buffer) }),
  connectionRowBase.extend({ protocol: z.literal('saml'), settings: json(samlSettings), secret_enc: z.null() }),
]);

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
    provisioning: LEGACY_PROVISIONING,
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
  const [settings, secret] = protocolColumns(c);
  return [
    c.id,
    c.developerId,
    c.name,
    c.protocol,
    c.status,
    JSON.stringify(settings),
    secret,
    JSON.stringify(c.domains),
    JSON.stringify(c.provisioning),
    c.createdAt,
    c.updatedAt,
  ];
}

// ---------------------------------------------------------------- SAML assertion ids (migration 7)

/** The claim's INSERT head; values: developer_id, assertion_id, connection_id, expires_at (ms). */
export const CLAIM_ASSERTION_SQL = 'INSERT INTO saml_assertions (developer_id, assertion_id, connection_id, expires_at)';
export const PURGE_ASSERTIONS_SQL = ($: string) => `DELETE FROM saml_assertions WHERE expires_at < ${$}`;
export const CONNECTION_BY_ID_SQL = ($: string) => `SELECT ${CONNECTION_COLUMNS} FROM sso_connections WHERE id = ${$}`;
/** The developer by id (both backends). */
export const DEVELOPER_BY_ID_SQL = ($: string) => `SELECT ${DEVELOPER_COLUMNS} FROM developers d WHERE d.id = ${$}`;

/** The settings and secret_enc columns of a connection, by protocol. */
function protocolColumns(c: NewConnection): [object, Buffer | null] {
  if (c.protocol === 'saml') return [c.saml, null];
  const { clientSecretSealed, ...settings } = c.oidc;
  return [settings, bytes(clientSecretSealed)];
}

/** Sealed secrets and key hashes travel as base64url text and are stored as bytes. */
export const bytes = (base64url: string) => Buffer.from(base64url, 'base64url');

// ------------------------------------------------------------ principals and sessions (migration 3)

const sessionRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  connection_id: z.string(),
  principal_id: z.string(),
  email: z.string().nullable(),
  name: z.string().nullable(),
  idp_subject: z.string(),
  groups: json(z.array(z.string())),
  mapped_scopes: json(z.array(z.string())),
  expires_at: z.string(),
  created_at: z.string(),
});

export const SESSION_COLUMNS =
  'id, developer_id, connection_id, principal_id, email, name, idp_subject, groups, mapped_scopes, expires_at, created_at';

export function toSession(row: unknown): SsoSession {
  const r = sessionRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    connectionId: r.connection_id,
    principalId: r.principal_id,
    email: r.email,
    name: r.name,
    idpSubject: r.idp_subject,
    groups: r.groups,
    mappedScopes: r.mapped_scopes,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
  };
}

const lastSignInRow = z.object({ connection_id: z.string(), last_sign_in_at: z.string() });

export function toLastSignIns(rows: unknown[]): Map<string, string> {
  return new Map(rows.map((row) => {
    const r = lastSignInRow.parse(row);
    return [r.connection_id, r.last_sign_in_at] as const;
  }));
}

/** The principal's values for its upsert: id, developer_id, connection_id, idp_subject, email, name, groups, now. */
export function principalParams(s: MemberSignIn): unknown[] {
  return [s.newPrincipalId, s.developerId, s.connectionId, s.idpSubject, s.email, s.name, JSON.stringify(s.groups), s.now];
}

/** The session's values after its principal id: id, developer_id, connection_id, email, name, idp_subject, groups, mapped_scopes, expires_at, created_at. */
export function sessionParams(s: MemberSignIn): unknown[] {
  return [s.sessionId, s.developerId, s.connectionId, s.email, s.name, s.idpSubject, JSON.stringify(s.groups), JSON.stringify(s.mappedScopes), s.expiresAt, s.now];
}

// ---------------------------------------------------------------- verified domains

const domainRow = z.object({
  developer_id: z.string(),
  domain: z.string(),
  token: z.string(),
  created_at: z.string(),
  verified_at: z.string().nullable(),
  last_checked_at: z.string().nullable(),
});

export const DOMAIN_COLUMNS = 'developer_id, domain, token, created_at, verified_at, last_checked_at';

export function toDomain(row: unknown): SsoDomainRecord {
  const r = domainRow.parse(row);
  return {
    developerId: r.developer_id,
    domain: r.domain,
    token: r.token,
    createdAt: r.created_at,
    verifiedAt: r.verified_at,
    lastCheckedAt: r.last_checked_at,
  };
}

export const domainParams = (d: SsoDomainRecord): unknown[] => [d.developerId, d.domain, d.token, d.createdAt, d.verifiedAt, d.lastCheckedAt];

// ---------------------------------------------------------------- setup links

const setupLinkRow = z.object({
  id: z.string(),
  developer_id: z.string(),
  label: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
});
const setupLinkOrgRow = setupLinkRow.extend({ organization_name: z.string() });
const setupLinkUseRow = z.object({
  link_id: z.string(),
  used_at: z.string(),
  name: z.string(),
  email: z.string(),
  user_agent: z.string().nullable(),
});

export const SETUP_LINK_COLUMNS = 'id, developer_id, label, created_by, created_at, expires_at, revoked_at';
/** The link by token hash joined to its org's name; `$` is the backend's placeholder (`?` or `$1`). */
export const setupLinkByTokenSql = ($: string) => `SELECT ${SETUP_LINK_COLUMNS.split(', ')
  .map((c) => `l.${c}`)
  .join(', ')}, d.name AS organization_name
    FROM setup_links l JOIN developers d ON d.id = l.developer_id WHERE l.token_hash = ${$}`;
/** The org's uses, the newest `limit` of each link, newest first (placeholders: developer_id, then the limit). */
export const setupLinkUsesOfOrgSql = (org: string, limit: string) => `SELECT link_id, used_at, name, email, user_agent FROM (
      SELECT u.link_id, u.used_at, u.name, u.email, u.user_agent,
             ROW_NUMBER() OVER (PARTITION BY u.link_id ORDER BY u.used_at DESC, u.id DESC) AS n
        FROM setup_link_uses u WHERE u.developer_id = ${org}
    ) t WHERE n <= ${limit} ORDER BY used_at DESC`;
/** The org's links, newest first. */
export const setupLinksOfOrgSql = ($: string) =>
  `SELECT ${SETUP_LINK_COLUMNS} FROM setup_links WHERE developer_id = ${$} ORDER BY created_at DESC, id`;
/** Revokes once: a second revocation keeps the first time. Placeholders: revoked_at, id, developer_id. */
export const revokeSetupLinkSql = (at: string, id: string, org: string) =>
  `UPDATE setup_links SET revoked_at = COALESCE(revoked_at, ${at}) WHERE id = ${id} AND developer_id = ${org}
    RETURNING ${SETUP_LINK_COLUMNS}`;
/** A use, its org copied from the link (placeholders: used_at, name, email, user_agent, link id). */
export const insertSetupLinkUseSql = (p: string[]) =>
  `INSERT INTO setup_link_uses (link_id, developer_id, used_at, name, email, user_agent)
     SELECT id, developer_id, ${p[0]}, ${p[1]}, ${p[2]}, ${p[3]} FROM setup_links WHERE id = ${p[4]}`;
export const insertSetupLinkSql = (p: string[]) =>
  `INSERT INTO setup_links (id, developer_id, token_hash, label, created_by, created_at, expires_at)
     VALUES (${p.join(', ')}) RETURNING ${SETUP_LINK_COLUMNS}`;

export function toSetupLink(row: unknown): SetupLink {
  const r = setupLinkRow.parse(row);
  return {
    id: r.id,
    developerId: r.developer_id,
    label: r.label,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
  };
}

export function toSetupLinkWithOrg(row: unknown): SetupLinkWithOrg {
  return { ...toSetupLink(row), organizationName: setupLinkOrgRow.parse(row).organization_name };
}

export function toSetupLinkUse(row: unknown): SetupLinkUse {
  const r = setupLinkUseRow.parse(row);
  return { linkId: r.link_id, usedAt: r.used_at, name: r.name, email: r.email, userAgent: r.user_agent };
}

/** Links with their uses attached, in the links' order. */
export function withUses(links: SetupLink[], uses: SetupLinkUse[]): { link: SetupLink; uses: SetupLinkUse[] }[] {
  const byLink = new Map<string, SetupLinkUse[]>();
  for (const use of uses) byLink.set(use.linkId, [...(byLink.get(use.linkId) ?? []), use]);
  return links.map((link) => ({ link, uses: byLink.get(link.id) ?? [] }));
}

/** INSERT parameters in the order id, developer_id, token_hash, label, created_by, created_at, expires_at. */
export function setupLinkParams(l: NewSetupLink): unknown[] {
  return [l.id, l.developerId, bytes(l.tokenHash), l.label, l.createdBy, l.createdAt, l.expiresAt];
}

/** insertSetupLinkUseSql's parameters. */
export function setupLinkUseParams(u: SetupLinkUse): unknown[] {
  return [u.usedAt, u.name, u.email, u.userAgent, u.linkId];
}
