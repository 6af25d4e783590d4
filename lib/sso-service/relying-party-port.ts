/**
 * What the routes need from the relying party (lib/sso-service/oidc): its interface, and a way to tell its
 * expected failures (RpError) from bugs.
 */
import { isSignInReason, type SignInReason } from '@/lib/contract';
import { RpError, type IssuerCheck, type RelyingParty } from './oidc';

export type { IssuerCheck, RpClientConfig, RpIdentity } from './oidc';
export type IssuerCheckReason = Extract<IssuerCheck, { ok: false }>['reason'];
export type RelyingPartyPort = RelyingParty;

export interface RpFailure {
  status: 400 | 502 | 503 | 504;
  message: string;
  /** The sign-in log's reason code, when the relying party gave one. */
  reason?: SignInReason;
}

const RP_STATUSES = new Set([400, 502, 503, 504]);
const RP_KINDS = new Set([
  'discovery_failed',
  'issuer_mismatch',
  'blocked_address',
  'idp_unavailable',
  'token_exchange_failed',
  'id_token_invalid',
  'nonce_mismatch',
  'iss_mismatch',
]);

/**
 * Recognises the relying party's RpError by shape rather than class identity, so a second copy of the
 * module (bundler, test runner) cannot turn an expected IdP failure into a 500.
 */
export function asRpFailure(err: unknown): RpFailure | null {
  if (err instanceof RpError)
    return { status: err.status, message: err.message, ...(err.reason ? { reason: err.reason } : {}) };
  if (!(err instanceof Error)) return null;
  const { status, kind } = err as Error & { status?: unknown; kind?: unknown };
  if (typeof kind !== 'string' || !RP_KINDS.has(kind)) return null;
  if (typeof status !== 'number' || !RP_STATUSES.has(status)) return null;
  const reason = (err as { reason?: unknown }).reason;
  return { status: status as RpFailure['status'], message: err.message, ...(isSignInReason(reason) ? { reason } : {}) };
}

/** Issuer-check reasons that mean "the IdP may come back": the save goes through, login answers 503 later. */
export const TRANSIENT_ISSUER_REASONS: ReadonlySet<IssuerCheckReason> = new Set(['unreachable', 'timeout']);
