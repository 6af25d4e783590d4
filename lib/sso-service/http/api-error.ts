import type { ErrorCode } from '@/lib/contract';

/** An error whose status, code and message are safe to send as they are. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const notFound = (message: string) => new ApiError(404, 'NOT_FOUND', message);
export const unauthorized = (message: string) => new ApiError(401, 'UNAUTHORIZED', message);

/** A 503's message when the database is busy, restarting or unreachable: nothing to fix on the caller's side. */
export const STORAGE_UNAVAILABLE_MESSAGE = 'The SSO service cannot reach its database right now; try again in a moment';
