import {
  ERROR_REASON_CODES,
  MESSAGES,
  SESSION_MESSAGES,
  type ErrorCode,
  type ErrorDetail,
  type ErrorReasonCode,
  type FieldErrorCode,
  type SignInReason,
} from '@/lib/contract';

/** The sign-in log's reason for an error that carries none of its own (see lib/contract/sign-in-reasons.ts). */
const REASON_BY_CODE: Record<ErrorCode, SignInReason> = {
  BAD_REQUEST: 'bad_request',
  UNAUTHORIZED: 'bad_request',
  NOT_FOUND: 'not_found',
  CONFLICT: 'bad_request',
  FORBIDDEN: 'forbidden',
  SSO_ERROR: 'sso_error',
  RATE_LIMITED: 'rate_limited',
  INTERNAL_ERROR: 'internal_error',
  CONSOLE_ROLE_MISSING: 'console_role_missing',
  ENFORCEMENT_NEEDS_OWNER_SSO: 'bad_request',
};

/** An error whose status, code and message are safe to send as they are. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  /** Why a sign-in failed, for the sign-in log (never sent over the wire); defaults from the code. */
  readonly reason: SignInReason;
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    reason?: SignInReason,
    /** The body's structured `errors` (field problems or a reason code); see errorDetailsOf for the default. */
    readonly errors?: readonly ErrorDetail[],
  ) {
    super(message);
    this.reason = reason ?? REASON_BY_CODE[code] ?? 'internal_error';
  }
}

/** One field's problem: the legacy message reads `"<field>: <message>"`. */
export interface FieldProblem {
  field: string;
  code: FieldErrorCode;
  message: string;
}

/** A 400 naming every problem field: the legacy message joins them (`"field: why; field: why"`), `errors` lists them. */
export function fieldsRejected(problems: readonly FieldProblem[]): ApiError {
  const message = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
  return new ApiError(
    400,
    'BAD_REQUEST',
    message,
    undefined,
    problems.map((p) => ({ field: p.field, code: p.code, message: p.message })),
  );
}

/**
 * The contract's errors a caller must tell apart, by reason code: the code picks the message (and the field it
 * is about), never the other way round. Throw sites say which one they mean (`reasonError('invalid_state')`).
 */
const REASON_ERRORS: Record<ErrorReasonCode, { message: string; field?: string }> = {
  state_expired_or_used: { message: MESSAGES.stateExpiredOrUsed },
  invalid_state: { message: MESSAGES.invalidState, field: 'state' },
  code_and_state_required: { message: MESSAGES.codeAndStateRequired },
  org_required: { message: MESSAGES.orgRequired, field: 'org' },
  sso_not_configured: { message: MESSAGES.ssoNotConfigured },
  directory_user_inactive: { message: SESSION_MESSAGES.directoryUserInactive },
  directory_user_unknown: { message: SESSION_MESSAGES.directoryUserUnknown },
  idp_deadline_exceeded: { message: MESSAGES.idpDeadlineExceeded },
  sp_key_rotation_pending: {
    message: 'A next key is already published for this use; promote it or remove it before rotating again',
  },
  sp_key_nothing_to_promote: { message: 'There is no next key to promote; rotate first' },
  sp_key_in_use: {
    message:
      'This key is in use: the current signing key stays while AuthnRequests are signed, and a current key stays while a next key waits',
  },
};

/** One of the contract's reason-coded errors (default: a 400 BAD_REQUEST); `reason` is the sign-in log's. */
export function reasonError(
  detail: ErrorReasonCode,
  options: { status?: number; code?: ErrorCode; reason?: SignInReason } = {},
): ApiError {
  const { message, field } = REASON_ERRORS[detail];
  return new ApiError(options.status ?? 400, options.code ?? 'BAD_REQUEST', message, options.reason, [
    { ...(field ? { field } : {}), code: detail, message },
  ]);
}

const REASON_CODES: ReadonlySet<string> = new Set(ERROR_REASON_CODES);

/** The contract reason code an error carries (see reasonError), if any. */
export function reasonCodeOf(err: ApiError): ErrorReasonCode | undefined {
  const found = err.errors?.find((e) => REASON_CODES.has(e.code));
  return found ? (found.code as ErrorReasonCode) : undefined;
}

/** The body's `errors`: what the error carries (field problems or a reason code), else none. */
export function errorDetailsOf(err: ApiError): ErrorDetail[] | undefined {
  if (err.errors && err.errors.length > 0) return err.errors.map((e) => ({ ...e }));
  return undefined;
}

export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);

/** A 503's message when the database is busy, restarting or unreachable: nothing to fix on the caller's side. */
export const STORAGE_UNAVAILABLE_MESSAGE = 'The SSO service cannot reach its database right now; try again in a moment';
