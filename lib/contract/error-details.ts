/**
 * The structured part of an error body: `errors: [{ field?, code, message }]` next to the legacy `message`.
 * Callers decide by `code` (stable, listed here); `message` is the same user-facing text the legacy `message`
 * joins. Plain constants (no zod), so browser code can import them; the schema lives in ./wire.
 */

/** Why one field was refused. */
export const FIELD_ERROR_CODES = [
  'required',
  'too_long',
  'invalid_url',
  'https_required',
  'not_loopback',
  'blocked_address',
  'invalid_value',
  'unsafe_text',
  'taken',
  'not_applicable',
  'issuer_check_failed',
  'certificate_expired',
  /** A pasted certificate bundle holds several signing (non-CA) certificates that did not issue one another. */
  'certificate_ambiguous',
  /** The pasted text holds no certificate, or only CA certificates. */
  'certificate_missing',
  'invalid',
] as const;
export type FieldErrorCode = (typeof FIELD_ERROR_CODES)[number];

/** Non-field errors a caller must tell apart (no `field` in their entry). */
export const ERROR_REASON_CODES = [
  'state_expired_or_used',
  'invalid_state',
  'code_and_state_required',
  'org_required',
  'sso_not_configured',
  'directory_user_inactive',
  'directory_user_unknown',
  /** The identity provider did not finish the sign-in's steps within the sign-in deadline (a 504 SSO_ERROR). */
  'idp_deadline_exceeded',
  /** SP keys: a `next` key is already published; promote or retire it before rotating again. */
  'sp_key_rotation_pending',
  /** SP keys: there is no `next` key to promote. */
  'sp_key_nothing_to_promote',
  /** SP keys: the key is in use (the signing key while AuthnRequests are signed, a current key beside a next one). */
  'sp_key_in_use',
] as const;
export type ErrorReasonCode = (typeof ERROR_REASON_CODES)[number];

export type ErrorDetailCode = FieldErrorCode | ErrorReasonCode;

export interface ErrorDetail {
  field?: string;
  code: string;
  message: string;
}
