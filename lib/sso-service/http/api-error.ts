import type { ErrorCode, SignInReason } from '@/lib/contract';

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
  ) {
    super(message);
    this.reason = reason ?? REASON_BY_CODE[code] ?? 'internal_error';
  }
}

export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);

/** A 503's message when the database is busy, restarting or unreachable: nothing to fix on the caller's side. */
export const STORAGE_UNAVAILABLE_MESSAGE = 'The SSO service cannot reach its database right now; try again in a moment';
