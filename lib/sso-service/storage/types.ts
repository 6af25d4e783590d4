/**
 * The service's storage seam: the domain records in the service's own terms and `ServiceStore`, the
 * intersection of the feature slices' interfaces. Routes and the relying-party glue see these types only —
 * never SQL, rows, column names or a driver handle. One implementation per slice, written against Kysely for
 * both backends; `openStore` picks the backend once from the configuration.
 */
import type { ConsoleRole, Mode } from '@/lib/contract';
import { AUDIT_ISSUER_CHANGED } from '@/lib/contract/limits';
import type { ConnectionsStore } from '../features/connections/store';
import type { ConsoleAccessStore } from '../features/console-access/store';
import type { DirectoryStore } from '../features/directory/store';
import type { DomainsStore } from '../features/domains/store';
import type { HealthStore } from '../features/health/store';
import type { EventsStore } from '../features/events/store';
import type { LoginStore } from '../features/login/store';
import type { MetadataRefreshStore } from '../features/connections/metadata-refresh-store';
import type { LogoutStore } from '../features/logout/store';
import type { OrgsStore } from '../features/orgs/store';
import type { RateLimitsStore } from '../features/rate-limits/store';
import type { SessionsStore } from '../features/sessions/store';
import type { SetupLinksStore } from '../features/setup-links/store';
import type { SpKeysStore } from '../features/sp-keys/store';
import type { WebhooksStore } from '../features/webhooks/store';
import type { KeyRotationStore } from '../features/key-rotation/store';

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
  /**
   * Session policy (kept with provisioning so the legacy config's settings write never drops it): the longest a
   * member's session through this connection lasts (null: the service's TTL), see features/login/completion.ts.
   */
  maxSessionSeconds: number | null;
  /** OIDC only: `max_age` sent to the IdP, and the oldest `auth_time` accepted (null: neither). */
  maxAuthAgeSeconds: number | null;
  /** Only active directory (SCIM) users sign in through this connection (features/directory). */
  directoryUsersOnly: boolean;
  /** IdP group → console role for console sign-in through this connection (features/console-access); {}: none. */
  consoleRoleMappings: Record<string, ConsoleRole>;
  /** Grantex's `enforce`: people whose email routes here must use SSO for the console. */
  enforce: boolean;
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
  /** The IdP's HTTP-Redirect SingleLogoutService (from its metadata or typed in); absent or null: no SLO. */
  idpSloUrl?: string | null;
  /** AuthnRequests are signed with the connection's current SP signing key (saml_sp_keys); absent = false. */
  signAuthnRequests?: boolean;
  /** The attribute names read per member field (a field absent: the built-in defaults), see protocols/saml.ts. */
  attributeMapping: SamlAttributeMapping;
}

/** Per member field, the assertion attribute names read in order (the wire's `attributeMapping`). */
export interface SamlAttributeMapping {
  email?: string[];
  name?: string[];
  givenName?: string[];
  familyName?: string[];
  subject?: string[];
  groups?: string[];
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
  return (
    connection.protocol === 'oidc' &&
    redirectUri !== undefined &&
    redirectUri !== '' &&
    redirectUri !== connection.oidc.redirectUri
  );
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
  maxSessionSeconds: null,
  maxAuthAgeSeconds: null,
  directoryUsersOnly: false,
  consoleRoleMappings: {},
  enforce: false,
};
/**
 * Connections created through the legacy endpoints: before sessions existed, every member the IdP vouched
 * for signed in, so they provision members just in time.
 */
export const LEGACY_PROVISIONING: ProvisioningSettings = { ...NO_PROVISIONING, jitProvisioning: true };

/**
 * What the legacy config read answers (`GET /v1/sso/config`): the default OIDC connection's settings and times, in
 * the wire's field order. The read selects only these columns (no sealed secret, domains or provisioning).
 */
export interface LegacyConfig {
  issuerUrl: string;
  clientId: string;
  redirectUri: string;
  createdAt: string;
  updatedAt: string;
}

/** A connection a login starts on, with its org's own SSO enforcement (read together: the login answers both). */
export interface LoginConnection {
  connection: SsoConnection;
  orgEnforces: boolean;
}

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
export type NewConnection = SsoConnection extends infer C
  ? C extends SsoConnection
    ? Omit<C, 'isDefault'>
    : never
  : never;

/** A failed callback's outcome, kept with its claimed state so a retry gets the same answer. */
export interface StateFailure {
  status: number;
  code: string;
  message: string;
  /** The answer's reason code (`errors[].code`, e.g. `sso_not_configured`), when it had one. */
  reason?: string;
}

/** Hits in the current window of one rate-limit key, and when that window ends (ms since the epoch). */
export interface RateLimitHit {
  count: number;
  resetAtMs: number;
}

/** A fixed-window counter shared by every process on one database (see features/rate-limits/store.ts for its tolerance). */
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
/** One attempt to refresh a SAML connection's IdP metadata from its URL (features/connections/metadata-refresh.ts). */
export interface MetadataRefreshOutcome {
  result: 'updated' | 'unchanged' | 'failed';
  /** ISO instant of the attempt. */
  at: string;
  /** A failed fetch or read: the SAML reason code (the certificates were kept). */
  error: string | null;
  /** What the refresh found but did not apply (codes, see METADATA_REFRESH_WARNINGS in the contract). */
  warnings: string[];
  /** When set, the next refresh is due then instead of what the claim set (a failure is retried sooner). */
  nextDueAt?: string;
}

/** A connection's metadata refresh state. */
export interface MetadataRefreshRecord {
  connectionId: string;
  nextDueAt: string;
  lastAttemptAt: string | null;
  lastRefreshedAt: string | null;
  lastResult: 'updated' | 'unchanged' | 'failed' | null;
  lastError: string | null;
  warnings: string[];
}

/** A SAML login's sealed state kept under its RelayState handle (features/login/relay-state.ts). */
export interface RelayStateRecord {
  /** sha256 (hex) of the handle; the handle itself is never stored. */
  handleHash: string;
  developerId: string;
  connectionId: string;
  /** The sealed login state. */
  state: string;
  expiresAtMs: number;
}

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

/**
 * The whole store: the feature slices (each written once against Kysely, in lib/sso-service/features/<feature>/store.ts)
 * and what belongs to no one feature (which backend, the expiry purge across features, close).
 */
export interface ServiceStore
  extends
    OrgsStore,
    ConnectionsStore,
    MetadataRefreshStore,
    LoginStore,
    LogoutStore,
    SessionsStore,
    DomainsStore,
    SetupLinksStore,
    DirectoryStore,
    HealthStore,
    SpKeysStore,
    WebhooksStore,
    KeyRotationStore,
    EventsStore,
    RateLimitsStore,
    ConsoleAccessStore {
  /** Which implementation this is: for logs and health, never for branching in routes. */
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Drops claimed states that expired before `beforeMs`, expired assertion ids, sessions and setup sessions, and
   * finished rate-limit windows; returns states dropped.
   */
  purgeExpired(beforeMs: number, nowMs: number): Promise<number>;
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
  /** What the IdP names this session by in a logout (features/logout); absent: nothing to keep. */
  logout?: SessionLogoutKeys;
}

/**
 * How a session is found and ended at its IdP (migration 17, `sso_session_logout`): the IdP's session id (OIDC
 * `sid`, SAML `SessionIndex`), the SAML NameID the LogoutRequest must name, and the ID token for `id_token_hint`,
 * sealed with the org's secret box (never stored in the clear).
 */
export interface SessionLogoutKeys {
  idpSessionId: string | null;
  samlNameId: string | null;
  samlNameIdFormat: string | null;
  idTokenSealed: string | null;
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
