import { DOMAIN_RELEASE_AFTER_MS, txtRecordNameFor, txtRecordValueFor, type SsoDomain } from '@/lib/contract';
import type { SsoDomainRecord } from '../../storage/types';

export function toWireDomain(d: SsoDomainRecord): SsoDomain {
  return {
    domain: d.domain,
    verified: d.verifiedAt !== null,
    verifiedAt: d.verifiedAt,
    txtRecordName: txtRecordNameFor(d.domain),
    txtRecordValue: txtRecordValueFor(d.token),
    createdAt: d.createdAt,
    lastCheckedAt: d.lastCheckedAt,
    failingSince: d.failingSince,
    releasesAt:
      d.failingSince === null ? null : new Date(Date.parse(d.failingSince) + DOMAIN_RELEASE_AFTER_MS).toISOString(),
  };
}
