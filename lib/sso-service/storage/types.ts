/**
 * The service's storage seam: one async interface in the service's own terms. Routes and the relying-party
 * glue see these types only — never SQL, rows, column names or a driver handle. Two implementations sit
 * behind it (sqlite/, postgres/), chosen once by `openStore` from the configuration.
 */
import type { Mode } from '@/lib/contract';
import { AUDIT_ISSUER_CHANGED } from '@/lib/contract/limits';
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

/** Connection protocols; each has its own settings type below. */
export type ConnectionProtocol = 'oidc' | 'saml';
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
  /**
   * Only members whose email is in one of the org's verified domains sign in (for OIDC the IdP must also say the
   * email is verified); anyone else is refused before a principal or session is written. See docs/EMAIL-TRUST.md.
   */
  verifiedDomainsOnly: boolean;
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

/**
 * A SAML connection's settings. Nothing here is secret: the IdP certificates are public (their PEM is
 * write-only on the wire only to follow upstream), so everything lives in the `settings` JSON column.
 */
export interface SamlSettings {
  idpEntityId: string;
  /** The IdP's HTTP-Redirect SingleSignOnService. */
  idpSsoUrl: string;
  /** One or two PEM certificates (two during a rotation); either verifies. */
  idpCertificates: string[];
  /** Where the IdP metadata was fetched from (null: typed in or pasted). */
  idpMetadataUrl: string | null;
  spEntityId: string;
  spAcsUrl: string;
  /** The SP's public metadata URL (GET /sso/saml/:connectionId/metadata on the service's public base). */
  spMetadataUrl: string;
  /** Unsolicited (IdP-initiated) responses are accepted only when this is on. */
  allowIdpInitiated: boolean;
}

export type OidcConnection = ConnectionBase & { protocol: 'oidc'; oidc: OidcSettings };
export type SamlConnection = ConnectionBase & { protocol: 'saml'; saml: SamlSettings };

/** One identity-provider connection of an org; `protocol` says which settings it has. */
export type SsoConnection = OidcConnection | SamlConnection;

/**
 * A `redirect_uri` sent with a login or callback that differs from the OIDC connection's configured one (an
 * empty or absent value means "not given"; SAML connections have none, so they ignore it).
 */
export function redirectUriMismatch(connection: SsoConnection, redirectUri: string | undefined): boolean {
  return connection.protocol === 'oidc' && redirectUri !== undefined && redirectUri !== '' && redirectUri !== connection.oidc.redirectUri;
}

/**
 * Who vouches for a connection's members: the OIDC issuer URL as configured (the ID token's `iss` must equal it,
 * or one of its listed aliases, so aliases share one space) or the SAML IdP entity ID. A principal is keyed by
 * connection, issuer and subject, so pointing a connection at another IdP starts a new set of members: the new
 * IdP cannot take over a member of the old one by asserting the same subject.
 */
export function principalIssuer(connection: SsoConnection): string {
  return connection.protocol === 'oidc' ? connection.oidc.issuerUrl : connection.saml.idpEntityId;
}

/** The audit marker of a save that moved a connection to another IdP (see the contract). */
export const ISSUER_CHANGED = AUDIT_ISSUER_CHANGED;

/** The defaults of a connection created through the legacy endpoints (or migrated from a legacy config). */
export const DEFAULT_CONNECTION_NAME = 'Default connection';
export const NO_PROVISIONING: ProvisioningSettings = {
  jitProvisioning: false,
  groupAttribute: null,
  groupMappings: {},
  defaultScopes: [],
  verifiedDomainsOnly: false,
};
/**
 * Connections created through the legacy endpoints: before sessions existed, every member the IdP vouched
 * for signed in, so they provision members just in time.
 */
export const LEGACY_PROVISIONING: ProvisioningSettings = { ...NO_PROVISIONING, jitProvisioning: true };

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
export type NewConnection = SsoConnection extends infer C ? (C extends SsoConnection ? Omit<C, 'isDefault'> : never) : never;

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

/** An email domain an org added for verification (one row per org and domain). */
export interface SsoDomainRecord {
  developerId: string;
  /** Lower-case. */
  domain: string;
  /** Random, unguessable; published as `grantex-sso-verification=<token>` (not a secret). */
  token: string;
  /** ISO-8601, UTC. */
  createdAt: string;
  /** Set once the TXT record was found; a domain is verified by one org at most. */
  verifiedAt: string | null;
  /** The last verification attempt, successful or not. */
  lastCheckedAt: string | null;
  /** The first of the consecutive failed daily re-checks of a verified domain; null once the record is found. */
  failingSince: string | null;
}

/** One accepted SAML assertion (single use per IdP entity id, whichever org's connection got it). */
export interface AssertionClaim {
  idpEntityId: string;
  assertionId: string;
  developerId: string;
  connectionId: string;
  expiresAtMs: number;
}

/** markDomainVerified's answer: `taken` when another org has verified this domain. */
export type DomainVerifyWrite = { kind: 'verified'; domain: SsoDomainRecord } | { kind: 'taken' } | { kind: 'missing' };

// ---------------------------------------------------------------- setup links

/** sha256 of a setup-link token, base64url (the same hash as API keys). The token itself is never stored. */
export type SetupTokenHash = string;

/** A setup link: lets its holder configure this org's connections and domains until it expires or is revoked. */
export interface SetupLink {
  /** `sul_…` */
  id: string;
  developerId: string;
  label: string | null;
  /** Who made it: `api_key:` and the first characters of that key's hash (never the key). */
  createdBy: string;
  /** ISO-8601, UTC. */
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
}

export interface NewSetupLink extends SetupLink {
  tokenHash: SetupTokenHash;
}

/** One redemption of a setup link: what the IT admin said about themselves, and when. */
export interface SetupLinkUse {
  linkId: string;
  usedAt: string;
  name: string;
  email: string;
  userAgent: string | null;
}

/** A link found by its token, with its org's name (for the IT admin's landing page). */
export interface SetupLinkWithOrg extends SetupLink {
  organizationName: string;
}

/**
 * A setup session (migration 11): what one redemption of a setup link gives the IT admin. Its own random token
 * (stored as sha256 only) is the API credential; it ends at `expiresAt` (never after its link) or when its link
 * is revoked or expires.
 */
export interface SetupSession {
  /** `sus_…` */
  id: string;
  linkId: string;
  developerId: string;
  /** The IT admin's name and email, as they gave them when redeeming. */
  name: string;
  email: string;
  createdAt: string;
  expiresAt: string;
}

export interface NewSetupSession extends SetupSession {
  tokenHash: SetupTokenHash;
}

/** A session found by its token, with its link (any status: the caller checks both) and the link's org. */
export interface SetupSessionWithLink {
  session: SetupSession;
  link: SetupLinkWithOrg;
}

export interface ServiceStore {
  /** Which implementation this is: for logs and health, never for branching in routes. */
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Rate-limit counters every process shares, or null when per-process counters are enough (SQLite: one
   * process owns the file).
   */
  readonly sharedRateLimits: SharedRateLimiter | null;

  /**
   * The developer and its first API key, atomically. Emails are contact details, not identities: two developers
   * may share one (a unique email would let signup tell anyone whether an address has an account).
   */
  createDeveloper(dev: NewDeveloper): Promise<'created'>;
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

  /** Inserts a setup link (its token only as a hash). */
  createSetupLink(link: NewSetupLink): Promise<SetupLink>;
  /** The link whose token hashes to `tokenHash` (any status: the caller checks expiry and revocation), one indexed read. */
  findSetupLinkByToken(tokenHash: SetupTokenHash): Promise<SetupLinkWithOrg | undefined>;
  /** The org's links, newest first, each with up to `usesPerLink` uses, newest first. */
  listSetupLinks(developerId: string, usesPerLink: number): Promise<{ link: SetupLink; uses: SetupLinkUse[] }[]>;
  /** Marks the org's link revoked (the first revocation time stays); undefined when the org has no such link. */
  revokeSetupLink(developerId: string, linkId: string, revokedAt: string): Promise<SetupLink | undefined>;
  /**
   * Redeems a link: inserts the session and its use (name, email, time = `createdAt`, user agent, the session's
   * id) atomically, only if the link is neither revoked nor expired at `createdAt`; false (nothing written)
   * otherwise.
   */
  createSetupSession(session: NewSetupSession, userAgent: string | null): Promise<boolean>;
  /** The session whose token hashes to `tokenHash`, with its link (any status: the caller checks), one indexed read. */
  findSetupSessionByToken(tokenHash: SetupTokenHash): Promise<SetupSessionWithLink | undefined>;

  /** Claims a login state id for good; false when it was claimed before (a replay), by any process. */
  claimState(stateId: string, developerId: string, expiresAtMs: number): Promise<boolean>;
  /** The failure recorded for a claimed state (undefined: none recorded, or never claimed). */
  getStateFailure(stateId: string): Promise<StateFailure | undefined>;
  recordStateFailure(stateId: string, failure: StateFailure): Promise<void>;
  /**
   * Claims a SAML assertion id for good, once per IdP entity id across every org (migration 10); false when it
   * was claimed before, at this or any other connection trusting that IdP (a replay). Kept until `expiresAtMs`,
   * then purged with the other expired rows.
   */
  claimAssertionId(claim: AssertionClaim): Promise<boolean>;
  /** A connection by id alone (the public SP metadata and the IdP-initiated ACS name no org). */
  getConnectionById(connectionId: string): Promise<SsoConnection | undefined>;
  /**
   * Ids of the OIDC connections, of any org, whose redirect URI is exactly `redirectUri` (at most `limit`; one
   * indexed read, migration 8): a connection's own console callback is held by one connection only.
   */
  findOidcConnectionIdsByRedirectUri(redirectUri: string, limit: number): Promise<string[]>;
  /** The developer (org) by id; the public chooser names the org whose login page it is. */
  getDeveloper(developerId: string): Promise<Developer | undefined>;
  /** Drops claimed states that expired before `beforeMs` and finished rate-limit windows; returns states dropped. */
  purgeExpired(beforeMs: number, nowMs: number): Promise<number>;

  // ------------------------------------------------------------ principals and sessions (migration 3)

  /**
   * A member sign-in, atomically: the principal (connection + IdP issuer + IdP subject) is created when `jit` allows it
   * and updated (email, name, groups, last sign-in) when it exists, and the session is inserted for it.
   * Undefined when `jit` is false and no principal exists for that subject (nothing is written).
   */
  signInMember(signIn: MemberSignIn): Promise<SsoSession | undefined>;
  /** The org's active sessions (unrevoked, expiring after `nowIso`), newest first, at most `limit`. */
  listActiveSessions(developerId: string, nowIso: string, limit: number): Promise<SsoSession[]>;
  /** One active session of the org (another org's id, a revoked or an expired one reads as absent). */
  getActiveSession(developerId: string, sessionId: string, nowIso: string): Promise<SsoSession | undefined>;
  /** Marks an active session revoked; false when the org has no such active session. */
  revokeSession(developerId: string, sessionId: string, nowIso: string): Promise<boolean>;
  /** Each connection's latest member sign-in (ISO), for the org's connections that had one. */
  lastSignIns(developerId: string): Promise<Map<string, string>>;

  // ---------------------------------------------------------------- verified domains (migration 4)

  /** The org's domains, oldest first. */
  listDomains(developerId: string): Promise<SsoDomainRecord[]>;
  getDomain(developerId: string, domain: string): Promise<SsoDomainRecord | undefined>;
  /** Adds the domain for the org; an existing row of the org is returned unchanged (`created: false`). */
  addDomain(record: SsoDomainRecord): Promise<{ created: boolean; domain: SsoDomainRecord }>;
  /** Records a successful check (verifiedAt kept if already set); `taken`: another org verified the domain. */
  markDomainVerified(developerId: string, domain: string, nowIso: string): Promise<DomainVerifyWrite>;
  /** Records a failed check's time; undefined when the org has no such domain. */
  markDomainChecked(developerId: string, domain: string, nowIso: string): Promise<SsoDomainRecord | undefined>;
  /** Verified domains whose last check is at or before `checkedBeforeIso`, least recently checked first. */
  listDomainsDueForRecheck(checkedBeforeIso: string, limit: number): Promise<SsoDomainRecord[]>;
  /**
   * Takes a due verified domain for one re-check by moving `lastCheckedAt` to `nowIso`, only while it is still
   * due (compare-and-set): of several processes, one gets the record, the others undefined.
   */
  claimDomainRecheck(developerId: string, domain: string, checkedBeforeIso: string, nowIso: string): Promise<SsoDomainRecord | undefined>;
  /**
   * A re-check's outcome on a verified domain: found clears `failingSince`, not found sets it (if unset) to
   * `nowIso`. Undefined when the domain is no longer verified by that org.
   */
  recordDomainRecheck(developerId: string, domain: string, found: boolean, nowIso: string): Promise<SsoDomainRecord | undefined>;
  /** Unverifies a domain failing since `failingBeforeIso` or earlier; false when it was not (or no longer is). */
  releaseDomain(developerId: string, domain: string, failingBeforeIso: string): Promise<boolean>;
  deleteDomain(developerId: string, domain: string): Promise<boolean>;
  /**
   * Member sign-in by email without an org, in ONE indexed read: the active connections (at most `limit`) that
   * list `domain`, of the one org that verified it.
   */
  findVerifiedDomainConnections(domain: string, limit: number): Promise<SsoConnection[]>;
  /** `?org=&domain=`: the org's active connections (at most `limit`) that list `domain`; no verification needed. */
  findOrgDomainConnections(developerId: string, domain: string, limit: number): Promise<SsoConnection[]>;

  /** The sign-in log and the audit trail (events-types.ts). */
  readonly events: EventStore;

  close(): Promise<void>;
}

/** A member of a connection as its IdP names them (connection + IdP issuer + subject), kept up to date at each sign-in. */
export interface MemberSignIn {
  developerId: string;
  connectionId: string;
  /** Used only when the principal is created (`prn_…`). */
  newPrincipalId: string;
  /** `ssn_…`. */
  sessionId: string;
  /** `principalIssuer(connection)`: part of the principal's key with the connection and the subject. */
  idpIssuer: string;
  idpSubject: string;
  email: string | null;
  /** See SsoSession.emailVerified. */
  emailVerified: boolean;
  name: string | null;
  groups: string[];
  mappedScopes: string[];
  /** True: an unknown subject gets a principal; false: only an existing principal signs in. */
  jit: boolean;
  /** ISO-8601, UTC: the principal's last sign-in and the session's creation. */
  now: string;
  expiresAt: string;
}

/** An SSO session: one member sign-in through a connection, valid until `expiresAt` unless revoked. */
export interface SsoSession {
  id: string;
  developerId: string;
  connectionId: string;
  principalId: string;
  email: string | null;
  /**
   * True only when the email can be trusted as the member's mailbox: OIDC, the IdP said `email_verified: true`;
   * SAML, the email's domain is one of the org's verified domains. A `preferred_username` shown as the email is
   * never verified.
   */
  emailVerified: boolean;
  name: string | null;
  idpSubject: string;
  groups: string[];
  mappedScopes: string[];
  /** ISO-8601, UTC. */
  expiresAt: string;
  createdAt: string;
}
