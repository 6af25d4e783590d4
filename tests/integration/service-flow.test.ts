/**
 * The whole legacy SSO flow through the real relying party and the real dev IdP:
 * signup → save config → /sso/login → IdP login form → /sso/callback → identity.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, ssoCallbackResponseSchema, ssoLoginResponseSchema } from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { startSsoService } from '@/lib/sso-service';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { testDatabaseOptions } from '@/tests/support/test-database';
import { json, saveConfig, signup } from './service-harness';

const REDIRECT_URI = 'http://localhost:3000/sso/callback';

let idp: DevIdp;
let service: { url: string; close(): Promise<void> };
let org: { developerId: string; apiKey: string };

beforeAll(async () => {
  idp = await startDevIdp({ port: 0, redirectUris: [REDIRECT_URI] });
  service = await startSsoService({
    host: '127.0.0.1',
    port: 0,
    devMode: true,
    dataDir: mkdtempSync(path.join(tmpdir(), 'gx-flow-')),
    rateLimit: { enabled: false, signupPerMin: 1, loginPerMin: 1, callbackPerMin: 1 },
    ...(await testDatabaseOptions()),
    logger: () => {},
  });
  org = await signup(service.url, { name: 'Flow Co' });
  const saved = await saveConfig(service.url, org.apiKey, {
    issuerUrl: idp.issuer,
    clientId: idp.client.clientId,
    clientSecret: idp.client.clientSecret,
    redirectUri: REDIRECT_URI,
  });
  expect(saved.status).toBe(201);
});
afterAll(async () => {
  await service?.close();
  await idp?.close();
});

async function beginLogin() {
  const res = await fetch(`${service.url}/sso/login?org=${org.developerId}`);
  expect(res.status).toBe(200);
  return ssoLoginResponseSchema.parse(await res.json());
}

function callbackUrl(redirect: URL, override: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const name of ['code', 'state', 'iss']) {
    const value = override[name] ?? redirect.searchParams.get(name);
    if (value) q.set(name, value);
  }
  return `${service.url}/sso/callback?${q}`;
}

describe('SSO flow through the dev IdP', () => {
  it('alice signs in; the authorization request carries state, nonce, S256 PKCE and the exact redirect URI', async () => {
    const login = await beginLogin();
    const authorize = new URL(login.authorizeUrl);
    expect(authorize.origin).toBe(new URL(idp.issuer).origin);
    expect(authorize.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('scope')).toBe('openid email profile');

    const redirect = await loginAtDevIdp(login.authorizeUrl, { username: 'alice', password: 'alice-password' });
    expect(redirect.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    const res = await fetch(callbackUrl(redirect));
    expect(res.status).toBe(200);
    const identity = ssoCallbackResponseSchema.parse(await res.json());
    expect(identity).toMatchObject({
      developerId: org.developerId,
      email: 'alice@example.com',
      name: 'Alice Anderson',
    });
    expect(identity.sub).toBeTruthy();

    // The same code and state again: refused by the single-use state before the IdP is asked.
    const replay = await fetch(callbackUrl(redirect));
    expect(replay.status).toBe(400);
    expect((await json(replay)).message).toBe(MESSAGES.stateExpiredOrUsed);
  });

  it('a wrong iss in the authorization response fails, and a retry repeats that failure', async () => {
    const login = await beginLogin();
    const redirect = await loginAtDevIdp(login.authorizeUrl, { username: 'bob', password: 'bob-password' });
    const url = callbackUrl(redirect, { iss: 'https://attacker.example' });
    const first = await fetch(url);
    expect(first.status).toBe(400);
    const body = await json(first);
    expect(body.code).toBe('SSO_ERROR');
    const retry = await fetch(url);
    expect(retry.status).toBe(400);
    expect(await json(retry)).toMatchObject({ code: 'SSO_ERROR', message: body.message });
  });

  it('a state from one login cannot be paired with the code of another', async () => {
    const a = await beginLogin();
    const b = await beginLogin();
    const redirectA = await loginAtDevIdp(a.authorizeUrl, { username: 'alice', password: 'alice-password' });
    const stateB = new URL(b.authorizeUrl).searchParams.get('state') ?? '';
    const res = await fetch(callbackUrl(redirectA, { state: stateB }));
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await json(res)).code).toBe('SSO_ERROR');
  });
});
