/**
 * Verified domains and routing by domain/connection over real HTTP and through the GrantexClient, against a DNS
 * server on loopback (never a resolver outside the machine): every status and shape, cross-org isolation, the
 * one-org-per-verified-domain rule, `/sso/login` by `domain` (with and without org) and by `connection`, the
 * public chooser list, and a full sign-in through the real dev IdP started by `?domain=` alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DOMAIN_MESSAGES,
  MESSAGES,
  ssoCallbackResponseSchema,
  ssoDomainSchema,
  ssoDomainVerifyFailureSchema,
  ssoLoginResponseSchema,
  txtRecordNameFor,
} from '@/lib/contract';
import { GrantexClient, GrantexError } from '@/lib/grantex';
import { loadServiceConfig, ServiceConfigError } from '@/lib/sso-service';
import { startLoopbackDnsServer, type LoopbackDnsServer } from '@/tests/support/dns-server';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { devIdpConfig, signupOrg, startStack, type Stack } from '@/tests/support/stack';
import {
  signup,
  startTestService,
  type TestService,
  callService,
  expectApiError,
  type Answer,
} from './service-harness';

const DNS_TIMEOUT_MS = 400;
let dns: LoopbackDnsServer;
let svc: TestService;

beforeAll(async () => {
  dns = await startLoopbackDnsServer();
  svc = await startTestService({ dnsServers: [dns.address], dnsTimeoutMs: DNS_TIMEOUT_MS });
});
afterAll(async () => {
  await svc?.close();
  await dns?.close();
});

const call = (method: string, path: string, apiKey: string | null, body?: unknown): Promise<Answer> =>
  callService(svc.url, method, path, { bearer: apiKey, json: body });

const expectError = expectApiError;

let domainSeq = 0;
/** A fresh domain per test, so tests sharing the service never see each other's records. */
const freshDomain = (label = 'acme') => `${label}-${++domainSeq}-${Date.now().toString(36)}.example`;

const OIDC = {
  protocol: 'oidc',
  issuerUrl: 'http://127.0.0.1:9/idp',
  clientId: 'client',
  clientSecret: 'secret-never-returned',
  redirectUri: 'http://localhost:3000/sso/callback',
};

async function createConnection(apiKey: string, name: string, domains: string[], extra: Record<string, unknown> = {}) {
  const res = await call('POST', '/v1/sso/connections', apiKey, { ...OIDC, name, domains, ...extra });
  expect(res.status, res.text).toBe(201);
  return res.body as { id: string };
}

/** Adds the domain, publishes its record on the loopback DNS server and verifies it. */
async function verifyDomain(apiKey: string, domain: string) {
  const added = await call('POST', '/v1/sso/domains', apiKey, { domain });
  expect([200, 201]).toContain(added.status);
  const wire = ssoDomainSchema.parse(added.body);
  dns.setTxt(wire.txtRecordName, [wire.txtRecordValue]);
  return call('POST', `/v1/sso/domains/${domain}/verify`, apiKey);
}

const login = (query: string) => call('GET', `/sso/login?${query}`, null);

describe('SSO_DNS_SERVERS / SSO_DNS_TIMEOUT_MS', () => {
  it('defaults to the system resolver; takes IPs with optional ports; refuses anything else naming only the variable', () => {
    expect(loadServiceConfig({})).toMatchObject({ dnsServers: undefined, dnsTimeoutMs: 5000 });
    expect(
      loadServiceConfig({ SSO_DNS_SERVERS: '127.0.0.1:5353, ::1, [::1]:53, 10.0.0.2', SSO_DNS_TIMEOUT_MS: '800' }),
    ).toMatchObject({
      dnsServers: ['127.0.0.1:5353', '::1', '[::1]:53', '10.0.0.2'],
      dnsTimeoutMs: 800,
    });
    for (const bad of ['dns.example.com', '127.0.0.1:99999', '1.2.3.4:x']) {
      expect(() => loadServiceConfig({ SSO_DNS_SERVERS: bad })).toThrow(ServiceConfigError);
      expect(() => loadServiceConfig({ SSO_DNS_SERVERS: bad })).toThrow(/SSO_DNS_SERVERS/);
    }
    expect(() => loadServiceConfig({ SSO_DNS_TIMEOUT_MS: '5' })).toThrow(/SSO_DNS_TIMEOUT_MS/);
  });
});

describe('domains API (raw HTTP)', () => {
  it('adds a domain: 201 with the TXT record to publish, lower-cased; again → 200 with the same token', async () => {
    const org = await signup(svc.url);
    const domain = freshDomain();
    const res = await call('POST', '/v1/sso/domains', org.apiKey, { domain: ` ${domain.toUpperCase()} ` });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(
      [
        'createdAt',
        'domain',
        'failingSince',
        'lastCheckedAt',
        'releasesAt',
        'txtRecordName',
        'txtRecordValue',
        'verified',
        'verifiedAt',
      ].sort(),
    );
    const wire = ssoDomainSchema.parse(res.body);
    expect(wire).toMatchObject({
      domain,
      verified: false,
      verifiedAt: null,
      lastCheckedAt: null,
      failingSince: null,
      releasesAt: null,
      txtRecordName: `_grantex-sso.${domain}`,
    });
    expect(wire.txtRecordValue).toMatch(/^grantex-sso-verification=[A-Za-z0-9_-]{32}$/);

    const again = await call('POST', '/v1/sso/domains', org.apiKey, { domain });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);

    const list = await call('GET', '/v1/sso/domains', org.apiKey);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ domains: [res.body] });
  });

  it('each org gets its own unguessable token for the same domain', async () => {
    const domain = freshDomain();
    const [a, b] = [await signup(svc.url), await signup(svc.url)];
    const ta = ssoDomainSchema.parse((await call('POST', '/v1/sso/domains', a.apiKey, { domain })).body).txtRecordValue;
    const tb = ssoDomainSchema.parse((await call('POST', '/v1/sso/domains', b.apiKey, { domain })).body).txtRecordValue;
    expect(ta).not.toBe(tb);
  });

  it('400 for a malformed domain or body, 401 without a key', async () => {
    const org = await signup(svc.url);
    for (const body of [{ domain: 'not a domain' }, { domain: 'localhost' }, {}, { domain: 42 }]) {
      const res = await call('POST', '/v1/sso/domains', org.apiKey, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.message).toMatch(/^domain: /);
    }
    expectError(await call('GET', '/v1/sso/domains', null), 401, MESSAGES.missingAuth);
    expectError(await call('POST', '/v1/sso/domains', null, { domain: 'a.example' }), 401, MESSAGES.missingAuth);
    expectError(await call('POST', '/v1/sso/domains/a.example/verify', null), 401, MESSAGES.missingAuth);
    expectError(await call('DELETE', '/v1/sso/domains/a.example', null), 401, MESSAGES.missingAuth);
  });

  it('verifies against the loopback DNS server: 200 verified; a second check keeps verifiedAt', async () => {
    const org = await signup(svc.url);
    const domain = freshDomain();
    const res = await verifyDomain(org.apiKey, domain);
    expect(res.status, res.text).toBe(200);
    const wire = ssoDomainSchema.parse(res.body);
    expect(wire).toMatchObject({ domain, verified: true });
    expect(wire.verifiedAt).toBe(wire.lastCheckedAt);
    expect(dns.queries).toContain(txtRecordNameFor(domain));

    const again = await call('POST', `/v1/sso/domains/${domain}/verify`, org.apiKey);
    expect(again.status).toBe(200);
    expect(again.body.verifiedAt).toBe(wire.verifiedAt);
  });

  it('finds the value among several TXT records and across 255-byte chunks', async () => {
    const org = await signup(svc.url);
    const domain = freshDomain();
    const wire = ssoDomainSchema.parse((await call('POST', '/v1/sso/domains', org.apiKey, { domain })).body);
    dns.setTxt(wire.txtRecordName, ['v=spf1 -all', 'x'.repeat(300), wire.txtRecordValue]);
    expect((await call('POST', `/v1/sso/domains/${domain}/verify`, org.apiKey)).status).toBe(200);
  });

  it('422 with a reason, the record to publish and a next step: missing, wrong value, SERVFAIL, timeout', async () => {
    const org = await signup(svc.url);
    const domain = freshDomain();
    const wire = ssoDomainSchema.parse((await call('POST', '/v1/sso/domains', org.apiKey, { domain })).body);
    const verify = () => call('POST', `/v1/sso/domains/${domain}/verify`, org.apiKey);
    const expectFailure = (res: Answer, reason: string, message: RegExp) => {
      expect(res.status, res.text).toBe(422);
      const body = ssoDomainVerifyFailureSchema.parse(res.body);
      expect(body).toMatchObject({
        verified: false,
        reason,
        txtRecordName: wire.txtRecordName,
        txtRecordValue: wire.txtRecordValue,
      });
      expect(body.message).toMatch(message);
    };

    expectFailure(await verify(), 'no_record', /No TXT record was found at _grantex-sso\..*verify again/);
    dns.setTxt(wire.txtRecordName, ['grantex-sso-verification=someone-elses-token']);
    expectFailure(await verify(), 'wrong_value', /does not contain the expected value/);
    dns.behave(wire.txtRecordName, 'servfail');
    expectFailure(await verify(), 'dns_error', /failed \(ESERVFAIL\)/);
    dns.behave(wire.txtRecordName, 'drop');
    const started = Date.now();
    expectFailure(await verify(), 'dns_timeout', /timed out/);
    expect(Date.now() - started).toBeLessThan(DNS_TIMEOUT_MS + 2000);

    const listed = ssoDomainSchema.parse(
      ((await call('GET', '/v1/sso/domains', org.apiKey)).body.domains as unknown[])[0],
    );
    expect(listed).toMatchObject({ verified: false, verifiedAt: null });
    expect(listed.lastCheckedAt).not.toBeNull();
  });

  it('a failed check on demand leaves a verified domain verified (only the daily re-check releases it)', async () => {
    const org = await signup(svc.url);
    const domain = freshDomain();
    expect((await verifyDomain(org.apiKey, domain)).status).toBe(200);
    dns.removeTxt(txtRecordNameFor(domain));
    expect((await call('POST', `/v1/sso/domains/${domain}/verify`, org.apiKey)).status).toBe(422);
    const listed = (await call('GET', '/v1/sso/domains', org.apiKey)).body.domains as { verified: boolean }[];
    expect(listed[0]?.verified).toBe(true);
  });

  it('a domain verified by one org: a second org’s verify is a 409 that does not name the first', async () => {
    const first = await signup(svc.url, { name: 'First Holder Inc' });
    const second = await signup(svc.url);
    const domain = freshDomain();
    expect((await verifyDomain(first.apiKey, domain)).status).toBe(200);
    // The second org publishes its own (valid) record for the same name next to the first one's.
    const wire = ssoDomainSchema.parse((await call('POST', '/v1/sso/domains', second.apiKey, { domain })).body);
    const firstValue = ssoDomainSchema.parse(
      ((await call('GET', '/v1/sso/domains', first.apiKey)).body.domains as unknown[])[0],
    ).txtRecordValue;
    dns.setTxt(wire.txtRecordName, [firstValue, wire.txtRecordValue]);
    const res = await call('POST', `/v1/sso/domains/${domain}/verify`, second.apiKey);
    expectError(res, 409, DOMAIN_MESSAGES.domainTaken);
    expect(res.text).not.toContain(first.developerId);
    expect(res.text).not.toContain('First Holder');

    // Once the first org removes it, the second can verify.
    expect((await call('DELETE', `/v1/sso/domains/${domain}`, first.apiKey)).status).toBe(204);
    expect((await call('POST', `/v1/sso/domains/${domain}/verify`, second.apiKey)).status).toBe(200);
  });

  it('another org’s domain is a 404 on verify and delete; delete is 204 then 404', async () => {
    const owner = await signup(svc.url);
    const other = await signup(svc.url);
    const domain = freshDomain();
    expect((await call('POST', '/v1/sso/domains', owner.apiKey, { domain })).status).toBe(201);
    expectError(
      await call('POST', `/v1/sso/domains/${domain}/verify`, other.apiKey),
      404,
      DOMAIN_MESSAGES.domainNotFound,
    );
    expectError(await call('DELETE', `/v1/sso/domains/${domain}`, other.apiKey), 404, DOMAIN_MESSAGES.domainNotFound);
    expect((await call('GET', '/v1/sso/domains', other.apiKey)).body).toEqual({ domains: [] });
    expectError(
      await call('DELETE', '/v1/sso/domains/not%20a%20domain', owner.apiKey),
      404,
      DOMAIN_MESSAGES.domainNotFound,
    );
    expect((await call('DELETE', `/v1/sso/domains/${domain.toUpperCase()}`, owner.apiKey)).status).toBe(204);
    expectError(await call('DELETE', `/v1/sso/domains/${domain}`, owner.apiKey), 404, DOMAIN_MESSAGES.domainNotFound);
  });
});

describe('domains through the GrantexClient', () => {
  it('lists, adds, verifies (both outcomes) and removes', async () => {
    const org = await signup(svc.url);
    const client = new GrantexClient({ baseUrl: svc.url, apiKey: org.apiKey, retries: 0 });
    const domain = freshDomain();
    const added = await client.sso.domains.create(domain.toUpperCase());
    expect(added).toMatchObject({ domain, verified: false });
    expect(await client.sso.domains.list()).toEqual([added]);

    const failed = await client.sso.domains.verify(domain);
    expect(failed).toMatchObject({ verified: false, reason: 'no_record', txtRecordValue: added.txtRecordValue });

    dns.setTxt(added.txtRecordName, [added.txtRecordValue]);
    const ok = await client.sso.domains.verify(domain);
    expect(ok.verified).toBe(true);
    if (ok.verified) expect(ok.domain).toMatchObject({ domain, verified: true });

    await client.sso.domains.delete(domain);
    expect(await client.sso.domains.list()).toEqual([]);
    const gone = await client.sso.domains.verify(domain).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(GrantexError);
    expect((gone as GrantexError).kind).toBe('not_found');
  });
});

describe('connections refuse a domain another connection of the org lists', () => {
  it('400 field error on create and PATCH; the same domain in two orgs is fine', async () => {
    const org = await signup(svc.url);
    const domain = freshDomain();
    const first = await createConnection(org.apiKey, 'Okta', [domain]);
    const dup = await call('POST', '/v1/sso/connections', org.apiKey, { ...OIDC, name: 'Entra', domains: [domain] });
    expect(dup.status).toBe(400);
    expect(dup.body.message).toBe(
      `domains: ${domain} is already listed by the connection "Okta"; remove it there first`,
    );

    const second = await createConnection(org.apiKey, 'Entra', []);
    const patch = await call('PATCH', `/v1/sso/connections/${second.id}`, org.apiKey, { domains: [domain] });
    expect(patch.status).toBe(400);
    // The connection that lists it may PATCH its own list again.
    expect(
      (await call('PATCH', `/v1/sso/connections/${first.id}`, org.apiKey, { domains: [domain, freshDomain()] })).status,
    ).toBe(200);

    const other = await signup(svc.url);
    await createConnection(other.apiKey, 'Okta', [domain]);
  });
});

describe('GET /sso/login routing', () => {
  it('?org=&domain= picks the org’s active connection listing it; no match is a 404 naming the domain, never a fallback', async () => {
    const org = await signup(svc.url);
    const [a, b] = [freshDomain('a'), freshDomain('b')];
    const okta = await createConnection(org.apiKey, 'Okta', [a]);
    const entra = await createConnection(org.apiKey, 'Entra', [b]);
    const res = await login(`org=${org.developerId}&domain=${b.toUpperCase()}`);
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['authorizeUrl', 'connectionId', 'protocol', 'ssoRequired']);
    expect(ssoLoginResponseSchema.parse(res.body).connectionId).toBe(entra.id);
    expect((await login(`org=${org.developerId}&domain=${a}`)).body.connectionId).toBe(okta.id);
    // No verification is needed when the org is named.
    expect((await call('GET', '/v1/sso/domains', org.apiKey)).body).toEqual({ domains: [] });

    expectError(
      await login(`org=${org.developerId}&domain=unlisted.example`),
      404,
      DOMAIN_MESSAGES.noConnectionForDomain('unlisted.example'),
    );
    expect((await login(`org=${org.developerId}&domain=unlisted.example`)).body.message).toBe(
      'No active SSO connection of this organization is set up for unlisted.example',
    );
    // An inactive connection takes no login, and nothing falls back to the other one.
    expect((await call('PATCH', `/v1/sso/connections/${entra.id}`, org.apiKey, { status: 'inactive' })).status).toBe(
      200,
    );
    expectError(await login(`org=${org.developerId}&domain=${b}`), 404, DOMAIN_MESSAGES.noConnectionForDomain(b));
    // ?org= alone: the legacy default connection (the org's first).
    expect((await login(`org=${org.developerId}`)).body.connectionId).toBe(okta.id);
    expect((await login(`org=${org.developerId}&domain=`)).body.connectionId).toBe(okta.id);
    // Another org's domains are not this org's.
    const other = await signup(svc.url);
    expectError(await login(`org=${other.developerId}&domain=${a}`), 404, DOMAIN_MESSAGES.noConnectionForDomain(a));
    expectError(await login(`org=${org.developerId}&domain=not_a_domain`), 400, DOMAIN_MESSAGES.domainInvalid);
  });

  it('?org=&connection= starts that active connection of the org; another org’s or an inactive one is a 404', async () => {
    const org = await signup(svc.url);
    await createConnection(org.apiKey, 'Okta', []);
    const staging = await createConnection(org.apiKey, 'Staging', [], { status: 'testing' });
    const entra = await createConnection(org.apiKey, 'Entra', []);
    expect((await login(`org=${org.developerId}&connection=${entra.id}`)).body.connectionId).toBe(entra.id);
    expectError(await login(`org=${org.developerId}&connection=${staging.id}`), 404, MESSAGES.connectionNotFound);
    const other = await signup(svc.url);
    expectError(await login(`org=${other.developerId}&connection=${entra.id}`), 404, MESSAGES.connectionNotFound);
    expectError(await login(`connection=${entra.id}`), 400, DOMAIN_MESSAGES.connectionNeedsOrg);
    expectError(
      await login(`org=${org.developerId}&connection=${entra.id}&domain=a.example`),
      400,
      DOMAIN_MESSAGES.domainOrConnection,
    );
    expectError(await login('domain=a.example&domain=b.example'), 400, 'domain must be given at most once');
    expectError(await login(''), 400, MESSAGES.orgRequired);
  });

  it('?domain= alone routes only a verified domain listed by one active connection; otherwise one generic 404', async () => {
    const owner = await signup(svc.url);
    const claimant = await signup(svc.url);
    const domain = freshDomain();
    // Both orgs list the domain on a connection; neither has verified it yet.
    const ownerConnection = await createConnection(owner.apiKey, 'Okta', [domain]);
    await createConnection(claimant.apiKey, 'Claimant IdP', [domain]);
    expectError(await login(`domain=${domain}`), 404, DOMAIN_MESSAGES.domainNotRoutable);

    expect((await verifyDomain(owner.apiKey, domain)).status).toBe(200);
    expect((await verifyDomain(claimant.apiKey, domain)).status).toBe(409);
    for (let i = 0; i < 3; i++) {
      const res = await login(`domain=${domain.toUpperCase()}`);
      expect(res.status, res.text).toBe(200);
      // Never the claimant's connection; the answer names the org it routed to.
      expect(res.body).toMatchObject({ connectionId: ownerConnection.id, developerId: owner.developerId });
    }

    // Verified but listed by no connection, unknown, and unverified all answer the same.
    const verifiedUnlisted = freshDomain();
    expect((await verifyDomain(owner.apiKey, verifiedUnlisted)).status).toBe(200);
    const unverified = freshDomain();
    await createConnection(claimant.apiKey, 'Other', [unverified]);
    const answers = await Promise.all(
      [verifiedUnlisted, unverified, 'never-seen.example'].map((d) => login(`domain=${d}`)),
    );
    for (const res of answers) expectError(res, 404, DOMAIN_MESSAGES.domainNotRoutable);
    expect(new Set(answers.map((r) => JSON.stringify({ ...r.body, requestId: '' })).values()).size).toBe(1);

    // The owner's connection goes inactive: no login by domain, and no fallback to any other connection.
    expect(
      (await call('PATCH', `/v1/sso/connections/${ownerConnection.id}`, owner.apiKey, { status: 'inactive' })).status,
    ).toBe(200);
    expectError(await login(`domain=${domain}`), 404, DOMAIN_MESSAGES.domainNotRoutable);
  });

  it('GET /sso/connections?org= lists the org’s active connections for the chooser, with the org’s name; unknown org is a 404', async () => {
    const org = await signup(svc.url, { name: 'Acme Robotics' });
    const okta = await createConnection(org.apiKey, 'Okta (production)', []);
    await createConnection(org.apiKey, 'Staging', [], { status: 'testing' });
    const entra = await createConnection(org.apiKey, 'Entra', []);
    const res = await call('GET', `/sso/connections?org=${org.developerId}`, null);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      connections: [
        { id: okta.id, name: 'Okta (production)', protocol: 'oidc' },
        { id: entra.id, name: 'Entra', protocol: 'oidc' },
      ],
      // Whose login page it is (the name given at signup), so a member lured to another org's page can tell.
      organization: { id: org.developerId, name: 'Acme Robotics' },
    });
    const client = new GrantexClient({ baseUrl: svc.url, retries: 0 });
    expect(await client.sso.listPublicConnections(org.developerId)).toEqual(res.body.connections);
    expect(await client.sso.getPublicChooser(org.developerId)).toEqual(res.body);
    expect((await client.sso.getLoginUrlForConnection(org.developerId, entra.id)).connectionId).toBe(entra.id);

    for (const o of [(await signup(svc.url)).developerId, 'dev_nope', 'x'.repeat(500)]) {
      expectError(await call('GET', `/sso/connections?org=${o}`, null), 404, MESSAGES.ssoNotConfigured);
    }
    expectError(await call('GET', '/sso/connections', null), 400, MESSAGES.orgRequired);
  });
});

describe('rate limits of sign-in by email', () => {
  it('?domain= without org has a bucket per domain (one domain’s flood does not lock out the others); the chooser list is limited too', async () => {
    const limited = await startTestService({
      rateLimit: { enabled: true, signupPerMin: 100, loginPerMin: 2, callbackPerMin: 100 },
    });
    try {
      const get = (q: string) => fetch(`${limited.url}${q}`).then((r) => r.status);
      expect([await get('/sso/login?domain=flood.example'), await get('/sso/login?domain=flood.example')]).toEqual([
        404, 404,
      ]);
      expect(await get('/sso/login?domain=flood.example')).toBe(429);
      expect(await get('/sso/login?domain=other.example')).toBe(404);
      expect([
        await get('/sso/connections?org=dev_x'),
        await get('/sso/connections?org=dev_x'),
        await get('/sso/connections?org=dev_x'),
      ]).toEqual([404, 404, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('a full sign-in through the dev IdP, started by ?domain= alone', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ service: { dnsServers: [dns.address], dnsTimeoutMs: DNS_TIMEOUT_MS } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('alice@<verified domain> signs in on the connection that lists it', async () => {
    const org = await signupOrg(stack.serviceUrl, 'Email Co');
    const domain = freshDomain('email');
    const connection = await org.client.sso.connections.create({
      name: 'Dev IdP',
      protocol: 'oidc',
      ...devIdpConfig(stack),
      domains: [domain],
    });
    const added = await org.client.sso.domains.create(domain);
    dns.setTxt(added.txtRecordName, [added.txtRecordValue]);
    expect((await org.client.sso.domains.verify(domain)).verified).toBe(true);

    const start = await new GrantexClient({ baseUrl: stack.serviceUrl, retries: 0 }).sso.getLoginUrlByDomain(domain);
    expect(start).toMatchObject({ connectionId: connection.id, developerId: org.developerId });
    const redirect = await loginAtDevIdp(start.authorizeUrl, { username: 'alice', password: 'alice-password' });
    const q = new URLSearchParams({
      code: redirect.searchParams.get('code') ?? '',
      state: redirect.searchParams.get('state') ?? '',
    });
    const iss = redirect.searchParams.get('iss');
    if (iss) q.set('iss', iss);
    const res = await fetch(`${stack.serviceUrl}/sso/callback?${q}`);
    expect(res.status).toBe(200);
    expect(ssoCallbackResponseSchema.parse(await res.json())).toMatchObject({
      developerId: org.developerId,
      email: 'alice@example.com',
    });
  });
});
