/**
 * ID-token verification (OIDC Core §3.1.3.7) done with jose, independently of openid-client:
 * openid-client v6 checks claims but not the signature, accepts `alg: none` when the IdP lists it
 * and does not bound `iat`. Every token is verified here against the discovered JWKS.
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { MESSAGES } from '@/lib/contract';
import type { JwksCache } from './jwks-cache';
import { RpError } from './types';

/** Asymmetric algorithms only: never `none`, never HS* (which would make the client secret a signing key). */
const ASYMMETRIC_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

export function allowedIdTokenAlgs(supported: readonly string[] | undefined): string[] {
  return supported ? ASYMMETRIC_ALGS.filter((alg) => supported.includes(alg)) : ASYMMETRIC_ALGS;
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
}

function invalid(detail: string): RpError {
  return new RpError('id_token_invalid', 502, `${MESSAGES.idTokenVerificationFailed}: ${detail}`);
}

const SAFE_TOKEN = /^[A-Za-z0-9_.-]{1,32}$/;

function describeJoseError(err: unknown): string {
  if (err instanceof errors.JWTExpired) return err.claim === 'exp' ? 'the token has expired' : `the "${err.claim}" claim is out of range`;
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return `the "${SAFE_TOKEN.test(err.claim) ? err.claim : 'required'}" claim is missing`;
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
  return jwtVerify(token, getKey, {
    issuer: exp.issuerAliases?.length ? [exp.issuer, ...exp.issuerAliases] : exp.issuer,
    audience: exp.clientId,
    algorithms: exp.algorithms,
    clockTolerance: exp.clockToleranceSec,
    currentDate: new Date(exp.nowMs),
    requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
  });
}

/** Verifies signature and claims; returns the payload or throws RpError. */
export async function verifyIdToken(token: string, jwks: JwksCache, exp: IdTokenExpectations): Promise<JWTPayload> {
  if (exp.algorithms.length === 0) {
    throw invalid('the identity provider signs ID tokens only with algorithms this service does not accept');
  }
  const keys = await jwks.get(exp.jwksUri);
  if (!keys.ok) {
    throw new RpError(
      'idp_unavailable',
      keys.error.kind === 'timeout' ? 504 : 502,
      `${MESSAGES.idTokenVerificationFailed}: ${keys.error.detail}`,
    );
  }

  let payload: JWTPayload;
  try {
    ({ payload } = await verifyWith(token, keys.value.getKey, exp));
  } catch (err) {
    if (!(err instanceof errors.JWKSNoMatchingKey)) throw invalid(describeJoseError(err));
    // Possibly a rotated signing key: one refetch, rate-limited by the cache's cooldown.
    const refreshed = await jwks.refetchForUnknownKey(exp.jwksUri);
    if (!refreshed?.ok || refreshed.value === keys.value) throw invalid(describeJoseError(err));
    try {
      ({ payload } = await verifyWith(token, refreshed.value.getKey, exp));
    } catch (retryErr) {
      throw invalid(describeJoseError(retryErr));
    }
  }

  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw invalid('the "sub" claim is missing');
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const azp = (payload as { azp?: unknown }).azp;
  if (audiences.length > 1 && azp === undefined) {
    throw invalid('it has several audiences but no authorized party ("azp")');
  }
  if (azp !== undefined && azp !== exp.clientId) throw invalid('it was issued to a different authorized party ("azp")');
  if (typeof payload.iat !== 'number' || payload.iat > exp.nowMs / 1000 + exp.clockToleranceSec) {
    throw invalid('its issue time ("iat") is in the future');
  }
  if (payload.nonce !== exp.nonce) throw new RpError('nonce_mismatch', 502, MESSAGES.idTokenNonceMismatch);
  return payload;
}
