/**
 * Sign-in attempts that name an org but cannot prove they belong to it: an IdP-error report whose state is
 * forged, expired or already used, and an IdP-initiated SAML post whose signature does not verify against the
 * connection it names. Anyone can send those naming any org, so they are never stored as that org's events
 * (which would let outsiders fill another tenant's sign-in log); they are counted per process instead, and each
 * one adds the running count to a log line for operators.
 */
import type { ServiceLogger } from '../../http/logger';

export const UNATTRIBUTED_KINDS = ['idp_error_report_refused', 'saml_idp_initiated_unverified'] as const;
export type UnattributedKind = (typeof UNATTRIBUTED_KINDS)[number];

export interface UnattributedAttempts {
  note(kind: UnattributedKind, requestId: string): void;
  /** Counts since the process started. */
  counts(): Readonly<Record<UnattributedKind, number>>;
}

export function createUnattributedAttempts(logger: ServiceLogger): UnattributedAttempts {
  const counts: Record<UnattributedKind, number> = { idp_error_report_refused: 0, saml_idp_initiated_unverified: 0 };
  return {
    note(kind, requestId) {
      counts[kind] += 1;
      logger.log('warn', { reqId: requestId, msg: 'unattributed sign-in attempt', kind, total: counts[kind] });
    },
    counts: () => ({ ...counts }),
  };
}
