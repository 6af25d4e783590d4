/**
 * Verified email domains (migration 4) and their daily re-check (migration 10), and the sign-in by email that
 * reads them. Written once against Kysely for both backends; the "connection lists this domain" test is the
 * dialect's (json_each on SQLite, jsonb containment on PostgreSQL).
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { StoreDatabase } from '../../storage/connect';
import { coalescedRead } from '../../storage/batched-read';
import { precompile } from '../../storage/precompiled';
import { loginConnectionColumns, toLoginConnection } from '../../storage/rows';
import type { DomainVerifyWrite, LoginConnection, SsoDomainRecord } from '../../storage/types';

export interface DomainsStore {
  /** The org's domains, oldest first. */
  listDomains(developerId: string): Promise<SsoDomainRecord[]>;
  getDomain(developerId: string, domain: string): Promise<SsoDomainRecord | undefined>;
  /** Adds the domain for the org; an existing row of the org is returned unchanged (`created: false`). */
  addDomain(record: SsoDomainRecord): Promise<{ created: boolean; domain: SsoDomainRecord }>;
  /** Records a successful check (verifiedAt kept if already set); `taken`: another org verified the domain. */
  markDomainVerified(developerId: string, domain: string, nowIso: string): Promise<DomainVerifyWrite>;
  /** Records a failed check's time; undefined when the org has no such domain. */
  markDomainChecked(developerId: string, domain: string, nowIso: string): Promise<SsoDomainRecord | undefined>;
  /** Verified domains whose last check is at or before `checkedBeforeIso`, least recently checked first. */
  listDomainsDueForRecheck(checkedBeforeIso: string, limit: number): Promise<SsoDomainRecord[]>;
  /**
   * Takes a due verified domain for one re-check by moving `lastCheckedAt` to `nowIso`, only while it is still
   * due (compare-and-set): of several processes, one gets the record, the others undefined.
   */
  claimDomainRecheck(
    developerId: string,
    domain: string,
    checkedBeforeIso: string,
    nowIso: string,
  ): Promise<SsoDomainRecord | undefined>;
  /**
   * A re-check's outcome on a verified domain: found clears `failingSince`, not found sets it (if unset) to
   * `nowIso`. Undefined when the domain is no longer verified by that org.
   */
  recordDomainRecheck(
    developerId: string,
    domain: string,
    found: boolean,
    nowIso: string,
  ): Promise<SsoDomainRecord | undefined>;
  /** Unverifies a domain failing since `failingBeforeIso` or earlier; false when it was not (or no longer is). */
  releaseDomain(developerId: string, domain: string, failingBeforeIso: string): Promise<boolean>;
  deleteDomain(developerId: string, domain: string): Promise<boolean>;
  /**
   * Member sign-in by email without an org, in ONE indexed read: the active connections (at most `limit`) that
   * list `domain`, of the one org that verified it.
   */
  findVerifiedDomainConnections(domain: string, limit: number): Promise<LoginConnection[]>;
  /** `?org=&domain=`: the org's active connections (at most `limit`) that list `domain`; no verification needed. */
  findOrgDomainConnections(developerId: string, domain: string, limit: number): Promise<LoginConnection[]>;
}

const DOMAIN_COLUMNS = [
  'developer_id',
  'domain',
  'token',
  'created_at',
  'verified_at',
  'last_checked_at',
  'failing_since',
] as const;

const domainRow = z.object({
  developer_id: z.string(),
  domain: z.string(),
  token: z.string(),
  created_at: z.string(),
  verified_at: z.string().nullable(),
  last_checked_at: z.string().nullable(),
  failing_since: z.string().nullable(),
});

function toDomain(row: unknown): SsoDomainRecord {
  const r = domainRow.parse(row);
  return {
    developerId: r.developer_id,
    domain: r.domain,
    token: r.token,
    createdAt: r.created_at,
    verifiedAt: r.verified_at,
    lastCheckedAt: r.last_checked_at,
    failingSince: r.failing_since,
  };
}

const optionalDomain = (row: unknown) => (row === undefined ? undefined : toDomain(row));

export function createDomainsStore(database: StoreDatabase): DomainsStore {
  const { db, dialect } = database;
  // The domain-routed logins (`?org=&domain=`, what the SDKs send, and `?domain=`) are hot paths: compiled once,
  // mapped through the connections' parse memo like the other login reads, and on PostgreSQL shared by the
  // requests asking the same (storage README).
  const hotColumns = loginConnectionColumns(dialect);
  const verifiedDomainConnections = coalescedRead(
    database,
    precompile(database, (p: { domain: string; limit: number }) =>
      // The partial unique index on verified domains finds the org, sso_connections_developer its connections.
      db
        .selectFrom('sso_domains as d')
        .innerJoin('sso_connections as c', 'c.developer_id', 'd.developer_id')
        .innerJoin('developers as org', 'org.id', 'c.developer_id')
        .select(hotColumns)
        .where('d.domain', '=', p.domain)
        .where('d.verified_at', 'is not', null)
        .where('c.status', '=', 'active')
        .where(dialect.jsonArrayContains('c.domains', p.domain))
        .orderBy('c.created_at')
        .orderBy('c.id')
        .limit(p.limit),
    ),
    (p) => `${p.domain}\0${p.limit}`,
  );
  const orgDomainConnections = coalescedRead(
    database,
    precompile(database, (p: { developerId: string; domain: string; limit: number }) =>
      db
        .selectFrom('sso_connections as c')
        .innerJoin('developers as org', 'org.id', 'c.developer_id')
        .select(hotColumns)
        .where('c.developer_id', '=', p.developerId)
        .where('c.status', '=', 'active')
        .where(dialect.jsonArrayContains('c.domains', p.domain))
        .orderBy('c.created_at')
        .orderBy('c.id')
        .limit(p.limit),
    ),
    (p) => `${p.developerId}\0${p.domain}\0${p.limit}`,
  );
  const select = (developerId: string, domain: string) =>
    db
      .selectFrom('sso_domains')
      .select(DOMAIN_COLUMNS)
      .where('developer_id', '=', developerId)
      .where('domain', '=', domain);
  const update = (developerId: string, domain: string) =>
    db.updateTable('sso_domains').where('developer_id', '=', developerId).where('domain', '=', domain);

  return {
    async listDomains(developerId) {
      const rows = await db
        .selectFrom('sso_domains')
        .select(DOMAIN_COLUMNS)
        .where('developer_id', '=', developerId)
        .orderBy('created_at')
        .orderBy('domain')
        .execute();
      return rows.map(toDomain);
    },
    async getDomain(developerId, domain) {
      return optionalDomain(await select(developerId, domain).executeTakeFirst());
    },
    async addDomain(d) {
      const inserted = await db
        .insertInto('sso_domains')
        .values({
          developer_id: d.developerId,
          domain: d.domain,
          token: d.token,
          created_at: d.createdAt,
          verified_at: d.verifiedAt,
          last_checked_at: d.lastCheckedAt,
          failing_since: d.failingSince,
        })
        .onConflict((oc) => oc.columns(['developer_id', 'domain']).doNothing())
        .returning(DOMAIN_COLUMNS)
        .executeTakeFirst();
      if (inserted !== undefined) return { created: true, domain: toDomain(inserted) };
      return { created: false, domain: toDomain(await select(d.developerId, d.domain).executeTakeFirst()) };
    },
    async markDomainVerified(developerId, domain, nowIso) {
      try {
        const row = await update(developerId, domain)
          .set((eb) => ({
            verified_at: eb.fn.coalesce('verified_at', eb.val(nowIso)),
            last_checked_at: nowIso,
            failing_since: null,
          }))
          .returning(DOMAIN_COLUMNS)
          .executeTakeFirst();
        return row === undefined ? { kind: 'missing' } : { kind: 'verified', domain: toDomain(row) };
      } catch (err) {
        // The partial unique index on verified domains: another org holds it.
        if (!dialect.isUniqueViolation(err)) throw err;
        return { kind: 'taken' };
      }
    },
    async markDomainChecked(developerId, domain, nowIso) {
      return optionalDomain(
        await update(developerId, domain).set({ last_checked_at: nowIso }).returning(DOMAIN_COLUMNS).executeTakeFirst(),
      );
    },
    async listDomainsDueForRecheck(checkedBeforeIso, limit) {
      // The due scan reads sso_domains_recheck (migration 10).
      const rows = await db
        .selectFrom('sso_domains')
        .select(DOMAIN_COLUMNS)
        .where('verified_at', 'is not', null)
        .where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', checkedBeforeIso)]))
        .orderBy(sql`last_checked_at asc nulls first`)
        .limit(limit)
        .execute();
      return rows.map(toDomain);
    },
    async claimDomainRecheck(developerId, domain, checkedBeforeIso, nowIso) {
      return optionalDomain(
        await update(developerId, domain)
          .set({ last_checked_at: nowIso })
          .where('verified_at', 'is not', null)
          .where((eb) => eb.or([eb('last_checked_at', 'is', null), eb('last_checked_at', '<=', checkedBeforeIso)]))
          .returning(DOMAIN_COLUMNS)
          .executeTakeFirst(),
      );
    },
    async recordDomainRecheck(developerId, domain, found, nowIso) {
      return optionalDomain(
        await update(developerId, domain)
          .set((eb) => ({ failing_since: found ? null : eb.fn.coalesce('failing_since', eb.val(nowIso)) }))
          .where('verified_at', 'is not', null)
          .returning(DOMAIN_COLUMNS)
          .executeTakeFirst(),
      );
    },
    async releaseDomain(developerId, domain, failingBeforeIso) {
      const r = await update(developerId, domain)
        .set({ verified_at: null, failing_since: null })
        .where('verified_at', 'is not', null)
        .where('failing_since', 'is not', null)
        .where('failing_since', '<=', failingBeforeIso)
        .executeTakeFirst();
      return r.numUpdatedRows === 1n;
    },
    async deleteDomain(developerId, domain) {
      const r = await db
        .deleteFrom('sso_domains')
        .where('developer_id', '=', developerId)
        .where('domain', '=', domain)
        .executeTakeFirst();
      return r.numDeletedRows === 1n;
    },
    async findVerifiedDomainConnections(domain, limit) {
      return (await verifiedDomainConnections({ domain, limit })).rows.map(toLoginConnection);
    },
    async findOrgDomainConnections(developerId, domain, limit) {
      return (await orgDomainConnections({ developerId, domain, limit })).rows.map(toLoginConnection);
    },
  };
}
