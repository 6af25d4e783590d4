/**
 * A failed callback's outcome, kept with its consumed state so a retry repeats it (contract gap 7). The store
 * keeps status, code and message; a contract reason code (e.g. `sso_not_configured`) rides in the code column
 * after a `;` (`NOT_FOUND;sso_not_configured`), so the replay carries the same `errors` entry as the original
 * answer and nothing has to be inferred from the message. A row without one replays without one.
 */
import { ERROR_CODES, ERROR_REASON_CODES, type ErrorCode, type ErrorReasonCode } from '@/lib/contract';
import { ApiError, reasonCodeOf, reasonError } from '../../http/api-error';
import type { StateFailure } from '../../storage/types';

const SEPARATOR = ';';
const isErrorCode = (value: string): value is ErrorCode => (ERROR_CODES as readonly string[]).includes(value);
const isReasonCode = (value: string): value is ErrorReasonCode =>
  (ERROR_REASON_CODES as readonly string[]).includes(value);

export function storedFailure(err: ApiError): StateFailure {
  const detail = reasonCodeOf(err);
  return { status: err.statusCode, code: detail ? `${err.code}${SEPARATOR}${detail}` : err.code, message: err.message };
}

/** The recorded failure as the error a retry gets (its sign-in log reason: `state_replayed`). */
export function replayedFailure(stored: StateFailure): ApiError {
  const [code = '', detail] = stored.code.split(SEPARATOR);
  const errorCode: ErrorCode = isErrorCode(code) ? code : 'INTERNAL_ERROR';
  if (detail !== undefined && isReasonCode(detail)) {
    return reasonError(detail, { status: stored.status, code: errorCode, reason: 'state_replayed' });
  }
  return new ApiError(stored.status, errorCode, stored.message, 'state_replayed');
}
