/**
 * The one error type the Grantex client throws. Callers branch on `kind`; `message` is safe to
 * show to a user (it is either the server's user-facing message or a generic sentence of ours).
 *
 * Deliberately no `cause`: an underlying fetch error or response object could carry request
 * headers (the API key) into a log line through util.inspect.
 */

// The zod-free parts of the contract: this module is small and may end up in any bundle.
import { ERROR_REASON_CODES, type ErrorDetail, type ErrorReasonCode } from '@/lib/contract/error-details';
import { MESSAGES } from '@/lib/contract/limits';
import type { FieldErrors } from './field-errors';

export type GrantexErrorKind =
  | 'unauthorized'
  | 'not_found'
  | 'validation'
  | 'conflict'
  | 'rate_limited'
  | 'sso'
  | 'server'
  | 'network'
  | 'timeout'
  | 'invalid_response';

/** Codes the client itself uses for failures that never produced a Grantex error body. */
export const CLIENT_ERROR_CODES = {
  network: 'NETWORK_ERROR',
  timeout: 'TIMEOUT',
  invalidResponse: 'INVALID_RESPONSE',
  badInput: 'BAD_REQUEST',
} as const;

export interface GrantexErrorInit {
  kind: GrantexErrorKind;
  message: string;
  status?: number | null;
  code: string;
  requestId?: string | null;
  retryAfterSeconds?: number | null;
  fieldErrors?: FieldErrors | null;
  errors?: readonly ErrorDetail[] | null;
  reason?: ErrorReasonCode | null;
}

export class GrantexError extends Error {
  override readonly name = 'GrantexError';
  readonly kind: GrantexErrorKind;
  readonly status: number | null;
  readonly code: string;
  readonly requestId: string | null;
  readonly retryAfterSeconds: number | null;
  /** A rejected SSO configuration's reasons per field ("must use https"), when every part of it named a field. */
  readonly fieldErrors: FieldErrors | null;
  /** The body's structured `errors` (`[{field?, code, message}]`); null when the server sent none (the legacy contract). */
  readonly errors: readonly ErrorDetail[] | null;
  /**
   * Which known situation this is (state expired or used, invalid state, …): from `errors` when sent, else read
   * from the legacy message (lib/grantex/field-errors.ts). Callers branch on this, never on `message`.
   */
  readonly reason: ErrorReasonCode | null;

  constructor(init: GrantexErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.status = init.status ?? null;
    this.code = init.code;
    this.requestId = init.requestId ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds ?? null;
    this.fieldErrors = init.fieldErrors ?? null;
    this.errors = init.errors ?? null;
    this.reason = init.reason !== undefined ? init.reason : reasonOf(init.message, this.errors);
  }

  /** Structured logging form; contains nothing the message does not already show. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      status: this.status,
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      retryAfterSeconds: this.retryAfterSeconds,
      reason: this.reason,
    };
  }
}

export function isGrantexError(value: unknown): value is GrantexError {
  return value instanceof GrantexError;
}

/** Maps an HTTP error status (and the body's code, when there was one) to a kind. */
export function kindForStatus(status: number, code: string | null): GrantexErrorKind {
  if (code === 'SSO_ERROR') return 'sso';
  if (code === 'RATE_LIMITED' || status === 429) return 'rate_limited';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status >= 500) return 'server';
  return 'validation';
}

/** Used when the server gave no usable `{message, code}` body (HTML error page, empty body, …). */
export function genericMessage(kind: GrantexErrorKind, status: number | null): string {
  switch (kind) {
    case 'unauthorized':
      return 'Grantex rejected the API key';
    case 'not_found':
      return 'Grantex could not find the requested resource';
    case 'validation':
      return 'Grantex rejected the request';
    case 'conflict':
      return 'Grantex reported a conflict with existing data';
    case 'rate_limited':
      return 'Too many requests to Grantex; try again later';
    case 'sso':
      return 'Single sign-on failed at the identity provider';
    case 'server':
      return status === null
        ? 'Grantex is unavailable right now; try again later'
        : `Grantex is unavailable right now (HTTP ${status}); try again later`;
    case 'network':
      return 'Grantex could not be reached; check the connection and try again';
    case 'timeout':
      return 'Grantex did not answer in time; try again later';
    case 'invalid_response':
      return 'Grantex sent a response the console does not understand';
  }
}

/** The legacy contract's messages for the situations a caller tells apart (a hosted API sends no `errors`). */
const LEGACY_REASON_BY_MESSAGE: ReadonlyMap<string, ErrorReasonCode> = new Map([
  [MESSAGES.stateExpiredOrUsed, 'state_expired_or_used'],
  [MESSAGES.invalidState, 'invalid_state'],
  [MESSAGES.codeAndStateRequired, 'code_and_state_required'],
  [MESSAGES.orgRequired, 'org_required'],
  [MESSAGES.ssoNotConfigured, 'sso_not_configured'],
]);

const isReasonCode = (code: string): code is ErrorReasonCode =>
  (ERROR_REASON_CODES as readonly string[]).includes(code);

/**
 * The known situation of an error: the first reason code in `errors` when the server sent them; only without
 * `errors` (the legacy contract) the exact legacy message's. The ONE place a situation is read from text.
 */
export function reasonOf(message: string, errors: readonly ErrorDetail[] | null): ErrorReasonCode | null {
  if (errors) return errors.map((e) => e.code).find(isReasonCode) ?? null;
  return LEGACY_REASON_BY_MESSAGE.get(message) ?? null;
}
