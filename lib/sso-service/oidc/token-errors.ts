/**
 * Turns whatever openid-client's code grant throws into an RpError with a message that is safe
 * to show: the contract's fixed prefix plus a short detail. Never the code, tokens, secret or the
 * IdP's raw body — at most its OAuth error code (`invalid_grant`).
 */
import { ClientError, ResponseBodyError, WWWAuthenticateChallengeError } from 'openid-client';
import { MESSAGES } from '@/lib/contract';
import { findOutboundError, formatSeconds } from '@/lib/net';
import { BothAuthMethodsRejected } from './client-auth';
import { RpError } from './types';

const OAUTH_ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

function tokenFailed(detail: string, status: 502 | 504 = 502, kind: RpError['kind'] = 'token_exchange_failed'): RpError {
  return new RpError(kind, status, `${MESSAGES.tokenExchangeFailed}: ${detail}`);
}

function idTokenInvalid(detail: string): RpError {
  return new RpError('id_token_invalid', 502, `${MESSAGES.idTokenVerificationFailed}: ${detail}`);
}

function statusOf(cause: unknown): number | null {
  return cause instanceof Response ? cause.status : null;
}

/** A transport failure (lib/net) of a request to `endpoint` ("token" or "userinfo"), or null. */
function outboundFailure(err: unknown, timeoutMs: number, endpoint: string): RpError | null {
  const outbound = findOutboundError(err);
  if (!outbound) return null;
  switch (outbound.kind) {
    case 'timeout':
      return tokenFailed(`the identity provider did not answer within ${formatSeconds(timeoutMs)}`, 504, 'idp_unavailable');
    case 'too_large':
      return tokenFailed("the identity provider's answer was too large");
    case 'blocked_address':
      return tokenFailed(`the ${endpoint} endpoint is on a blocked address`, 502, 'blocked_address');
    default:
      return tokenFailed('could not connect to the identity provider', 502, 'idp_unavailable');
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
    return tokenFailed('the userinfo endpoint answered for a different user ("sub" differs from the ID token)');
  }
  const status =
    err instanceof ResponseBodyError ? err.status : err instanceof WWWAuthenticateChallengeError ? err.status : statusOf((err as Error | null)?.cause);
  return tokenFailed(status ? `the userinfo endpoint answered HTTP ${status}` : 'the userinfo endpoint gave an unexpected answer');
}

export function mapCodeGrantError(err: unknown, timeoutMs: number): RpError {
  if (err instanceof RpError) return err;

  const outbound = outboundFailure(err, timeoutMs, 'token');
  if (outbound) return outbound;

  if (err instanceof ResponseBodyError) {
    const code = typeof err.error === 'string' && OAUTH_ERROR_CODE.test(err.error) ? err.error : 'error';
    return tokenFailed(`the identity provider answered ${code} (HTTP ${err.status})`);
  }
  if (err instanceof WWWAuthenticateChallengeError) {
    return tokenFailed('the identity provider rejected the client credentials');
  }
  if (err instanceof BothAuthMethodsRejected) {
    return tokenFailed(`${err.message}; check the client ID and secret in the SSO settings against the identity provider's application`);
  }

  const code = err instanceof ClientError ? err.code : (err as { code?: unknown } | null)?.code;
  // openid-client's ClientError carries a generic message; the specific one is on its cause.
  const cause = err instanceof Error ? err.cause : undefined;
  const message = `${err instanceof Error ? err.message : ''} ${cause instanceof Error ? cause.message : ''}`;
  switch (code) {
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM': {
      const status = statusOf((err as Error).cause);
      return tokenFailed(status ? `the identity provider answered HTTP ${status}` : 'the identity provider gave an unexpected answer');
    }
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
    case 'OAUTH_PARSE_ERROR':
      return tokenFailed("the identity provider's answer is not JSON");
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED': {
      const claim = ((err as Error).cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim;
      if (claim === 'nonce') return new RpError('nonce_mismatch', 502, MESSAGES.idTokenNonceMismatch);
      return idTokenInvalid(typeof claim === 'string' && OAUTH_ERROR_CODE.test(claim) ? `the "${claim}" claim is invalid` : 'a claim is invalid');
    }
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return idTokenInvalid('the token has expired or is not valid yet');
  }
  if (/JWT "nonce"/.test(message)) return new RpError('nonce_mismatch', 502, MESSAGES.idTokenNonceMismatch);
  if (/"response" body "id_token"/.test(message)) return tokenFailed('the identity provider answered without an ID token');
  if (/"response" body/.test(message) || /token_type/.test(message)) {
    return tokenFailed("the identity provider's answer is not a valid token response");
  }
  // Remaining openid-client failures come from its own ID-token claim checks.
  return idTokenInvalid('the token is malformed or its claims are invalid');
}
