/**
 * Verified domains: `GET|POST /v1/sso/domains`, `POST /v1/sso/domains/:domain/verify`,
 * `DELETE /v1/sso/domains/:domain` (Bearer key). An org adds a domain, publishes
 * `_grantex-sso.<domain> TXT "grantex-sso-verification=<token>"`, and asks us to check it. Only a verified domain
 * routes a member who gives just an email; one org at most holds a domain verified (a unique index says so).
 *
 * Re-verification: a check runs when the admin asks (Verify), every time it is asked, and the service re-checks
 * every verified domain daily (domains/recheck.ts). A failed check on demand leaves a verified domain as it is
 * (the answer says why, and lastCheckedAt records it); a successful one clears `failingSince`. The daily re-check
 * records since when the record has been missing (`failingSince`, shown with `releasesAt`) and releases the
 * domain after 7 days of failures, so whoever verified it first cannot keep routing it once the DNS no longer
 * says so; the week gives its org time to notice and restore the record before members' sign-in breaks.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  DOMAIN_MESSAGES,
  DOMAIN_RELEASE_AFTER_MS,
  emailDomainSchema,
  ssoDomainCreateSchema,
  txtRecordNameFor,
  txtRecordValueFor,
  type DomainVerifyFailureReason,
  type SsoDomain,
  type SsoDomainList,
  type SsoDomainVerifyFailure,
} from '@/lib/contract';
import type { ServiceContext } from '../context';
import type { TxtLookup } from '../dns-txt';
import { ApiError, notFound } from '../http/api-error';
import { authenticateActor, CONNECTION_ACTORS, type Actor } from '../http/auth';
import { auditActorOf } from '../events/recorder';
import { invalidRequest } from '../http/describe-issues';
import type { SsoDomainRecord } from '../storage/types';

/** 24 random bytes (32 base64url characters): unguessable, so no one can publish it before being given it. */
const TOKEN_BYTES = 24;

function toWireDomain(d: SsoDomainRecord): SsoDomain {
  return {
    domain: d.domain,
    verified: d.verifiedAt !== null,
    verifiedAt: d.verifiedAt,
    txtRecordName: txtRecordNameFor(d.domain),
    txtRecordValue: txtRecordValueFor(d.token),
    createdAt: d.createdAt,
    lastCheckedAt: d.lastCheckedAt,
    failingSince: d.failingSince,
    releasesAt: d.failingSince === null ? null : new Date(Date.parse(d.failingSince) + DOMAIN_RELEASE_AFTER_MS).toISOString(),
  };
}

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

/** The path's domain, lower-cased; anything that is not a domain cannot be one of the org's (404). */
function domainParam(value: string): string {
  const parsed = emailDomainSchema.safeParse(value);
  if (!parsed.success) throw notFound(DOMAIN_MESSAGES.domainNotFound);
  return parsed.data;
}

export function registerSsoDomainRoutes(app: FastifyInstance, ctx: ServiceContext) {
  /** The one place these routes authenticate: the org's API key or one of its setup links. */
  const actor = (request: FastifyRequest): Promise<Actor> => authenticateActor(ctx, request, CONNECTION_ACTORS);
  const audit = (request: FastifyRequest, dev: Actor, action: 'domain.added' | 'domain.verified' | 'domain.removed', domain: string) =>
    ctx.audit.record({ developerId: dev.developerId, actor: auditActorOf(request, dev), action, target: { type: 'domain', id: domain } });
  const nowIso = () => new Date(ctx.now()).toISOString();

  async function findOwn(developerId: string, domain: string): Promise<SsoDomainRecord> {
    const found = await ctx.store.getDomain(developerId, domain);
    if (!found) throw notFound(DOMAIN_MESSAGES.domainNotFound);
    return found;
  }

  app.get('/v1/sso/domains', async (request) => {
    const dev = await actor(request);
    const body: SsoDomainList = { domains: (await ctx.store.listDomains(dev.developerId)).map(toWireDomain) };
    return body;
  });

  app.post('/v1/sso/domains', async (request, reply) => {
    const dev = await actor(request);
    const parsed = ssoDomainCreateSchema.safeParse(request.body);
    if (!parsed.success) throw invalidRequest(parsed.error.issues);
    const { created, domain } = await ctx.store.addDomain({
      developerId: dev.developerId,
      domain: parsed.data.domain,
      token: randomBytes(TOKEN_BYTES).toString('base64url'),
      createdAt: nowIso(),
      verifiedAt: null,
      lastCheckedAt: null,
      failingSince: null,
    });
    if (created) audit(request, dev, 'domain.added', domain.domain);
    return reply.code(created ? 201 : 200).send(toWireDomain(domain));
  });

  app.post<{ Params: { domain: string } }>('/v1/sso/domains/:domain/verify', async (request, reply) => {
    const dev = await actor(request);
    const record = await findOwn(dev.developerId, domainParam(request.params.domain));
    const name = txtRecordNameFor(record.domain);
    const expected = txtRecordValueFor(record.token);
    const lookup = await ctx.dns.lookup(name);
    if (lookup.kind === 'found' && lookup.values.some((v) => v.trim() === expected)) {
      const write = await ctx.store.markDomainVerified(dev.developerId, record.domain, nowIso());
      if (write.kind === 'verified') {
        audit(request, dev, 'domain.verified', record.domain);
        return toWireDomain(write.domain);
      }
      if (write.kind === 'missing') throw notFound(DOMAIN_MESSAGES.domainNotFound);
      await ctx.store.markDomainChecked(dev.developerId, record.domain, nowIso());
      throw new ApiError(409, 'CONFLICT', DOMAIN_MESSAGES.domainTaken);
    }
    // A failed check of an already-verified domain leaves it verified (see the file comment).
    await ctx.store.markDomainChecked(dev.developerId, record.domain, nowIso());
    const body: SsoDomainVerifyFailure = {
      verified: false,
      ...failureOf(lookup, name),
      txtRecordName: name,
      txtRecordValue: expected,
      requestId: request.id,
    };
    return reply.code(422).send(body);
  });

  app.delete<{ Params: { domain: string } }>('/v1/sso/domains/:domain', async (request, reply) => {
    const dev = await actor(request);
    const domain = domainParam(request.params.domain);
    if (!(await ctx.store.deleteDomain(dev.developerId, domain))) throw notFound(DOMAIN_MESSAGES.domainNotFound);
    audit(request, dev, 'domain.removed', domain);
    return reply.code(204).send();
  });
}
