/**
 * The contract's zod-free constants: field limits, error codes, modes, fixed messages, the API
 * key format. Re-exported by ./wire (and so by '@/lib/contract'); browser code that needs only
 * these (the URL rules, the SSO form schema) imports this module directly and so never loads
 * zod's full build through wire.ts.
 */

/** Error codes the contract uses. Clients must still accept unknown codes from the hosted API. */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'CONFLICT',
  'SSO_ERROR',
  'RATE_LIMITED',
  'INTERNAL_ERROR',
  /** A valid credential that this endpoint does not accept (a setup-link token outside its routes). */
  'FORBIDDEN',
  /** A console sign-in whose IdP groups map to no console role (docs/ENFORCEMENT.md). */
  'CONSOLE_ROLE_MISSING',
  /** Enforcement switched on without a recent owner SSO console sign-in. */
  'ENFORCEMENT_NEEDS_OWNER_SSO',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const MODES = ['live', 'sandbox'] as const;

export const LIMITS = {
  nameMax: 100,
  emailMax: 254,
  urlMax: 2048,
  clientIdMax: 255,
  clientSecretMax: 1024,
  apiKeyMin: 16,
  apiKeyMax: 512,
  /** Connections: domains per connection, scopes per list, group mappings per connection. */
  domainsMax: 50,
  scopesMax: 50,
  groupMappingsMax: 200,
  /** A scope, group name or claim name. */
  tokenMax: 256,
} as const;

/**
 * A SAML connection's attribute mapping (`attributeMapping` on the connections API): the member fields it names,
 * and per field at most `namesMax` attribute names of at most `nameMax` characters (first match wins).
 */
export const ATTRIBUTE_MAPPING_FIELDS = ['email', 'name', 'givenName', 'familyName', 'subject', 'groups'] as const;
export type AttributeMappingField = (typeof ATTRIBUTE_MAPPING_FIELDS)[number];
export const ATTRIBUTE_MAPPING_LIMITS = { namesMax: 5, nameMax: 256 } as const;

/**
 * Per-connection session policy: `maxSessionSeconds` (both protocols; null = the service's session TTL) and the
 * OIDC `maxAuthAgeSeconds` (sent as `max_age`; null = not sent). 30 days at most.
 */
export const SESSION_POLICY_LIMITS = {
  maxSessionSecondsMin: 300,
  maxSessionSecondsMax: 30 * 24 * 3600,
  maxAuthAgeSecondsMin: 0,
  maxAuthAgeSecondsMax: 30 * 24 * 3600,
} as const;

// ---------------------------------------------------------------- fixed messages

/** Exact messages the contract specifies; both sides refer to these instead of retyping them. */
export const MESSAGES = {
  missingAuth: 'Missing or invalid Authorization header',
  invalidKey: 'Invalid API key',
  configFieldsRequired: 'issuerUrl, clientId, clientSecret, and redirectUri are required',
  configNotFound: 'SSO config not found',
  orgRequired: 'org query parameter is required',
  ssoNotConfigured: 'SSO not configured for this org',
  codeAndStateRequired: 'code and state are required',
  invalidState: 'Invalid state parameter',
  stateExpiredOrUsed: 'SSO login request has expired or already been used; start the login again',
  tokenExchangeFailed: 'Token exchange failed',
  idTokenVerificationFailed: 'ID token verification failed',
  idpDeadlineExceeded:
    'The identity provider did not answer in time: the sign-in took longer than allowed; start the login again',
  idTokenNonceMismatch: 'ID token nonce mismatch',
  internal: 'Internal server error',
  rateLimited: 'Too many requests; try again later',
  connectionNotFound: 'SSO connection not found',
  connectionPatchEmpty: 'Request body must change at least one field',
  secretNeededForNewIssuer:
    'clientSecret: enter the client secret again when the issuer changes (the saved secret is never sent to another identity provider)',
} as const;

/** API key format: gx_live_ / gx_test_ + 43 base64url characters (32 random bytes). */
export const API_KEY_PATTERN = /^gx_(live|test)_[A-Za-z0-9_-]{43}$/;

/**
 * The audit entry's marker, next to the changed field names, for a save that moved a connection to another IdP
 * (issuer or SAML entity id): its members start over, which the trail says, not only implies.
 */
export const AUDIT_ISSUER_CHANGED = 'issuerChanged';

/**
 * The console names the member's address on its public calls to the service (rate-limit buckets per member,
 * not per console), proved by the secret the two share (GRANTEX_CONSOLE_SECRET). Lower-case, as Node reads them.
 */
export const CLIENT_ADDRESS_HEADER = 'x-grantex-client-address';
export const CONSOLE_SECRET_HEADER = 'x-grantex-console-secret';

/**
 * Ids (org, connection, session, setup link) are short and plain: a longer value cannot name a row, so the
 * service answers it as unknown without a query.
 */
export const ID_MAX = 128;
/** The sealed login state (`state`, SAML `RelayState`) and an authorization code, as the callbacks accept them. */
export const STATE_MAX = 2048;
export const CODE_MAX = 4096;
