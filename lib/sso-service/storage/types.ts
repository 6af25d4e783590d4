/**
 * The service's storage seam: one async interface in the service's own terms. Routes and the relying-party
 * glue see these types only — never SQL, rows, column names or a driver handle. Two implementations sit
 * behind it (sqlite/, postgres/), chosen once by `openStore` from the configuration.
 */
import type { Mode } from '@/lib/contract';

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

export interface SsoConfigRecord {
  developerId: string;
  connectionId: string;
  issuerUrl: string;
  clientId: string;
  clientSecretSealed: SealedSecret;
  redirectUri: string;
  createdAt: string;
  updatedAt: string;
}

export interface SsoConfigWrite {
  developerId: string;
  /** Used only when the developer has no config yet: the connection id stays stable across updates. */
  newConnectionId: string;
  issuerUrl: string;
  clientId: string;
  clientSecretSealed: SealedSecret;
  redirectUri: string;
  /** ISO-8601, UTC: `updatedAt`, and `createdAt` of a first save. */
  now: string;
}

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
  /** The developer behind a key (undefined: no such key) and its config (null: none), in one query. */
  findConfigByKey(keyHash: ApiKeyHash): Promise<{ developerId: string; config: SsoConfigRecord | null } | undefined>;
  getSsoConfig(developerId: string): Promise<SsoConfigRecord | undefined>;
  /** Inserts or replaces the developer's config in one statement; the connection id and createdAt survive updates. */
  saveSsoConfig(write: SsoConfigWrite): Promise<SsoConfigRecord>;
  /** The removed config, or undefined when there was none. */
  deleteSsoConfig(developerId: string): Promise<SsoConfigRecord | undefined>;

  /** Claims a login state id for good; false when it was claimed before (a replay), by any process. */
  claimState(stateId: string, developerId: string, expiresAtMs: number): Promise<boolean>;
  /** The failure recorded for a claimed state (undefined: none recorded, or never claimed). */
  getStateFailure(stateId: string): Promise<StateFailure | undefined>;
  recordStateFailure(stateId: string, failure: StateFailure): Promise<void>;
  /** Drops claimed states that expired before `beforeMs` and finished rate-limit windows; returns states dropped. */
  purgeExpired(beforeMs: number, nowMs: number): Promise<number>;

  close(): Promise<void>;
}
