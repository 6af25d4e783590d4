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
  // One IMMEDIATE transaction is the lock: a second process starting on the same file waits (busy_timeout), then
  // reads the versions the first one recorded, so no step is applied twice.
  return db
    .transaction(() => {
      const applied = new Set((appliedVersions.all() as { version: number }[]).map((r) => r.version));
      let count = 0;
      for (const m of ordered) {
        if (applied.has(m.version)) continue;
        db.exec(m.sql);
        record.run(m.version, m.name, new Date().toISOString());
        count++;
      }
      return count;
    })
    .immediate();
}
