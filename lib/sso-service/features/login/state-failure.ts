/**
 * A failed callback's outcome, kept with its consumed state so a retry repeats it (contract gap 7): status, code,
 * message and the contract reason code when the answer had one (e.g. `sso_not_configured`), so the replay carries
 * the same `errors` entry as the original answer and nothing has to be inferred from the message.
 */
import { ERROR_CODES, ERROR_REASON_CODES, type ErrorCode, type ErrorReasonCode } from '@/lib/contract';
import { ApiError, reasonCodeOf, reasonError } from '../../http/api-error';
import type { StateFailure } from '../../storage/types';

const isErrorCode = (value: string): value is ErrorCode => (ERROR_CODES as readonly string[]).includes(value);
const isReasonCode = (value: string): value is ErrorReasonCode =>
  (ERROR_REASON_CODES as readonly string[]).includes(value);

export function storedFailure(err: ApiError): StateFailure {
  const reason = reasonCodeOf(err);
  return { status: err.statusCode, code: err.code, message: err.message, ...(reason ? { reason } : {}) };
}

/** The recorded failure as the error a retry gets (its sign-in log reason: `state_replayed`). */
export function replayedFailure(stored: StateFailure): ApiError {
  const errorCode: ErrorCode = isErrorCode(stored.code) ? stored.code : 'INTERNAL_ERROR';
  if (stored.reason !== undefined && isReasonCode(stored.reason)) {
    return reasonError(stored.reason, { status: stored.status, code: errorCode, reason: 'state_replayed' });
  }
  return new ApiError(stored.status, errorCode, stored.message, 'state_replayed');
}
