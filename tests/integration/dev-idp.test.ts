import * as oidc from 'openid-client';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIdpOptionsFromEnv, startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { CookieJar, DevIdpLoginError, loginAtDevIdp } from '@/tests/support/idp-login';

const REDIRECT_URI = 'http://localhost:3000/sso/callback';

let idp: DevIdp;

beforeAll(async () => {
  idp = await startDevIdp({ port: 0, redirectUris: [REDIRECT_URI] });
});
afterAll(async () => {
  await idp?.close();
});

async function rpConfig(auth: 'basic' | 'post', secret = idp.client.clientSecret) {
  const config = await oidc.discovery(
    new URL(idp.issuer),
    idp.client.clientId,
    undefined,
    auth === 'basic' ? oidc.ClientSecretBasic(secret) : oidc.ClientSecretPost(secret),
    { execute: [oidc.allowInsecureRequests] },
  );
  // openid-client skips signature checks on token-endpoint ID tokens unless asked; we want them proven.
  oidc.enableNonRepudiationChecks(config);
  return config;
}

async function startLogin(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
    ...extra,
  });
  return { url, verifier, nonce, state };
}

describe('dev IdP', () => {
  it('binds an ephemeral port and serves a matching discovery document', async () => {
    expect(idp.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(idp.issuer).not.toMatch(/:3002$/);
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(idp.issuer);
    expect(doc.token_endpoint_auth_methods_supported).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(doc.code_challenge_methods_supported).toContain('S256');
    expect(doc.response_types_supported).toEqual(['code']);
    expect(doc.id_token_signing_alg_values_supported).toContain('RS256');
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'email', 'profile']));
    const jwks = (await (await fetch(String(doc.jwks_uri))).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(typeof jwks.keys[0]?.kid).toBe('string');
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('seeds the documented client and demo users', () => {
    expect(idp.client).toEqual({
      clientId: 'grantex-console',
      clientSecret: 'dev-only-secret:change%me+now',
      redirectUris: [REDIRECT_URI],
    });
    expect(idp.users.map((u) => [u.username, u.password, u.email, u.name])).toEqual([
      ['alice', 'alice-password', 'alice@example.com', 'Alice Anderson'],
      ['bob', 'bob-password', 'bob@example.com', 'Bob Brown'],
    ]);
  });

  it('runs the full code flow with PKCE, nonce and client_secret_basic (special-character secret)', async () => {
    const config = await rpConfig('basic');
    const login = await startLogin(config);
    const callback = await loginAtDevIdp(login.url.href, { username: 'alice', password: 'alice-password' });
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('state')).toBe(login.state);
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    expect(callback.searchParams.get('code')).toBeTruthy();

    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: login.verifier,
      expectedNonce: login.nonce,
      expectedState: login.state,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    const alice = idp.users.find((u) => u.username === 'alice');
    expect(claims).toMatchObject({
      iss: idp.issuer,
      aud: 'grantex-console',
      sub: alice?.sub,
      email: 'alice@example.com',
      email_verified: true,
      name: 'Alice Anderson',
      nonce: login.nonce,
    });
    const header = JSON.parse(Buffer.from(tokens.id_token!.split('.')[0]!, 'base64url').toString()) as Record<
      string,
      string
    >;
    expect(header.alg).toBe('RS256');
    expect(header.kid).toBeTruthy();

    // Codes are single use.
    await expect(
      oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: login.verifier,
        expectedNonce: login.nonce,
        expectedState: login.state,
      }),
    ).rejects.toThrow();
  });

  it('accepts client_secret_post and keeps subjects stable per user', async () => {
    const config = await rpConfig('post');
    const subs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const login = await startLogin(config);
      const callback = await loginAtDevIdp(login.url.href, { username: 'bob', password: 'bob-password' });
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: login.verifier,
        expectedNonce: login.nonce,
        expectedState: login.state,
      });
      expect(tokens.claims()).toMatchObject({ email: 'bob@example.com', name: 'Bob Brown' });
      subs.push(tokens.claims()!.sub);
    }
    expect(subs[0]).toBe(subs[1]);
    expect(subs[0]).toBe(idp.users.find((u) => u.username === 'bob')?.sub);
  });

  it('asks again on the next login in the same browser, so users can switch', async () => {
    const config = await rpConfig('basic');
    const jar = new CookieJar();
    const subs: string[] = [];
    for (const [username, password] of [
      ['alice', 'alice-password'],
      ['bob', 'bob-password'],
    ] as const) {
      const login = await startLogin(config);
      const callback = await loginAtDevIdp(login.url.href, { username, password }, { jar });
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: login.verifier,
        expectedNonce: login.nonce,
        expectedState: login.state,
      });
      subs.push(tokens.claims()!.sub);
    }
    expect(subs).toEqual(idp.users.map((u) => u.sub));
  });

  it('rejects a wrong client secret and a Basic header that is not form-encoded (RFC 6749 §2.3.1)', async () => {
    const wrong = await rpConfig('basic', 'dev-only-secret:change%me+later');
    const login = await startLogin(wrong);
    const callback = await loginAtDevIdp(login.url.href, { username: 'alice', password: 'alice-password' });
    await expect(
      oidc.authorizationCodeGrant(wrong, callback, {
        pkceCodeVerifier: login.verifier,
        expectedNonce: login.nonce,
        expectedState: login.state,
      }),
    ).rejects.toMatchObject({ status: 401, cause: [{ parameters: { error: 'invalid_client' } }] });

    // The raw secret in Basic is not valid form encoding ("%me"), so a sloppy RP fails here too.
    const config = await rpConfig('basic');
    const login2 = await startLogin(config);
    const callback2 = await loginAtDevIdp(login2.url.href, { username: 'alice', password: 'alice-password' });
    const raw = Buffer.from(`${idp.client.clientId}:${idp.client.clientSecret}`).toString('base64');
    const res = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${raw}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback2.searchParams.get('code')!,
        redirect_uri: REDIRECT_URI,
        code_verifier: login2.verifier,
      }).toString(),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe('invalid_request');
  });

  it('shows "Wrong username or password" and stays on the login page', async () => {
    const config = await rpConfig('basic');
    const login = await startLogin(config);
    const failure = await loginAtDevIdp(login.url.href, { username: 'alice', password: 'nope' }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(DevIdpLoginError);
    expect((failure as DevIdpLoginError).status).toBe(200);
    expect((failure as DevIdpLoginError).pageError).toBe('Wrong username or password');

    const unknown = await loginAtDevIdp(login.url.href, { username: 'mallory', password: 'alice-password' }).catch(
      (e: unknown) => e,
    );
    expect((unknown as DevIdpLoginError).pageError).toBe('Wrong username or password');
  });

  it('Cancel sends error=access_denied back to the relying party', async () => {
    const config = await rpConfig('basic');
    const login = await startLogin(config);
    const callback = await loginAtDevIdp(login.url.href, 'cancel');
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(login.state);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('escapes a crafted login_hint and the echoed username', async () => {
    const config = await rpConfig('basic');
    const evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>';
    const login = await startLogin(config, { login_hint: evil });

    const first = await fetch(login.url, { redirect: 'manual' });
    const cookies = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const interaction = new URL(first.headers.get('location')!, idp.issuer);
    const page = await fetch(interaction, { headers: { cookie: cookies } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<label for="username">Username</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('>Sign in</button>');
    expect(html).toContain('>Cancel</button>');
    expect(html).toContain('alice-password');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");

    const post = await fetch(new URL(`${interaction.pathname}/login`, idp.issuer), {
      method: 'POST',
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: evil, password: 'x' }).toString(),
    });
    expect(post.status).toBe(200);
    const again = await post.text();
    expect(again).toContain('Wrong username or password');
    expect(again).not.toContain('<script');
    expect(again).toContain('&lt;script&gt;');
  });

  it('refuses an unregistered redirect_uri without redirecting to it', async () => {
    const config = await rpConfig('basic');
    const login = await startLogin(config, { redirect_uri: 'https://evil.example/cb' });
    const failure = await loginAtDevIdp(login.url.href, { username: 'alice', password: 'alice-password' }).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(DevIdpLoginError);
    expect((failure as DevIdpLoginError).status).toBe(400);
  });
});

describe('dev IdP environment', () => {
  it('reads port, issuer and redirect URIs, falling back to APP_URL for the callback', () => {
    expect(
      devIdpOptionsFromEnv({
        DEV_IDP_PORT: '4102',
        DEV_IDP_ISSUER: 'http://127.0.0.1:4102',
        DEV_IDP_REDIRECT_URIS: 'http://localhost:3000/sso/callback, http://127.0.0.1:3100/sso/callback',
      }),
    ).toMatchObject({
      port: 4102,
      issuer: 'http://127.0.0.1:4102',
      redirectUris: ['http://localhost:3000/sso/callback', 'http://127.0.0.1:3100/sso/callback'],
    });
    expect(devIdpOptionsFromEnv({ APP_URL: 'http://localhost:3100' }).redirectUris).toEqual([
      'http://localhost:3100/sso/callback',
      'http://localhost:3100/sso/callback/*',
    ]);
    expect(devIdpOptionsFromEnv({ DEV_IDP_PORT: '' })).toMatchObject({ port: undefined, redirectUris: undefined });
  });

  it('rejects invalid values without echoing them', () => {
    expect(() => devIdpOptionsFromEnv({ DEV_IDP_PORT: 'seventy' })).toThrow('DEV_IDP_PORT');
    expect(() => devIdpOptionsFromEnv({ DEV_IDP_REDIRECT_URIS: 'not a url' })).toThrow(/DEV_IDP_REDIRECT_URIS/);
    expect(() => devIdpOptionsFromEnv({ DEV_IDP_REDIRECT_URIS: 'not a url' })).not.toThrow(/not a url/);
  });

  it('derives the issuer from the bound port even when DEV_IDP_ISSUER names a fixed one', async () => {
    const saved = process.env.DEV_IDP_ISSUER;
    process.env.DEV_IDP_ISSUER = 'http://127.0.0.1:3002';
    try {
      const other = await startDevIdp({ port: 0, redirectUris: [REDIRECT_URI] });
      await other.close();
      expect(other.issuer).not.toBe('http://127.0.0.1:3002');
      expect(other.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      if (saved === undefined) delete process.env.DEV_IDP_ISSUER;
      else process.env.DEV_IDP_ISSUER = saved;
    }
  });
});

describe('dev IdP per-connection redirect URIs (`<prefix>/*`)', () => {
  const CONSOLE = 'http://localhost:3000';
  let wild: DevIdp;
  beforeAll(async () => {
    wild = await startDevIdp({ port: 0, redirectUris: [`${CONSOLE}/sso/callback`, `${CONSOLE}/sso/callback/*`] });
  });
  afterAll(async () => {
    await wild?.close();
  });

  async function login(redirectUri: string) {
    const config = await oidc.discovery(
      new URL(wild.issuer),
      wild.client.clientId,
      undefined,
      oidc.ClientSecretBasic(wild.client.clientSecret),
      {
        execute: [oidc.allowInsecureRequests],
      },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const nonce = oidc.randomNonce();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    });
    const callback = await loginAtDevIdp(url.href, { username: 'alice', password: 'alice-password' });
    return { config, callback, verifier, nonce, state };
  }

  it('accepts any key of the console form below the prefix, and the shared URI, through the whole code flow', async () => {
    for (const uri of [
      `${CONSOLE}/sso/callback/sso_AbCdEfGh12-_x`,
      `${CONSOLE}/sso/callback/interop-lemonldap`,
      `${CONSOLE}/sso/callback`,
    ]) {
      const { config, callback, verifier, nonce, state } = await login(uri);
      expect(callback.origin + callback.pathname).toBe(uri);
      const tokens = await oidc.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
        expectedState: state,
      });
      expect(tokens.claims()?.email).toBe('alice@example.com');
    }
  });

  it('refuses anything else below the prefix (short or long key, more segments, a query, encoding) and other hosts', async () => {
    for (const uri of [
      `${CONSOLE}/sso/callback/short`,
      `${CONSOLE}/sso/callback/${'k'.repeat(65)}`,
      `${CONSOLE}/sso/callback/abcdefgh/more`,
      `${CONSOLE}/sso/callback/abcdefgh?x=1`,
      `${CONSOLE}/sso/callback/abc%2Fdefgh`,
      `${CONSOLE}/sso/callback/`,
      `${CONSOLE}/sso/callback/*`,
      'http://localhost:3001/sso/callback/abcdefgh',
      'https://evil.example/sso/callback/abcdefgh',
    ]) {
      const failure = await login(uri).catch((e: unknown) => e);
      expect(failure, uri).toBeInstanceOf(DevIdpLoginError);
      expect((failure as DevIdpLoginError).status, uri).toBe(400);
    }
  });
});
