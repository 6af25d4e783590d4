/**
 * The daily re-check of verified domains on the real service (SQLite, and PostgreSQL with
 * GRANTEX_TEST_DATABASE_URL), against a DNS server on loopback, on a service clock the test moves forward:
 * a removed record → a failing re-check (warning fields on the wire) → released after 7 days with a
 * `domain.released` audit entry by the system → another org verifies it and sign-in by email routes there;
 * a record restored within the week keeps the domain verified; DNS timeouts prove nothing either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_MESSAGES, ssoDomainSchema, txtRecordNameFor, type SsoDomain } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex';
import { startLoopbackDnsServer, type LoopbackDnsServer } from '@/tests/support/dns-server';
import {
  signup,
  startTestService,
  type TestService,
  callService,
  expectApiError,
  type Answer,
} from './service-harness';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let dns: LoopbackDnsServer;
let svc: TestService;
/** The service's clock, ahead of the real one by this much. */
let offsetMs = 0;

beforeAll(async () => {
  dns = await startLoopbackDnsServer();
  svc = await startTestService({
    dnsServers: [dns.address],
    dnsTimeoutMs: 300,
    now: () => Date.now() + offsetMs,
    domainRecheck: { intervalMs: 40 },
    eventBuffer: { flushMs: 20 },
  });
});
afterAll(async () => {
  await svc?.close();
  await dns?.close();
});

const call = (method: string, path: string, apiKey: string | null, body?: unknown): Promise<Answer> =>
  callService(svc.url, method, path, { bearer: apiKey, json: body });

let seq = 0;
const freshDomain = () => `recheck-${++seq}-${Date.now().toString(36)}.example`;

async function connection(apiKey: string, name: string, domains: string[]) {
  const res = await call('POST', '/v1/sso/connections', apiKey, {
    protocol: 'oidc',
    name,
    domains,
    issuerUrl: 'http://127.0.0.1:9/idp',
    clientId: 'client',
    clientSecret: 'secret-never-returned',
    redirectUri: 'http://localhost:3000/sso/callback',
  });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

async function verify(apiKey: string, domain: string): Promise<Answer> {
  const added = ssoDomainSchema.parse((await call('POST', '/v1/sso/domains', apiKey, { domain })).body);
  dns.setTxt(added.txtRecordName, [added.txtRecordValue]);
  return call('POST', `/v1/sso/domains/${domain}/verify`, apiKey);
}

async function domainOf(apiKey: string, domain: string): Promise<SsoDomain> {
  const list = (await call('GET', '/v1/sso/domains', apiKey)).body.domains as unknown[];
  const found = list.map((d) => ssoDomainSchema.parse(d)).find((d) => d.domain === domain);
  if (!found) throw new Error(`no ${domain}`);
  return found;
}

/** Polls the org's domain until `done` holds (the re-check runs every 40 ms on the service's clock). */
async function waitForDomain(apiKey: string, domain: string, done: (d: SsoDomain) => boolean): Promise<SsoDomain> {
  let last: SsoDomain | undefined;
  for (let i = 0; i < 150; i++) {
    last = await domainOf(apiKey, domain);
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`domain never reached the state: ${JSON.stringify(last)}`);
}

/** Waits until the DNS server has been asked for `name` `count` times in all (the re-check looked it up). */
async function waitForQueries(name: string, count: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (dns.queries.filter((q) => q === name).length >= count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${name} was looked up fewer than ${count} times`);
}

const routedTo = async (domain: string) => (await call('GET', `/sso/login?domain=${domain}`, null)).body.developerId;

describe('daily re-check of verified domains', () => {
  it('record removed → warning after the first failed re-check → released 7 days later (audited) → another org verifies it and routes it', async () => {
    offsetMs = 0;
    const owner = await signup(svc.url);
    const claimant = await signup(svc.url);
    const domain = freshDomain();
    const name = txtRecordNameFor(domain);
    await connection(owner.apiKey, 'First holder', [domain]);
    const claimantConnection = await connection(claimant.apiKey, 'Real owner', [domain]);
    expect((await verify(owner.apiKey, domain)).status).toBe(200);
    expect(await routedTo(domain)).toBe(owner.developerId);

    // The record is gone; the next day's re-check does not find it. Nothing changes for members yet.
    dns.removeTxt(name);
    offsetMs = DAY + HOUR;
    const failing = await waitForDomain(owner.apiKey, domain, (d) => Boolean(d.failingSince));
    const firstFailure = Date.parse(failing.failingSince!);
    expect(Math.abs(firstFailure - (Date.now() + offsetMs))).toBeLessThan(60_000);
    expect(failing).toMatchObject({ verified: true, releasesAt: new Date(firstFailure + 7 * DAY).toISOString() });
    expect(await routedTo(domain)).toBe(owner.developerId);
    // Through the client too (what the console renders the warning from).
    const viaClient = (await new GrantexClient({ baseUrl: svc.url, apiKey: owner.apiKey }).sso.domains.list()).find(
      (d) => d.domain === domain,
    );
    expect(viaClient).toMatchObject({ failingSince: failing.failingSince, releasesAt: failing.releasesAt });
    // The claimant still cannot take it while it is verified.
    expect((await verify(claimant.apiKey, domain)).status).toBe(409);
    dns.removeTxt(name);

    // Six days later (still failing, not yet a week): still verified, same failingSince.
    const lookups = dns.queries.filter((q) => q === name).length;
    offsetMs = 7 * DAY;
    await waitForQueries(name, lookups + 1);
    expect(await domainOf(owner.apiKey, domain)).toMatchObject({ verified: true, failingSince: failing.failingSince });

    // A week after the first failure: released, audited by the system, no longer routed.
    offsetMs = 8 * DAY + 2 * HOUR;
    const released = await waitForDomain(owner.apiKey, domain, (d) => !d.verified);
    expect(released).toMatchObject({ verified: false, verifiedAt: null, failingSince: null, releasesAt: null });
    let audit: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 50 && audit.length === 0; i++) {
      audit = (await call('GET', '/v1/sso/audit?action=domain.released', owner.apiKey)).body.events as Array<
        Record<string, unknown>
      >;
      if (audit.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'domain.released',
        actor: { kind: 'system', id: null, label: 'daily domain re-check' },
        target: { type: 'domain', id: domain },
      }),
    ]);
    // The other org's audit trail does not see it.
    expect((await call('GET', '/v1/sso/audit?action=domain.released', claimant.apiKey)).body.events).toEqual([]);
    expectApiError(await call('GET', `/sso/login?domain=${domain}`, null), 404, DOMAIN_MESSAGES.domainNotRoutable);

    // The real owner publishes its own record and verifies: sign-in by email now goes to its connection.
    expect((await verify(claimant.apiKey, domain)).status).toBe(200);
    const routed = await call('GET', `/sso/login?domain=${domain}`, null);
    expect(routed.status, routed.text).toBe(200);
    expect(routed.body).toMatchObject({ developerId: claimant.developerId, connectionId: claimantConnection.id });
    // The first holder cannot take it back: its record is gone, and even published beside the owner's it is a 409.
    expect((await call('POST', `/v1/sso/domains/${domain}/verify`, owner.apiKey)).status).toBe(422);
    const claimantRecord = await domainOf(claimant.apiKey, domain);
    dns.setTxt(name, [claimantRecord.txtRecordValue, released.txtRecordValue]);
    expect((await call('POST', `/v1/sso/domains/${domain}/verify`, owner.apiKey)).status).toBe(409);
    expect(await routedTo(domain)).toBe(claimant.developerId);
  });

  it('a record restored within the week keeps the domain verified and clears the warning', async () => {
    offsetMs = 0;
    const org = await signup(svc.url);
    const domain = freshDomain();
    const name = txtRecordNameFor(domain);
    await connection(org.apiKey, 'Okta', [domain]);
    const verified = ssoDomainSchema.parse((await verify(org.apiKey, domain)).body);
    dns.removeTxt(name);
    offsetMs = DAY + HOUR;
    await waitForDomain(org.apiKey, domain, (d) => Boolean(d.failingSince));
    dns.setTxt(verified.txtRecordName, [verified.txtRecordValue]);
    offsetMs = 3 * DAY;
    const restored = await waitForDomain(org.apiKey, domain, (d) => d.failingSince === null);
    expect(restored).toMatchObject({ verified: true, verifiedAt: verified.verifiedAt, releasesAt: null });
    // Well past the original week: never released, still routed.
    offsetMs = 10 * DAY;
    const lookups = dns.queries.filter((q) => q === name).length;
    await waitForQueries(name, lookups + 1);
    expect(await domainOf(org.apiKey, domain)).toMatchObject({ verified: true, failingSince: null });
    expect(await routedTo(domain)).toBe(org.developerId);
  });

  it('a DNS timeout proves nothing: no failure recorded, the domain stays verified', async () => {
    offsetMs = 0;
    const org = await signup(svc.url);
    const domain = freshDomain();
    const name = txtRecordNameFor(domain);
    expect((await verify(org.apiKey, domain)).status).toBe(200);
    dns.behave(name, 'drop');
    const lookups = dns.queries.filter((q) => q === name).length;
    offsetMs = DAY + HOUR;
    await waitForQueries(name, lookups + 1);
    // The lookup is bounded by the DNS timeout; give the re-check time to finish it.
    await new Promise((r) => setTimeout(r, 700));
    expect(await domainOf(org.apiKey, domain)).toMatchObject({ verified: true, failingSince: null });
    dns.behave(name, 'answer');
  });

  it('checks each domain at most once a day', async () => {
    offsetMs = 0;
    const org = await signup(svc.url);
    const domain = freshDomain();
    const name = txtRecordNameFor(domain);
    expect((await verify(org.apiKey, domain)).status).toBe(200);
    const lookups = dns.queries.filter((q) => q === name).length;
    offsetMs = DAY + HOUR;
    await waitForQueries(name, lookups + 1);
    // Many runs (every 40 ms) later, still within the day: no second lookup.
    offsetMs = DAY + 20 * HOUR;
    await new Promise((r) => setTimeout(r, 400));
    expect(dns.queries.filter((q) => q === name).length).toBe(lookups + 1);
  });
});

describe('closing the service during a re-check', () => {
  it('stops after the current lookup instead of finishing a long run against a DNS server that does not answer', async () => {
    let clock = 0;
    const other = await startTestService({
      dnsServers: [dns.address],
      dnsTimeoutMs: 300,
      now: () => Date.now() + clock,
      domainRecheck: { intervalMs: 60_000 },
    });
    try {
      const org = await signup(other.url);
      const domains = Array.from({ length: 8 }, () => freshDomain());
      for (const domain of domains) {
        const added = ssoDomainSchema.parse(
          (await callService(other.url, 'POST', '/v1/sso/domains', { bearer: org.apiKey, json: { domain } })).body,
        );
        dns.setTxt(added.txtRecordName, [added.txtRecordValue]);
        expect(
          (await callService(other.url, 'POST', `/v1/sso/domains/${domain}/verify`, { bearer: org.apiKey })).status,
        ).toBe(200);
        dns.behave(added.txtRecordName, 'drop');
      }
      clock = DAY + HOUR;
      // A restart runs the re-check at once: eight lookups of ~0.3 s each, unanswered.
      await other.restart({ now: () => Date.now() + clock });
      await waitForQueries(txtRecordNameFor(domains[0]!), 2);
      const started = Date.now();
      await other.close();
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await other.close();
    }
  });
});
