/**
 * PostgreSQL's versioned schema migrations. Append only: never edit a released step, add a new one.
 * They run at start under a session advisory lock, so processes starting together apply each step once:
 * the first takes the lock and migrates, the others wait, then find nothing left to do. Each step commits
 * together with its schema_migrations row. Timestamps are ISO-8601 UTC text, as in the SQLite schema, so
 * both backends return byte-identical values.
 */
import type { Pool } from 'pg';

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE developers (
        id          text PRIMARY KEY,
        name        text NOT NULL,
        email       text,
        mode        text NOT NULL CHECK (mode IN ('live', 'sandbox')),
        plan        text NOT NULL DEFAULT 'free',
        created_at  text NOT NULL
      );
      CREATE UNIQUE INDEX developers_email ON developers (lower(email));

      CREATE TABLE api_keys (
        key_hash      bytea PRIMARY KEY,
        developer_id  text NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        created_at    text NOT NULL
      );
      CREATE INDEX api_keys_developer ON api_keys(developer_id);

      CREATE TABLE sso_configs (
        developer_id       text PRIMARY KEY REFERENCES developers(id) ON DELETE CASCADE,
        connection_id      text NOT NULL UNIQUE,
        issuer_url         text NOT NULL,
        client_id          text NOT NULL,
        client_secret_enc  bytea NOT NULL,
        redirect_uri       text NOT NULL,
        created_at         text NOT NULL,
        updated_at         text NOT NULL
      );

      CREATE TABLE consumed_states (
        state_id       text PRIMARY KEY,
        developer_id   text NOT NULL,
        expires_at     bigint NOT NULL,
        outcome        text NOT NULL CHECK (outcome IN ('pending', 'ok', 'failed')),
        error_status   integer,
        error_code     text,
        error_message  text
      );
      CREATE INDEX consumed_states_expiry ON consumed_states(expires_at);

      CREATE TABLE rate_limits (
        key       text PRIMARY KEY,
        count     integer NOT NULL,
        reset_at  bigint NOT NULL
      );
      CREATE INDEX rate_limits_reset ON rate_limits(reset_at);
    `,
  },
  {
    version: 2,
    name: 'sso connections; legacy configs become default connections',
    sql: `
      CREATE TABLE sso_connections (
        id            text PRIMARY KEY,
        developer_id  text NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        -- The org's id on its one default (legacy) connection, NULL on the others: unique, so at most one per org.
        default_for   text UNIQUE CHECK (default_for IS NULL OR default_for = developer_id),
        name          text NOT NULL,
        protocol      text NOT NULL CHECK (protocol IN ('oidc', 'saml')),
        status        text NOT NULL CHECK (status IN ('active', 'inactive', 'testing')),
        settings      jsonb NOT NULL,            -- the protocol's non-secret settings
        secret_enc    bytea,                     -- its write-only secret, sealed
        domains       jsonb NOT NULL DEFAULT '[]',
        provisioning  jsonb NOT NULL,
        created_at    text NOT NULL,
        updated_at    text NOT NULL
      );
      CREATE INDEX sso_connections_developer ON sso_connections(developer_id);

      INSERT INTO sso_connections
        (id, developer_id, default_for, name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at)
      SELECT connection_id, developer_id, developer_id, 'Default connection', 'oidc', 'active',
             jsonb_build_object('issuerUrl', issuer_url, 'clientId', client_id, 'redirectUri', redirect_uri),
             client_secret_enc, '[]', '{"jitProvisioning":false,"groupAttribute":null,"groupMappings":{},"defaultScopes":[]}',
             created_at, updated_at
        FROM sso_configs;
      DROP TABLE sso_configs;
    `,
  },
  {
    version: 3,
    name: 'sso principals and sessions; legacy default connections provision members just in time',
    sql: `
      CREATE TABLE sso_principals (
        id               text PRIMARY KEY,
        developer_id     text NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id    text NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        idp_subject      text NOT NULL,
        email            text,
        name             text,
        groups           jsonb NOT NULL DEFAULT '[]',
        created_at       text NOT NULL,
        updated_at       text NOT NULL,
        last_sign_in_at  text NOT NULL,
        UNIQUE (connection_id, idp_subject)
      );
      CREATE INDEX sso_principals_last_sign_in ON sso_principals(developer_id, connection_id, last_sign_in_at);

      CREATE TABLE sso_sessions (
        id             text PRIMARY KEY,
        developer_id   text NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id  text NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        principal_id   text NOT NULL REFERENCES sso_principals(id) ON DELETE CASCADE,
        email          text,
        name           text,
        idp_subject    text NOT NULL,
        groups         jsonb NOT NULL,
        mapped_scopes  jsonb NOT NULL,
        expires_at     text NOT NULL,
        created_at     text NOT NULL,
        revoked_at     text
      );
      CREATE INDEX sso_sessions_active ON sso_sessions(developer_id, created_at DESC) WHERE revoked_at IS NULL;
      CREATE INDEX sso_sessions_expiry ON sso_sessions(expires_at);
      CREATE INDEX sso_sessions_connection ON sso_sessions(connection_id);
      CREATE INDEX sso_sessions_principal ON sso_sessions(principal_id);

      UPDATE sso_connections SET provisioning = jsonb_set(provisioning, '{jitProvisioning}', 'true')
       WHERE id LIKE 'conn\\_%' ESCAPE '\\';
    `,
  },
  {
    version: 4,
    name: 'verified email domains',
    sql: `
      CREATE TABLE sso_domains (
        developer_id     text NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        domain           text NOT NULL CHECK (domain = lower(domain)),
        token            text NOT NULL,
        created_at       text NOT NULL,
        verified_at      text,
        last_checked_at  text,
        PRIMARY KEY (developer_id, domain)
      );
      -- One org at most holds a domain verified; sign-in by email reads this index.
      CREATE UNIQUE INDEX sso_domains_verified ON sso_domains(domain) WHERE verified_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'setup links and their uses',
    sql: `
      CREATE TABLE setup_links (
        id            text PRIMARY KEY,
        developer_id  text NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        token_hash    bytea NOT NULL UNIQUE,       -- sha256 of the token; the token itself is never stored
        label         text,
        created_by    text NOT NULL,
        created_at    text NOT NULL,
        expires_at    text NOT NULL,
        revoked_at    text
      );
      CREATE INDEX setup_links_developer ON setup_links(developer_id, created_at);

      CREATE TABLE setup_link_uses (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        link_id       text NOT NULL REFERENCES setup_links(id) ON DELETE CASCADE,
        developer_id  text NOT NULL,
        used_at       text NOT NULL,
        name          text NOT NULL,
        email         text NOT NULL,
        user_agent    text
      );
      CREATE INDEX setup_link_uses_developer ON setup_link_uses(developer_id, link_id, used_at);
    `,
  },
  {
    version: 6,
    name: 'sign-in events and audit events',
    sql: `
      CREATE TABLE sign_in_events (
        id                     text PRIMARY KEY,
        developer_id           text NOT NULL,
        connection_id          text,
        protocol               text NOT NULL,
        started_by             text NOT NULL CHECK (started_by IN ('member', 'test', 'idp_initiated')),
        outcome                text NOT NULL CHECK (outcome IN ('success', 'failure')),
        stage                  text NOT NULL,
        reason                 text,
        idp_error              text,
        idp_error_description  text,
        email                  text,
        sub                    text,
        name                   text,
        duration_ms            double precision NOT NULL,
        request_id             text NOT NULL,
        trace                  jsonb NOT NULL,
        created_at             text NOT NULL
      );
      -- Newest first per org (cursor paging by created_at, id), per connection, per email; and the retention purge.
      CREATE INDEX sign_in_events_org ON sign_in_events(developer_id, created_at, id);
      CREATE INDEX sign_in_events_connection ON sign_in_events(developer_id, connection_id, created_at, id);
      CREATE INDEX sign_in_events_email ON sign_in_events(developer_id, lower(email), created_at);
      CREATE INDEX sign_in_events_created ON sign_in_events(created_at);

      CREATE TABLE audit_events (
        id              text PRIMARY KEY,
        developer_id    text NOT NULL,
        actor_kind      text NOT NULL CHECK (actor_kind IN ('api_key', 'setup_link', 'sso_admin', 'system')),
        actor_id        text,
        actor_label     text,
        action          text NOT NULL,
        target_type     text NOT NULL,
        target_id       text,
        changed_fields  jsonb NOT NULL,
        created_at      text NOT NULL
      );
      CREATE INDEX audit_events_org ON audit_events(developer_id, created_at, id);
      CREATE INDEX audit_events_target ON audit_events(developer_id, target_id, created_at);
      CREATE INDEX audit_events_created ON audit_events(created_at);
    `,
  },
  {
    version: 7,
    name: 'consumed saml assertion ids',
    sql: `
      -- Each SAML assertion id is accepted once per org (replay protection), kept until the assertion expires.
      CREATE TABLE saml_assertions (
        developer_id   text NOT NULL,
        assertion_id   text NOT NULL,
        connection_id  text NOT NULL,
        expires_at     bigint NOT NULL,
        PRIMARY KEY (developer_id, assertion_id)
      );
      CREATE INDEX saml_assertions_expiry ON saml_assertions(expires_at);
    `,
  },
  {
    version: 8,
    name: 'oidc connections by redirect uri',
    sql: `
      -- A connection's own console callback is held by one connection of any org (the IdP mix-up defence): the
      -- save looks the URI up across orgs, in one indexed read.
      CREATE INDEX sso_connections_redirect_uri ON sso_connections ((settings->>'redirectUri')) WHERE protocol = 'oidc';
    `,
  },
  {
    version: 9,
    name: 'principals keyed by connection, IdP issuer and subject; email verification on principals and sessions',
    sql: `
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
  {
    version: 10,
    name: 'assertion ids per IdP entity id; domain re-check failures',
    sql: `
      -- An assertion id is accepted once per IdP entity id, whichever org's connection receives it: an assertion
      -- accepted at one org's connection is a replay at every other connection trusting the same IdP. The claims
      -- made so far are kept (under their connection's IdP entity id), so no assertion in flight becomes replayable.
      ALTER TABLE saml_assertions RENAME TO saml_assertions_per_org;
      DROP INDEX saml_assertions_expiry;
      CREATE TABLE saml_assertions (
        idp_entity_id  text NOT NULL,
        assertion_id   text NOT NULL,
        developer_id   text NOT NULL,
        connection_id  text NOT NULL,
        expires_at     bigint NOT NULL,
        PRIMARY KEY (idp_entity_id, assertion_id)
      );
      INSERT INTO saml_assertions (idp_entity_id, assertion_id, developer_id, connection_id, expires_at)
        SELECT c.settings->>'idpEntityId', a.assertion_id, a.developer_id, a.connection_id, a.expires_at
          FROM saml_assertions_per_org a JOIN sso_connections c ON c.id = a.connection_id
         WHERE c.settings->>'idpEntityId' IS NOT NULL
        ON CONFLICT DO NOTHING;
      DROP TABLE saml_assertions_per_org;
      CREATE INDEX saml_assertions_expiry ON saml_assertions(expires_at);

      -- Verified domains are re-checked daily: since when the TXT record has been missing (NULL: it was found).
      ALTER TABLE sso_domains ADD COLUMN failing_since text;
      CREATE INDEX sso_domains_recheck ON sso_domains(last_checked_at) WHERE verified_at IS NOT NULL;
    `,
  },
  {
    version: 11,
    name: 'setup sessions: a redeemed setup link becomes a session with its own token',
    sql: `
      -- One row per redemption: the token the console keeps (sha256 only), who redeemed, and until when (never
      -- after the link). Revoking the link ends its sessions: every lookup joins the link.
      CREATE TABLE setup_sessions (
        id            text PRIMARY KEY,
        link_id       text NOT NULL REFERENCES setup_links(id) ON DELETE CASCADE,
        developer_id  text NOT NULL,
        token_hash    bytea NOT NULL UNIQUE,
        name          text NOT NULL,
        email         text NOT NULL,
        created_at    text NOT NULL,
        expires_at    text NOT NULL
      );
      CREATE INDEX setup_sessions_link ON setup_sessions(link_id);
      CREATE INDEX setup_sessions_expiry ON setup_sessions(expires_at);
      -- Which session a use opened (NULL for uses recorded before sessions existed).
      ALTER TABLE setup_link_uses ADD COLUMN session_id text;
    `,
  },
  {
    version: 12,
    name: 'developer emails are contact details, not unique',
    sql: `
      -- A unique email made signup answer "already exists" (an oracle for who has an account).
      DROP INDEX IF EXISTS developers_email;
    `,
  },
];

/** Any fixed 64-bit number; it names "grantex schema migrations" among the database's advisory locks. */
const MIGRATION_LOCK_ID = '7163825590127346211';
/** How long a starting process waits for another one's migration before giving up. */
const LOCK_WAIT = '60s';

export async function migratePg(pool: Pool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  let locked = false;
  try {
    // The lock wait is bounded; once held, a long migration is not cut short by the pool's statement timeout.
    await client.query(`SET statement_timeout = '${LOCK_WAIT}'`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    locked = true;
    await client.query('SET statement_timeout = 0');
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version     integer PRIMARY KEY,
      name        text NOT NULL,
      applied_at  text NOT NULL
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => r.version));
    let count = 0;
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          new Date().toISOString(),
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      count++;
    }
    return count;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    // A client whose session settings were changed is not handed back to the pool.
    client.release(true);
  }
}
