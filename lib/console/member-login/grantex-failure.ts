/**
 * Turns whatever the Grantex client threw during a login into a short error code for the URL and
 * a detail for the flash cookie. GrantexError messages are user-facing by design; anything else is
 * an unexpected bug and gets a generic sentence (its text may hold internals). The decision is made on the
 * error's reason code (GrantexError.reason), never on its text.
 */
import { isGrantexError } from '@/lib/grantex/errors';
import type { SsoErrorCode } from './sso-errors';
import { LOGIN_FAILURE_DETAILS } from '../messages';
import type { SsoFlash } from './sso-flash';

export function classifyGrantexFailure(err: unknown): { code: SsoErrorCode; detail: SsoFlash } {
  if (!isGrantexError(err)) {
    return { code: 'unavailable', detail: { message: LOGIN_FAILURE_DETAILS.unexpected, code: null, requestId: null } };
  }
  const detail: SsoFlash = { message: err.message, code: err.code, requestId: err.requestId };
  if (err.reason === 'directory_user_inactive') return { code: 'directory_inactive', detail };
  if (err.reason === 'directory_user_unknown') return { code: 'not_in_directory', detail };
  if (err.reason === 'idp_deadline_exceeded') return { code: 'idp_timeout', detail };
  switch (err.kind) {
    case 'not_found':
      return { code: 'not_configured', detail };
    case 'rate_limited':
      return { code: 'rate_limited', detail };
    case 'validation':
      if (err.reason === 'state_expired_or_used' || err.reason === 'invalid_state') return { code: 'expired', detail };
      if (err.reason === 'code_and_state_required') return { code: 'bad_request', detail };
      return { code: 'sso_failed', detail };
    case 'sso':
    case 'unauthorized':
    case 'conflict':
      return { code: 'sso_failed', detail };
    default:
      return { code: 'unavailable', detail };
  }
}
