/**
 * Re-checking a member session with Grantex, so that revoking the SSO session (or its expiry there) ends the
 * member's console session within MEMBER_SESSION_RECHECK_SECONDS (default 30 s), not at the cookie's 8 hours.
 *
 * The sealed cookie records when Grantex last confirmed the session and when the console last asked; only a
 * view after the interval asks again (one public `POST /sso/sessions/check`, no personal data either way).
 * Outcomes:
 * - active: re-sealed with the new times (the cookie's end is kept);
 * - inactive (revoked, expired, unknown): the member session is cleared: sign in again;
 * - Grantex unreachable (network, timeout, 5xx, 429): the session stands for a grace period after the last
 *   confirmation (MEMBER_RECHECK_GRACE_SECONDS), asked again after the interval; past it, fail closed (the page
 *   shows nothing of the member and says it could not confirm the session; the cookie is kept for a retry);
 * - a Grantex without the check endpoint (404/405): sessions cannot be re-checked there, the cookie's own end
 *   stands, as before re-checks existed;
 * - a session sealed without its id (before re-checks existed): ended, so no member session escapes re-checks.
 */
import 'server-only';
import type { SsoSessionCheckRequest, SsoSessionCheckResponse } from '@/lib/contract';
import { isGrantexError } from '@/lib/grantex/errors';
import type { MemberIdentity } from './member-session';

/** How long after Grantex last confirmed a session it still stands while Grantex cannot be reached. */
export const MEMBER_RECHECK_GRACE_SECONDS = 5 * 60;

export type RecheckOutcome =
  | { kind: 'active'; identity: MemberIdentity }
  | { kind: 'unconfirmed'; identity: MemberIdentity }
  | { kind: 'ended' }
  | { kind: 'unavailable' };

/**
 * True when this view must ask Grantex first: the interval has passed (or the clock went back). Never for a
 * Grantex without sessions (no `session`: nothing to check); always for a session sealed without its id (before
 * re-checks existed), which recheckMember then ends: it could not be re-checked.
 */
export function recheckDue(identity: MemberIdentity, nowMs: number, intervalSeconds: number): boolean {
  if (!identity.session) return false;
  if (!identity.session.id) return true;
  const { checkedAt } = identity;
  return checkedAt === undefined || nowMs < checkedAt || nowMs - checkedAt >= intervalSeconds * 1000;
}

/** recheckDue at this moment (for the page, which renders once per request). */
export function recheckDueNow(identity: MemberIdentity, intervalSeconds: number): boolean {
  return recheckDue(identity, Date.now(), intervalSeconds);
}

/** The check endpoint itself is missing (a Grantex without re-checks), not an answer about the session. */
function checkRouteMissing(err: unknown): boolean {
  return isGrantexError(err) && (err.status === 404 || err.status === 405);
}

/** Grantex could not answer (as opposed to answering that the session is not active). */
function unreachable(err: unknown): boolean {
  return isGrantexError(err) && ['network', 'timeout', 'server', 'rate_limited', 'invalid_response'].includes(err.kind);
}

export async function recheckMember(
  identity: MemberIdentity,
  check: (request: SsoSessionCheckRequest) => Promise<SsoSessionCheckResponse>,
  nowMs: number,
): Promise<RecheckOutcome> {
  const session = identity.session;
  if (!session) return { kind: 'active', identity };
  if (!session.id) return { kind: 'ended' };
  try {
    const answer = await check({ developerId: identity.developerId, sessionId: session.id });
    if (!answer.active) return { kind: 'ended' };
    return {
      kind: 'active',
      identity: {
        ...identity,
        session: { ...session, expiresAt: answer.expiresAt },
        verifiedAt: nowMs,
        checkedAt: nowMs,
      },
    };
  } catch (err) {
    if (checkRouteMissing(err)) return { kind: 'unconfirmed', identity: { ...identity, checkedAt: nowMs } };
    if (!unreachable(err)) return { kind: 'ended' };
    const verifiedAt = identity.verifiedAt ?? 0;
    if (nowMs >= verifiedAt && nowMs - verifiedAt < MEMBER_RECHECK_GRACE_SECONDS * 1000) {
      return { kind: 'unconfirmed', identity: { ...identity, checkedAt: nowMs } };
    }
    return { kind: 'unavailable' };
  }
}
