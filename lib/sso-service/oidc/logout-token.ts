/**
 * Back-channel logout tokens (OpenID Connect Back-Channel Logout 1.0 §2.4, §2.6), verified with jose against
 * the issuer's discovered JWKS, as ID tokens are (id-token.ts): asymmetric algorithms the IdP lists only (never
 * `none`, never HS*), `iss` = the connection's issuer, `aud` = its client id, `iat` required and recent, `exp`
 * when present, `jti` required (single use is the caller's: it needs storage), the back-channel logout event,
 * `sub` and/or `sid`, and no `nonce` (the spec forbids it so an ID token can never pass as a logout token).
 */
import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { JwksCache } from './jwks-cache';
import { RpError } from './types';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/** How old a logout token may be, by its `iat` (plus the clock tolerance). */
export const LOGOUT_TOKEN_MAX_AGE_SEC = 5 * 60;

/** What a verified logout token names. */
export interface LogoutTokenClaims {
  jti: string;
  sub?: string;
  sid?: string;
  /** When it can no longer be replayed (its `exp`, else `iat` + the max age), epoch seconds. */
  replayableUntilSec: number;
}

export interface LogoutTokenExpectations {
  issuer: string;
  clientId: string;
  jwksUri: string;
  algorithms: string[];
  clockToleranceSec: number;
  nowMs: number;
}

const refused = (detail: string) =>
  new RpError('id_token_invalid', 400, `The logout token was refused: ${detail}`, 'id_token_claim_invalid');

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'it has expired or is too old';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return `a required claim is missing`;
    if (err.claim === 'iss') return 'it was issued by a different issuer';
    if (err.claim === 'aud') return 'it was issued for a different client (audience)';
    return 'a claim is out of range';
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return 'it is signed with an algorithm that is not allowed';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'its signature is invalid';
  if (err instanceof errors.JWKSNoMatchingKey) return 'it is signed with a key the identity provider does not publish';
  if (err instanceof errors.JWKSMultipleMatchingKeys)
    return 'it names no key id and the identity provider publishes several keys';
  return 'it is malformed';
}

function verifyWith(token: string, getKey: JWTVerifyGetKey, exp: LogoutTokenExpectations) {
  return jwtVerify(token, getKey, {
    issuer: exp.issuer,
    audience: exp.clientId,
    algorithms: exp.algorithms,
    clockTolerance: exp.clockToleranceSec,
    currentDate: new Date(exp.nowMs),
    maxTokenAge: LOGOUT_TOKEN_MAX_AGE_SEC,
    requiredClaims: ['iss', 'aud', 'iat', 'jti', 'events'],
  });
}

const nonEmpty = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= 1024;

/** Verifies a logout token; throws RpError (400 for a refused token, 502/504 when the JWKS cannot be read). */
export async function verifyLogoutToken(
  token: string,
  jwks: JwksCache,
  exp: LogoutTokenExpectations,
): Promise<LogoutTokenClaims> {
  if (exp.algorithms.length === 0) throw refused('the identity provider signs only with algorithms not accepted here');
  const keys = await jwks.get(exp.jwksUri);
  if (!keys.ok) {
    throw new RpError(
      'idp_unavailable',
      keys.error.kind === 'timeout' ? 504 : 502,
      `The identity provider's signing keys could not be loaded: ${keys.error.detail}`,
      keys.error.kind === 'timeout' ? 'jwks_timeout' : 'jwks_unavailable',
    );
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await verifyWith(token, keys.value.getKey, exp));
  } catch (err) {
    if (!(err instanceof errors.JWKSNoMatchingKey)) throw refused(describe(err));
    // A rotated signing key: one refetch, rate-limited by the cache's cooldown.
    const refreshed = await jwks.refetchForUnknownKey(exp.jwksUri);
    if (!refreshed?.ok || refreshed.value === keys.value) throw refused(describe(err));
    try {
      ({ payload } = await verifyWith(token, refreshed.value.getKey, exp));
    } catch (retryErr) {
      throw refused(describe(retryErr));
    }
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  const azp = (payload as { azp?: unknown }).azp;
  if (azp !== undefined && azp !== exp.clientId) throw refused('it was issued to a different authorized party');
  if (audiences.length > 1 && azp === undefined) throw refused('it has several audiences but no authorized party');
  if ('nonce' in payload) throw refused('it carries a nonce (a logout token never does)');
  const events = (payload as { events?: unknown }).events;
  if (
    typeof events !== 'object' ||
    events === null ||
    Array.isArray(events) ||
    !Object.hasOwn(events, BACKCHANNEL_LOGOUT_EVENT) ||
    typeof (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] !== 'object' ||
    (events as Record<string, unknown>)[BACKCHANNEL_LOGOUT_EVENT] === null
  ) {
    throw refused('it does not carry the back-channel logout event');
  }
  if (!nonEmpty(payload.jti)) throw refused('its "jti" is missing');
  const sub = payload.sub;
  const sid = (payload as { sid?: unknown }).sid;
  if (sub !== undefined && !nonEmpty(sub)) throw refused('its "sub" is malformed');
  if (sid !== undefined && !nonEmpty(sid)) throw refused('its "sid" is malformed');
  if (sub === undefined && sid === undefined) throw refused('it names neither "sub" nor "sid"');
  const iat = payload.iat as number;
  return {
    jti: payload.jti,
    ...(sub !== undefined ? { sub } : {}),
    ...(sid !== undefined ? { sid: sid as string } : {}),
    replayableUntilSec:
      Math.max(typeof payload.exp === 'number' ? payload.exp : 0, iat + LOGOUT_TOKEN_MAX_AGE_SEC) +
      exp.clockToleranceSec,
  };
}
