/**
 * SQLite's versioned schema migrations. Append only: never edit a released step, add a new one.
 * All pending steps run in one transaction together with their schema_migrations rows, so a failed
 * step leaves the database at the previous version.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The step rebuilds a table other tables reference (SQLite cannot drop a UNIQUE constraint in place). With
   * foreign keys on, DROP TABLE would cascade its implicit DELETE into the referencing rows, so the step runs
   * with them off, as SQLite's table-rebuild procedure says, and `foreign_key_check` must be clean before commit.
   */
  rebuildsReferencedTable?: boolean;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE developers (
        id          TEXT PRIMARY KEY,
        name        TEXT NOT NULL,
        email       TEXT UNIQUE COLLATE NOCASE,
        mode        TEXT NOT NULL CHECK (mode IN ('live', 'sandbox')),
        plan        TEXT NOT NULL DEFAULT 'free',
        created_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE api_keys (
        key_hash      BLOB PRIMARY KEY,
        developer_id  TEXT NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        created_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX api_keys_developer ON api_keys(developer_id);

      CREATE TABLE sso_configs (
        developer_id       TEXT PRIMARY KEY REFERENCES developers(id) ON DELETE CASCADE,
        connection_id      TEXT NOT NULL UNIQUE,
        issuer_url         TEXT NOT NULL,
        client_id          TEXT NOT NULL,
        client_secret_enc  BLOB NOT NULL,
        redirect_uri       TEXT NOT NULL,
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL
      ) STRICT;

      CREATE TABLE consumed_states (
        state_id       TEXT PRIMARY KEY,
        developer_id   TEXT NOT NULL,
        expires_at     INTEGER NOT NULL,
        outcome        TEXT NOT NULL CHECK (outcome IN ('pending', 'ok', 'failed')),
        error_status   INTEGER,
        error_code     TEXT,
        error_message  TEXT
      ) STRICT;
      CREATE INDEX consumed_states_expiry ON consumed_states(expires_at);
    `,
  },
  {
    version: 2,
    name: 'sso connections; legacy configs become default connections',
    sql: `
      CREATE TABLE sso_connections (
        id            TEXT PRIMARY KEY,
        developer_id  TEXT NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        -- The org's id on its one default (legacy) connection, NULL on the others: unique, so at most one per org.
        default_for   TEXT UNIQUE CHECK (default_for IS NULL OR default_for = developer_id),
        name          TEXT NOT NULL,
        protocol      TEXT NOT NULL CHECK (protocol IN ('oidc', 'saml')),
        status        TEXT NOT NULL CHECK (status IN ('active', 'inactive', 'testing')),
        settings      TEXT NOT NULL CHECK (json_valid(settings)),      -- the protocol's non-secret settings
        secret_enc    BLOB,                                             -- its write-only secret, sealed
        domains       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(domains)),
        provisioning  TEXT NOT NULL CHECK (json_valid(provisioning)),
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX sso_connections_developer ON sso_connections(developer_id);

      INSERT INTO sso_connections
        (id, developer_id, default_for, name, protocol, status, settings, secret_enc, domains, provisioning, created_at, updated_at)
      SELECT connection_id, developer_id, developer_id, 'Default connection', 'oidc', 'active',
             json_object('issuerUrl', issuer_url, 'clientId', client_id, 'redirectUri', redirect_uri),
             client_secret_enc, '[]', '{"jitProvisioning":false,"groupAttribute":null,"groupMappings":{},"defaultScopes":[]}', created_at, updated_at
        FROM sso_configs;
      DROP TABLE sso_configs;
    `,
  },
  {
    version: 3,
    name: 'sso principals and sessions; legacy default connections provision members just in time',
    sql: `
      -- A member of a connection as its IdP names them (connection + subject), upserted at each member sign-in.
      CREATE TABLE sso_principals (
        id               TEXT PRIMARY KEY,
        developer_id     TEXT NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id    TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        idp_subject      TEXT NOT NULL,
        email            TEXT,
        name             TEXT,
        groups           TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(groups)),
        created_at       TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        last_sign_in_at  TEXT NOT NULL,
        UNIQUE (connection_id, idp_subject)
      ) STRICT;
      -- Each connection's latest sign-in for the connections list (one index-only group per org).
      CREATE INDEX sso_principals_last_sign_in ON sso_principals(developer_id, connection_id, last_sign_in_at);

      -- One member sign-in; a revoke sets revoked_at (the row goes when it expires).
      CREATE TABLE sso_sessions (
        id             TEXT PRIMARY KEY,
        developer_id   TEXT NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        connection_id  TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
        principal_id   TEXT NOT NULL REFERENCES sso_principals(id) ON DELETE CASCADE,
        email          TEXT,
        name           TEXT,
        idp_subject    TEXT NOT NULL,
        groups         TEXT NOT NULL CHECK (json_valid(groups)),
        mapped_scopes  TEXT NOT NULL CHECK (json_valid(mapped_scopes)),
        expires_at     TEXT NOT NULL,
        created_at     TEXT NOT NULL,
        revoked_at     TEXT
      ) STRICT;
      -- The org's active sessions, newest first (expired ones are filtered, then purged).
      CREATE INDEX sso_sessions_active ON sso_sessions(developer_id, created_at DESC) WHERE revoked_at IS NULL;
      CREATE INDEX sso_sessions_expiry ON sso_sessions(expires_at);
      CREATE INDEX sso_sessions_connection ON sso_sessions(connection_id);
      CREATE INDEX sso_sessions_principal ON sso_sessions(principal_id);

      -- Before sessions, every member the IdP vouched for signed in on a legacy config: keep that.
      UPDATE sso_connections SET provisioning = json_set(provisioning, '$.jitProvisioning', json('true'))
       WHERE id LIKE 'conn\\_%' ESCAPE '\\';
    `,
  },
  {
    version: 4,
    name: 'verified email domains',
    sql: `
      CREATE TABLE sso_domains (
        developer_id     TEXT NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        domain           TEXT NOT NULL CHECK (domain = lower(domain)),
        token            TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        verified_at      TEXT,
        last_checked_at  TEXT,
        PRIMARY KEY (developer_id, domain)
      ) STRICT;
      -- One org at most holds a domain verified; sign-in by email reads this index.
      CREATE UNIQUE INDEX sso_domains_verified ON sso_domains(domain) WHERE verified_at IS NOT NULL;
    `,
  },
  {
    version: 5,
    name: 'setup links and their uses',
    sql: `
      CREATE TABLE setup_links (
        id            TEXT PRIMARY KEY,
        developer_id  TEXT NOT NULL REFERENCES developers(id) ON DELETE CASCADE,
        token_hash    BLOB NOT NULL UNIQUE,        -- sha256 of the token; the token itself is never stored
        label         TEXT,
        created_by    TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        expires_at    TEXT NOT NULL,
        revoked_at    TEXT
      ) STRICT;
      CREATE INDEX setup_links_developer ON setup_links(developer_id, created_at);

      CREATE TABLE setup_link_uses (
        id            INTEGER PRIMARY KEY,
        link_id       TEXT NOT NULL REFERENCES setup_links(id) ON DELETE CASCADE,
        developer_id  TEXT NOT NULL,
        used_at       TEXT NOT NULL,
        name          TEXT NOT NULL,
        email         TEXT NOT NULL,
        user_agent    TEXT
      ) STRICT;
      CREATE INDEX setup_link_uses_developer ON setup_link_uses(developer_id, link_id, used_at);
    `,
  },
  {
    version: 6,
    name: 'sign-in events and audit events',
    sql: `
      CREATE TABLE sign_in_events (
        id                     TEXT PRIMARY KEY,
        developer_id           TEXT NOT NULL,
        connection_id          TEXT,
        protocol               TEXT NOT NULL,
        started_by             TEXT NOT NULL CHECK (started_by IN ('member', 'test', 'idp_initiated')),
        outcome                TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
        stage                  TEXT NOT NULL,
        reason                 TEXT,
        idp_error              TEXT,
        idp_error_description  TEXT,
        email                  TEXT COLLATE NOCASE,
        sub                    TEXT,
        name                   TEXT,
        duration_ms            REAL NOT NULL,
        request_id             TEXT NOT NULL,
        trace                  TEXT NOT NULL CHECK (json_valid(trace)),
        created_at             TEXT NOT NULL
      ) STRICT;
      -- Newest first per org (cursor paging by created_at, id), per connection, per email; and the retention purge.
      CREATE INDEX sign_in_events_org ON sign_in_events(developer_id, created_at, id);
      CREATE INDEX sign_in_events_connection ON sign_in_events(developer_id, connection_id, created_at, id);
      CREATE INDEX sign_in_events_email ON sign_in_events(developer_id, email, created_at);
      CREATE INDEX sign_in_events_created ON sign_in_events(created_at);

      CREATE TABLE audit_events (
        id              TEXT PRIMARY KEY,
        developer_id    TEXT NOT NULL,
        actor_kind      TEXT NOT NULL CHECK (actor_kind IN ('api_key', 'setup_link', 'sso_admin', 'system')),
        actor_id        TEXT,
        actor_label     TEXT,
        action          TEXT NOT NULL,
        target_type     TEXT NOT NULL,
        target_id       TEXT,
        changed_fields  TEXT NOT NULL CHECK (json_valid(changed_fields)),
        created_at      TEXT NOT NULL
      ) STRICT;
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
        developer_id   TEXT NOT NULL,
        assertion_id   TEXT NOT NULL,
        connection_id  TEXT NOT NULL,
        expires_at     INTEGER NOT NULL,
        PRIMARY KEY (developer_id, assertion_id)
      ) STRICT;
      CREATE INDEX saml_assertions_expiry ON saml_assertions(expires_at);
    `,
  },
  {
    version: 8,
    name: 'oidc connections by redirect uri',
    sql: `
      -- A connection's own console callback is held by one connection of any org (the IdP mix-up defence): the
      -- save looks the URI up across orgs, in one indexed read.
      CREATE INDEX sso_connections_redirect_uri ON sso_connections(json_extract(settings, '$.redirectUri')) WHERE protocol = 'oidc';
    `,
  },
  {
    version: 9,
    name: 'principals keyed by connection, IdP issuer and subject; email verification on principals and sessions',
    rebuildsReferencedTable: true,
    sql: `
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
        idp_entity_id  TEXT NOT NULL,
        assertion_id   TEXT NOT NULL,
        developer_id   TEXT NOT NULL,
        connection_id  TEXT NOT NULL,
        expires_at     INTEGER NOT NULL,
        PRIMARY KEY (idp_entity_id, assertion_id)
      ) STRICT;
      INSERT OR IGNORE INTO saml_assertions (idp_entity_id, assertion_id, developer_id, connection_id, expires_at)
        SELECT json_extract(c.settings, '$.idpEntityId'), a.assertion_id, a.developer_id, a.connection_id, a.expires_at
          FROM saml_assertions_per_org a JOIN sso_connections c ON c.id = a.connection_id
         WHERE json_extract(c.settings, '$.idpEntityId') IS NOT NULL;
      DROP TABLE saml_assertions_per_org;
      CREATE INDEX saml_assertions_expiry ON saml_assertions(expires_at);

      -- Verified domains are re-checked daily: since when the TXT record has been missing (NULL: it was found).
      ALTER TABLE sso_domains ADD COLUMN failing_since TEXT;
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
        id            TEXT PRIMARY KEY,
        link_id       TEXT NOT NULL REFERENCES setup_links(id) ON DELETE CASCADE,
        developer_id  TEXT NOT NULL,
        token_hash    BLOB NOT NULL UNIQUE,
        name          TEXT NOT NULL,
        email         TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        expires_at    TEXT NOT NULL
      ) STRICT;
      CREATE INDEX setup_sessions_link ON setup_sessions(link_id);
      CREATE INDEX setup_sessions_expiry ON setup_sessions(expires_at);
      -- Which session a use opened (NULL for uses recorded before sessions existed).
      ALTER TABLE setup_link_uses ADD COLUMN session_id TEXT;
    `,
  },
  {
    version: 12,
    name: 'developer emails are contact details, not unique',
    sql: `
      -- A unique email made signup answer "already exists" (an oracle for who has an account). SQLite cannot drop
      -- a column's UNIQUE constraint without rebuilding the table (and dropping developers would cascade to
      -- every org's rows), so the address moves to a plain column and the constrained one stays empty.
      ALTER TABLE developers ADD COLUMN contact_email TEXT;
      UPDATE developers SET contact_email = email, email = NULL;
    `,
  },
];

export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
  ) STRICT`);
  const appliedVersions = db.prepare('SELECT version FROM schema_migrations');
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  // PRAGMA foreign_keys is a no-op inside a transaction, so it is switched before one (read outside the lock:
  // at worst the keys are off for a transaction that finds the step already applied by another process).
  const appliedBefore = new Set((appliedVersions.all() as { version: number }[]).map((r) => r.version));
  const keysOff =
    ordered.some((m) => m.rebuildsReferencedTable && !appliedBefore.has(m.version)) && db.pragma('foreign_keys', { simple: true }) === 1;
  if (keysOff) db.pragma('foreign_keys = OFF');
  // One IMMEDIATE transaction is the lock: a second process starting on the same file waits (busy_timeout), then
  // reads the versions the first one recorded, so no step is applied twice.
  try {
    return db
      .transaction(() => {
        const applied = new Set((appliedVersions.all() as { version: number }[]).map((r) => r.version));
        let count = 0;
        for (const m of ordered) {
          if (applied.has(m.version)) continue;
          db.exec(m.sql);
          if (m.rebuildsReferencedTable && (db.pragma('foreign_key_check') as unknown[]).length > 0) {
            throw new Error(`migration ${m.version} left rows whose foreign keys point nowhere`);
          }
          record.run(m.version, m.name, new Date().toISOString());
          count++;
        }
        return count;
      })
      .immediate();
  } finally {
    if (keysOff) db.pragma('foreign_keys = ON');
  }
}
