/**
 * Rate limits that cannot be turned against a tenant (the real service, SQLite or PostgreSQL, and the dev IdP).
 *
 * The console calls the public endpoints for members' browsers, so by the socket every member is the console.
 * It names the member's address in X-Grantex-Client-Address, proven by X-Grantex-Console-Secret. These tests
 * play the console (same loopback socket for everyone, different named addresses) and an attacker who reaches
 * the service directly, and show that:
 * - a flood naming org X from one address leaves a member of X at another address signing in, all the way
 *   through the dev IdP;
 * - the address header without the secret (or with a wrong one) is ignored: a client cannot choose its bucket;
 * - a flood of IdP-initiated SAML posts at one connection leaves another org's connection alone;
 * - the service is production-strict unless development mode is asked for, and sends HSTS on https.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoConnectionSchema, ssoLoginResponseSchema, ssoSessionCallbackResponseSchema } from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { loadServiceConfig, ServiceConfigError, startSsoService, type RunningSsoService } from '@/lib/sso-service';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { form, kitConnectionFields, signedResponse } from '@/tests/support/saml-kit';
import { signupOrg, startLocalSsoService } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

const CONSOLE_SECRET = 'tenant-limits-console-secret-0123456789abcdef';
const LIMIT = 4;
const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const ALICE = { username: 'alice', password: 'alice-password' };

let idp: DevIdp;
let service: RunningSsoService;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'gx-tenant-limits-'));
  idp = await startDevIdp({ port: 0, host: '127.0.0.1', redirectUris: [REDIRECT_URI] });
  service = await startLocalSsoService(dataDir, {
    ...(await testDatabaseOptions()),
    consoleSecret: CONSOLE_SECRET,
    rateLimit: { enabled: true, signupPerMin: 1000, loginPerMin: LIMIT, callbackPerMin: LIMIT },
  });
});
afterAll(async () => {
  await service?.close();
  await idp?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Headers of a call the console makes for the browser at `address`. */
const viaConsole = (address: string, secret = CONSOLE_SECRET) => ({
  'x-grantex-client-address': address,
  'x-grantex-console-secret': secret,
});

async function get(urlPath: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}${urlPath}`, { headers });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function postForm(urlPath: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${service.url}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** An org whose default connection is the dev IdP. */
async function oidcOrg() {
  const org = await signupOrg(service.url);
  await org.client.sso.createConfig({
    issuerUrl: idp.issuer,
    clientId: idp.client.clientId,
    clientSecret: idp.client.clientSecret,
    redirectUri: REDIRECT_URI,
  });
  return org;
}

/** Sends requests until one is refused with 429 (at most LIMIT + 2); returns how many were sent. */
async function floodUntilLimited(send: () => Promise<{ status: number }>): Promise<number> {
  for (let i = 1; i <= LIMIT + 2; i += 1) {
    if ((await send()).status === 429) return i;
  }
  throw new Error('the flood was never limited');
}

describe('a flood naming an org cannot lock its members out', () => {
  it('one address floods /sso/login and /sso/connections for org X; a member of X at another address signs in through the dev IdP', async () => {
    const org = await oidcOrg();
    const attacker = viaConsole('203.0.113.66');
    const member = viaConsole('198.51.100.7');

    expect(await floodUntilLimited(() => get(`/sso/login?org=${org.developerId}`, attacker))).toBe(LIMIT + 1);
    expect(await floodUntilLimited(() => get(`/sso/connections?org=${org.developerId}`, attacker))).toBeLessThanOrEqual(
      LIMIT + 1,
    );
    expect((await get(`/sso/login?org=${org.developerId}`, attacker)).status).toBe(429);

    // The member, behind the same console (the same socket address), is untouched by the flood.
    expect((await get(`/sso/connections?org=${org.developerId}`, member)).status).toBe(200);
    const login = await get(`/sso/login?org=${org.developerId}`, member);
    expect(login.status, login.text).toBe(200);
    const back = await loginAtDevIdp(ssoLoginResponseSchema.parse(login.json).authorizeUrl, ALICE);
    const code = back.searchParams.get('code');
    const state = back.searchParams.get('state');
    expect(code && state).toBeTruthy();
    // The dev IdP advertises RFC 9207 `iss`, so the callback forwards it.
    const iss = back.searchParams.get('iss') ?? '';
    const session = await postForm(
      '/sso/callback/oidc',
      { code: code!, state: state!, iss, redirect_uri: REDIRECT_URI },
      member,
    );
    expect(session.status, session.text).toBe(200);
    expect(ssoSessionCallbackResponseSchema.parse(session.json)).toMatchObject({
      developerId: org.developerId,
      email: 'alice@example.com',
    });
  });

  it('a flood of sign-ins by email for a domain from one address leaves that domain to other addresses', async () => {
    const attacker = viaConsole('203.0.113.67');
    expect(await floodUntilLimited(() => get('/sso/login?domain=flooded.example', attacker))).toBe(LIMIT + 1);
    // Not configured anywhere: 404, not 429 — the other address is still answered.
    expect((await get('/sso/login?domain=flooded.example', viaConsole('198.51.100.8'))).status).toBe(404);
  });
});

describe('only the console can name an address', () => {
  it('X-Grantex-Client-Address without the secret, or with a wrong one, is ignored: rotating it buys no fresh bucket', async () => {
    const org = await oidcOrg();
    let n = 0;
    const spoofed = () => ({ 'x-grantex-client-address': `192.0.2.${++n}` });
    const wrongSecret = () => viaConsole(`192.0.2.${++n}`, `${CONSOLE_SECRET.slice(0, -1)}x`);
    // Every request names a new address, but they all land in the socket's bucket.
    expect(
      await floodUntilLimited(() => get(`/sso/login?org=${org.developerId}`, n % 2 ? spoofed() : wrongSecret())),
    ).toBe(LIMIT + 1);
    expect((await get(`/sso/login?org=${org.developerId}`, spoofed())).status).toBe(429);
    expect((await get(`/sso/login?org=${org.developerId}`, wrongSecret())).status).toBe(429);
    expect(
      (await get(`/sso/login?org=${org.developerId}`, { 'x-grantex-console-secret': CONSOLE_SECRET })).status,
    ).toBe(429);
    // The console, naming a member's address with the secret, still gets through for that member.
    expect((await get(`/sso/login?org=${org.developerId}`, viaConsole('198.51.100.9'))).status).toBe(200);
  });

  it('an unparsable named address falls back to the socket address (no bucket per made-up string)', async () => {
    const org = await oidcOrg();
    let n = 0;
    expect(
      await floodUntilLimited(() => get(`/sso/login?org=${org.developerId}`, viaConsole(`not-an-ip-${++n}`))),
    ).toBe(LIMIT + 1);
  });
});

describe('IdP-initiated SAML posts are bucketed per connection and address', () => {
  async function samlOrg() {
    const org = await signupOrg(service.url);
    const res = await fetch(`${service.url}/v1/sso/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'SAML',
        protocol: 'saml',
        ...kitConnectionFields(),
        jitProvisioning: true,
        allowIdpInitiated: true,
      }),
    });
    expect(res.status).toBe(201);
    return { org, connection: ssoConnectionSchema.parse(await res.json()) };
  }

  it('a flood at one connection leaves another org’s connection signing in, from the same address', async () => {
    const flooded = await samlOrg();
    const other = await samlOrg();
    const address = viaConsole('203.0.113.70');
    const junk = { SAMLResponse: Buffer.from('<not-a-response/>').toString('base64') };
    expect(
      await floodUntilLimited(() => postForm(`/sso/callback/saml?connection=${flooded.connection.id}`, junk, address)),
    ).toBe(LIMIT + 1);
    // The flooded connection is limited for that address only …
    expect((await postForm(`/sso/callback/saml?connection=${flooded.connection.id}`, junk, address)).status).toBe(429);
    // … the other org's connection still opens a session for a real IdP-initiated post from the same address.
    const ok = await postForm(
      `/sso/callback/saml?connection=${other.connection.id}`,
      { SAMLResponse: form(signedResponse({ requestId: null })) },
      address,
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ssoSessionCallbackResponseSchema.parse(ok.json).developerId).toBe(other.org.developerId);
    // And a member at another address still gets through on the flooded connection itself.
    const again = await postForm(
      `/sso/callback/saml?connection=${flooded.connection.id}`,
      { SAMLResponse: form(signedResponse({ requestId: null })) },
      viaConsole('198.51.100.70'),
    );
    expect(again.status, again.text).toBe(200);
  });
});

describe('SP-initiated SAML posts (RelayState handle) are bucketed per org and address', () => {
  it('a flood of one org’s handle and of forged handles leaves another org’s member at the same address signing in', async () => {
    const orgConnection = async () => {
      const org = await signupOrg(service.url);
      const c = await org.client.sso.connections.create({
        name: 'SAML',
        protocol: 'saml',
        ...kitConnectionFields(),
        jitProvisioning: true,
      } as Parameters<typeof org.client.sso.connections.create>[0]);
      return { org, c };
    };
    const flooded = await orgConnection();
    const other = await orgConnection();
    const address = viaConsole('203.0.113.71');
    const start = async ({ org, c }: Awaited<ReturnType<typeof orgConnection>>) => {
      const res = await get(`/sso/login?org=${org.developerId}&connection=${c.id}`, address);
      expect(res.status, res.text).toBe(200);
      const url = new URL(ssoLoginResponseSchema.parse(res.json).authorizeUrl);
      const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest')!, 'base64')).toString('utf8');
      return { relayState: url.searchParams.get('RelayState')!, requestId: /\sID="([^"]+)"/.exec(xml)![1]! };
    };
    const floodedLogin = await start(flooded);
    const junk = Buffer.from('<not-a-response/>').toString('base64');
    expect(
      await floodUntilLimited(() =>
        postForm('/sso/callback/saml', { SAMLResponse: junk, RelayState: floodedLogin.relayState }, address),
      ),
    ).toBe(LIMIT + 1);
    // Forged handles share one bucket per address (no org can be read from them).
    await floodUntilLimited(() =>
      postForm('/sso/callback/saml', { SAMLResponse: junk, RelayState: `rs1.${'x'.repeat(40)}` }, address),
    );
    const otherLogin = await start(other);
    const ok = await postForm(
      '/sso/callback/saml',
      { SAMLResponse: form(signedResponse({ requestId: otherLogin.requestId })), RelayState: otherLogin.relayState },
      address,
    );
    expect(ok.status, ok.text).toBe(200);
    expect(ssoSessionCallbackResponseSchema.parse(ok.json).developerId).toBe(other.org.developerId);
  });
});

describe('development mode only when asked for', () => {
  it('loadServiceConfig({}) is strict; NODE_ENV=development or GRANTEX_DEV_MODE=true turn development mode on', () => {
    expect(loadServiceConfig({}).devMode).toBe(false);
    expect(loadServiceConfig({ NODE_ENV: 'test' }).devMode).toBe(false);
    expect(loadServiceConfig({ NODE_ENV: 'staging' }).devMode).toBe(false);
    expect(loadServiceConfig({ NODE_ENV: 'development' }).devMode).toBe(true);
    expect(loadServiceConfig({ GRANTEX_DEV_MODE: 'true' }).devMode).toBe(true);
    expect(loadServiceConfig({ NODE_ENV: 'development', GRANTEX_DEV_MODE: 'false' }).devMode).toBe(false);
    expect(loadServiceConfig({ GRANTEX_CONSOLE_SECRET: CONSOLE_SECRET }).consoleSecret).toBe(CONSOLE_SECRET);
  });

  it('a service started from an environment without NODE_ENV refuses to start without each secret, naming it', async () => {
    const base = { ...loadServiceConfig({}), host: '127.0.0.1', port: 0, logLevel: 'silent' as const };
    const stateSecret = 's'.repeat(40);
    const encryptionKey = Buffer.alloc(32, 5).toString('base64url');
    const cases: Array<[Record<string, string | undefined>, string]> = [
      [{}, 'GRANTEX_STATE_SECRET'],
      [{ stateSecret }, 'GRANTEX_ENCRYPTION_KEY'],
      [{ stateSecret, encryptionKey }, 'GRANTEX_CONSOLE_SECRET'],
    ];
    for (const [secrets, variable] of cases) {
      const dir = await mkdtemp(path.join(tmpdir(), 'gx-strict-'));
      const err = await startSsoService({
        ...base,
        dataDir: dir,
        dbPath: path.join(dir, 'grantex.db'),
        postgres: undefined,
        ...secrets,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceConfigError);
      expect((err as Error).message).toContain(variable);
      expect((err as Error).message).not.toContain(stateSecret);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('HSTS on the service', () => {
  it('is sent when the public URL is https, not otherwise', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gx-hsts-'));
    const https = await startLocalSsoService(dir, { publicUrl: 'https://sso.example.test' });
    try {
      const res = await fetch(`${https.url}/health`);
      expect(res.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
      const missing = await fetch(`${https.url}/no-such-route`);
      expect(missing.headers.get('strict-transport-security')).toBe('max-age=63072000; includeSubDomains');
    } finally {
      await https.close();
      await rm(dir, { recursive: true, force: true });
    }
    expect((await fetch(`${service.url}/health`)).headers.get('strict-transport-security')).toBeNull();
  });
});

describe('SCIM: each token is its own bucket', () => {
  it("a flood with one org's token gets SCIM 429s; another org's token keeps provisioning", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'gx-scim-limits-'));
    const limited = await startLocalSsoService(dir, {
      ...(await testDatabaseOptions()),
      rateLimit: { enabled: true, signupPerMin: 1000, loginPerMin: 1000, callbackPerMin: 1000, scimPerMin: LIMIT },
    });
    try {
      const tokenOf = async (name: string) => {
        const org = await signupOrg(limited.url, name);
        return (await org.client.scim.createToken({ label: name })).token;
      };
      const [flooder, victim] = await Promise.all([tokenOf('Flooder'), tokenOf('Victim')]);
      const list = (token: string) =>
        fetch(`${limited.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } });
      const statuses: number[] = [];
      for (let i = 0; i < LIMIT * 2; i++) statuses.push((await list(flooder)).status);
      expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(200));
      expect(statuses.slice(LIMIT)).toEqual(Array(LIMIT).fill(429));
      const refused = await list(flooder);
      expect(refused.headers.get('content-type')).toContain('application/scim+json');
      expect(await refused.json()).toMatchObject({
        status: '429',
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      });
      // Same socket, same address: the victim's token is a bucket of its own.
      expect((await list(victim)).status).toBe(200);
      const created = await fetch(`${limited.url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${victim}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({ userName: 'still@works.example' }),
      });
      expect(created.status).toBe(201);
    } finally {
      await limited.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
