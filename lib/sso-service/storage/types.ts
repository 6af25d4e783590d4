/**
 * The service's storage seam: one async interface in the service's own terms. Routes and the relying-party
 * glue see these types only — never SQL, rows, column names or a driver handle. Two implementations sit
 * behind it (sqlite/, postgres/), chosen once by `openStore` from the configuration.
 */
import type { Mode } from '@/lib/contract';
import type { EventStore } from './events-types';

/** sha256 of an API key, base64url (see crypto/api-keys.ts). The key itself is never stored. */
export type ApiKeyHash = string;
/** A client secret sealed by crypto/secret-box.ts, base64url. Opaque to storage. */
export type SealedSecret = string;

export interface Developer {
  id: string;
  name: string;
  email: string | null;
  mode: Mode;
  plan: string;
  /** ISO-8601, UTC. */
  createdAt: string;
}

export interface NewDeveloper extends Developer {
  keyHash: ApiKeyHash;
}

/** Connection protocols. SAML joins this union (with its own settings type below) when it lands. */
export type ConnectionProtocol = 'oidc';
/** Only `active` connections take member logins; `testing` will take only test sign-ins. */
export type ConnectionStatus = 'active' | 'inactive' | 'testing';

/** An OIDC connection's protocol settings. The client secret is write-only and stored sealed. */
export interface OidcSettings {
  issuerUrl: string;
  clientId: string;
  clientSecretSealed: SealedSecret;
  redirectUri: string;
}

/** Just-in-time provisioning and group → scope mapping. */
export interface ProvisioningSettings {
  jitProvisioning: boolean;
  /** The ID-token claim that lists the member's groups; null: groups are not read. */
  groupAttribute: string | null;
  /** Group name → scopes granted to members of that group. */
  groupMappings: Record<string, string[]>;
  /** Scopes every member of the connection gets. */
  defaultScopes: string[];
}

interface ConnectionBase {
  /** `sso_…` (connections API) or `conn_…` (created through the legacy config endpoints, which always used it). */
  id: string;
  developerId: string;
  name: string;
  status: ConnectionStatus;
  /** True for the org's one default connection: the one the legacy `/v1/sso/config` and `?org=` login use. */
  isDefault: boolean;
  /** Lower-case email domains. */
  domains: string[];
  provisioning: ProvisioningSettings;
  /** ISO-8601, UTC. */
  createdAt: string;
  updatedAt: string;
}

/** One identity-provider connection of an org; `protocol` says which settings it has. */
export type SsoConnection = ConnectionBase & { protocol: 'oidc'; oidc: OidcSettings };

/** The defaults of a connection created through the legacy endpoints (or migrated from a legacy config). */
export const DEFAULT_CONNECTION_NAME = 'Default connection';
export const NO_PROVISIONING: ProvisioningSettings = {
  jitProvisioning: false,
  groupAttribute: null,
  groupMappings: {},
  defaultScopes: [],
};

/**
 * A legacy `POST /v1/sso/config`: creates the org's default OIDC connection (active, default name and
 * provisioning) or replaces the OIDC settings of the existing one; its id, name, status, domains,
 * provisioning and createdAt survive.
 */
export interface DefaultOidcConnectionWrite {
  developerId: string;
  /** Used only when the org has no default connection yet. */
  newConnectionId: string;
  oidc: OidcSettings;
  /** ISO-8601, UTC: `updatedAt`, and `createdAt` of a first save. */
  now: string;
}

/** A connection created through the connections API; it becomes the org's default when the org has none. */
export type NewConnection = Omit<SsoConnection, 'isDefault'>;

/** A failed callback's outcome, kept with its claimed state so a retry gets the same answer. */
export interface StateFailure {
  status: number;
  code: string;
  message: string;
}

/** Hits in the current window of one rate-limit key, and when that window ends (ms since the epoch). */
export interface RateLimitHit {
  count: number;
  resetAtMs: number;
}

/** A fixed-window counter shared by every process on one database (see postgres/store.ts for its tolerance). */
export interface SharedRateLimiter {
  hit(key: string, windowMs: number, nowMs: number): Promise<RateLimitHit>;
}

export interface ServiceStore {
  /** Which implementation this is: for logs and health, never for branching in routes. */
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Rate-limit counters every process shares, or null when per-process counters are enough (SQLite: one
   * process owns the file).
   */
  readonly sharedRateLimits: SharedRateLimiter | null;

  /** The developer and its first API key, atomically. `email_taken`: another developer has this email. */
  createDeveloper(dev: NewDeveloper): Promise<'created' | 'email_taken'>;
  findDeveloperByKey(keyHash: ApiKeyHash): Promise<Developer | undefined>;
  /** The developer behind a key (undefined: no such key) and its default connection (null: none), in one query. */
  findDefaultConnectionByKey(keyHash: ApiKeyHash): Promise<{ developerId: string; connection: SsoConnection | null } | undefined>;
  /** The org's default connection (one indexed read). */
  getDefaultConnection(developerId: string): Promise<SsoConnection | undefined>;
  /** A connection by id, only if it belongs to `developerId` (another org's id reads as absent). */
  getConnection(developerId: string, connectionId: string): Promise<SsoConnection | undefined>;
  /** Creates or updates the default OIDC connection in one statement (see DefaultOidcConnectionWrite). */
  saveDefaultOidcConnection(write: DefaultOidcConnectionWrite): Promise<SsoConnection>;
  /** The removed default connection, or undefined when there was none. */
  deleteDefaultConnection(developerId: string): Promise<SsoConnection | undefined>;
  /** The org's connections, oldest first. */
  listConnections(developerId: string): Promise<SsoConnection[]>;
  /** Inserts a connection; it is the org's default exactly when the org had none. */
  createConnection(connection: NewConnection): Promise<SsoConnection>;
  /**
   * Writes `next` (same id and org) over the stored connection if that one is still at `expectedUpdatedAt`
   * (compare-and-set); undefined when it changed or is gone. `isDefault` is not changed by it.
   */
  replaceConnection(next: SsoConnection, expectedUpdatedAt: string): Promise<SsoConnection | undefined>;
  /** The removed connection, or undefined when the org has none with that id. */
  deleteConnection(developerId: string, connectionId: string): Promise<SsoConnection | undefined>;

  /** Claims a login state id for good; false when it was claimed before (a replay), by any process. */
  claimState(stateId: string, developerId: string, expiresAtMs: number): Promise<boolean>;
  /** The failure recorded for a claimed state (undefined: none recorded, or never claimed). */
  getStateFailure(stateId: string): Promise<StateFailure | undefined>;
  recordStateFailure(stateId: string, failure: StateFailure): Promise<void>;
  /** Drops claimed states that expired before `beforeMs` and finished rate-limit windows; returns states dropped. */
  purgeExpired(beforeMs: number, nowMs: number): Promise<number>;

  /** The sign-in log and the audit trail (events-types.ts). */
  readonly events: EventStore;

  close(): Promise<void>;
}
