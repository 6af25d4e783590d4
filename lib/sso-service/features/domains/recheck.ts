/**
 * The daily re-check of verified domains: a verified domain whose TXT record is gone stops proving anything, so
 * whoever verified it first must not keep routing it (and blocking its real owner) for ever.
 *
 * Each run takes the verified domains not checked for 24 h, least recently checked first, in chunks with a yield
 * between them (like events/retention.ts), and for each one:
 * - claims it by moving `lastCheckedAt` to now only while it is still due (one compare-and-set in the database),
 *   so of several processes sharing the database exactly one checks it; the others skip it;
 * - looks the TXT record up: found → `failingSince` cleared; definitely not there (no record, or no record with
 *   the token) → `failingSince` set if unset; a timeout or a DNS server error counts as neither (the DNS being
 *   unreachable for a while proves nothing either way), and the domain is tried again the next day;
 * - once it has been failing for 7 days: releases it (verified → unverified, the org keeps the row and its token,
 *   so restoring the record and pressing Verify takes it back, unless another org verified it meanwhile), with a
 *   `domain.released` audit entry by the system. Only the process whose release write changed the row audits it.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  DOMAIN_RECHECK_INTERVAL_MS,
  DOMAIN_RELEASE_AFTER_MS,
  txtRecordNameFor,
  txtRecordValueFor,
} from '@/lib/contract';
import type { AuditRecorder } from '../events/recorder';
import type { TxtResolver } from './dns-txt';
import type { ServiceStore } from '../../storage';

const CHUNK = 100;
/** Per run; the next run continues with what is still due. */
const MAX_CHUNKS = 50;

export interface DomainRecheckDeps {
  store: Pick<
    ServiceStore,
    'listDomainsDueForRecheck' | 'claimDomainRecheck' | 'recordDomainRecheck' | 'releaseDomain'
  >;
  dns: TxtResolver;
  audit: AuditRecorder;
  now: () => number;
  /** Aborted when the service closes: the run stops before its next domain (one lookup at most is waited for). */
  signal?: AbortSignal;
}

export interface DomainRecheckSummary {
  checked: number;
  found: number;
  failing: number;
  /** Timeouts and DNS errors: neither found nor failing. */
  inconclusive: number;
  released: number;
}

/** The audit actor of the re-check. */
export const RECHECK_ACTOR = { kind: 'system', id: null, label: 'daily domain re-check' } as const;

export async function recheckDomains({
  store,
  dns,
  audit,
  now,
  signal,
}: DomainRecheckDeps): Promise<DomainRecheckSummary> {
  const summary: DomainRecheckSummary = { checked: 0, found: 0, failing: 0, inconclusive: 0, released: 0 };
  const startedAt = now();
  const dueBefore = new Date(startedAt - DOMAIN_RECHECK_INTERVAL_MS).toISOString();
  for (let i = 0; i < MAX_CHUNKS && !signal?.aborted; i++) {
    const due = await store.listDomainsDueForRecheck(dueBefore, CHUNK);
    for (const candidate of due) {
      if (signal?.aborted) break;
      const nowIso = new Date(now()).toISOString();
      const claimed = await store.claimDomainRecheck(candidate.developerId, candidate.domain, dueBefore, nowIso);
      if (!claimed) continue;
      summary.checked++;
      const lookup = await dns.lookup(txtRecordNameFor(claimed.domain));
      if (lookup.kind === 'timeout' || lookup.kind === 'error') {
        summary.inconclusive++;
        continue;
      }
      const expected = txtRecordValueFor(claimed.token);
      const found = lookup.kind === 'found' && lookup.values.some((v) => v.trim() === expected);
      const after = await store.recordDomainRecheck(claimed.developerId, claimed.domain, found, nowIso);
      if (found) {
        summary.found++;
        continue;
      }
      summary.failing++;
      const releaseBefore = new Date(now() - DOMAIN_RELEASE_AFTER_MS).toISOString();
      if (
        after?.failingSince &&
        after.failingSince <= releaseBefore &&
        (await store.releaseDomain(claimed.developerId, claimed.domain, releaseBefore))
      ) {
        summary.released++;
        audit.record({
          developerId: claimed.developerId,
          actor: RECHECK_ACTOR,
          action: 'domain.released',
          target: { type: 'domain', id: claimed.domain },
        });
      }
    }
    // Every row listed was claimed (by this process or another) and so is no longer due.
    if (due.length < CHUNK) break;
    await yieldToEventLoop();
  }
  return summary;
}
