/**
 * Verified domains (routes.ts): `GET|POST /v1/sso/domains`, `POST /v1/sso/domains/:domain/verify`,
 * `DELETE /v1/sso/domains/:domain` (Bearer key). An org adds a domain, publishes
 * `_grantex-sso.<domain> TXT "grantex-sso-verification=<token>"`, and asks us to check it. Only a verified domain
 * routes a member who gives just an email; one org at most holds a domain verified (a unique index says so).
 *
 * Re-verification: a check runs when the admin asks (Verify), every time it is asked, and the service re-checks
 * every verified domain daily (recheck.ts). A failed check on demand leaves a verified domain as it is
 * (the answer says why, and lastCheckedAt records it); a successful one clears `failingSince`. The daily re-check
 * records since when the record has been missing (`failingSince`, shown with `releasesAt`) and releases the
 * domain after 7 days of failures, so whoever verified it first cannot keep routing it once the DNS no longer
 * says so; the week gives its org time to notice and restore the record before members' sign-in breaks.
 */
import { randomBytes } from 'node:crypto';
import {
  DOMAIN_MESSAGES,
  txtRecordNameFor,
  txtRecordValueFor,
  type DomainVerifyFailureReason,
  type SsoDomainVerifyFailure,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { ApiError, notFound } from '../../http/api-error';
import type { SsoDomainRecord } from '../../storage/types';
import type { TxtLookup } from './dns-txt';

/** 24 random bytes (32 base64url characters): unguessable, so no one can publish it before being given it. */
const TOKEN_BYTES = 24;

const nowIso = (ctx: ServiceContext) => new Date(ctx.now()).toISOString();

/** Why a lookup did not verify, with the next step. */
function failureOf(lookup: TxtLookup, name: string): { reason: DomainVerifyFailureReason; message: string } {
  switch (lookup.kind) {
    case 'none':
      return {
        reason: 'no_record',
        message: `No TXT record was found at ${name}. Publish the record below at your DNS provider, wait for it to be visible (this can take a few minutes), then verify again`,
      };
    case 'found':
      return {
        reason: 'wrong_value',
        message: `The TXT record at ${name} does not contain the expected value. Set it to the value below exactly, then verify again`,
      };
    case 'timeout':
      return { reason: 'dns_timeout', message: `The DNS lookup of ${name} timed out. Try again in a moment` };
    case 'error':
      return {
        reason: 'dns_error',
        message: `The DNS lookup of ${name} failed (${lookup.code}). Check that the domain's DNS servers answer, then try again`,
      };
  }
}

/** `domain`: the path's, normalised (null: not a domain, so not one of the org's either). */
async function findOwn(ctx: ServiceContext, developerId: string, domain: string | null): Promise<SsoDomainRecord> {
  const found = domain === null ? undefined : await ctx.store.getDomain(developerId, domain);
  if (!found) throw notFound(DOMAIN_MESSAGES.domainNotFound);
  return found;
}

/** Adds the domain with a fresh token, or answers the org's existing row for it (`created: false`). */
export function addDomain(ctx: ServiceContext, developerId: string, domain: string) {
  return ctx.store.addDomain({
    developerId,
    domain,
    token: randomBytes(TOKEN_BYTES).toString('base64url'),
    createdAt: nowIso(ctx),
    verifiedAt: null,
    lastCheckedAt: null,
    failingSince: null,
  });
}

export type VerifyOutcome =
  | { kind: 'verified'; domain: SsoDomainRecord }
  | { kind: 'failed'; failure: Omit<SsoDomainVerifyFailure, 'requestId'> };

/** A DNS TXT check on demand; a failed check of an already-verified domain leaves it verified (see above). */
export async function verifyDomain(
  ctx: ServiceContext,
  developerId: string,
  domain: string | null,
): Promise<VerifyOutcome> {
  const record = await findOwn(ctx, developerId, domain);
  const name = txtRecordNameFor(record.domain);
  const expected = txtRecordValueFor(record.token);
  const lookup = await ctx.dns.lookup(name);
  if (lookup.kind === 'found' && lookup.values.some((v) => v.trim() === expected)) {
    const write = await ctx.store.markDomainVerified(developerId, record.domain, nowIso(ctx));
    if (write.kind === 'verified') return { kind: 'verified', domain: write.domain };
    if (write.kind === 'missing') throw notFound(DOMAIN_MESSAGES.domainNotFound);
    await ctx.store.markDomainChecked(developerId, record.domain, nowIso(ctx));
    throw new ApiError(409, 'CONFLICT', DOMAIN_MESSAGES.domainTaken);
  }
  await ctx.store.markDomainChecked(developerId, record.domain, nowIso(ctx));
  return {
    kind: 'failed',
    failure: { verified: false, ...failureOf(lookup, name), txtRecordName: name, txtRecordValue: expected },
  };
}

export async function removeDomain(ctx: ServiceContext, developerId: string, domain: string | null): Promise<string> {
  if (domain === null || !(await ctx.store.deleteDomain(developerId, domain)))
    throw notFound(DOMAIN_MESSAGES.domainNotFound);
  return domain;
}
