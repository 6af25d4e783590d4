/**
 * The sign-in log's stable vocabulary: the stages a sign-in goes through and one reason code per way it can
 * fail. Plain constants (no zod), so browser code can import them; the console keys its plain-words text and
 * "what to do next" on these codes (lib/console/messages.ts). Codes are stable: add new ones, never rename.
 */

/** The stages of a sign-in, in order. The test sign-in shows the same ones. */
export const SIGN_IN_STAGES = [
  'start',
  'idp',
  'callback',
  'token',
  'id_token',
  /** SAML: the response and its signed assertion (signature, conditions, subject, single use). */
  'assertion',
  'userinfo',
  'provisioning',
  'storage',
  'complete',
] as const;
export type SignInStage = (typeof SIGN_IN_STAGES)[number];

export const SIGN_IN_OUTCOMES = ['success', 'failure'] as const;
export type SignInOutcome = (typeof SIGN_IN_OUTCOMES)[number];

/** How a sign-in started: a member's login, an admin's test sign-in, or a login the IdP started. */
export const SIGN_IN_STARTERS = ['member', 'test', 'idp_initiated'] as const;
export type SignInStarter = (typeof SIGN_IN_STARTERS)[number];

/** Every reason code and the stage it belongs to. */
export const SIGN_IN_REASONS = {
  // start: GET /sso/login (never stored: the login URL writes nothing; listed for the test sign-in's display)
  connection_not_found: 'start',
  connection_inactive: 'start',
  /** A member sign-in on a connection in `testing` (only test sign-ins finish there). */
  connection_testing: 'callback',
  /** An authenticated call refused for this kind of credential (a setup link outside its pages). */
  forbidden: 'start',
  discovery_failed: 'start',
  discovery_issuer_mismatch: 'start',
  discovery_blocked_address: 'start',
  // idp: what the IdP sent back instead of a code
  idp_error: 'idp',
  idp_iss_mismatch: 'idp',
  /**
   * The identity provider's steps of one callback (discovery, token, JWKS, userinfo) took longer together than the
   * sign-in deadline (SSO_SIGNIN_DEADLINE_MS), each within its own timeout or not. The event's stage is the step
   * that was running; `idp` is the fallback.
   */
  idp_deadline_exceeded: 'idp',
  // callback: the state and the connection it names
  state_missing: 'callback',
  state_invalid: 'callback',
  state_expired: 'callback',
  state_replayed: 'callback',
  callback_connection_gone: 'callback',
  /**
   * The response arrived at a redirect URI other than the one registered on the connection its state names (the
   * IdP mix-up defence; refused before the state is claimed). The login URL and the test sign-in refuse a foreign
   * `redirect_uri` with it too, but those record nothing.
   */
  redirect_uri_mismatch: 'callback',
  // token: the code exchange at the token endpoint
  token_unreachable: 'token',
  token_timeout: 'token',
  token_too_large: 'token',
  token_blocked_address: 'token',
  token_http_error: 'token',
  token_oauth_error: 'token',
  token_client_auth_rejected: 'token',
  token_not_json: 'token',
  token_invalid_response: 'token',
  token_no_id_token: 'token',
  // id_token: verification of the ID token (signature, keys, claims)
  jwks_unavailable: 'id_token',
  jwks_timeout: 'id_token',
  id_token_alg_not_allowed: 'id_token',
  id_token_signature_invalid: 'id_token',
  id_token_unknown_key: 'id_token',
  id_token_ambiguous_key: 'id_token',
  id_token_issuer_mismatch: 'id_token',
  id_token_audience_mismatch: 'id_token',
  id_token_azp_mismatch: 'id_token',
  id_token_claim_missing: 'id_token',
  id_token_claim_invalid: 'id_token',
  id_token_expired: 'id_token',
  id_token_not_yet_valid: 'id_token',
  id_token_issued_in_future: 'id_token',
  id_token_nonce_mismatch: 'id_token',
  /** The connection sends `max_age` and the ID token carries no `auth_time` (OIDC Core §3.1.3.7). */
  id_token_auth_time_missing: 'id_token',
  /** The ID token's `auth_time` is older than the connection's `max_age` plus the clock tolerance. */
  id_token_auth_too_old: 'id_token',
  id_token_malformed: 'id_token',
  // userinfo: the optional userinfo call
  userinfo_unreachable: 'userinfo',
  userinfo_timeout: 'userinfo',
  userinfo_http_error: 'userinfo',
  userinfo_sub_mismatch: 'userinfo',
  // provisioning: JIT users, group mapping, sessions
  provisioning_failed: 'provisioning',
  /** JIT provisioning is off and the IdP's subject has no principal on this connection. */
  member_not_provisioned: 'provisioning',
  /** The connection accepts only verified-domain emails (`verifiedDomainsOnly`) and the IdP sent no email. */
  email_missing: 'provisioning',
  /** The connection accepts only verified-domain emails and the OIDC IdP did not say `email_verified: true`. */
  email_not_verified: 'provisioning',
  /** The connection accepts only verified-domain emails and the email's domain is not one the org verified. */
  email_domain_not_verified: 'provisioning',
  /** Directory sync deactivated (or deleted) the member: refused even while their IdP session lives. */
  directory_user_inactive: 'provisioning',
  /** The connection takes directory users only and no directory user has the member's email. */
  directory_user_unknown: 'provisioning',
  // SAML: `saml_` + the service provider's refusal code; each message says what to do.
  saml_response_too_large: 'assertion',
  saml_malformed_response: 'assertion',
  saml_doctype_refused: 'assertion',
  saml_weak_algorithm: 'assertion',
  saml_encrypted_assertion_unsupported: 'assertion',
  /** Every failure to decrypt (and, in an unsigned response, to verify) an encrypted assertion: one reason, by design. */
  saml_decryption_failed: 'assertion',
  saml_weak_encryption: 'assertion',
  saml_unsupported_encryption: 'assertion',
  saml_cbc_unsigned_response: 'assertion',
  saml_invalid_signature: 'assertion',
  saml_unsigned_assertion: 'assertion',
  saml_wrong_issuer: 'assertion',
  saml_wrong_audience: 'assertion',
  saml_wrong_recipient: 'assertion',
  saml_wrong_destination: 'assertion',
  saml_not_yet_valid: 'assertion',
  saml_expired: 'assertion',
  saml_in_response_to_mismatch: 'assertion',
  saml_in_response_to_missing: 'assertion',
  saml_assertion_replayed: 'assertion',
  saml_idp_status_error: 'idp',
  saml_missing_subject: 'assertion',
  saml_certificate_expired: 'assertion',
  saml_invalid_metadata: 'start',
  saml_metadata_too_large: 'start',
  saml_metadata_fetch_failed: 'start',
  saml_invalid_certificate: 'start',
  saml_certificate_missing: 'start',
  saml_certificate_ambiguous: 'start',
  saml_invalid_settings: 'start',
  /** An unsolicited response on a connection that does not allow IdP-initiated sign-in. */
  saml_idp_initiated_disabled: 'callback',
  saml_unsolicited_too_old: 'assertion',
  /** The NameID is transient and the assertion carries no stable identifier attribute (no subject to key on). */
  saml_transient_subject: 'assertion',
  /** The AuthnStatement's SessionNotOnOrAfter is already past: the IdP's session is over. */
  saml_idp_session_ended: 'assertion',
  /** A console sign-in (`intent=console`) whose groups map to no console role on the connection: no session. */
  console_role_missing: 'provisioning',
  // storage: the service's own database
  storage_unavailable: 'storage',
  storage_failed: 'storage',
  // anything the service did not expect (a bug); the request id finds its log line
  internal_error: 'complete',
  // generic fall-backs when a failure carries no specific reason (from the error code)
  bad_request: 'callback',
  not_found: 'callback',
  rate_limited: 'callback',
  sso_error: 'token',
} as const satisfies Record<string, SignInStage>;

export type SignInReason = keyof typeof SIGN_IN_REASONS;

export function isSignInReason(value: unknown): value is SignInReason {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SIGN_IN_REASONS, value);
}

/** The stage a reason belongs to. */
export function stageOfReason(reason: SignInReason): SignInStage {
  return SIGN_IN_REASONS[reason];
}

/** Audit trail vocabulary. */
/** `console_session`: a person signed in to the console (id: the console session; label: their email, or `break-glass: <label>`). */
export const AUDIT_ACTOR_KINDS = [
  'api_key',
  'setup_link',
  'sso_admin',
  'system',
  'scim_token',
  'console_session',
] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

export const AUDIT_ACTIONS = [
  'config.saved',
  'config.deleted',
  'connection.created',
  'connection.updated',
  'connection.deleted',
  'connection.tested',
  'domain.added',
  'domain.verified',
  'domain.removed',
  'domain.released',
  'setup_link.created',
  'setup_link.used',
  'setup_link.revoked',
  'session.revoked',
  'scim_token.created',
  'scim_token.revoked',
  'directory_user.created',
  'directory_user.updated',
  'directory_user.deactivated',
  'directory_user.reactivated',
  'directory_user.deleted',
  'directory_group.created',
  'directory_group.updated',
  'directory_group.deleted',
  'webhook.created',
  'webhook.updated',
  'webhook.enabled',
  'webhook.disabled',
  'webhook.secret_rotated',
  'webhook.deleted',
  'sso.enforcement_changed',
  'sso.break_glass_created',
  'sso.break_glass_deleted',
  'sso.break_glass_used',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_TARGET_TYPES = [
  'connection',
  'domain',
  'setup_link',
  'session',
  'scim_token',
  'directory_user',
  'directory_group',
  'webhook',
  /** The org itself (enforcement). */
  'organization',
  'break_glass',
] as const;
export type AuditTargetType = (typeof AUDIT_TARGET_TYPES)[number];

/** Caps on what an event stores from the IdP. */
export const EVENT_LIMITS = {
  idpErrorMax: 64,
  idpErrorDescriptionMax: 512,
  /** Longest string kept from one claim in a trace. */
  traceStringMax: 256,
  /** Most claims kept in a trace. */
  traceClaimsMax: 64,
  /** Page size: default and cap. */
  pageDefault: 50,
  pageMax: 200,
  /** Filter values. */
  emailFilterMax: 254,
  idFilterMax: 128,
} as const;
