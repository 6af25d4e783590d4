/**
 * ID-token verification (OIDC Core §3.1.3.7) done with jose, independently of openid-client:
 * openid-client v6 checks claims but not the signature, accepts `alg: none` when the IdP lists it
 * and does not bound `iat`. Every token is verified here against the discovered JWKS.
 */
import { decodeJwt, errors, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { MESSAGES, type SignInReason } from '@/lib/contract';
import { untilAborted } from '@/lib/net';
import type { JwksCache } from './jwks-cache';
import { ASYMMETRIC_ALGS, verifyJwt } from './jws-verify';
import { redactClaims } from './trace';
import { RpError, type RpTrace } from './types';

/**
 * The ID-token algorithms to accept from an IdP that lists `supported`: asymmetric only (jws-verify.ts), never
 * `none`, never HS* (which would make the client secret a signing key).
 */
export function allowedIdTokenAlgs(supported: readonly string[] | undefined): string[] {
  return ASYMMETRIC_ALGS.filter((alg) => supported === undefined || supported.includes(alg));
}

export interface IdTokenExpectations {
  issuer: string;
  /** Other accepted `iss` values for this issuer (issuer-aliases.ts); usually none. */
  issuerAliases?: readonly string[];
  clientId: string;
  nonce: string;
  jwksUri: string;
  algorithms: string[];
  clockToleranceSec: number;
  nowMs: number;
  /** The sign-in's deadline: waiting for the (shared) JWKS load stops when it aborts; the load goes on. */
  signal?: AbortSignal;
}

function invalid(detail: string, reason: SignInReason): RpError {
  return new RpError('id_token_invalid', 502, `${MESSAGES.idTokenVerificationFailed}: ${detail}`, reason);
}

/** The sign-in log's reason for a jose verification error. */
function reasonOfJoseError(err: unknown): SignInReason {
  if (err instanceof errors.JWTExpired) return err.claim === 'exp' ? 'id_token_expired' : 'id_token_claim_invalid';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return 'id_token_claim_missing';
    const byClaim: Record<string, SignInReason> = {
      iss: 'id_token_issuer_mismatch',
      aud: 'id_token_audience_mismatch',
      nbf: 'id_token_not_yet_valid',
      iat: 'id_token_issued_in_future',
    };
    return byClaim[err.claim] ?? 'id_token_claim_invalid';
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'id_token_alg_not_allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'id_token_signature_invalid';
  if (err instanceof errors.JWKSNoMatchingKey) return 'id_token_unknown_key';
  if (err instanceof errors.JWKSMultipleMatchingKeys) return 'id_token_ambiguous_key';
  if (err instanceof errors.JOSENotSupported) return 'id_token_alg_not_allowed';
  return 'id_token_malformed';
}

/**
 * For the trace of a token that failed: its claims read without trusting them, and how far the IdP's clock
 * seems ahead when iat or nbf was the problem.
 */
function noteFailedToken(
  token: string,
  exp: IdTokenExpectations,
  reason: SignInReason,
  trace: RpTrace | undefined,
): void {
  if (!trace) return;
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    return;
  }
  trace.claims = redactClaims(payload);
  trace.claimsVerified = false;
  const nowSec = exp.nowMs / 1000;
  const skewFrom = (claim: unknown) => (typeof claim === 'number' ? Math.round(claim - nowSec) : undefined);
  // An expired token says nothing certain about clocks (it may just be old): only iat/nbf ahead of us count.
  const skew =
    reason === 'id_token_not_yet_valid'
      ? skewFrom(payload.nbf)
      : reason === 'id_token_issued_in_future'
        ? skewFrom(payload.iat)
        : undefined;
  if (skew !== undefined) trace.clockSkewSec = skew;
}

const SAFE_TOKEN = /^[A-Za-z0-9_.-]{1,32}$/;

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired)
    return err.claim === 'exp' ? 'the token has expired' : `the "${err.claim}" claim is out of range`;
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing')
      return `the "${SAFE_TOKEN.test(err.claim) ? err.claim : 'required'}" claim is missing`;
    switch (err.claim) {
      case 'iss':
        return 'it was issued by a different issuer';
      case 'aud':
        return 'it was issued for a different client (audience)';
      case 'nbf':
        return 'it is not valid yet';
      default:
        return `the "${SAFE_TOKEN.test(err.claim) ? err.claim : 'unknown'}" claim is invalid`;
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'it is signed with an algorithm that is not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'its signature is invalid';
  if (err instanceof errors.JWKSNoMatchingKey) return 'it is signed with a key the identity provider does not publish';
  if (err instanceof errors.JWKSMultipleMatchingKeys) {
    return 'it names no key id ("kid") and the identity provider publishes several keys';
  }
  if (err instanceof errors.JOSENotSupported) return 'it uses an unsupported algorithm or key type';
  return 'it is malformed';
}

async function verifyWith(token: string, getKey: JWTVerifyGetKey, exp: IdTokenExpectations) {
  // jose's jwtVerify with the signature checked inline (jws-verify.ts says why).
  const payload = await verifyJwt(token, getKey, {
    issuer: exp.issuerAliases?.length ? [exp.issuer, ...exp.issuerAliases] : exp.issuer,
    audience: exp.clientId,
    algorithms: exp.algorithms,
    clockTolerance: exp.clockToleranceSec,
    currentDate: new Date(exp.nowMs),
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
  });
  return { payload };
}

/** Verifies signature and claims; returns the payload or throws RpError. */
export async function verifyIdToken(
  token: string,
  jwks: JwksCache,
  exp: IdTokenExpectations,
  trace?: RpTrace,
): Promise<JWTPayload> {
  try {
    const payload = await verifyIdTokenChecks(token, jwks, exp);
    if (trace) {
      trace.claims = redactClaims(payload);
      trace.claimsVerified = true;
    }
    return payload;
  } catch (err) {
    if (err instanceof RpError && err.kind !== 'idp_unavailable')
      noteFailedToken(token, exp, err.reason ?? 'id_token_malformed', trace);
    throw err;
  }
}

async function verifyIdTokenChecks(token: string, jwks: JwksCache, exp: IdTokenExpectations): Promise<JWTPayload> {
  if (exp.algorithms.length === 0) {
    throw invalid(
      'the identity provider signs ID tokens only with algorithms this service does not accept',
      'id_token_alg_not_allowed',
    );
  }
  const keys = await untilAborted(jwks.get(exp.jwksUri), exp.signal);
  if (!keys.ok) {
    throw new RpError(
      'idp_unavailable',
      keys.error.kind === 'timeout' ? 504 : 502,
      `${MESSAGES.idTokenVerificationFailed}: ${keys.error.detail}`,
      keys.error.kind === 'timeout' ? 'jwks_timeout' : 'jwks_unavailable',
    );
  }
  const joseFailure = (err: unknown) => invalid(describeJoseError(err), reasonOfJoseError(err));

  let payload: JWTPayload;
  try {
    ({ payload } = await verifyWith(token, keys.value.getKey, exp));
  } catch (err) {
    if (!(err instanceof errors.JWKSNoMatchingKey)) throw joseFailure(err);
    // Possibly a rotated signing key: one refetch, rate-limited by the cache's cooldown.
    const refreshed = await untilAborted(jwks.refetchForUnknownKey(exp.jwksUri), exp.signal);
    if (!refreshed?.ok || refreshed.value === keys.value) throw joseFailure(err);
    try {
      ({ payload } = await verifyWith(token, refreshed.value.getKey, exp));
    } catch (retryErr) {
      throw joseFailure(retryErr);
    }
  }

  if (typeof payload.sub !== 'string' || payload.sub.length === 0)
    throw invalid('the "sub" claim is missing', 'id_token_claim_missing');
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const azp = (payload as { azp?: unknown }).azp;
  if (audiences.length > 1 && azp === undefined) {
    throw invalid('it has several audiences but no authorized party ("azp")', 'id_token_azp_mismatch');
  }
  if (azp !== undefined && azp !== exp.clientId)
    throw invalid('it was issued to a different authorized party ("azp")', 'id_token_azp_mismatch');
  if (typeof payload.iat !== 'number' || payload.iat > exp.nowMs / 1000 + exp.clockToleranceSec) {
    throw invalid(
      'its issue time ("iat") is in the future',
      typeof payload.iat !== 'number' ? 'id_token_claim_missing' : 'id_token_issued_in_future',
    );
  }
  if (payload.nonce !== exp.nonce)
    throw new RpError('nonce_mismatch', 502, MESSAGES.idTokenNonceMismatch, 'id_token_nonce_mismatch');
  return payload;
}
