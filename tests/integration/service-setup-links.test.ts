/**
 * Setup links over real HTTP (both backends): create/list/revoke shapes, the token shown once and stored only as
 * a hash, the link token exchanged for a setup session (each redeem its own use and session) and never accepted
 * as an API credential, expiry on the service's clock, revocation effective on the very next request, cross-org
 * 404s, and the one allow-list: a setup session configures this org's connections and nothing else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MESSAGES,
  SETUP_LINK_MESSAGES,
  SETUP_LINK_TOKEN_PATTERN,
  setupLinkCreatedSchema,
  setupLinkListSchema,
  setupLinkSessionSchema,
  setupSessionCreatedSchema,
  setupSessionSchema,
  SETUP_SESSION_TOKEN_PATTERN,
} from '@/lib/contract';
import { GrantexClient, GrantexError } from '@/lib/grantex';
import { databaseBytes } from '@/tests/support/database-bytes';
import {
  authed,
  signup,
  startTestService,
  type TestService,
  callService,
  expectApiError,
  type Answer,
  OIDC_CONNECTION,
} from './service-harness';

const HOUR_MS = 3_600_000;
let clock = Date.parse('2026-12-01T10:00:00.000Z');
let svc: TestService;
beforeAll(async () => {
  svc = await startTestService({ now: () => clock });
});
afterAll(async () => {
  await svc?.close();
});

const OIDC = OIDC_CONNECTION;
const IT_ADMIN = { name: 'Iris IT', email: 'iris@customer.example' };

const call = (
  method: string,
  path: string,
  bearer: string | null,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> => callService(svc.url, method, path, { bearer, json: body, headers });

const expectError = expectApiError;

async function createLink(apiKey: string, body: unknown = {}) {
  const res = await call('POST', '/v1/sso/setup-links', apiKey, body);
  expect(res.status, res.text).toBe(201);
  return setupLinkCreatedSchema.parse(res.body);
}

/** Redeems a link as `who`: the setup session's answer (its token included). */
async function redeem(linkToken: string, who: { name: string; email: string } = IT_ADMIN) {
  const res = await call('POST', '/v1/sso/setup-links/session', linkToken, who);
  expect(res.status, res.text).toBe(201);
  return setupSessionCreatedSchema.parse(res.body);
}

const usesOf = async (apiKey: string, linkId: string) =>
  setupLinkListSchema
    .parse((await call('GET', '/v1/sso/setup-links', apiKey)).body)
    .setupLinks.find((l) => l.id === linkId)?.uses ?? [];

describe('setup links: admin API', () => {
  it('creates a link: 201, exact shape, sul_ id, gxsetup_ token, default 72 h expiry', async () => {
    const org = await signup(svc.url);
    const res = await call('POST', '/v1/sso/setup-links', org.apiKey, { label: '  Okta rollout  ' });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'label', 'token']);
    const created = setupLinkCreatedSchema.parse(res.body);
    expect(created.id).toMatch(/^sul_/);
    expect(created.token).toMatch(SETUP_LINK_TOKEN_PATTERN);
    expect(created.label).toBe('Okta rollout');
    expect(created.createdAt).toBe(new Date(clock).toISOString());
    expect(Date.parse(created.expiresAt) - Date.parse(created.createdAt)).toBe(72 * HOUR_MS);
    const week = await createLink(org.apiKey, { expiresInHours: 168 });
    expect(week.label).toBeNull();
    expect(Date.parse(week.expiresAt) - clock).toBe(168 * HOUR_MS);
  });

  it('refuses expiries outside 1..168 hours and non-integer hours with a 400 that names the field', async () => {
    const org = await signup(svc.url);
    for (const expiresInHours of [0, 169, 1.5, '24']) {
      const res = await call('POST', '/v1/sso/setup-links', org.apiKey, { expiresInHours });
      expect(res.status, res.text).toBe(400);
      expect(res.body.message).toMatch(/expiresInHours/);
    }
    expect((await call('GET', '/v1/sso/setup-links', org.apiKey)).body).toEqual({ setupLinks: [] });
  });

  it('lists links newest first without tokens, with status and uses; revoke is 204 and idempotent', async () => {
    const org = await signup(svc.url);
    const first = await createLink(org.apiKey, { label: 'first', expiresInHours: 1 });
    clock += 1000;
    const second = await createLink(org.apiKey, { label: 'second' });
    const redeemed = await call('POST', '/v1/sso/setup-links/session', second.token, IT_ADMIN, {
      'user-agent': 'Mozilla/5.0 '.repeat(40),
    });
    expect(redeemed.status, redeemed.text).toBe(201);

    const list = await call('GET', '/v1/sso/setup-links', org.apiKey);
    expect(list.status).toBe(200);
    expect(list.text).not.toContain(first.token);
    expect(list.text).not.toContain(second.token);
    const { setupLinks } = setupLinkListSchema.parse(list.body);
    expect(setupLinks.map((l) => l.id)).toEqual([second.id, first.id]);
    expect(Object.keys((list.body.setupLinks as Record<string, unknown>[])[0] ?? {}).sort()).toEqual([
      'createdAt',
      'createdBy',
      'expiresAt',
      'id',
      'label',
      'revokedAt',
      'status',
      'uses',
    ]);
    expect(setupLinks[0]).toMatchObject({ status: 'active', label: 'second', revokedAt: null });
    expect(setupLinks[0]?.createdBy).toMatch(/^api_key:[A-Za-z0-9_-]{10}$/);
    expect(setupLinks[0]?.uses).toEqual([
      {
        usedAt: new Date(clock).toISOString(),
        name: IT_ADMIN.name,
        email: IT_ADMIN.email,
        userAgent: expect.any(String),
      },
    ]);
    expect(setupLinks[0]?.uses[0]?.userAgent?.length).toBe(200);
    expect(setupLinks[1]?.uses).toEqual([]);

    expect((await call('DELETE', `/v1/sso/setup-links/${first.id}`, org.apiKey)).status).toBe(204);
    const revokedAt = new Date(clock).toISOString();
    clock += 1000;
    expect((await call('DELETE', `/v1/sso/setup-links/${first.id}`, org.apiKey)).status).toBe(204);
    const after = setupLinkListSchema.parse((await call('GET', '/v1/sso/setup-links', org.apiKey)).body).setupLinks;
    expect(after[1]).toMatchObject({ id: first.id, status: 'revoked', revokedAt });
    expectError(await call('DELETE', '/v1/sso/setup-links/sul_unknown', org.apiKey), 404, SETUP_LINK_MESSAGES.notFound);
  });

  it("answers 404 for another org's link on revoke, leaves it usable, and never lists it", async () => {
    const owner = await signup(svc.url);
    const other = await signup(svc.url);
    const link = await createLink(owner.apiKey);
    const unknown = await call('DELETE', '/v1/sso/setup-links/sul_does-not-exist', other.apiKey);
    const cross = await call('DELETE', `/v1/sso/setup-links/${link.id}`, other.apiKey);
    expectError(cross, 404, SETUP_LINK_MESSAGES.notFound);
    expect({ ...cross.body, requestId: null }).toEqual({ ...unknown.body, requestId: null });
    expect((await call('GET', '/v1/sso/setup-links', other.apiKey)).body).toEqual({ setupLinks: [] });
    expect((await call('GET', '/v1/sso/setup-links/preview', link.token)).status).toBe(200);
  });

  it('needs an API key: no credential or a bad key is a 401', async () => {
    expectError(await call('POST', '/v1/sso/setup-links', null, {}), 401, MESSAGES.missingAuth);
    expectError(await call('GET', '/v1/sso/setup-links', 'gx_test_not-a-real-key-000000000'), 401, MESSAGES.invalidKey);
  });
});

describe('setup links: redeeming and expiry', () => {
  it('redeems: a session token of its own, the org and the link, never the key; every use is recorded with its session', async () => {
    const org = await signup(svc.url, { name: 'Customer Corp' });
    const link = await createLink(org.apiKey);
    // The landing page's preview records nothing.
    const preview = await call('GET', '/v1/sso/setup-links/preview', link.token);
    expect(setupLinkSessionSchema.strict().parse(preview.body)).toEqual({
      linkId: link.id,
      developerId: org.developerId,
      organizationName: 'Customer Corp',
      expiresAt: link.expiresAt,
    });
    expect(await usesOf(org.apiKey, link.id)).toEqual([]);

    const res = await call('POST', '/v1/sso/setup-links/session', link.token, IT_ADMIN);
    expect(res.status, res.text).toBe(201);
    const created = setupSessionCreatedSchema.strict().parse(res.body);
    expect(created).toEqual({
      linkId: link.id,
      developerId: org.developerId,
      organizationName: 'Customer Corp',
      expiresAt: link.expiresAt,
      sessionId: expect.stringMatching(/^sus_/),
      sessionExpiresAt: new Date(clock + 8 * HOUR_MS).toISOString(),
      sessionToken: expect.stringMatching(SETUP_SESSION_TOKEN_PATTERN),
    });
    expect(res.text).not.toContain(org.apiKey);
    expect(res.text).not.toContain(link.token);
    // The session token checks out (nothing recorded), and never comes back.
    const { sessionToken, ...session } = created;
    const checked = await call('GET', '/v1/sso/setup-links/session', sessionToken);
    expect(setupSessionSchema.strict().parse(checked.body)).toEqual(session);
    expect(checked.text).not.toContain(sessionToken);

    // A second person redeeming the same link gets their own session and their own recorded use.
    clock += 60_000;
    const second = await redeem(link.token, { name: 'Second Person', email: 'second@customer.example' });
    expect(second.sessionToken).not.toBe(sessionToken);
    expect(second.sessionId).not.toBe(created.sessionId);
    for (const token of [sessionToken, second.sessionToken])
      expect((await call('GET', '/v1/sso/connections', token)).status).toBe(200);
    expect((await usesOf(org.apiKey, link.id)).map((u) => [u.name, u.email, u.usedAt])).toEqual([
      ['Second Person', 'second@customer.example', new Date(clock).toISOString()],
      [IT_ADMIN.name, IT_ADMIN.email, new Date(clock - 60_000).toISOString()],
    ]);
  });

  it('asks for a name and a valid email', async () => {
    const org = await signup(svc.url);
    const link = await createLink(org.apiKey);
    const res = await call('POST', '/v1/sso/setup-links/session', link.token, { name: ' ', email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/name/);
    expect(res.body.message).toMatch(/email/);
  });

  it('refuses unknown, expired and revoked links and their sessions with one 401 message that does not say which', async () => {
    const org = await signup(svc.url);
    const expiring = await createLink(org.apiKey, { expiresInHours: 1 });
    clock += 1;
    const revoked = await createLink(org.apiKey);
    const expiringSession = await redeem(expiring.token);
    const revokedSession = await redeem(revoked.token);
    // A session ends with its link at the latest.
    expect(expiringSession.sessionExpiresAt).toBe(expiring.expiresAt);
    expect((await call('GET', '/v1/sso/connections', expiringSession.sessionToken)).status).toBe(200);
    expect((await call('GET', '/v1/sso/connections', revokedSession.sessionToken)).status).toBe(200);
    expect((await call('DELETE', `/v1/sso/setup-links/${revoked.id}`, org.apiKey)).status).toBe(204);
    clock += HOUR_MS - 2;
    expect((await call('GET', '/v1/sso/connections', expiringSession.sessionToken)).status).toBe(200);
    clock += 1;
    const unknownLink = `gxsetup_${'A'.repeat(43)}`;
    const unknownSession = `gxsetupsess_${'A'.repeat(43)}`;
    const answers: Record<string, unknown>[] = [];
    const calls = (token: string) =>
      token.startsWith('gxsetupsess_')
        ? ([
            ['GET', '/v1/sso/setup-links/session'],
            ['GET', '/v1/sso/connections'],
            ['POST', '/v1/sso/connections', OIDC],
          ] as const)
        : ([
            ['POST', '/v1/sso/setup-links/session', IT_ADMIN],
            ['GET', '/v1/sso/setup-links/preview'],
          ] as const);
    for (const token of [
      unknownLink,
      expiring.token,
      revoked.token,
      unknownSession,
      expiringSession.sessionToken,
      revokedSession.sessionToken,
    ]) {
      for (const [method, path, body] of calls(token)) {
        const res = await call(method, path, token, body);
        expectError(res, 401, SETUP_LINK_MESSAGES.invalid);
        answers.push({ ...res.body, requestId: null });
      }
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // A refused redemption records nothing: one use each, from before.
    const listed = setupLinkListSchema.parse((await call('GET', '/v1/sso/setup-links', org.apiKey)).body).setupLinks;
    expect(listed.map((l) => [l.status, l.uses.length])).toEqual([
      ['revoked', 1],
      ['expired', 1],
    ]);
  });

  it('a session lasts 8 hours at most: then it is refused while the link still redeems', async () => {
    const org = await signup(svc.url);
    const link = await createLink(org.apiKey, { expiresInHours: 72 });
    const session = await redeem(link.token);
    expect(Date.parse(session.sessionExpiresAt) - clock).toBe(8 * HOUR_MS);
    clock += 8 * HOUR_MS - 1;
    expect((await call('GET', '/v1/sso/connections', session.sessionToken)).status).toBe(200);
    clock += 1;
    expectError(await call('GET', '/v1/sso/connections', session.sessionToken), 401, SETUP_LINK_MESSAGES.invalid);
    expectError(
      await call('GET', '/v1/sso/setup-links/session', session.sessionToken),
      401,
      SETUP_LINK_MESSAGES.invalid,
    );
    const again = await redeem(link.token);
    expect((await call('GET', '/v1/sso/connections', again.sessionToken)).status).toBe(200);
    expect(await usesOf(org.apiKey, link.id)).toHaveLength(2);
  });
});

describe('setup links: the link token is exchanged, never an API credential', () => {
  const API_CALLS = [
    ['GET', '/v1/sso/connections'],
    ['POST', '/v1/sso/connections', OIDC],
    ['GET', '/v1/sso/setup-links/session'],
    ['POST', '/v1/sso/domains', { domain: 'link-token.example' }],
    ['GET', '/v1/me'],
    ['GET', '/v1/sso/setup-links'],
  ] as const;

  it('refuses the raw link token as a Bearer with a 403 that says to redeem it, before and after redemption', async () => {
    const org = await signup(svc.url);
    const link = await createLink(org.apiKey);
    const before: Record<string, unknown>[] = [];
    for (const [method, path, body] of API_CALLS) {
      const res = await call(method, path, link.token, body);
      expectError(res, 403, SETUP_LINK_MESSAGES.linkTokenNotAccepted);
      expect(res.body.code).toBe('FORBIDDEN');
      before.push({ ...res.body, requestId: null });
    }
    // Nothing was recorded or created by those calls.
    expect(await usesOf(org.apiKey, link.id)).toEqual([]);
    expect((await call('GET', '/v1/sso/connections', org.apiKey)).body.connections).toEqual([]);

    const session = await redeem(link.token);
    for (const [method, path, body] of API_CALLS) {
      const res = await call(method, path, link.token, body);
      expectError(res, 403, SETUP_LINK_MESSAGES.linkTokenNotAccepted);
    }
    // The session token works where the link token is refused.
    const created = await call('POST', '/v1/sso/connections', session.sessionToken, OIDC);
    expect(created.status, created.text).toBe(201);
    expect((await call('GET', '/v1/sso/connections', session.sessionToken)).body.connections).toHaveLength(1);
    expect(before.every((b) => JSON.stringify(b) === JSON.stringify(before[0]))).toBe(true);
  });

  it('revoking the link ends every session it opened on the next request', async () => {
    const org = await signup(svc.url);
    const link = await createLink(org.apiKey);
    const first = await redeem(link.token);
    const second = await redeem(link.token, { name: 'Other IT', email: 'other@customer.example' });
    const connection = await call('POST', '/v1/sso/connections', first.sessionToken, OIDC);
    expect(connection.status, connection.text).toBe(201);
    expect((await call('DELETE', `/v1/sso/setup-links/${link.id}`, org.apiKey)).status).toBe(204);
    for (const { sessionToken } of [first, second]) {
      expectError(await call('GET', '/v1/sso/setup-links/session', sessionToken), 401, SETUP_LINK_MESSAGES.invalid);
      expectError(
        await call('PATCH', `/v1/sso/connections/${String(connection.body.id)}`, sessionToken, {
          name: 'After revoke',
        }),
        401,
        SETUP_LINK_MESSAGES.invalid,
      );
    }
    expect((await call('GET', `/v1/sso/connections/${String(connection.body.id)}`, org.apiKey)).body.name).toBe(
      OIDC.name,
    );
  });

  it('an attacker holding an old or revoked link gets no session, no use and no access', async () => {
    const org = await signup(svc.url);
    const revoked = await createLink(org.apiKey);
    const expired = await createLink(org.apiKey, { expiresInHours: 1 });
    // The IT admin used both legitimately.
    const legit = await redeem(revoked.token);
    await redeem(expired.token);
    expect((await call('DELETE', `/v1/sso/setup-links/${revoked.id}`, org.apiKey)).status).toBe(204);
    clock += HOUR_MS;
    const attacker = { name: 'Mallory', email: 'mallory@evil.example' };
    for (const token of [revoked.token, expired.token]) {
      const redeemed = await call('POST', '/v1/sso/setup-links/session', token, attacker);
      expectError(redeemed, 401, SETUP_LINK_MESSAGES.invalid);
      expect(redeemed.text).not.toMatch(/gxsetupsess_/);
      expectError(await call('GET', '/v1/sso/setup-links/preview', token), 401, SETUP_LINK_MESSAGES.invalid);
      expectError(
        await call('POST', '/v1/sso/connections', token, OIDC),
        403,
        SETUP_LINK_MESSAGES.linkTokenNotAccepted,
      );
    }
    // A session opened before the revocation is dead too.
    expectError(await call('POST', '/v1/sso/connections', legit.sessionToken, OIDC), 401, SETUP_LINK_MESSAGES.invalid);
    expect((await call('GET', '/v1/sso/connections', org.apiKey)).body.connections).toEqual([]);
    for (const link of [revoked, expired]) {
      expect((await usesOf(org.apiKey, link.id)).map((u) => u.name)).toEqual([IT_ADMIN.name]);
    }
  });

  it('a session token is not a link: it cannot preview or redeem (no session from a session)', async () => {
    const org = await signup(svc.url);
    const link = await createLink(org.apiKey);
    const session = await redeem(link.token);
    expectError(
      await call('POST', '/v1/sso/setup-links/session', session.sessionToken, IT_ADMIN),
      401,
      SETUP_LINK_MESSAGES.invalid,
    );
    expectError(
      await call('GET', '/v1/sso/setup-links/preview', session.sessionToken),
      401,
      SETUP_LINK_MESSAGES.invalid,
    );
    expectError(await call('GET', '/v1/sso/setup-links/session', org.apiKey), 401, SETUP_LINK_MESSAGES.invalid);
    expect(await usesOf(org.apiKey, link.id)).toHaveLength(1);
  });
});

describe('setup links: what a setup session may do', () => {
  it("CRUDs this org's connections, sees only this org's, and gets 404 for another org's connection", async () => {
    const org = await signup(svc.url);
    const other = await signup(svc.url);
    const theirs = (await call('POST', '/v1/sso/connections', other.apiKey, OIDC)).body;
    const { sessionToken: token } = await redeem((await createLink(org.apiKey)).token);

    const created = await call('POST', '/v1/sso/connections', token, OIDC);
    expect(created.status, created.text).toBe(201);
    expect(created.body.developerId).toBe(org.developerId);
    expect(created.text).not.toContain(OIDC.clientSecret);
    const path = `/v1/sso/connections/${String(created.body.id)}`;
    expect((await call('GET', path, token)).body).toEqual(created.body);
    expect((await call('PATCH', path, token, { name: 'Okta (prod)' })).body.name).toBe('Okta (prod)');
    expect((await call('GET', '/v1/sso/connections', token)).body.connections).toHaveLength(1);
    // The org's admin sees what the IT admin configured.
    expect((await call('GET', path, org.apiKey)).body.name).toBe('Okta (prod)');

    const theirPath = `/v1/sso/connections/${String(theirs.id)}`;
    for (const [method, body] of [['GET'], ['PATCH', { name: 'Mine now' }]] as const) {
      expectError(await call(method, theirPath, token, body), 404, MESSAGES.connectionNotFound);
    }
    expect((await call('GET', theirPath, other.apiKey)).body).toEqual(theirs);
    // Removing a connection is the org's own call, for its connections and anyone else's alike.
    for (const target of [path, theirPath])
      expectError(await call('DELETE', target, token), 403, SETUP_LINK_MESSAGES.notAllowed);
    expect((await call('GET', path, org.apiKey)).status).toBe(200);
    expect((await call('DELETE', path, org.apiKey)).status).toBe(204);
  });

  it('is refused with a 403 that says what the link is for on config, me, setup links and the setup-links API', async () => {
    const org = await signup(svc.url);
    const { id, token: linkToken } = await createLink(org.apiKey);
    const { sessionToken: token } = await redeem(linkToken);
    for (const [method, path, body] of [
      ['GET', '/v1/me'],
      ['GET', '/v1/sso/config'],
      [
        'POST',
        '/v1/sso/config',
        { issuerUrl: OIDC.issuerUrl, clientId: 'c', clientSecret: 's', redirectUri: OIDC.redirectUri },
      ],
      ['DELETE', '/v1/sso/config'],
      ['GET', '/v1/sso/setup-links'],
      ['POST', '/v1/sso/setup-links', {}],
      ['DELETE', `/v1/sso/setup-links/${id}`],
    ] as const) {
      const res = await call(method, path, token, body);
      expectError(res, 403, SETUP_LINK_MESSAGES.notAllowed);
      expect(res.body.code).toBe('FORBIDDEN');
    }
    // The link was not revoked by its own holder, and no link was created by it.
    const listed = setupLinkListSchema.parse((await call('GET', '/v1/sso/setup-links', org.apiKey)).body).setupLinks;
    expect(listed.map((l) => [l.id, l.status])).toEqual([[id, 'active']]);
  });

  it('works through the GrantexClient: admin creates, the setup client redeems and configures, then is refused after revoke', async () => {
    const org = await signup(svc.url, { name: 'Client Corp' });
    const admin = new GrantexClient({ baseUrl: svc.url, apiKey: org.apiKey, retries: 0 });
    const created = await admin.sso.setupLinks.create({ expiresInHours: 24, label: 'via client' });
    const link = new GrantexClient({ baseUrl: svc.url, apiKey: created.token, retries: 0 });
    expect(await link.sso.setupLinks.preview()).toMatchObject({ linkId: created.id, organizationName: 'Client Corp' });
    const redeemed = await link.sso.setupLinks.redeem(IT_ADMIN);
    expect(redeemed).toMatchObject({ linkId: created.id, organizationName: 'Client Corp' });
    await expect(link.sso.connections.list()).rejects.toMatchObject({
      kind: 'unauthorized',
      status: 403,
      message: SETUP_LINK_MESSAGES.linkTokenNotAccepted,
    });
    const setup = new GrantexClient({ baseUrl: svc.url, apiKey: redeemed.sessionToken, retries: 0 });
    expect(await setup.sso.setupLinks.getSession()).toMatchObject({
      sessionId: redeemed.sessionId,
      organizationName: 'Client Corp',
    });
    const connection = await setup.sso.connections.create({ ...OIDC, protocol: 'oidc' });
    expect(await setup.sso.connections.list()).toEqual([connection]);
    await expect(setup.orgs.me()).rejects.toMatchObject({ kind: 'unauthorized', status: 403, code: 'FORBIDDEN' });
    expect((await admin.sso.setupLinks.list())[0]).toMatchObject({
      id: created.id,
      label: 'via client',
      status: 'active',
    });
    await admin.sso.setupLinks.revoke(created.id);
    const refused = await setup.sso.connections.get(connection.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GrantexError);
    expect(refused).toMatchObject({ kind: 'unauthorized', status: 401, message: SETUP_LINK_MESSAGES.invalid });
    await expect(setup.sso.setupLinks.getSession()).rejects.toMatchObject({ status: 401 });
  });
});

describe('setup links: storage', () => {
  it("stores only the tokens' hashes: neither the link token nor the session token is in the database bytes", async () => {
    const local = await startTestService();
    const tokens: string[] = [];
    try {
      const org = await signup(local.url);
      for (let i = 0; i < 3; i++) {
        const res = await fetch(
          `${local.url}/v1/sso/setup-links`,
          authed(org.apiKey, { method: 'POST', body: JSON.stringify({ label: `scan-label-${i}` }) }),
        );
        tokens.push(setupLinkCreatedSchema.parse(await res.json()).token);
      }
      const redeemed = await fetch(
        `${local.url}/v1/sso/setup-links/session`,
        authed(tokens[0] ?? '', { method: 'POST', body: JSON.stringify(IT_ADMIN) }),
      );
      expect(redeemed.status).toBe(201);
      // The session token is a credential too: stored as its hash only.
      tokens.push(setupSessionCreatedSchema.parse(await redeemed.json()).sessionToken);
    } finally {
      await local.close();
    }
    const bytes = await databaseBytes(local);
    for (const token of tokens) {
      expect(bytes.includes(Buffer.from(token))).toBe(false);
      expect(bytes.includes(Buffer.from(token.slice(token.indexOf('_') + 1)))).toBe(false);
      expect(bytes.includes(Buffer.from(Buffer.from(token).toString('hex')))).toBe(false);
    }
    // Sanity check that the scan can see stored text at all.
    expect(bytes.includes(Buffer.from('scan-label-1'))).toBe(true);
    expect(bytes.includes(Buffer.from(IT_ADMIN.email))).toBe(true);
  });
});
