/**
 * The schema as Kysely sees it: one interface per table, column names as in the migrations. Both backends
 * share these types; where a column's runtime value differs by backend (JSON text vs parsed jsonb, 0/1 vs
 * boolean, bigint as text) the type says `unknown`/a union and the row mappers (zod) settle it.
 */
import type { Generated, Kysely, Transaction } from 'kysely';

/** A JSON column: written as JSON text on both backends, read as text (SQLite) or already parsed (PostgreSQL jsonb). */
export type JsonColumn = string | unknown;
/** `email_verified`: SQLite stores 0/1, PostgreSQL a boolean (see Dialect.bool). */
export type BoolColumn = boolean | number;

export interface DevelopersTable {
  id: string;
  name: string;
  /** PostgreSQL: the contact email. SQLite: always NULL since migration 12 (the column is UNIQUE), see contact_email. */
  email: string | null;
  /** SQLite only (migration 12). */
  contact_email: string | null;
  mode: string;
  plan: string;
  created_at: string;
  /** Migration 22: SSO enforcement (features/console-access). */
  sso_enforce: Generated<BoolColumn>;
  sso_enforced_at: string | null;
  sso_enforced_by: string | null;
}

export interface ApiKeysTable {
  key_hash: Buffer;
  developer_id: string;
  created_at: string;
}

export interface SsoConnectionsTable {
  id: string;
  developer_id: string;
  default_for: string | null;
  name: string;
  protocol: string;
  status: string;
  settings: JsonColumn;
  secret_enc: Buffer | null;
  domains: JsonColumn;
  provisioning: JsonColumn;
  created_at: string;
  updated_at: string;
}

export interface ConsumedStatesTable {
  state_id: string;
  developer_id: string;
  expires_at: number;
  outcome: string;
  error_status: number | null;
  error_code: string | null;
  error_message: string | null;
  /** The contract's reason code of a failed callback's answer, when it had one. */
  error_reason: string | null;
}

export interface RateLimitsTable {
  key: string;
  count: number;
  /** bigint: pg returns it as text. */
  reset_at: number | string;
}

export interface SsoPrincipalsTable {
  id: string;
  developer_id: string;
  connection_id: string;
  idp_issuer: string;
  idp_subject: string;
  email: string | null;
  email_verified: BoolColumn;
  name: string | null;
  groups: JsonColumn;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string;
}

export interface SsoSessionsTable {
  id: string;
  developer_id: string;
  connection_id: string;
  principal_id: string;
  email: string | null;
  email_verified: BoolColumn;
  name: string | null;
  idp_subject: string;
  groups: JsonColumn;
  mapped_scopes: JsonColumn;
  expires_at: string;
  created_at: string;
  revoked_at: string | null;
}

export interface SsoDomainsTable {
  developer_id: string;
  domain: string;
  token: string;
  created_at: string;
  verified_at: string | null;
  last_checked_at: string | null;
  failing_since: string | null;
}

export interface SetupLinksTable {
  id: string;
  developer_id: string;
  token_hash: Buffer;
  label: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface SetupLinkUsesTable {
  /** Generated (SQLite INTEGER PRIMARY KEY, PostgreSQL identity). */
  id: number | undefined;
  link_id: string;
  developer_id: string;
  used_at: string;
  name: string;
  email: string;
  user_agent: string | null;
  session_id: string | null;
}

export interface SetupSessionsTable {
  id: string;
  link_id: string;
  developer_id: string;
  token_hash: Buffer;
  name: string;
  email: string;
  created_at: string;
  expires_at: string;
}

export interface SignInEventsTable {
  id: string;
  developer_id: string;
  connection_id: string | null;
  protocol: string;
  started_by: string;
  outcome: string;
  stage: string;
  reason: string | null;
  idp_error: string | null;
  idp_error_description: string | null;
  email: string | null;
  sub: string | null;
  name: string | null;
  duration_ms: number;
  request_id: string;
  trace: JsonColumn;
  /** The member's address as the service saw it (behind the trusted proxies); only the SIEM formats send it. */
  client_ip: string | null;
  created_at: string;
}

export interface AuditEventsTable {
  id: string;
  developer_id: string;
  actor_kind: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  changed_fields: JsonColumn;
  /** The address the change came from (null for the service's own changes); only the SIEM formats send it. */
  actor_ip: string | null;
  created_at: string;
}

export interface SamlAssertionsTable {
  idp_entity_id: string;
  assertion_id: string;
  developer_id: string;
  connection_id: string;
  expires_at: number;
}

export interface SamlRelayStatesTable {
  /** sha256 (hex) of the RelayState handle. */
  handle_hash: string;
  developer_id: string;
  connection_id: string;
  /** The sealed login state the handle stands for. */
  state: string;
  expires_at: number;
}

export interface SamlMetadataRefreshTable {
  connection_id: string;
  developer_id: string;
  next_due_at: string;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_result: string | null;
  last_error: string | null;
  warning: string | null;
}

export interface ScimTokensTable {
  id: string;
  developer_id: string;
  connection_id: string | null;
  label: string;
  token_hash: Buffer;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ScimUsersTable {
  id: string;
  developer_id: string;
  /** A connection id, or '*' for the whole org (the token's scope). */
  directory: string;
  user_name: string;
  user_name_key: string;
  external_id: string | null;
  display_name: string | null;
  email_key: string | null;
  active: BoolColumn;
  resource: JsonColumn;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ScimGroupsTable {
  id: string;
  developer_id: string;
  directory: string;
  display_name: string;
  display_name_key: string;
  external_id: string | null;
  resource: JsonColumn;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ScimGroupMembersTable {
  group_id: string;
  user_id: string;
}

/** Migration 17: what a session's IdP names it by in a logout (features/logout). */
export interface SsoSessionLogoutTable {
  session_id: string;
  developer_id: string;
  connection_id: string;
  idp_session_id: string | null;
  saml_name_id: string | null;
  saml_name_id_format: string | null;
  id_token_sealed: string | null;
}

/** Migration 17: logout messages accepted once per issuer. */
export interface LogoutClaimsTable {
  issuer: string;
  message_id: string;
  developer_id: string;
  connection_id: string;
  expires_at: number;
}

export interface SamlSpKeysTable {
  id: string;
  connection_id: string;
  developer_id: string;
  key_use: 'signing' | 'encryption';
  state: 'next' | 'current' | 'previous';
  private_key_enc: string;
  certificate_pem: string;
  created_at: string;
}

export interface WebhookEndpointsTable {
  id: string;
  developer_id: string;
  url: string;
  events: JsonColumn;
  enabled: BoolColumn;
  disabled_reason: string | null;
  consecutive_failures: number;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: string | null;
  /** `grantex` | `ocsf` | `ecs` (migration 25). */
  format: string;
  created_at: string;
  updated_at: string;
}

export interface WebhookDeliveriesTable {
  id: string;
  endpoint_id: string;
  developer_id: string;
  event_id: string;
  event_type: string;
  body: string;
  /** The format `body` is in (migration 25). */
  format: string;
  status: string;
  attempts: number;
  /** bigint on PostgreSQL: read back as text by pg, settled by the row mapper. */
  next_attempt_at: number | string | null;
  lease_until: number | string | null;
  response_status: number | null;
  duration_ms: number | null;
  last_error: string | null;
  last_attempt_at: string | null;
  created_at: string;
}

export interface ConsoleSessionsTable {
  id: string;
  developer_id: string;
  token_hash: Buffer;
  role: string;
  via: string;
  email: string | null;
  subject: string | null;
  connection_id: string | null;
  principal_id: string | null;
  sso_session_id: string | null;
  label: string | null;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface BreakGlassCredentialsTable {
  id: string;
  developer_id: string;
  label: string;
  secret_hash: Buffer;
  created_at: string;
  created_by: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface Database {
  developers: DevelopersTable;
  api_keys: ApiKeysTable;
  sso_connections: SsoConnectionsTable;
  consumed_states: ConsumedStatesTable;
  rate_limits: RateLimitsTable;
  sso_principals: SsoPrincipalsTable;
  sso_sessions: SsoSessionsTable;
  sso_domains: SsoDomainsTable;
  setup_links: SetupLinksTable;
  setup_link_uses: SetupLinkUsesTable;
  setup_sessions: SetupSessionsTable;
  sign_in_events: SignInEventsTable;
  audit_events: AuditEventsTable;
  saml_assertions: SamlAssertionsTable;
  saml_relay_states: SamlRelayStatesTable;
  saml_metadata_refresh: SamlMetadataRefreshTable;
  scim_tokens: ScimTokensTable;
  scim_users: ScimUsersTable;
  scim_groups: ScimGroupsTable;
  scim_group_members: ScimGroupMembersTable;
  sso_session_logout: SsoSessionLogoutTable;
  logout_claims: LogoutClaimsTable;
  saml_sp_keys: SamlSpKeysTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  console_sessions: ConsoleSessionsTable;
  break_glass_credentials: BreakGlassCredentialsTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
