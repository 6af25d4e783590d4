import { MESSAGES, type ErrorCode, type ErrorDetail, type ErrorReasonCode, type FieldErrorCode, type SignInReason } from '@/lib/contract';

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
  return new ApiError(400, 'BAD_REQUEST', message, undefined, problems.map((p) => ({ field: p.field, code: p.code, message: p.message })));
}

/**
 * The contract's messages that name a situation a caller must tell apart, by reason code. Every place that
 * throws one of them (by `badRequest(MESSAGES.x)`) gets its code in the body without having to say so.
 */
const REASON_BY_MESSAGE: ReadonlyMap<string, { code: ErrorReasonCode; field?: string }> = new Map([
  [MESSAGES.stateExpiredOrUsed, { code: 'state_expired_or_used' }],
  [MESSAGES.invalidState, { code: 'invalid_state', field: 'state' }],
  [MESSAGES.codeAndStateRequired, { code: 'code_and_state_required' }],
  [MESSAGES.orgRequired, { code: 'org_required', field: 'org' }],
  [MESSAGES.ssoNotConfigured, { code: 'sso_not_configured' }],
]);

/** The body's `errors`: what the error carries, else the reason of a known contract message, else none. */
export function errorDetailsOf(err: ApiError): ErrorDetail[] | undefined {
  if (err.errors && err.errors.length > 0) return err.errors.map((e) => ({ ...e }));
  const known = REASON_BY_MESSAGE.get(err.message);
  if (!known) return undefined;
  return [{ ...(known.field ? { field: known.field } : {}), code: known.code, message: err.message }];
}

export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);

/** A 503's message when the database is busy, restarting or unreachable: nothing to fix on the caller's side. */
export const STORAGE_UNAVAILABLE_MESSAGE = 'The SSO service cannot reach its database right now; try again in a moment';
