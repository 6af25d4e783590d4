/**
 * The schema's versioned migrations, written once for both backends. Append only: never edit a released step,
 * add a new one. Each step is SQL written against the few column types and JSON expressions that differ by
 * backend (`SchemaDialect`, below: the one place they are named); a step whose statements differ in kind (SQLite
 * cannot drop a UNIQUE constraint in place, PostgreSQL can) gives one text per backend, side by side.
 *
 * The runners and their bookkeeping (`schema_migrations`: version, name, applied_at) are per backend, since how
 * processes take turns differs: sqlite/migrations.ts (one IMMEDIATE transaction) and postgres/migrations.ts (an
 * advisory lock, one transaction per step). Timestamps are ISO-8601 UTC text on both, so both backends return
 * byte-identical values; instants in ms are integers (bigint on PostgreSQL).
 */

export interface SchemaDialect {
  readonly name: 'sqlite' | 'postgres';
  readonly text: string;
  readonly bytes: string;
  readonly integer: string;
  /** Milliseconds since the epoch. */
  readonly ms: string;
  readonly double: string;
  /** After each CREATE TABLE's closing parenthesis (SQLite checks column types only in STRICT tables). */
  readonly strict: string;
  /** A JSON column, NOT NULL, with an optional default (a SQL literal). */
  json(column: string, defaultLiteral?: string): string;
  /** A JSON object built from key/value SQL pairs. */
  jsonObject(pairs: string): string;
  /** A JSON text field of a column (`key` a SQL string literal, or a CASE of them on SQLite). */
  jsonField(column: string, key: string): string;
  /** A boolean column, NOT NULL, false by default. */
  readonly boolFalse: (column: string) => string;
  /** The case-insensitive email column of sign_in_events and how its index reads it. */
  readonly nocaseText: string;
  readonly emailIndexExpr: string;
  /** A generated integer primary key. */
  readonly serialKey: string;
}

export const SQLITE_SCHEMA: SchemaDialect = {
  name: 'sqlite',
  text: 'TEXT',
  bytes: 'BLOB',
  integer: 'INTEGER',
  ms: 'INTEGER',
  double: 'REAL',
  strict: ' STRICT',
  json: (column, def) => `TEXT NOT NULL${def ? ` DEFAULT ${def}` : ''} CHECK (json_valid(${column}))`,
  jsonObject: (pairs) => `json_object(${pairs})`,
  jsonField: (column, key) => `json_extract(${column}, '$.${key}')`,
  boolFalse: (column) => `INTEGER NOT NULL DEFAULT 0 CHECK (${column} IN (0, 1))`,
  nocaseText: 'TEXT COLLATE NOCASE',
  emailIndexExpr: 'email',
  serialKey: 'INTEGER PRIMARY KEY',
};

export const POSTGRES_SCHEMA: SchemaDialect = {
  name: 'postgres',
  text: 'text',
  bytes: 'bytea',
  integer: 'integer',
  ms: 'bigint',
  double: 'double precision',
  strict: '',
  json: (_column, def) => `jsonb NOT NULL${def ? ` DEFAULT ${def}` : ''}`,
  jsonObject: (pairs) => `jsonb_build_object(${pairs})`,
  jsonField: (column, key) => `${column}->>'${key}'`,
  boolFalse: () => 'boolean NOT NULL DEFAULT false',
  nocaseText: 'text',
  emailIndexExpr: 'lower(email)',
  serialKey: 'bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
};

export interface MigrationStep {
  version: number;
  name: string;
  /** One text for both (rendered per dialect), or one per backend where the statements differ in kind. */
  sql: ((d: SchemaDialect) => string) | { sqlite: string; postgres: string };
  /**
   * SQLite: the step rebuilds a table other tables reference (SQLite cannot drop a UNIQUE constraint in place).
   * With foreign keys on, DROP TABLE would cascade its implicit DELETE into the referencing rows, so the step runs
   * with them off, as SQLite's table-rebuild procedure says, and `foreign_key_check` must be clean before commit.
   */
  rebuildsReferencedTable?: boolean;
}

export const MIGRATION_STEPS: readonly MigrationStep[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: (d) => `
      CREATE TABLE developers (
        id          ${d.text} PRIMARY KEY,
        name        ${d.text} NOT NULL,
        email       ${d.name === 'sqlite' ? 'TEXT UNIQUE COLLATE NOCASE' : 'text'},
        mode        ${d.text} NOT NULL CHECK (mode IN ('live', 'sandbox')),
        plan        ${d.text} NOT NULL DEFAULT 'free',
        created_at  ${d.text} NOT NULL
      )${d.strict};
      ${d.name === 'postgres' ? 'CREATE UNIQUE INDEX developers_email ON developers (lower(email));' : ''}

      CREATE TABLE api_keys (
        key_hash      ${d.bytes} PRIMARY KEY,
        developer_id  ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        created_at    ${d.text} NOT NULL
      )${d.strict};
      CREATE INDEX api_keys_developer ON api_keys(developer_id);

      CREATE TABLE sso_configs (
        developer_id       ${d.text} PRIMARY KEY REFERENCES developers(id) ON DELETE CASCADE,
        connection_id      ${d.text} NOT NULL UNIQUE,
        issuer_url         ${d.text} NOT NULL,
        client_id          ${d.text} NOT NULL,
        client_secret_enc  ${d.bytes} NOT NULL,
        redirect_uri       ${d.text} NOT NULL,
        created_at         ${d.text} NOT NULL,
        updated_at         ${d.text} NOT NULL
      )${d.strict};

      CREATE TABLE consumed_states (
        state_id       ${d.text} PRIMARY KEY,
        developer_id   ${d.text} NOT NULL,
        expires_at     ${d.ms} NOT NULL,
        outcome        ${d.text} NOT NULL CHECK (outcome IN ('pending', 'ok', 'failed')),
        error_status   ${d.integer},
        error_code     ${d.text},
        error_message  ${d.text}
      )${d.strict};
      CREATE INDEX consumed_states_expiry ON consumed_states(expires_at);
      ${
        // Shared rate-limit windows: only several processes on one PostgreSQL database need them.
        d.name === 'postgres'
          ? `
      CREATE TABLE rate_limits (
        key       text PRIMARY KEY,
        count     integer NOT NULL,
        reset_at  bigint NOT NULL
      );
      CREATE INDEX rate_limits_reset ON rate_limits(reset_at);`
          : ''
      }
    `,
  },
  {
    version: 2,
    name: 'sso connections; legacy configs become default connections',
    sql: (d) => `
      CREATE TABLE sso_connections (
        id            ${d.text} PRIMARY KEY,
        developer_id  ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        -- The org's id on its one default (legacy) connection, NULL on the others: unique, so at most one per org.
        default_for   ${d.text} UNIQUE CHECK (default_for IS NULL OR default_for = developer_id),
        name          ${d.text} NOT NULL,
        protocol      ${d.text} NOT NULL CHECK (protocol IN ('oidc', 'saml')),
        status        ${d.text} NOT NULL CHECK (status IN ('active', 'inactive', 'testing')),
        settings      ${d.json('settings')},      -- the protocol's non-secret settings
        secret_enc    ${d.bytes},                                             -- its write-only secret, sealed
        domains       ${d.json('domains', "'[]'")},
        provisioning  ${d.json('provisioning')},
        created_at    ${d.text} NOT NULL,
        updated_at    ${d.text} NOT NULL
      )${d.strict};
      CREATE INDEX sso_connections_developer ON sso_connections(developer_id);

      INSERT INTO sso_connections
        (id, developer_id, default_for, name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at)
      SELECT connection_id, developer_id, developer_id, 'Default connection', 'oidc', 'active',
             ${d.jsonObject("'issuerUrl', issuer_url, 'clientId', client_id, 'redirectUri', redirect_uri")},
             client_secret_enc, '[]', '{"jitProvisioning":false,"groupAttribute":null,"groupMappings":{},"defaultScopes":[]}', created_at, updated_at
        FROM sso_configs;
      DROP TABLE sso_configs;
    `,
  },
  {
    version: 3,
    name: 'sso principals and sessions; legacy default connections provision members just in time',
    sql: (d) => `
      -- A member of a connection as its IdP names them (connection + subject), upserted at each member sign-in.
      CREATE TABLE sso_principals (
        id               ${d.text} PRIMARY KEY,
        developer_id     ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id    ${d.text} NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        idp_subject      ${d.text} NOT NULL,
        email            ${d.text},
        name             ${d.text},
        groups           ${d.json('groups', "'[]'")},
        created_at       ${d.text} NOT NULL,
        updated_at       ${d.text} NOT NULL,
        last_sign_in_at  ${d.text} NOT NULL,
        UNIQUE (connection_id, idp_subject)
      )${d.strict};
      -- Each connection's latest sign-in for the connections list (one index-only group per org).
      CREATE INDEX sso_principals_last_sign_in ON sso_principals(developer_id, connection_id, last_sign_in_at);

      -- One member sign-in; a revoke sets revoked_at (the row goes when it expires).
      CREATE TABLE sso_sessions (
        id             ${d.text} PRIMARY KEY,
        developer_id   ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id  ${d.text} NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        principal_id   ${d.text} NOT NULL REFERENCES sso_principals(id) ON DELETE CASCADE,
        email          ${d.text},
        name           ${d.text},
        idp_subject    ${d.text} NOT NULL,
        groups         ${d.json('groups')},
        mapped_scopes  ${d.json('mapped_scopes')},
        expires_at     ${d.text} NOT NULL,
        created_at     ${d.text} NOT NULL,
        revoked_at     ${d.text}
      )${d.strict};
      -- The org's active sessions, newest first (expired ones are filtered, then purged).
      CREATE INDEX sso_sessions_active ON sso_sessions(developer_id, created_at DESC) WHERE revoked_at IS NULL;
      CREATE INDEX sso_sessions_expiry ON sso_sessions(expires_at);
      CREATE INDEX sso_sessions_connection ON sso_sessions(connection_id);
      CREATE INDEX sso_sessions_principal ON sso_sessions(principal_id);

      -- Before sessions, every member the IdP vouched for signed in on a legacy config: keep that.
      UPDATE sso_connections SET provisioning = ${
        d.name === 'sqlite'
          ? "json_set(provisioning, '$.jitProvisioning', json('true'))"
          : "jsonb_set(provisioning, '{jitProvisioning}', 'true')"
      }
       WHERE id LIKE 'conn\\_%' ESCAPE '\\';
    `,
  },
  {
    version: 4,
    name: 'verified email domains',
    sql: (d) => `
      CREATE TABLE sso_domains (
        developer_id     ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        domain           ${d.text} NOT NULL CHECK (domain = lower(domain)),
        token            ${d.text} NOT NULL,
        created_at       ${d.text} NOT NULL,
        verified_at      ${d.text},
        last_checked_at  ${d.text},
        PRIMARY KEY (developer_id, domain)
      )${d.strict};
      -- One org at most holds a domain verified; sign-in by email reads this index.
      CREATE UNIQUE INDEX sso_domains_verified ON sso_domains(domain) WHERE verified_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'setup links and their uses',
    sql: (d) => `
      CREATE TABLE setup_links (
        id            ${d.text} PRIMARY KEY,
        developer_id  ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        token_hash    ${d.bytes} NOT NULL UNIQUE,        -- sha256 of the token; the token itself is never stored
        label         ${d.text},
        created_by    ${d.text} NOT NULL,
        created_at    ${d.text} NOT NULL,
        expires_at    ${d.text} NOT NULL,
        revoked_at    ${d.text}
      )${d.strict};
      CREATE INDEX setup_links_developer ON setup_links(developer_id, created_at);

      CREATE TABLE setup_link_uses (
        id            ${d.serialKey},
        link_id       ${d.text} NOT NULL REFERENCES setup_links(id) ON DELETE CASCADE,
        developer_id  ${d.text} NOT NULL,
        used_at       ${d.text} NOT NULL,
        name          ${d.text} NOT NULL,
        email         ${d.text} NOT NULL,
        user_agent    ${d.text}
      )${d.strict};
      CREATE INDEX setup_link_uses_developer ON setup_link_uses(developer_id, link_id, used_at);
    `,
  },
  {
    version: 6,
    name: 'sign-in events and audit events',
    sql: (d) => `
      CREATE TABLE sign_in_events (
        id                     ${d.text} PRIMARY KEY,
        developer_id           ${d.text} NOT NULL,
        connection_id          ${d.text},
        protocol               ${d.text} NOT NULL,
        started_by             ${d.text} NOT NULL CHECK (started_by IN ('member', 'test', 'idp_initiated')),
        outcome                ${d.text} NOT NULL CHECK (outcome IN ('success', 'failure')),
        stage                  ${d.text} NOT NULL,
        reason                 ${d.text},
        idp_error              ${d.text},
        idp_error_description  ${d.text},
        email                  ${d.nocaseText},
        sub                    ${d.text},
        name                   ${d.text},
        duration_ms            ${d.double} NOT NULL,
        request_id             ${d.text} NOT NULL,
        trace                  ${d.json('trace')},
        created_at             ${d.text} NOT NULL
      )${d.strict};
      -- Newest first per org (cursor paging by created_at, id), per connection, per email; and the retention purge.
      CREATE INDEX sign_in_events_org ON sign_in_events(developer_id, created_at, id);
      CREATE INDEX sign_in_events_connection ON sign_in_events(developer_id, connection_id, created_at, id);
      CREATE INDEX sign_in_events_email ON sign_in_events(developer_id, ${d.emailIndexExpr}, created_at);
      CREATE INDEX sign_in_events_created ON sign_in_events(created_at);

      CREATE TABLE audit_events (
        id              ${d.text} PRIMARY KEY,
        developer_id    ${d.text} NOT NULL,
        actor_kind      ${d.text} NOT NULL CHECK (actor_kind IN ('api_key', 'setup_link', 'sso_admin', 'system')),
        actor_id        ${d.text},
        actor_label     ${d.text},
        action          ${d.text} NOT NULL,
        target_type     ${d.text} NOT NULL,
        target_id       ${d.text},
        changed_fields  ${d.json('changed_fields')},
        created_at      ${d.text} NOT NULL
      )${d.strict};
      CREATE INDEX audit_events_org ON audit_events(developer_id, created_at, id);
      CREATE INDEX audit_events_target ON audit_events(developer_id, target_id, created_at);
      CREATE INDEX audit_events_created ON audit_events(created_at);
    `,
  },
  {
    version: 7,
    name: 'consumed saml assertion ids',
    sql: (d) => `
      -- Each SAML assertion id is accepted once per org (replay protection), kept until the assertion expires.
      CREATE TABLE saml_assertions (
        developer_id   ${d.text} NOT NULL,
        assertion_id   ${d.text} NOT NULL,
        connection_id  ${d.text} NOT NULL,
        expires_at     ${d.ms} NOT NULL,
        PRIMARY KEY (developer_id, assertion_id)
      )${d.strict};
      CREATE INDEX saml_assertions_expiry ON saml_assertions(expires_at);
    `,
  },
  {
    version: 8,
    name: 'oidc connections by redirect uri',
    sql: (d) => `
      -- A connection's own console callback is held by one connection of any org (the IdP mix-up defence): the
      -- save looks the URI up across orgs, in one indexed read. The expression is the one Dialect.redirectUri reads.
      CREATE INDEX sso_connections_redirect_uri ON sso_connections${d.name === 'sqlite' ? `(${d.jsonField('settings', 'redirectUri')})` : ` ((${d.jsonField('settings', 'redirectUri')}))`} WHERE protocol = 'oidc';
    `,
  },
  {
    version: 9,
    name: 'principals keyed by connection, IdP issuer and subject; email verification on principals and sessions',
    rebuildsReferencedTable: true,
    // SQLite cannot drop the old UNIQUE constraint, so it rebuilds the table; PostgreSQL alters it in place.
    sql: {
      sqlite: `
      -- A principal belongs to the IdP that vouched for it (OIDC issuer URL, SAML IdP entity ID): a connection
      -- moved to another IdP starts a new set of members instead of handing the old ones to the new IdP.
      CREATE TABLE sso_principals_v9 (
        id               TEXT PRIMARY KEY,
        developer_id     TEXT NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id    TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        idp_issuer       TEXT NOT NULL,
        idp_subject      TEXT NOT NULL,
        email            TEXT,
        email_verified   INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1)),
        name             TEXT,
        groups           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(groups)),
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        last_sign_in_at  TEXT NOT NULL,
        UNIQUE (connection_id, idp_issuer, idp_subject)
      ) STRICT;
      -- Existing members belong to their connection's current IdP; whether their email was verified is unknown (0).
      INSERT INTO sso_principals_v9
        (id, developer_id, connection_id, idp_issuer, idp_subject, email, name, groups, created_at, updated_at, last_sign_in_at)
      SELECT p.id, p.developer_id, p.connection_id,
             COALESCE(json_extract(c.settings, CASE c.protocol WHEN 'saml' THEN '$.idpEntityId' ELSE '$.issuerUrl' END), ''),
             p.idp_subject, p.email, p.name, p.groups, p.created_at, p.updated_at, p.last_sign_in_at
        FROM sso_principals p JOIN sso_connections c ON c.id = p.connection_id;
      DROP TABLE sso_principals;
      ALTER TABLE sso_principals_v9 RENAME TO sso_principals;
      CREATE INDEX sso_principals_last_sign_in ON sso_principals(developer_id, connection_id, last_sign_in_at);

      ALTER TABLE sso_sessions ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0 CHECK (email_verified IN (0, 1));
    `,
      postgres: `
      -- A principal belongs to the IdP that vouched for it (OIDC issuer URL, SAML IdP entity ID): a connection
      -- moved to another IdP starts a new set of members instead of handing the old ones to the new IdP.
      ALTER TABLE sso_principals ADD COLUMN idp_issuer text;
      -- Existing members belong to their connection's current IdP.
      UPDATE sso_principals p
         SET idp_issuer = COALESCE(CASE c.protocol WHEN 'saml' THEN c.settings->>'idpEntityId' ELSE c.settings->>'issuerUrl' END, '')
        FROM sso_connections c WHERE c.id = p.connection_id;
      ALTER TABLE sso_principals ALTER COLUMN idp_issuer SET NOT NULL;
      ALTER TABLE sso_principals DROP CONSTRAINT sso_principals_connection_id_idp_subject_key;
      ALTER TABLE sso_principals ADD CONSTRAINT sso_principals_identity_key UNIQUE (connection_id, idp_issuer, idp_subject);
      -- Whether an existing member's email was verified is unknown: false.
      ALTER TABLE sso_principals ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
      ALTER TABLE sso_sessions ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
    `,
    },
  },
  {
    version: 10,
    name: 'assertion ids per IdP entity id; domain re-check failures',
    sql: (d) => `
      -- An assertion id is accepted once per IdP entity id, whichever org's connection receives it: an assertion
      -- accepted at one org's connection is a replay at every other connection trusting the same IdP. The claims
      -- made so far are kept (under their connection's IdP entity id), so no assertion in flight becomes replayable.
      ALTER TABLE saml_assertions RENAME TO saml_assertions_per_org;
      DROP INDEX saml_assertions_expiry;
      CREATE TABLE saml_assertions (
        idp_entity_id  ${d.text} NOT NULL,
        assertion_id   ${d.text} NOT NULL,
        developer_id   ${d.text} NOT NULL,
        connection_id  ${d.text} NOT NULL,
        expires_at     ${d.ms} NOT NULL,
        PRIMARY KEY (idp_entity_id, assertion_id)
      )${d.strict};
      INSERT ${d.name === 'sqlite' ? 'OR IGNORE ' : ''}INTO saml_assertions (idp_entity_id, assertion_id, developer_id, connection_id, expires_at)
        SELECT ${d.jsonField('c.settings', 'idpEntityId')}, a.assertion_id, a.developer_id, a.connection_id, a.expires_at
          FROM saml_assertions_per_org a JOIN sso_connections c ON c.id = a.connection_id
         WHERE ${d.jsonField('c.settings', 'idpEntityId')} IS NOT NULL${d.name === 'postgres' ? '\n        ON CONFLICT DO NOTHING' : ''};
      DROP TABLE saml_assertions_per_org;
      CREATE INDEX saml_assertions_expiry ON saml_assertions(expires_at);

      -- Verified domains are re-checked daily: since when the TXT record has been missing (NULL: it was found).
      ALTER TABLE sso_domains ADD COLUMN failing_since ${d.text};
      CREATE INDEX sso_domains_recheck ON sso_domains(last_checked_at) WHERE verified_at IS NOT NULL;
    `,
  },
  {
    version: 11,
    name: 'setup sessions: a redeemed setup link becomes a session with its own token',
    sql: (d) => `
      -- One row per redemption: the token the console keeps (sha256 only), who redeemed, and until when (never
      -- after the link). Revoking the link ends its sessions: every lookup joins the link.
      CREATE TABLE setup_sessions (
        id            ${d.text} PRIMARY KEY,
        link_id       ${d.text} NOT NULL REFERENCES setup_links(id) ON DELETE CASCADE,
        developer_id  ${d.text} NOT NULL,
        token_hash    ${d.bytes} NOT NULL UNIQUE,
        name          ${d.text} NOT NULL,
        email         ${d.text} NOT NULL,
        created_at    ${d.text} NOT NULL,
        expires_at    ${d.text} NOT NULL
      )${d.strict};
      CREATE INDEX setup_sessions_link ON setup_sessions(link_id);
      CREATE INDEX setup_sessions_expiry ON setup_sessions(expires_at);
      -- Which session a use opened (NULL for uses recorded before sessions existed).
      ALTER TABLE setup_link_uses ADD COLUMN session_id ${d.text};
    `,
  },
  {
    version: 12,
    name: 'developer emails are contact details, not unique',
    // A unique email made signup answer "already exists" (an oracle for who has an account).
    sql: {
      sqlite: `
      -- SQLite cannot drop a column's UNIQUE constraint without rebuilding the table (and dropping developers would
      -- cascade to every org's rows), so the address moves to a plain column and the constrained one stays empty
      -- (Dialect.developerEmail names the column the store reads).
      ALTER TABLE developers ADD COLUMN contact_email TEXT;
      UPDATE developers SET contact_email = email, email = NULL;
    `,
      postgres: `
      DROP INDEX IF EXISTS developers_email;
    `,
    },
  },
  {
    version: 13,
    name: 'a failed callback keeps its reason code beside its error code',
    // A retry repeats the original answer, including its `errors` entry's reason (e.g. sso_not_configured).
    sql: (d) => `
      ALTER TABLE consumed_states ADD COLUMN error_reason ${d.text};
    `,
  },
  {
    version: 15,
    name: 'SAML SP keys per connection: signing and encryption, with rotation states',
    sql: (d) => `
      -- A SAML connection's own SP keys: signing (AuthnRequests, and later LogoutRequests) and encryption
      -- (the IdP encrypts assertions to it). At most one key per connection, use and state: current signs (and
      -- decrypts), next is published beside it until promoted, previous still decrypts after a promotion.
      -- The private key is sealed by the secret box (AAD binds it to its org, connection and key id); the
      -- certificate is public. Deleting the connection deletes its keys.
      CREATE TABLE saml_sp_keys (
        id               ${d.text} PRIMARY KEY,
        connection_id    ${d.text} NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        developer_id     ${d.text} NOT NULL,
        key_use          ${d.text} NOT NULL CHECK (key_use IN ('signing', 'encryption')),
        state            ${d.text} NOT NULL CHECK (state IN ('next', 'current', 'previous')),
        private_key_enc  ${d.text} NOT NULL,
        certificate_pem  ${d.text} NOT NULL,
        created_at       ${d.text} NOT NULL,
        UNIQUE (connection_id, key_use, state)
      )${d.strict};
    `,
  },
  {
    version: 16,
    name: 'short SAML RelayState handles; IdP metadata refreshed from its URL',
    sql: (d) => `
      -- A SAML login's sealed state, kept server-side under a short random handle (its sha256 here) that travels
      -- as RelayState (at most 80 bytes by the SAML bindings). Single use stays the state's claim in
      -- consumed_states; a row lives until the state expires and is purged with the consumed states.
      CREATE TABLE saml_relay_states (
        handle_hash    ${d.text} PRIMARY KEY,
        developer_id   ${d.text} NOT NULL,
        connection_id  ${d.text} NOT NULL,
        state          ${d.text} NOT NULL,
        expires_at     ${d.ms} NOT NULL
      )${d.strict};
      CREATE INDEX saml_relay_states_expiry ON saml_relay_states(expires_at);

      -- The scheduled refresh of a SAML connection's IdP metadata from its URL: when it is next due (the claim is
      -- a compare-and-set on next_due_at, so one process refreshes it), and the last attempt's outcome.
      CREATE TABLE saml_metadata_refresh (
        connection_id     ${d.text} PRIMARY KEY REFERENCES sso_connections(id) ON DELETE CASCADE,
        developer_id      ${d.text} NOT NULL,
        next_due_at       ${d.text} NOT NULL,
        last_attempt_at   ${d.text},
        last_success_at   ${d.text},
        last_result       ${d.text},
        last_error        ${d.text},
        warning           ${d.text}
      )${d.strict};
      CREATE INDEX saml_metadata_refresh_due ON saml_metadata_refresh(next_due_at);
    `,
  },
  {
    version: 17,
    name: 'logout: what a session needs for single logout, and single-use logout messages',
    sql: (d) => `
      -- Beside each session, what its IdP names it by in a logout (SAML NameID + SessionIndex, OIDC sid) and the
      -- sealed ID token for id_token_hint; its own table, dropped with the session.
      CREATE TABLE sso_session_logout (
        session_id           ${d.text} PRIMARY KEY REFERENCES sso_sessions(id) ON DELETE CASCADE,
        developer_id         ${d.text} NOT NULL,
        connection_id        ${d.text} NOT NULL,
        idp_session_id       ${d.text},
        saml_name_id         ${d.text},
        saml_name_id_format  ${d.text},
        id_token_sealed      ${d.text}
      )${d.strict};
      CREATE INDEX sso_session_logout_name_id ON sso_session_logout(connection_id, saml_name_id) WHERE saml_name_id IS NOT NULL;
      CREATE INDEX sso_session_logout_sid ON sso_session_logout(connection_id, idp_session_id) WHERE idp_session_id IS NOT NULL;
      -- Back-channel logout by subject: a connection's active sessions of one IdP subject.
      CREATE INDEX sso_sessions_subject ON sso_sessions(connection_id, idp_subject) WHERE revoked_at IS NULL;
      -- A logout message (SAML LogoutRequest ID, OIDC logout token jti) is accepted once per issuer.
      CREATE TABLE logout_claims (
        issuer         ${d.text} NOT NULL,
        message_id     ${d.text} NOT NULL,
        developer_id   ${d.text} NOT NULL,
        connection_id  ${d.text} NOT NULL,
        expires_at     ${d.ms} NOT NULL,
        PRIMARY KEY (issuer, message_id)
      )${d.strict};
      CREATE INDEX logout_claims_expiry ON logout_claims(expires_at);
    `,
  },
  {
    version: 18,
    name: 'directory sync: SCIM tokens, users, groups and memberships',
    sql: (d) => `
      -- A token is stored as its sha256 only. connection_id NULL: the token's users sign in through any of the org's
      -- connections. Revocation is a timestamp, read on every SCIM request, so it holds on every process at once.
      CREATE TABLE scim_tokens (
        id             ${d.text} PRIMARY KEY,
        developer_id   ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id  ${d.text},
        label          ${d.text} NOT NULL,
        token_hash     ${d.bytes} NOT NULL UNIQUE,
        created_at     ${d.text} NOT NULL,
        last_used_at   ${d.text},
        revoked_at     ${d.text}
      )${d.strict};
      CREATE INDEX scim_tokens_developer ON scim_tokens(developer_id);

      -- A directory is the token's scope: a connection id, or '*' for the whole org. Users and groups of one
      -- directory are unique by their case-insensitive userName / displayName (RFC 7643: caseExact false); the
      -- resource column keeps the document as the client sent it (unknown attributes included), the other
      -- columns are what filters and sign-ins read.
      CREATE TABLE scim_users (
        id             ${d.text} PRIMARY KEY,
        developer_id   ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        directory      ${d.text} NOT NULL,
        user_name      ${d.text} NOT NULL,
        user_name_key  ${d.text} NOT NULL,
        external_id    ${d.text},
        display_name   ${d.text},
        email_key      ${d.text},
        active         ${d.boolFalse('active')},
        resource       ${d.json('resource')},
        version        ${d.integer} NOT NULL,
        created_at     ${d.text} NOT NULL,
        updated_at     ${d.text} NOT NULL,
        UNIQUE (developer_id, directory, user_name_key)
      )${d.strict};
      CREATE INDEX scim_users_external ON scim_users(developer_id, directory, external_id);
      CREATE INDEX scim_users_email ON scim_users(developer_id, email_key);
      CREATE INDEX scim_users_page ON scim_users(developer_id, directory, created_at, id);

      CREATE TABLE scim_groups (
        id                ${d.text} PRIMARY KEY,
        developer_id      ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        directory         ${d.text} NOT NULL,
        display_name      ${d.text} NOT NULL,
        display_name_key  ${d.text} NOT NULL,
        external_id       ${d.text},
        resource          ${d.json('resource')},
        version           ${d.integer} NOT NULL,
        created_at        ${d.text} NOT NULL,
        updated_at        ${d.text} NOT NULL,
        UNIQUE (developer_id, directory, display_name_key)
      )${d.strict};
      CREATE INDEX scim_groups_page ON scim_groups(developer_id, directory, created_at, id);

      CREATE TABLE scim_group_members (
        group_id  ${d.text} NOT NULL REFERENCES scim_groups(id) ON DELETE CASCADE,
        user_id   ${d.text} NOT NULL REFERENCES scim_users(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
      )${d.strict};
      CREATE INDEX scim_group_members_user ON scim_group_members(user_id);
    `,
  },
  {
    version: 19,
    name: 'webhooks: endpoints and the delivery outbox',
    sql: (d) => `
      -- An endpoint's signing secret is sealed by the secret box (AAD: the endpoint id); during a rotation's
      -- overlap the previous one signs too, until previous_secret_expires_at.
      CREATE TABLE webhook_endpoints (
        id                          ${d.text} PRIMARY KEY,
        developer_id                ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        url                         ${d.text} NOT NULL,
        events                      ${d.json('events')},
        enabled                     ${d.boolFalse('enabled')},
        disabled_reason             ${d.text},
        consecutive_failures        ${d.integer} NOT NULL DEFAULT 0,
        secret_sealed               ${d.text} NOT NULL,
        previous_secret_sealed      ${d.text},
        previous_secret_expires_at  ${d.text},
        created_at                  ${d.text} NOT NULL,
        updated_at                  ${d.text} NOT NULL
      )${d.strict};
      CREATE INDEX webhook_endpoints_developer ON webhook_endpoints(developer_id);

      -- The outbox and the delivery log in one: a row per (event, endpoint), written in the same transaction as
      -- the sign-in or audit event it carries; body is the exact JSON every attempt sends. A worker claims due
      -- rows by setting lease_until (ms), so a process that dies mid-delivery leaves a row that is due again
      -- once the lease runs out.
      CREATE TABLE webhook_deliveries (
        id               ${d.text} PRIMARY KEY,
        endpoint_id      ${d.text} NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        developer_id     ${d.text} NOT NULL,
        event_id         ${d.text} NOT NULL,
        event_type       ${d.text} NOT NULL,
        body             ${d.text} NOT NULL,
        status           ${d.text} NOT NULL,
        attempts         ${d.integer} NOT NULL DEFAULT 0,
        next_attempt_at  ${d.ms},
        lease_until      ${d.ms},
        response_status  ${d.integer},
        duration_ms      ${d.integer},
        last_error       ${d.text},
        last_attempt_at  ${d.text},
        created_at       ${d.text} NOT NULL,
        UNIQUE (endpoint_id, event_id)
      )${d.strict};
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
      CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at, id);
      CREATE INDEX webhook_deliveries_created ON webhook_deliveries(created_at);
    `,
  },
  {
    version: 21,
    name: 'audit actor kinds are checked by the application, not by a CHECK constraint',
    // A new kind of actor (the directory's SCIM token, and the people and credentials to come) must not need a
    // table rebuild each time; the service writes only the kinds the contract lists (zod, on write and on read).
    sql: {
      sqlite: `
      CREATE TABLE audit_events_next (
        id              TEXT PRIMARY KEY,
        developer_id    TEXT NOT NULL,
        actor_kind      TEXT NOT NULL,
        actor_id        TEXT,
        actor_label     TEXT,
        action          TEXT NOT NULL,
        target_type     TEXT NOT NULL,
        target_id       TEXT,
        changed_fields  TEXT NOT NULL CHECK (json_valid(changed_fields)),
        created_at      TEXT NOT NULL
      ) STRICT;
      INSERT INTO audit_events_next SELECT id, developer_id, actor_kind, actor_id, actor_label, action, target_type,
        target_id, changed_fields, created_at FROM audit_events;
      DROP TABLE audit_events;
      ALTER TABLE audit_events_next RENAME TO audit_events;
      CREATE INDEX audit_events_org ON audit_events(developer_id, created_at, id);
      CREATE INDEX audit_events_target ON audit_events(developer_id, target_id, created_at);
      CREATE INDEX audit_events_created ON audit_events(created_at);
    `,
      postgres: `
      ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_actor_kind_check;
    `,
    },
  },
  {
    version: 22,
    name: 'console access: console sessions, break-glass credentials, SSO enforcement',
    sql: (d) => `
      -- SSO enforcement is the org's: whether it is on, since when and who switched it on (an audit actor label).
      ALTER TABLE developers ADD COLUMN sso_enforce ${d.boolFalse('sso_enforce')};
      ALTER TABLE developers ADD COLUMN sso_enforced_at ${d.text};
      ALTER TABLE developers ADD COLUMN sso_enforced_by ${d.text};

      -- A person's console session (SSO console sign-in or break-glass): only sha256 of its bearer token is kept.
      -- Revoked rows stay until they expire (the purge drops expired rows), so sign-out and SCIM revocation show.
      CREATE TABLE console_sessions (
        id             ${d.text} PRIMARY KEY,
        developer_id   ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        token_hash     ${d.bytes} NOT NULL UNIQUE,
        role           ${d.text} NOT NULL CHECK (role IN ('owner', 'admin', 'viewer')),
        via            ${d.text} NOT NULL CHECK (via IN ('sso', 'break_glass')),
        email          ${d.text},
        subject        ${d.text},
        connection_id  ${d.text},
        principal_id   ${d.text},
        -- The member session an SSO console sign-in opened with it: ending that one (logout, the IdP's logout,
        -- an admin's revoke) ends this one.
        sso_session_id ${d.text},
        label          ${d.text},
        created_at     ${d.text} NOT NULL,
        expires_at     ${d.text} NOT NULL,
        revoked_at     ${d.text}
      )${d.strict};
      CREATE INDEX console_sessions_sso_session ON console_sessions(sso_session_id);
      -- Enforcement asks for an owner's recent SSO sign-in in the org.
      CREATE INDEX console_sessions_recent ON console_sessions(developer_id, via, role, created_at);
      CREATE INDEX console_sessions_expires ON console_sessions(expires_at);

      -- Break-glass credentials: sha256 of the secret only; a deleted one is kept revoked (its last use stays
      -- visible, and its hash can never be reissued).
      CREATE TABLE break_glass_credentials (
        id            ${d.text} PRIMARY KEY,
        developer_id  ${d.text} NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        label         ${d.text} NOT NULL,
        secret_hash   ${d.bytes} NOT NULL UNIQUE,
        created_at    ${d.text} NOT NULL,
        created_by    ${d.text},
        last_used_at  ${d.text},
        revoked_at    ${d.text}
      )${d.strict};
      CREATE INDEX break_glass_credentials_developer ON break_glass_credentials(developer_id, created_at);
    `,
  },
  {
    version: 25,
    name: 'audit export: webhook formats and the addresses events came from',
    sql: (d) => `
      -- What an endpoint receives: 'grantex' (one event per POST) or a SIEM format ('ocsf', 'ecs': batches of
      -- newline-delimited JSON); the application checks the value (zod, on write and on read).
      ALTER TABLE webhook_endpoints ADD COLUMN format ${d.text} NOT NULL DEFAULT 'grantex';
      -- The format a delivery's body was written in (the endpoint's when the event was stored): a later change of
      -- the endpoint's format applies to later events, and every attempt sends the body as it was written.
      ALTER TABLE webhook_deliveries ADD COLUMN format ${d.text} NOT NULL DEFAULT 'grantex';
      -- The client address of a sign-in and of an admin change, for the SIEM formats (OCSF src_endpoint.ip, ECS
      -- source.ip); rows recorded before this step have none.
      ALTER TABLE sign_in_events ADD COLUMN client_ip ${d.text};
      ALTER TABLE audit_events ADD COLUMN actor_ip ${d.text};
    `,
  },
];

/** The steps as one backend runs them. */
export function renderMigrations(
  d: SchemaDialect,
): { version: number; name: string; sql: string; rebuildsReferencedTable?: boolean }[] {
  return MIGRATION_STEPS.map((step) => ({
    version: step.version,
    name: step.name,
    sql: typeof step.sql === 'function' ? step.sql(d) : step.sql[d.name],
    ...(d.name === 'sqlite' && step.rebuildsReferencedTable ? { rebuildsReferencedTable: true } : {}),
  }));
}
