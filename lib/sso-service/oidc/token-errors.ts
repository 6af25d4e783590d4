/**
 * Turns whatever openid-client's code grant throws into an RpError with a message that is safe
 * to show: the contract's fixed prefix plus a short detail. Never the code, tokens, secret or the
 * IdP's raw body — at most its OAuth error code (`invalid_grant`).
 */
import { ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { MESSAGES, type SignInReason } from '@/lib/contract';
import { findOutboundError, formatSeconds } from '@/lib/net';
import { BothAuthMethodsRejected } from './client-auth';
import { RpError } from './types';

const OAUTH_ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

function tokenFailed(
  detail: string,
  reason: SignInReason,
  status: 502 | 504 = 502,
  kind: RpError['kind'] = 'token_exchange_failed',
): RpError {
  return new RpError(kind, status, `${MESSAGES.tokenExchangeFailed}: ${detail}`, reason);
}

function idTokenInvalid(detail: string, reason: SignInReason): RpError {
  return new RpError('id_token_invalid', 502, `${MESSAGES.idTokenVerificationFailed}: ${detail}`, reason);
}

/** Reasons of a transport failure per endpoint. */
const TRANSPORT_REASONS = {
  token: {
    timeout: 'token_timeout',
    too_large: 'token_too_large',
    blocked: 'token_blocked_address',
    down: 'token_unreachable',
    http: 'token_http_error',
    other: 'token_invalid_response',
  },
  userinfo: {
    timeout: 'userinfo_timeout',
    too_large: 'userinfo_http_error',
    blocked: 'token_blocked_address',
    down: 'userinfo_unreachable',
    http: 'userinfo_http_error',
    other: 'userinfo_http_error',
  },
} as const satisfies Record<string, Record<string, SignInReason>>;

function statusOf(cause: unknown): number | null {
  return cause instanceof Response ? cause.status : null;
}

/** A transport failure (lib/net) of a request to `endpoint` ("token" or "userinfo"), or null. */
function outboundFailure(err: unknown, timeoutMs: number, endpoint: keyof typeof TRANSPORT_REASONS): RpError | null {
  const outbound = findOutboundError(err);
  if (!outbound) return null;
  const reasons = TRANSPORT_REASONS[endpoint];
  switch (outbound.kind) {
    case 'timeout':
      return tokenFailed(
        `the identity provider did not answer within ${formatSeconds(timeoutMs)}`,
        reasons.timeout,
        504,
        'idp_unavailable',
      );
    case 'too_large':
      return tokenFailed("the identity provider's answer was too large", reasons.too_large);
    case 'blocked_address':
      return tokenFailed(`the ${endpoint} endpoint is on a blocked address`, reasons.blocked, 502, 'blocked_address');
    default:
      return tokenFailed('could not connect to the identity provider', reasons.down, 502, 'idp_unavailable');
  }
}

/**
 * The userinfo call (made only when the ID token lacks email or name) failed. The login fails with
 * it: a userinfo answer for another `sub` means something is wrong, and a silent null email would
 * hide a broken IdP configuration from the admin.
 */
export function mapUserInfoError(err: unknown, timeoutMs: number): RpError {
  if (err instanceof RpError) return err;
  const outbound = outboundFailure(err, timeoutMs, 'userinfo');
  if (outbound) return outbound;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED') {
    return tokenFailed(
      'the userinfo endpoint answered for a different user ("sub" differs from the ID token)',
      'userinfo_sub_mismatch',
    );
  }
  const status =
    err instanceof ResponseBodyError
      ? err.status
      : err instanceof WWWAuthenticateChallengeError
        ? err.status
        : statusOf((err as Error | null)?.cause);
  return tokenFailed(
    status ? `the userinfo endpoint answered HTTP ${status}` : 'the userinfo endpoint gave an unexpected answer',
    'userinfo_http_error',
  );
}

/** The sign-in log's reason for one of openid-client's own ID-token checks, from its (fixed) message. */
function claimCheckReason(message: string): SignInReason {
  if (/claim missing/.test(message)) return 'id_token_claim_missing';
  if (/"alg"/.test(message)) return 'id_token_alg_not_allowed';
  return 'id_token_malformed';
}

export function mapCodeGrantError(err: unknown, timeoutMs: number): RpError {
  if (err instanceof RpError) return err;

  const outbound = outboundFailure(err, timeoutMs, 'token');
  if (outbound) return outbound;

  if (err instanceof ResponseBodyError) {
    const code = typeof err.error === 'string' && OAUTH_ERROR_CODE.test(err.error) ? err.error : 'error';
    return tokenFailed(`the identity provider answered ${code} (HTTP ${err.status})`, 'token_oauth_error');
  }
  if (err instanceof WWWAuthenticateChallengeError) {
    return tokenFailed('the identity provider rejected the client credentials', 'token_client_auth_rejected');
  }
  if (err instanceof BothAuthMethodsRejected) {
    return tokenFailed(
      `${err.message}; check the client ID and secret in the SSO settings against the identity provider's application`,
      'token_client_auth_rejected',
    );
  }

  const code = err instanceof ClientError ? err.code : (err as { code?: unknown } | null)?.code;
  // openid-client's ClientError carries a generic message; the specific one is on its cause.
  const cause = err instanceof Error ? err.cause : undefined;
  const message = `${err instanceof Error ? err.message : ''} ${cause instanceof Error ? cause.message : ''}`;
  // The max_age checks (OIDC Core §3.1.3.7), named apart so the admin learns the IdP ignored max_age.
  if (/"auth_time"[^]*claim missing/.test(message))
    return idTokenInvalid('the ID token has no auth_time although max_age was requested', 'id_token_auth_time_missing');
  if (
    code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' &&
    ((err as Error).cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim === 'auth_time'
  )
    return idTokenInvalid(
      'the member signed in at the identity provider longer ago than this connection allows (max_age)',
      'id_token_auth_too_old',
    );
  switch (code) {
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM': {
      const status = statusOf((err as Error).cause);
      return tokenFailed(
        status ? `the identity provider answered HTTP ${status}` : 'the identity provider gave an unexpected answer',
        status ? 'token_http_error' : 'token_invalid_response',
      );
    }
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
    case 'OAUTH_PARSE_ERROR':
      return tokenFailed("the identity provider's answer is not JSON", 'token_not_json');
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED': {
      const claim = ((err as Error).cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim;
      if (claim === 'nonce')
        return new RpError('nonce_mismatch', 502, MESSAGES.idTokenNonceMismatch, 'id_token_nonce_mismatch');
      const reason: SignInReason =
        claim === 'iss'
          ? 'id_token_issuer_mismatch'
          : claim === 'aud'
            ? 'id_token_audience_mismatch'
            : claim === 'azp'
              ? 'id_token_azp_mismatch'
              : 'id_token_claim_invalid';
      return idTokenInvalid(
        typeof claim === 'string' && OAUTH_ERROR_CODE.test(claim)
          ? `the "${claim}" claim is invalid`
          : 'a claim is invalid',
        reason,
      );
    }
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return idTokenInvalid('the token has expired or is not valid yet', 'id_token_expired');
  }
  if (/JWT "nonce"/.test(message))
    return new RpError('nonce_mismatch', 502, MESSAGES.idTokenNonceMismatch, 'id_token_nonce_mismatch');
  if (/"response" body "id_token"/.test(message))
    return tokenFailed('the identity provider answered without an ID token', 'token_no_id_token');
  if (/"response" body/.test(message) || /token_type/.test(message)) {
    return tokenFailed("the identity provider's answer is not a valid token response", 'token_invalid_response');
  }
  // Remaining openid-client failures come from its own ID-token claim checks.
  return idTokenInvalid('the token is malformed or its claims are invalid', claimCheckReason(message));
}
