/**
 * The ServiceStore contract, on the backend the run selects (SQLite by default, PostgreSQL with
 * GRANTEX_TEST_DATABASE_URL): domain records in and out, atomic single use of a state, replays, purging,
 * shared rate-limit windows, and real driver faults mapped to storage errors.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, StoreError } from '@/lib/sso-service/storage';
import { createPostgresStore, createPgPool } from '@/lib/sso-service/storage/postgres/store';
import { openSqliteDatabase } from '@/lib/sso-service/storage/sqlite/open-database';
import { createSqliteStore } from '@/lib/sso-service/storage/sqlite/store';
import type { DefaultOidcConnectionWrite, ServiceStore } from '@/lib/sso-service/storage/types';
import { storeFaults, uncoveredStoreMethods } from '@/tests/support/database-faults';
import { onPostgres, pgTestConfig, testBackend, testDatabaseOptions } from '@/tests/support/test-database';

const tempDir = () => mkdtempSync(path.join(tmpdir(), 'gx-store-'));

async function freshStore(): Promise<ServiceStore> {
  return openStore({ dataDir: tempDir(), dbPath: undefined, ...(await testDatabaseOptions()) });
}

const dev = (id: string, email: string | null = null) => ({
  id,
  name: `Org ${id}`,
  email,
  mode: 'live' as const,
  plan: 'free',
  createdAt: '2026-01-02T03:04:05.678Z',
  keyHash: createHash('sha256').update(id).digest('base64url'),
});

const oidc = {
  issuerUrl: 'https://idp.example/realms/a',
  clientId: 'client-a',
  clientSecretSealed: Buffer.from([1, 2, 3, 250, 251]).toString('base64url'),
  redirectUri: 'https://app.example/sso/callback',
};

const write = (
  developerId: string,
  over: Partial<Omit<DefaultOidcConnectionWrite, 'oidc'>> & { oidc?: Partial<typeof oidc> } = {},
): DefaultOidcConnectionWrite => ({
  developerId,
  newConnectionId: `conn_${developerId}`,
  now: '2026-01-02T03:04:05.678Z',
  ...over,
  oidc: { ...oidc, ...over.oidc },
});

describe(`store contract (${testBackend})`, () => {
  let store: ServiceStore;
  beforeAll(async () => {
    store = await freshStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('reports its backend', () => {
    expect(store.backend).toBe(testBackend);
    expect(store.sharedRateLimits === null).toBe(!onPostgres);
  });

  it('has every method classified read or write for the fault-injection layer, which refuses a store with an unclassified one', () => {
    expect(uncoveredStoreMethods(store)).toEqual([]);
    const grown = {
      ...store,
      brandNewWrite: async () => undefined,
      events: { ...store.events, purgeEverything: async () => 0 },
    };
    expect(uncoveredStoreMethods(grown)).toEqual(['brandNewWrite', 'events.purgeEverything']);
    expect(() => storeFaults().wrap(grown)).toThrow(/does not cover brandNewWrite, events\.purgeEverything/);
  });

  it('creates a developer with its key; a second developer may share the email (a contact detail, not an identity)', async () => {
    const a = dev('dev_contract_a', 'Owner@Acme.test');
    expect(await store.createDeveloper(a)).toBe('created');
    const { keyHash, ...developer } = a;
    expect(await store.findDeveloperByKey(keyHash)).toEqual(developer);
    expect(await store.findDeveloperByKey(Buffer.alloc(32, 99).toString('base64url'))).toBeUndefined();
    const b = dev('dev_contract_b', 'owner@acme.TEST');
    expect(await store.createDeveloper(b)).toBe('created');
    const { keyHash: keyB, ...developerB } = b;
    expect(await store.findDeveloperByKey(keyB)).toEqual(developerB);
    expect(await store.findDeveloperByKey(keyHash)).toEqual(developer);
  });

  it('opens a setup session with its use only while the link is usable; the session reads back joined to its link', async () => {
    await store.createDeveloper(dev('dev_contract_setup'));
    const hash = (v: string) => createHash('sha256').update(v).digest('base64url');
    const link = (id: string, expiresAt: string) => ({
      id,
      developerId: 'dev_contract_setup',
      tokenHash: hash(`link ${id}`),
      label: null,
      createdBy: 'api_key:abcdefghij',
      createdAt: '2026-01-02T00:00:00.000Z',
      expiresAt,
      revokedAt: null,
    });
    const session = (id: string, linkId: string, createdAt: string) => ({
      id,
      linkId,
      developerId: 'dev_contract_setup',
      tokenHash: hash(`session ${id}`),
      name: 'Iris IT',
      email: 'iris@customer.example',
      createdAt,
      expiresAt: '2026-01-02T08:00:00.000Z',
    });
    await store.createSetupLink(link('sul_contract_ok', '2026-01-03T00:00:00.000Z'));
    await store.createSetupLink(link('sul_contract_revoked', '2026-01-03T00:00:00.000Z'));
    await store.createSetupLink(link('sul_contract_expired', '2026-01-02T00:30:00.000Z'));
    await store.revokeSetupLink('dev_contract_setup', 'sul_contract_revoked', '2026-01-02T00:10:00.000Z');

    const opened = session('sus_contract_ok', 'sul_contract_ok', '2026-01-02T01:00:00.000Z');
    expect(await store.createSetupSession(opened, 'Agent/1')).toBe(true);
    // Revoked, expired at the redeem's time, or unknown: nothing is written.
    expect(
      await store.createSetupSession(
        session('sus_contract_rev', 'sul_contract_revoked', '2026-01-02T01:00:00.000Z'),
        null,
      ),
    ).toBe(false);
    expect(
      await store.createSetupSession(
        session('sus_contract_exp', 'sul_contract_expired', '2026-01-02T00:30:00.000Z'),
        null,
      ),
    ).toBe(false);
    expect(
      await store.createSetupSession(
        session('sus_contract_none', 'sul_contract_none', '2026-01-02T01:00:00.000Z'),
        null,
      ),
    ).toBe(false);
    for (const id of ['sus_contract_rev', 'sus_contract_exp', 'sus_contract_none']) {
      expect(await store.findSetupSessionByToken(hash(`session ${id}`))).toBeUndefined();
    }

    const { tokenHash, ...stored } = opened;
    const found = await store.findSetupSessionByToken(tokenHash);
    expect(found?.session).toEqual(stored);
    expect(found?.link).toMatchObject({
      id: 'sul_contract_ok',
      organizationName: 'Org dev_contract_setup',
      revokedAt: null,
    });
    const listed = await store.listSetupLinks('dev_contract_setup', 10);
    // Same creation time: ordered by id. Only the opened session left a use.
    expect(listed.map(({ link: l, uses }) => [l.id, uses])).toEqual([
      ['sul_contract_expired', []],
      [
        'sul_contract_ok',
        [
          {
            linkId: 'sul_contract_ok',
            usedAt: opened.createdAt,
            name: 'Iris IT',
            email: 'iris@customer.example',
            userAgent: 'Agent/1',
          },
        ],
      ],
      ['sul_contract_revoked', []],
    ]);
    // A later revocation shows through the same lookup (the caller refuses it).
    await store.revokeSetupLink('dev_contract_setup', 'sul_contract_ok', '2026-01-02T02:00:00.000Z');
    expect((await store.findSetupSessionByToken(tokenHash))?.link.revokedAt).toBe('2026-01-02T02:00:00.000Z');
    // Purged once past its end; its use stays listed.
    await store.purgeExpired(0, Date.parse(opened.expiresAt));
    expect(await store.findSetupSessionByToken(tokenHash)).toBeDefined();
    await store.purgeExpired(0, Date.parse(opened.expiresAt) + 1);
    expect(await store.findSetupSessionByToken(tokenHash)).toBeUndefined();
    const after = await store.listSetupLinks('dev_contract_setup', 10);
    expect(after.find(({ link: l }) => l.id === 'sul_contract_ok')?.uses).toHaveLength(1);
  });

  it('saves, updates (keeping id, name, status and createdAt), reads by org, id and key, and deletes the default connection', async () => {
    const d = dev('dev_contract_c');
    await store.createDeveloper(d);
    expect(await store.findLegacyConfigByKey(d.keyHash)).toEqual({ developerId: d.id, config: null });
    const { keyHash: _keyHash, ...developer } = d;
    void _keyHash;
    // The legacy save's authentication read: the key's org, and its default connection once there is one.
    expect(await store.findDeveloperWithDefaultByKey(d.keyHash)).toEqual({ developer, defaultConnection: undefined });
    expect(await store.findDeveloperWithDefaultByKey(dev('dev_contract_none').keyHash)).toBeUndefined();
    const first = await store.saveDefaultOidcConnection(write(d.id));
    expect(first).toEqual({
      id: `conn_${d.id}`,
      developerId: d.id,
      name: 'Default connection',
      protocol: 'oidc',
      status: 'active',
      isDefault: true,
      oidc,
      domains: [],
      provisioning: {
        jitProvisioning: true,
        groupAttribute: null,
        groupMappings: {},
        defaultScopes: [],
        verifiedDomainsOnly: false,
        maxSessionSeconds: null,
        maxAuthAgeSeconds: null,
        directoryUsersOnly: false,
        consoleRoleMappings: {},
        enforce: false,
      },
      createdAt: '2026-01-02T03:04:05.678Z',
      updatedAt: '2026-01-02T03:04:05.678Z',
    });
    const second = await store.saveDefaultOidcConnection(
      write(d.id, { newConnectionId: 'conn_other', oidc: { clientId: 'client-b' }, now: '2026-02-03T00:00:00.000Z' }),
    );
    expect(second).toEqual({
      ...first,
      oidc: { ...oidc, clientId: 'client-b' },
      updatedAt: '2026-02-03T00:00:00.000Z',
    });
    expect(await store.getDefaultConnection(d.id)).toEqual(second);
    expect(await store.getConnection(d.id, second.id)).toEqual(second);
    // Saved again with the same settings (written by its own statement): the new sealed secret and time land,
    // the rest stays; the next read is that row.
    const resealedSecret = Buffer.from([9, 8, 7]).toString('base64url');
    const resealed = await store.saveDefaultOidcConnection(
      write(d.id, {
        newConnectionId: 'conn_third',
        oidc: { clientId: 'client-b', clientSecretSealed: resealedSecret },
        now: '2026-02-04T00:00:00.000Z',
      }),
    );
    expect(resealed).toEqual({
      ...second,
      oidc: { ...oidc, clientId: 'client-b', clientSecretSealed: resealedSecret },
      updatedAt: '2026-02-04T00:00:00.000Z',
    });
    expect(await store.findDeveloperWithDefaultByKey(d.keyHash)).toEqual({ developer, defaultConnection: resealed });
    // Back to the settings of `second`'s save (the tests below read that one).
    await store.saveDefaultOidcConnection(
      write(d.id, { oidc: { clientId: 'client-b' }, now: '2026-02-03T00:00:00.000Z' }),
    );
    const legacyConfig = {
      issuerUrl: oidc.issuerUrl,
      clientId: 'client-b',
      redirectUri: oidc.redirectUri,
      createdAt: second.createdAt,
      updatedAt: second.updatedAt,
    };
    expect(await store.findLegacyConfigByKey(d.keyHash)).toEqual({ developerId: d.id, config: legacyConfig });
    // Read again unchanged: served from the parse memo on both backends (the JSON columns are read as text), the
    // very same frozen object; the save above showed that a changed row is parsed afresh.
    const memoised = await store.findLegacyConfigByKey(d.keyHash);
    expect(memoised).toEqual({ developerId: d.id, config: legacyConfig });
    expect((await store.findLegacyConfigByKey(d.keyHash))?.config).toBe(memoised?.config);
    const shared = await store.getDefaultConnection(d.id);
    expect(await store.getDefaultConnection(d.id)).toBe(shared);
    expect(await store.getConnection(d.id, second.id)).toBe(shared);
    expect((await store.getDefaultConnectionForLogin(d.id))?.connection).toBe(shared);
    expect(await store.findDeveloperWithDefaultByKey(d.keyHash)).toEqual({ developer, defaultConnection: shared });
    expect((await store.findDeveloperWithDefaultByKey(d.keyHash))?.defaultConnection).toBe(shared);
    // The member login's read: the default connection with the org's own enforcement flag.
    expect(await store.getDefaultConnectionForLogin(d.id)).toEqual({ connection: second, orgEnforces: false });
    await store.setSsoEnforcement(d.id, { enforce: true, enforcedAt: '2026-02-03T00:00:00.000Z', enforcedBy: 'x' });
    expect(await store.getDefaultConnectionForLogin(d.id)).toEqual({ connection: second, orgEnforces: true });
    expect(await store.deleteDefaultConnection(d.id)).toEqual(second);
    expect(await store.getDefaultConnectionForLogin(d.id)).toBeUndefined();
    expect(await store.deleteDefaultConnection(d.id)).toBeUndefined();
    expect(await store.getDefaultConnection(d.id)).toBeUndefined();
    expect(await store.getConnection(d.id, second.id)).toBeUndefined();
  });

  it("reads a connection by id only for its own org (another org's id reads as absent)", async () => {
    const [a, b] = [dev('dev_contract_own_a'), dev('dev_contract_own_b')];
    await store.createDeveloper(a);
    await store.createDeveloper(b);
    const mine = await store.saveDefaultOidcConnection(write(a.id));
    expect(await store.getConnection(a.id, mine.id)).toEqual(mine);
    expect(await store.getConnection(b.id, mine.id)).toBeUndefined();
    expect(await store.getDefaultConnection(b.id)).toBeUndefined();
  });

  it('creates connections (the first one of an org is its default, even when several race), lists, compare-and-sets, deletes', async () => {
    const d = dev('dev_contract_conn');
    await store.createDeveloper(d);
    const conn = (id: string) => ({
      id,
      developerId: d.id,
      name: `Conn ${id}`,
      protocol: 'oidc' as const,
      status: 'active' as const,
      oidc,
      domains: ['acme.test'],
      provisioning: {
        jitProvisioning: true,
        groupAttribute: 'groups',
        groupMappings: { admins: ['admin'] },
        defaultScopes: ['read'],
        verifiedDomainsOnly: false,
        maxSessionSeconds: 3600,
        maxAuthAgeSeconds: 600,
        directoryUsersOnly: false,
        consoleRoleMappings: {},
        enforce: false,
      },
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    const created = await Promise.all(
      ['sso_1', 'sso_2', 'sso_3', 'sso_4'].map((id) => store.createConnection(conn(id))),
    );
    expect(created.filter((c) => c.isDefault)).toHaveLength(1);
    expect(created[0]).toEqual({ ...conn('sso_1'), isDefault: created[0]?.isDefault });
    const listed = await store.listConnections(d.id);
    expect(listed.map((c) => c.id)).toEqual(['sso_1', 'sso_2', 'sso_3', 'sso_4']);
    expect(await store.getDefaultConnection(d.id)).toEqual(created.find((c) => c.isDefault));

    const current = listed[1]!;
    const next = { ...current, name: 'Renamed', domains: [], updatedAt: '2026-03-02T00:00:00.000Z' };
    expect(await store.replaceConnection(next, '2026-01-01T00:00:00.000Z')).toBeUndefined(); // stale
    expect(
      await store.replaceConnection({ ...next, developerId: 'dev_someone_else' }, current.updatedAt),
    ).toBeUndefined();
    expect(await store.replaceConnection(next, current.updatedAt)).toEqual(next);
    expect(await store.replaceConnection(next, current.updatedAt)).toBeUndefined(); // already moved on
    // The org-and-domain login read (the SDKs' `?org=&domain=`): the org's active connections listing the domain,
    // oldest first (here by id), at most `limit`; an unchanged row is the very object the other hot reads return.
    const byDomain = await store.findOrgDomainConnections(d.id, 'acme.test', 2);
    expect(byDomain.map(({ connection }) => connection.id)).toEqual(['sso_1', 'sso_3']);
    expect(byDomain[0]?.connection).toBe(await store.getConnection(d.id, 'sso_1'));
    // With the org's own SSO enforcement, so the login needs no second read for it.
    expect(byDomain.map(({ orgEnforces }) => orgEnforces)).toEqual([false, false]);
    await store.setSsoEnforcement(d.id, { enforce: true, enforcedAt: '2026-03-02T00:00:00.000Z', enforcedBy: 'x' });
    expect((await store.findOrgDomainConnections(d.id, 'acme.test', 1))[0]?.orgEnforces).toBe(true);
    await store.setSsoEnforcement(d.id, { enforce: false, enforcedAt: null, enforcedBy: null });
    expect(await store.findOrgDomainConnections(d.id, 'other.test', 2)).toEqual([]);
    expect(await store.findOrgDomainConnections('dev_someone_else', 'acme.test', 2)).toEqual([]);

    expect(await store.deleteConnection('dev_someone_else', 'sso_3')).toBeUndefined();
    expect(await store.deleteConnection(d.id, 'sso_3')).toMatchObject({ id: 'sso_3' });
    expect((await store.listConnections(d.id)).map((c) => c.id)).toEqual(['sso_1', 'sso_2', 'sso_4']);
  });

  it('lists SAML connections with a metadata URL whose refresh is due; one racing claim wins; records outcomes', async () => {
    const d = dev('dev_contract_refresh');
    await store.createDeveloper(d);
    const saml = (id: string, idpMetadataUrl: string | null) => ({
      id,
      developerId: d.id,
      name: id,
      protocol: 'saml' as const,
      status: 'active' as const,
      saml: {
        idpEntityId: 'https://idp.example/metadata',
        idpSsoUrl: 'https://idp.example/sso',
        idpCertificates: ['-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n'],
        idpMetadataUrl,
        spEntityId: `https://sp.example/${id}`,
        spAcsUrl: 'https://sp.example/acs',
        spMetadataUrl: `https://sp.example/${id}`,
        allowIdpInitiated: false,
        attributeMapping: {},
      },
      domains: [],
      provisioning: {
        jitProvisioning: true,
        groupAttribute: null,
        groupMappings: {},
        defaultScopes: [],
        verifiedDomainsOnly: false,
        maxSessionSeconds: null,
        maxAuthAgeSeconds: null,
        directoryUsersOnly: false,
        consoleRoleMappings: {},
        enforce: false,
      },
      createdAt: '2026-03-01T00:00:00.000Z',
      updatedAt: '2026-03-01T00:00:00.000Z',
    });
    await store.createConnection(saml('sso_meta_1', 'https://idp.example/metadata'));
    await store.createConnection(saml('sso_meta_2', null));
    const t0 = '2026-03-01T00:00:00.000Z';
    const due = (at: string, savedBefore = at) =>
      store.listMetadataRefreshDue(at, savedBefore, 100).then((l) => l.filter((x) => x.developerId === d.id));
    // Never refreshed: due once its last save is old enough.
    expect(await due(t0, '2026-02-28T00:00:00.000Z')).toEqual([]);
    expect(await due(t0)).toEqual([{ connectionId: 'sso_meta_1', developerId: d.id }]);
    const claim = (nowIso: string, nextDueIso: string, force?: boolean) =>
      store.claimMetadataRefresh({ connectionId: 'sso_meta_1', developerId: d.id, nowIso, nextDueIso }, force);
    const claims = await Promise.all(Array.from({ length: 10 }, () => claim(t0, '2026-03-01T12:00:00.000Z')));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await due(t0)).toEqual([]);
    expect(await claim('2026-03-01T06:00:00.000Z', '2026-03-01T18:00:00.000Z')).toBe(false);
    expect(await claim('2026-03-01T06:00:00.000Z', '2026-03-01T18:00:00.000Z', true)).toBe(true);
    expect(await due('2026-03-01T18:00:00.000Z')).toHaveLength(1);
    // Another org's id, or a connection that does not exist, claims nothing.
    expect(
      await store.claimMetadataRefresh({
        connectionId: 'sso_meta_1',
        developerId: 'dev_x',
        nowIso: t0,
        nextDueIso: t0,
      }),
    ).toBe(false);
    await store.recordMetadataRefresh('sso_meta_1', { result: 'updated', at: t0, error: null, warnings: [] });
    await store.recordMetadataRefresh('sso_meta_1', {
      result: 'failed',
      at: '2026-03-01T06:00:00.000Z',
      error: 'metadata_fetch_failed',
      warnings: ['entity_id_changed'],
      nextDueAt: '2026-03-01T07:00:00.000Z',
    });
    expect(await store.getMetadataRefresh('sso_meta_1')).toEqual({
      connectionId: 'sso_meta_1',
      nextDueAt: '2026-03-01T07:00:00.000Z',
      lastAttemptAt: '2026-03-01T06:00:00.000Z',
      lastRefreshedAt: t0,
      lastResult: 'failed',
      lastError: 'metadata_fetch_failed',
      warnings: ['entity_id_changed'],
    });
    // The row goes with its connection.
    await store.deleteConnection(d.id, 'sso_meta_1');
    expect(await store.getMetadataRefresh('sso_meta_1')).toBeUndefined();
  });

  it('claims a state once, even when many claims race; keeps a recorded failure; purges only expired states', async () => {
    const claims = await Promise.all(
      Array.from({ length: 20 }, () => store.claimState('state-race-00000001', 'dev_a', 5_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await store.claimState('state-old-000000001', 'dev_a', 1_000)).toBe(true);
    expect(await store.getStateFailure('state-race-00000001')).toBeUndefined();
    await store.recordStateFailure('state-race-00000001', {
      status: 502,
      code: 'SSO_ERROR',
      message: 'Token exchange failed',
    });
    expect(await store.purgeExpired(2_000, 2_000)).toBe(1);
    expect(await store.claimState('state-old-000000001', 'dev_a', 1_000)).toBe(true); // purged, so claimable again
    expect(await store.getStateFailure('state-race-00000001')).toEqual({
      status: 502,
      code: 'SSO_ERROR',
      message: 'Token exchange failed',
    });
    expect(await store.claimState('state-race-00000001', 'dev_a', 5_000)).toBe(false);
  });

  it("keeps a failed callback's reason code with its failure", async () => {
    expect(await store.claimState('state-reason-000001', 'dev_a', 9e12)).toBe(true);
    await store.recordStateFailure('state-reason-000001', {
      status: 404,
      code: 'NOT_FOUND',
      message: 'SSO is not configured for this developer',
      reason: 'sso_not_configured',
    });
    expect(await store.getStateFailure('state-reason-000001')).toEqual({
      status: 404,
      code: 'NOT_FOUND',
      message: 'SSO is not configured for this developer',
      reason: 'sso_not_configured',
    });
  });

  it("keeps a write issued while another call's transaction is open out of it: that transaction rolls back, the write stays", async () => {
    await store.createDeveloper(dev('dev_tx_a'));
    // Its developer row is inserted, then its key collides: the transaction rolls back.
    const failing = store.createDeveloper({ ...dev('dev_tx_b'), keyHash: dev('dev_tx_a').keyHash });
    const ids = Array.from({ length: 200 }, (_, i) => `state-tx-${String(i).padStart(10, '0')}`);
    const claims: Promise<boolean>[] = [];
    for (const id of ids) {
      claims.push(store.claimState(id, 'dev_tx_a', 5_000));
      await Promise.resolve(); // one tick: the claims land before, during and after the transaction
    }
    await expect(failing).rejects.toBeInstanceOf(Error);
    expect(await Promise.all(claims)).toEqual(ids.map(() => true));
    expect(await store.getDeveloper('dev_tx_b')).toBeUndefined();
    expect(await Promise.all(ids.map((id) => store.claimState(id, 'dev_tx_a', 5_000)))).toEqual(ids.map(() => false));
  });

  it('claims a SAML assertion id once per IdP entity id across orgs, even when claims race; purges it after it expires', async () => {
    const claim = (
      idpEntityId: string,
      assertionId: string,
      developerId: string,
      connectionId: string,
      expiresAtMs: number,
    ) => store.claimAssertionId({ idpEntityId, assertionId, developerId, connectionId, expiresAtMs });
    const claims = await Promise.all(
      Array.from({ length: 20 }, () => claim('https://idp.one', '_assertion-race', 'dev_a', 'sso_1', 5_000)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Another org's connection trusting the same IdP: the same assertion is a replay there too.
    expect(await claim('https://idp.one', '_assertion-race', 'dev_b', 'sso_9', 5_000)).toBe(false);
    // Another IdP's identical id is its own.
    expect(await claim('https://idp.two', '_assertion-race', 'dev_b', 'sso_9', 5_000)).toBe(true);
    expect(await claim('https://idp.one', '_assertion-old', 'dev_a', 'sso_1', 1_000)).toBe(true);
    await store.purgeExpired(0, 2_000);
    expect(await claim('https://idp.one', '_assertion-old', 'dev_a', 'sso_1', 1_000)).toBe(true); // purged, so claimable again
    expect(await claim('https://idp.one', '_assertion-race', 'dev_a', 'sso_2', 5_000)).toBe(false);
  });

  it('keeps a SAML login state under its RelayState handle hash; purges it with the states expired before the cut-off', async () => {
    const record = (handleHash: string, expiresAtMs: number) => ({
      handleHash,
      developerId: 'dev_a',
      connectionId: 'sso_1',
      state: `sealed-${handleHash}`,
      expiresAtMs,
    });
    await store.saveRelayState(record('a'.repeat(64), 5_000));
    await store.saveRelayState(record('b'.repeat(64), 1_000));
    expect(await store.findRelayState('a'.repeat(64))).toEqual(record('a'.repeat(64), 5_000));
    expect(await store.findRelayState('c'.repeat(64))).toBeUndefined();
    // A handle is never reused: a second save under the same hash fails rather than replacing the state.
    await expect(store.saveRelayState(record('a'.repeat(64), 9_000))).rejects.toBeInstanceOf(Error);
    // Still readable after its state expired (the callback then says "expired"), gone once before the cut-off.
    expect(await store.findRelayState('b'.repeat(64))).toBeDefined();
    await store.purgeExpired(2_000, 2_000);
    expect(await store.findRelayState('b'.repeat(64))).toBeUndefined();
    expect(await store.findRelayState('a'.repeat(64))).toEqual(record('a'.repeat(64), 5_000));
  });

  it("keeps logout keys beside a session; revokes an IdP's sessions within one connection only; claims a logout message once per issuer", async () => {
    await store.createDeveloper(dev('dev_lo_a'));
    await store.createDeveloper(dev('dev_lo_b'));
    const a = await store.saveDefaultOidcConnection(write('dev_lo_a'));
    const b = await store.saveDefaultOidcConnection(write('dev_lo_b'));
    const now = '2026-01-02T03:04:05.678Z';
    const signIn = (
      developerId: string,
      connectionId: string,
      sessionId: string,
      sid: string | null,
      nameId: string | null,
    ) =>
      store.signInMember({
        developerId,
        connectionId,
        newPrincipalId: `prn_${sessionId}`,
        sessionId,
        idpIssuer: oidc.issuerUrl,
        idpSubject: 'shared-subject',
        email: null,
        emailVerified: false,
        name: null,
        groups: [],
        mappedScopes: [],
        jit: true,
        now,
        expiresAt: '2999-01-01T00:00:00.000Z',
        logout: { idpSessionId: sid, samlNameId: nameId, samlNameIdFormat: null, idTokenSealed: 'sealed-token' },
      });
    await signIn('dev_lo_a', a.id, 'ssn_lo_a1', 'sid-1', 'alice');
    await signIn('dev_lo_a', a.id, 'ssn_lo_a2', 'sid-2', 'alice');
    await signIn('dev_lo_b', b.id, 'ssn_lo_b1', 'sid-1', 'alice');
    expect(await store.getSessionForLogout('dev_lo_a', 'ssn_lo_a1', now)).toMatchObject({
      session: { id: 'ssn_lo_a1', connectionId: a.id },
      keys: { idpSessionId: 'sid-1', samlNameId: 'alice', samlNameIdFormat: null, idTokenSealed: 'sealed-token' },
    });
    // Another org's session id reads as absent.
    expect(await store.getSessionForLogout('dev_lo_b', 'ssn_lo_a1', now)).toBeUndefined();
    // Nothing named: nothing revoked.
    expect(await store.revokeIdpSessions(a.id, {}, now)).toEqual([]);
    // By sid and NameID: one session of connection a; connection b's session with the same sid and NameID stays.
    expect(await store.revokeIdpSessions(a.id, { idpSessionId: 'sid-1', samlNameId: 'alice' }, now)).toEqual([
      'ssn_lo_a1',
    ]);
    // By subject: the rest of connection a.
    expect(await store.revokeIdpSessions(a.id, { subject: 'shared-subject' }, now)).toEqual(['ssn_lo_a2']);
    expect((await store.listActiveSessions('dev_lo_b', now, 10)).map((x) => x.id)).toEqual(['ssn_lo_b1']);
    const claim = (issuer: string, messageId: string, expiresAtMs: number) =>
      store.claimLogoutMessage({ issuer, messageId, developerId: 'dev_lo_a', connectionId: a.id, expiresAtMs });
    const claims = await Promise.all(Array.from({ length: 20 }, () => claim('https://idp.lo', 'jti-race', 5_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claim('https://other.lo', 'jti-race', 5_000)).toBe(true);
    expect(await claim('https://idp.lo', 'jti-old', 1_000)).toBe(true);
    await store.purgeExpired(0, 2_000);
    expect(await claim('https://idp.lo', 'jti-old', 1_000)).toBe(true);
    expect(await claim('https://idp.lo', 'jti-race', 5_000)).toBe(false);
  });

  it('keeps SP keys one per connection, use and state; rotates even when rotations race; promotes atomically; cascades on delete', async () => {
    await store.createDeveloper(dev('dev_spk'));
    const conn = await store.saveDefaultOidcConnection(write('dev_spk'));
    const key = (id: string, use: 'signing' | 'encryption', state: 'next' | 'current' | 'previous') => ({
      id,
      connectionId: conn.id,
      developerId: 'dev_spk',
      use,
      state,
      privateKeySealed: `sealed-${id}`,
      certificatePem: `cert-${id}`,
      createdAt: `2026-01-02T03:04:0${id.length % 10}.000Z`,
    });
    expect(await store.addSpKey(key('spk_a', 'signing', 'current'))).toBe(true);
    expect(await store.addSpKey(key('spk_e', 'encryption', 'current'))).toBe(true);
    const racing = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.addSpKey(key(`spk_n${i}`, 'signing', 'next'), { dropPrevious: true })),
    );
    expect(racing.filter(Boolean)).toHaveLength(1);
    const next = (await store.listSpKeys(conn.id)).find((k) => k.state === 'next')!;
    expect(next).toMatchObject({
      use: 'signing',
      privateKeySealed: `sealed-${next.id}`,
      certificatePem: `cert-${next.id}`,
    });
    expect(await store.promoteSpKey(conn.id, 'signing')).toBe(true);
    expect(await store.promoteSpKey(conn.id, 'signing')).toBe(false);
    const states = async () =>
      Object.fromEntries((await store.listSpKeys(conn.id)).map((k) => [k.id, `${k.use}:${k.state}`]));
    expect(await states()).toEqual({
      spk_a: 'signing:previous',
      [next.id]: 'signing:current',
      spk_e: 'encryption:current',
    });
    // A new rotation drops the previous key of its use (only that use's).
    expect(await store.addSpKey(key('spk_b', 'signing', 'next'), { dropPrevious: true })).toBe(true);
    expect(await states()).toEqual({
      [next.id]: 'signing:current',
      spk_b: 'signing:next',
      spk_e: 'encryption:current',
    });
    expect(await store.deleteSpKey(conn.id, 'spk_b')).toMatchObject({ id: 'spk_b', state: 'next' });
    expect(await store.deleteSpKey('conn_other', 'spk_e')).toBeUndefined();
    await store.deleteDefaultConnection('dev_spk');
    expect(await store.listSpKeys(conn.id)).toEqual([]);
  });

  it('re-checks a verified domain once across racing processes; records failures; releases only after the cut-off', async () => {
    await store.createDeveloper(dev('dev_recheck', null));
    const domain = 'recheck.example';
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n)).toISOString();
    await store.addDomain({
      developerId: 'dev_recheck',
      domain,
      token: 't0k3n',
      createdAt: day(0),
      verifiedAt: null,
      lastCheckedAt: null,
      failingSince: null,
    });
    expect(await store.listDomainsDueForRecheck(day(5), 10)).toEqual([]); // not verified: never re-checked
    expect(await store.markDomainVerified('dev_recheck', domain, day(0))).toMatchObject({ kind: 'verified' });
    expect(await store.listDomainsDueForRecheck(day(0), 10)).toEqual([
      expect.objectContaining({ domain, lastCheckedAt: day(0), failingSince: null }),
    ]);
    // Twenty processes find it due at once: exactly one takes it, and then it is not due any more.
    const claims = await Promise.all(
      Array.from({ length: 20 }, () => store.claimDomainRecheck('dev_recheck', domain, day(1), day(2))),
    );
    expect(claims.filter(Boolean)).toEqual([expect.objectContaining({ lastCheckedAt: day(2) })]);
    expect(await store.listDomainsDueForRecheck(day(1), 10)).toEqual([]);
    // The first failure starts the clock, later ones keep it; nothing releases before the cut-off.
    expect(await store.recordDomainRecheck('dev_recheck', domain, false, day(2))).toMatchObject({
      failingSince: day(2),
    });
    expect(await store.recordDomainRecheck('dev_recheck', domain, false, day(3))).toMatchObject({
      failingSince: day(2),
    });
    expect(await store.releaseDomain('dev_recheck', domain, day(1))).toBe(false);
    // A success clears it.
    expect(await store.recordDomainRecheck('dev_recheck', domain, true, day(4))).toMatchObject({ failingSince: null });
    expect(await store.releaseDomain('dev_recheck', domain, day(9))).toBe(false);
    expect(await store.recordDomainRecheck('dev_recheck', domain, false, day(5))).toMatchObject({
      failingSince: day(5),
    });
    const releases = await Promise.all([1, 2, 3].map(() => store.releaseDomain('dev_recheck', domain, day(12))));
    expect(releases.filter(Boolean)).toHaveLength(1);
    expect(await store.getDomain('dev_recheck', domain)).toMatchObject({
      verifiedAt: null,
      failingSince: null,
      token: 't0k3n',
    });
    // Released: no longer re-checked, and not routable.
    expect(await store.listDomainsDueForRecheck(day(30), 10)).toEqual([]);
    expect(await store.recordDomainRecheck('dev_recheck', domain, false, day(13))).toBeUndefined();
  });

  it('writes webhook outbox rows with the events (in their transaction where they share a database); claims never overlap; a lost lease records nothing', async () => {
    await store.createDeveloper(dev('dev_hooks'));
    await store.createDeveloper(dev('dev_quiet'));
    const now = '2026-01-02T03:04:05.678Z';
    const endpoint = (id: string, events: string[], enabled = true) => ({
      id,
      developerId: 'dev_hooks',
      url: `https://hooks.example/${id}`,
      events,
      enabled,
      disabledReason: null,
      consecutiveFailures: 0,
      secretSealed: `sealed-${id}`,
      previousSecretSealed: null,
      previousSecretExpiresAt: null,
      format: 'grantex' as const,
      createdAt: now,
      updatedAt: now,
    });
    await store.insertWebhookEndpoint(endpoint('wh_all', ['*']));
    await store.insertWebhookEndpoint(endpoint('wh_domains', ['sso.domain.added']));
    await store.insertWebhookEndpoint(endpoint('wh_off', ['*'], false));
    const audit = (id: string, developerId = 'dev_hooks') => ({
      id,
      developerId,
      actorKind: 'api_key' as const,
      actorId: 'key_1',
      actorLabel: null,
      action: 'domain.added' as const,
      targetType: 'domain' as const,
      targetId: 'acme.example',
      changedFields: [],
      createdAt: now,
    });
    const outbox = (id: string, type: string, developerId = 'dev_hooks') => ({
      id,
      developerId,
      type,
      body: JSON.stringify({ id, type }),
      createdAt: now,
    });
    await store.events.insertAuditEvents(
      [audit('aud_1'), audit('aud_2', 'dev_quiet')],
      [outbox('evt_1', 'sso.domain.added'), outbox('evt_q', 'sso.domain.added', 'dev_quiet')],
    );
    await store.events.insertAuditEvents([audit('aud_3')], [outbox('evt_3', 'sso.connection.created')]);
    // A lazy outbox: its events are asked for only for the orgs that have an enabled endpoint, never otherwise.
    const asked: string[][] = [];
    const lazy = (developerIds: string[]) => ({
      developerIds,
      eventsOf: (orgs: ReadonlySet<string>) => {
        asked.push([...orgs].sort());
        return [];
      },
    });
    await store.events.insertAuditEvents([audit('aud_4', 'dev_quiet')], lazy(['dev_quiet']));
    expect(asked).toEqual([]);
    await store.events.insertAuditEvents(
      [audit('aud_5'), audit('aud_6', 'dev_quiet')],
      lazy(['dev_hooks', 'dev_quiet']),
    );
    expect(asked).toEqual([['dev_hooks']]);
    const eventsOf = async (endpointId: string) =>
      (await store.listWebhookDeliveries(endpointId, 50)).map((d) => d.eventId).sort();
    expect(await eventsOf('wh_all')).toEqual(['evt_1', 'evt_3']);
    expect(await eventsOf('wh_domains')).toEqual(['evt_1']);
    expect(await eventsOf('wh_off')).toEqual([]);

    // Racing claims split the due deliveries: each claimed once.
    expect(await store.hasDueWebhookDeliveries(1_000)).toBe(true);
    const claims = await Promise.all([1, 2, 3].map(() => store.claimWebhookDeliveries(1_000, 60_000, 10)));
    const claimed = claims.flat();
    expect(claimed.map((d) => `${d.endpointId}/${d.eventId}`).sort()).toEqual([
      'wh_all/evt_1',
      'wh_all/evt_3',
      'wh_domains/evt_1',
    ]);
    expect(claimed[0]!.endpoint.secretSealed).toMatch(/^sealed-/);
    expect(await store.hasDueWebhookDeliveries(2_000)).toBe(false);
    expect(await store.claimWebhookDeliveries(2_000, 60_000, 10)).toEqual([]);

    // A lease that ran out is claimed again; the first holder's late result is not recorded.
    const first = claimed.find((d) => d.endpointId === 'wh_domains')!;
    const [again] = await store
      .claimWebhookDeliveries(61_000, 60_000, 10)
      .then((list) => list.filter((d) => d.id === first.id));
    expect(again?.leaseUntilMs).toBe(121_000);
    const result = {
      ok: true,
      responseStatus: 200,
      durationMs: 12,
      error: null,
      attemptAt: now,
      nextAttemptAtMs: null,
      disableAfter: 5,
    };
    expect(await store.completeWebhookAttempt(first.id, first.leaseUntilMs, result)).toBe(false);
    expect(await store.completeWebhookAttempt(first.id, again!.leaseUntilMs, result)).toBe(true);
    const [done] = await store.listWebhookDeliveries('wh_domains', 10);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 1, responseStatus: 200, leaseUntilMs: null });

    // Org scoping: another org neither finds, changes nor deletes the endpoint.
    expect(await store.findWebhookEndpoint('dev_quiet', 'wh_all')).toBeUndefined();
    expect(await store.updateWebhookEndpoint('dev_quiet', 'wh_all', { enabled: false }, now)).toBeUndefined();
    expect(await store.rotateWebhookSecret('dev_quiet', 'wh_all', 'x', now, now)).toBeUndefined();
    expect(await store.deleteWebhookEndpoint('dev_quiet', 'wh_all')).toBe(false);
    // Rotation keeps the current secret as the previous one.
    expect(await store.rotateWebhookSecret('dev_hooks', 'wh_all', 'sealed-next', now, now)).toMatchObject({
      secretSealed: 'sealed-next',
      previousSecretSealed: 'sealed-wh_all',
      previousSecretExpiresAt: now,
    });
    // A batch whose event insert fails (a duplicate id). Where the events and the deliveries share a database
    // (PostgreSQL) it leaves no delivery either. SQLite keeps the events in a file of their own, so there are two
    // commits, the deliveries' first: the failure leaves a delivery for an event the log lacks, never an event
    // that no webhook carries. Written again, the batch adds no second delivery.
    const failing = () => store.events.insertAuditEvents([audit('aud_1')], [outbox('evt_dup', 'sso.domain.added')]);
    await expect(failing()).rejects.toThrow();
    await expect(failing()).rejects.toThrow();
    expect((await store.listWebhookDeliveries('wh_domains', 50)).map((d) => d.eventId).sort()).toEqual(
      onPostgres ? ['evt_1'] : ['evt_1', 'evt_dup'],
    );
    // Deleting an endpoint deletes its deliveries.
    expect(await store.deleteWebhookEndpoint('dev_hooks', 'wh_all')).toBe(true);
    expect(await store.listWebhookDeliveries('wh_all', 10)).toEqual([]);
  });

  it('console access: sessions by token hash (org-scoped revoke), the recent-owner check, enforcement, break-glass limit and atomic use', async () => {
    await store.createDeveloper(dev('dev_console_a', 'a@acme.test'));
    await store.createDeveloper(dev('dev_console_b'));
    const hash = (v: string) => createHash('sha256').update(v).digest('base64url');
    const session = (id: string, developerId: string, over: Record<string, unknown> = {}) => ({
      id,
      developerId,
      tokenHash: hash(`token ${id}`),
      role: 'owner' as const,
      via: 'sso' as const,
      email: 'Alice@Acme.test',
      subject: 'sub-1',
      connectionId: 'sso_c1',
      principalId: 'prn_1',
      ssoSessionId: `ssn_${id}`,
      label: null,
      createdAt: '2026-03-01T10:00:00.000Z',
      expiresAt: '2026-03-01T18:00:00.000Z',
      ...over,
    });
    await store.createConsoleSession(session('csn_a1', 'dev_console_a'));
    const found = await store.findConsoleSessionByToken(hash('token csn_a1'));
    expect(found?.session).toMatchObject({ id: 'csn_a1', role: 'owner', via: 'sso', revokedAt: null });
    expect(found?.developer).toMatchObject({ id: 'dev_console_a', name: 'Org dev_console_a', email: 'a@acme.test' });
    expect(await store.findConsoleSessionByToken(hash('token nope'))).toBeUndefined();
    // Another org cannot revoke it; its own org can, once.
    expect(await store.revokeConsoleSession('dev_console_b', 'csn_a1', '2026-03-01T11:00:00.000Z')).toBe(false);
    expect(await store.hasRecentOwnerSsoSession('dev_console_a', '2026-03-01T09:30:00.000Z')).toBe(true);
    expect(await store.hasRecentOwnerSsoSession('dev_console_a', '2026-03-01T10:00:00.001Z')).toBe(false);
    expect(await store.hasRecentOwnerSsoSession('dev_console_b', '2026-03-01T09:30:00.000Z')).toBe(false);
    expect(await store.revokeConsoleSession('dev_console_a', 'csn_a1', '2026-03-01T11:00:00.000Z')).toBe(true);
    expect(await store.revokeConsoleSession('dev_console_a', 'csn_a1', '2026-03-01T11:00:00.000Z')).toBe(false);
    expect(await store.hasRecentOwnerSsoSession('dev_console_a', '2026-03-01T09:30:00.000Z')).toBe(false);
    // By email (case-insensitive), by member session, by connection.
    await store.createConsoleSession(session('csn_a2', 'dev_console_a', { role: 'viewer' }));
    await store.createConsoleSession(session('csn_a3', 'dev_console_a', { connectionId: 'sso_c2' }));
    expect(
      await store.revokeConsoleSessionsByEmail(
        { developerId: 'dev_console_b', connectionId: null },
        ['alice@acme.test'],
        '2026-03-01T11:00:00.000Z',
      ),
    ).toBe(0);
    expect(
      await store.revokeConsoleSessionsByEmail(
        { developerId: 'dev_console_a', connectionId: 'sso_c1' },
        ['alice@acme.test'],
        '2026-03-01T11:00:00.000Z',
      ),
    ).toBe(1);
    expect(
      await store.revokeConsoleSessionsOfSsoSessions('dev_console_a', ['ssn_csn_a3'], '2026-03-01T11:00:00.000Z'),
    ).toBe(1);
    await store.createConsoleSession(session('csn_a4', 'dev_console_a', { role: 'admin' }));
    expect(await store.liveConsoleSessionsOfConnection('dev_console_a', 'sso_c1', '2026-03-01T11:00:00.000Z')).toEqual([
      { id: 'csn_a4', role: 'admin', groups: null },
    ]);
    expect(await store.revokeConsoleSessionsOfConnection('dev_console_a', 'sso_c1', '2026-03-01T11:00:00.000Z')).toBe(
      1,
    );

    // Enforcement lives on the org.
    expect(await store.getSsoEnforcement('dev_console_a')).toEqual({
      enforce: false,
      enforcedAt: null,
      enforcedBy: null,
    });
    await store.setSsoEnforcement('dev_console_a', {
      enforce: true,
      enforcedAt: '2026-03-01T10:30:00.000Z',
      enforcedBy: 'alice',
    });
    expect(await store.getSsoEnforcement('dev_console_a')).toEqual({
      enforce: true,
      enforcedAt: '2026-03-01T10:30:00.000Z',
      enforcedBy: 'alice',
    });
    expect((await store.getSsoEnforcement('dev_console_b'))?.enforce).toBe(false);

    // Break-glass: at most `max` live ones; a use stamps and opens atomically, never on a revoked one.
    const credential = (id: string) => ({
      id,
      developerId: 'dev_console_a',
      label: `Label ${id}`,
      createdAt: '2026-03-01T10:00:00.000Z',
      createdBy: 'key_x',
    });
    expect(await store.createBreakGlass(credential('bgc_1'), hash('secret 1'), 2)).toBe(true);
    expect(await store.createBreakGlass(credential('bgc_2'), hash('secret 2'), 2)).toBe(true);
    expect(await store.createBreakGlass(credential('bgc_3'), hash('secret 3'), 2)).toBe(false);
    expect((await store.findBreakGlassBySecret(hash('secret 1')))?.id).toBe('bgc_1');
    const bgSession = session('csn_bg', 'dev_console_a', {
      via: 'break_glass',
      ssoSessionId: null,
      label: 'Label bgc_1',
    });
    expect(await store.useBreakGlass('bgc_1', { ...bgSession, createdAt: '2026-03-01T12:00:00.000Z' })).toBe(true);
    expect(await store.lastBreakGlassUse('dev_console_a')).toEqual({
      lastUsedAt: '2026-03-01T12:00:00.000Z',
      label: 'Label bgc_1',
    });
    expect(await store.revokeBreakGlass('dev_console_b', 'bgc_2', '2026-03-01T12:00:00.000Z')).toBe(false);
    expect(await store.revokeBreakGlass('dev_console_a', 'bgc_2', '2026-03-01T12:00:00.000Z')).toBe(true);
    expect(await store.useBreakGlass('bgc_2', session('csn_bg2', 'dev_console_a', { via: 'break_glass' }))).toBe(false);
    expect(await store.findConsoleSessionByToken(hash('token csn_bg2'))).toBeUndefined();
    expect((await store.listBreakGlass('dev_console_a')).map((c) => c.id)).toEqual(['bgc_1']);
    // A revoked one no longer counts against the limit.
    expect(await store.createBreakGlass(credential('bgc_4'), hash('secret 4'), 2)).toBe(true);
  });

  it.runIf(onPostgres)('counts a shared rate-limit window atomically and starts a new one after it ends', async () => {
    const limiter = store.sharedRateLimits;
    if (!limiter) throw new Error('PostgreSQL store without shared rate limits');
    const hits = await Promise.all(Array.from({ length: 25 }, () => limiter.hit('GET /x\n1.2.3.4', 60_000, 1_000)));
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(new Set(hits.map((h) => h.resetAtMs))).toEqual(new Set([61_000]));
    expect(await limiter.hit('GET /x\n1.2.3.4', 60_000, 61_000)).toEqual({ count: 1, resetAtMs: 121_000 });
    expect(await limiter.hit('GET /x\n5.6.7.8', 60_000, 61_000)).toEqual({ count: 1, resetAtMs: 121_000 });
  });
});

describe('driver faults become storage errors', () => {
  it.skipIf(onPostgres)(
    'SQLite: a locked file → busy; a full database → full; a read-only connection → read_only',
    async () => {
      const file = path.join(tempDir(), 'grantex.db');
      const db = openSqliteDatabase(file);
      db.pragma('busy_timeout = 50');
      const store = createSqliteStore(db);
      try {
        await store.createDeveloper(dev('dev_fault_a'));
        const lock = new Database(file);
        lock.exec('BEGIN EXCLUSIVE');
        try {
          await expect(store.saveDefaultOidcConnection(write('dev_fault_a'))).rejects.toMatchObject({
            name: 'StoreError',
            kind: 'busy',
          });
        } finally {
          lock.exec('ROLLBACK');
          lock.close();
        }

        db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
        const big = write('dev_fault_a', { oidc: { redirectUri: `https://app.example/${'p'.repeat(20_000)}` } });
        const full = await store.saveDefaultOidcConnection(big).catch((e: unknown) => e);
        expect(full).toBeInstanceOf(StoreError);
        expect(full).toMatchObject({ kind: 'full', driverCode: 'SQLITE_FULL' });
        expect((full as Error).message).not.toContain('pppp');
        db.pragma('max_page_count = 1073741823');

        db.pragma('query_only = ON');
        await expect(store.claimState('state-ro-0000000001', 'dev_fault_a', 5_000)).rejects.toMatchObject({
          kind: 'read_only',
        });
        expect(await store.getDefaultConnection('dev_fault_a')).toBeUndefined(); // reads still work
        db.pragma('query_only = OFF');
        expect(await store.claimState('state-ro-0000000001', 'dev_fault_a', 5_000)).toBe(true);
      } finally {
        await store.close();
      }
    },
  );

  it.runIf(onPostgres)(
    'PostgreSQL: statement timeout → timeout; read-only session → read_only; unreachable server → unavailable',
    async () => {
      const { postgres } = await testDatabaseOptions();
      if (!postgres) throw new Error('no test database');
      const migrated = await openStore({ dataDir: tempDir(), postgres });
      await migrated.createDeveloper(dev('dev_fault_p'));
      await migrated.close();

      // A write blocked by another session's lock runs into the statement timeout.
      const pool = createPgPool({ ...postgres, statementTimeoutMs: 300 }, () => undefined);
      const store = createPostgresStore(pool);
      const locker = new pg.Client({ connectionString: postgres.url });
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE sso_connections IN EXCLUSIVE MODE');
        await expect(store.saveDefaultOidcConnection(write('dev_fault_p'))).rejects.toMatchObject({
          kind: 'timeout',
          driverCode: '57014',
          transient: true,
        });
        await locker.query('ROLLBACK');
        // Recovered by itself: the same pool writes once the lock is gone.
        expect((await store.saveDefaultOidcConnection(write('dev_fault_p'))).developerId).toBe('dev_fault_p');
      } finally {
        await locker.end();
        await store.close();
      }

      const readOnly = createPostgresStore(
        createPgPool(
          { ...postgres, url: `${postgres.url}?options=${encodeURIComponent('-c default_transaction_read_only=on')}` },
          () => undefined,
        ),
      );
      try {
        await expect(readOnly.claimState('state-ro-0000000002', 'dev_fault_p', 5_000)).rejects.toMatchObject({
          kind: 'read_only',
          driverCode: '25006',
        });
        expect(await readOnly.getDefaultConnection('dev_fault_p')).toMatchObject({ developerId: 'dev_fault_p' });
      } finally {
        await readOnly.close();
      }

      const nowhere = new URL(postgres.url);
      nowhere.port = '9';
      const unreachable = createPostgresStore(createPgPool(pgTestConfig(nowhere.href), () => undefined));
      try {
        await expect(unreachable.getDefaultConnection('dev_fault_p')).rejects.toMatchObject({
          kind: 'unavailable',
          transient: true,
        });
      } finally {
        await unreachable.close();
      }
    },
  );
});
