import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_TEST_CLIENT,
  driveAuthorize,
  startTestOp,
  startTestOpHost,
  type TestOp,
} from '@/tests/support/test-op';

const CALLBACK = 'http://127.0.0.1:9/sso/callback';

async function rp(op: TestOp, auth: 'basic' | 'post' = 'basic') {
  const { clientId, clientSecret } = op.clients[0]!;
  const config = await oidc.discovery(
    new URL(op.issuer),
    clientId,
    undefined,
    auth === 'basic' ? oidc.ClientSecretBasic(clientSecret) : oidc.ClientSecretPost(clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
  oidc.enableNonRepudiationChecks(config);
  return config;
}

async function login(op: TestOp, config: oidc.Configuration) {
  const verifier = oidc.randomPKCECodeVerifier();
  const nonce = oidc.randomNonce();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    nonce,
    state,
  });
  const callback = await driveAuthorize(url);
  const exchange = () =>
    oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedNonce: nonce,
      expectedState: state,
      idTokenExpected: true,
    });
  return { callback, verifier, nonce, state, exchange };
}

/** Redeems a code by hand (client_secret_post) and returns the raw ID token, bypassing the RP library. */
async function rawIdToken(op: TestOp, config: oidc.Configuration): Promise<string> {
  const flow = await login(op, config);
  const res = await fetch(op.endpoints.token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: flow.callback.searchParams.get('code')!,
      redirect_uri: CALLBACK,
      code_verifier: flow.verifier,
      client_id: DEFAULT_TEST_CLIENT.clientId,
      client_secret: DEFAULT_TEST_CLIENT.clientSecret,
    }),
  });
  return ((await res.json()) as { id_token: string }).id_token;
}

describe('test OP, normal behaviour', () => {
  let op: TestOp;
  beforeAll(async () => {
    op = await startTestOp({ issuerPath: '/tenants/acme' });
  });
  afterEach(() => op.reset());
  afterAll(() => op.close());

  it('serves discovery under the issuer path and completes a verified code flow with Basic auth', async () => {
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tenants\/acme$/);
    const config = await rp(op);
    const flow = await login(op, config);
    expect(flow.callback.searchParams.get('iss')).toBe(op.issuer);
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    const tokens = await flow.exchange();
    expect(tokens.claims()).toMatchObject({
      iss: op.issuer,
      aud: DEFAULT_TEST_CLIENT.clientId,
      sub: op.behave.user.sub,
      email: op.behave.user.email,
      name: op.behave.user.name,
      nonce: flow.nonce,
    });
    expect(decodeProtectedHeader(tokens.id_token!)).toMatchObject({ alg: 'RS256', kid: op.keys[0]!.kid });

    // The RP's Basic credentials were form-encoded and the OP recorded them decoded.
    const [tokenCall] = op.requestsTo('token');
    expect(tokenCall?.basic).toEqual({
      clientId: DEFAULT_TEST_CLIENT.clientId,
      clientSecret: DEFAULT_TEST_CLIENT.clientSecret,
    });
    expect(tokenCall?.headers.authorization).toMatch(/^Basic /);
    expect(tokenCall?.form).toMatchObject({
      grant_type: 'authorization_code',
      redirect_uri: CALLBACK,
      code_verifier: flow.verifier,
    });

    // Single use.
    await expect(flow.exchange()).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('enforces PKCE, redirect_uri equality and a form-encoded Basic header', async () => {
    const config = await rp(op);
    const flow = await login(op, config);
    await expect(
      oidc.authorizationCodeGrant(config, flow.callback, {
        pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
        expectedNonce: flow.nonce,
        expectedState: flow.state,
      }),
    ).rejects.toMatchObject({ error: 'invalid_grant' });

    const flow2 = await login(op, config);
    const raw = Buffer.from(`${DEFAULT_TEST_CLIENT.clientId}:${DEFAULT_TEST_CLIENT.clientSecret}`).toString('base64');
    const res = await fetch(op.endpoints.token, {
      method: 'POST',
      headers: { authorization: `Basic ${raw}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: flow2.callback.searchParams.get('code')!,
        redirect_uri: CALLBACK,
        code_verifier: flow2.verifier,
      }),
    });
    // "%wi" is not valid form encoding, so an RP that skips encoding cannot authenticate.
    expect(res.status).toBe(400);

    const flow3 = await login(op, config);
    const post = (redirectUri: string) =>
      fetch(op.endpoints.token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: flow3.callback.searchParams.get('code')!,
          redirect_uri: redirectUri,
          code_verifier: flow3.verifier,
          client_id: DEFAULT_TEST_CLIENT.clientId,
          client_secret: DEFAULT_TEST_CLIENT.clientSecret,
        }),
      });
    const mismatch = await post('http://127.0.0.1:9/other');
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
    // The failed attempt burnt the code.
    expect(await (await post(CALLBACK)).json()).toMatchObject({
      error: 'invalid_grant',
      error_description: 'code already used',
    });
  });

  it('refuses authorize requests without nonce or PKCE, and unknown redirect URIs without redirecting', async () => {
    const base = new URL(op.endpoints.authorization);
    base.search = new URLSearchParams({
      client_id: DEFAULT_TEST_CLIENT.clientId,
      redirect_uri: CALLBACK,
      response_type: 'code',
      scope: 'openid',
      state: 's',
    }).toString();
    const noPkce = await driveAuthorize(base);
    expect(noPkce.searchParams.get('error')).toBe('invalid_request');
    expect(noPkce.searchParams.get('code')).toBeNull();

    const otherClient = new URL(base);
    otherClient.searchParams.set('client_id', 'nobody');
    await expect(driveAuthorize(otherClient)).rejects.toThrow(/400/);
  });

  it('makes overridden claims, alg none, bad signatures and missing id_token visible to the RP', async () => {
    const config = await rp(op);

    op.behave.idTokenClaims = { iss: 'https://evil.example' };
    await expect((await login(op, config)).exchange()).rejects.toMatchObject({ cause: { cause: { claim: 'iss' } } });
    op.reset();

    op.behave.signing = 'none';
    const discovery = (await (await fetch(op.discoveryUrl)).json()) as {
      id_token_signing_alg_values_supported: string[];
    };
    expect(discovery.id_token_signing_alg_values_supported).toContain('none');
    op.behave.omitIdTokenClaims = ['sub'];
    await expect((await login(op, config)).exchange()).rejects.toThrow();
    op.reset();

    op.behave.signing = 'bad-signature';
    await expect((await login(op, config)).exchange()).rejects.toThrow();
    const jwks = createLocalJWKSet((await (await fetch(op.endpoints.jwks)).json()) as never);
    await expect(jwtVerify(await rawIdToken(op, config), jwks)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
    op.behave.signing = 'key';
    await expect(jwtVerify(await rawIdToken(op, config), jwks)).resolves.toBeTruthy();
    op.reset();

    op.behave.token = { kind: 'json', body: { access_token: 'x', token_type: 'Bearer' } };
    await expect((await login(op, config)).exchange()).rejects.toThrow('invalid response encountered');
    expect(op.requestsTo('token').at(-1)?.form?.grant_type).toBe('authorization_code');
  });

  it('signs HS256 with the client secret when asked', async () => {
    op.behave.signing = 'hs256-client-secret';
    const config = await rp(op);
    const flow = await login(op, config);
    const res = await fetch(op.endpoints.token, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: flow.callback.searchParams.get('code')!,
        redirect_uri: CALLBACK,
        code_verifier: flow.verifier,
        client_id: DEFAULT_TEST_CLIENT.clientId,
        client_secret: DEFAULT_TEST_CLIENT.clientSecret,
      }),
    });
    const { id_token } = (await res.json()) as { id_token: string };
    const { protectedHeader, payload } = await jwtVerify(
      id_token,
      new TextEncoder().encode(DEFAULT_TEST_CLIENT.clientSecret),
    );
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.nonce).toBe(flow.nonce);
  });

  it('rotates keys: new kid signs, the JWKS follows', async () => {
    const old = op.keys.at(-1)!;
    const next = await op.rotateKey();
    const jwks = (await (await fetch(op.endpoints.jwks)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toEqual([next.kid]);
    expect(next.kid).not.toBe(old.kid);
    const tokens = await (await login(op, await rp(op))).exchange();
    expect(decodeProtectedHeader(tokens.id_token!).kid).toBe(next.kid);
    await jwtVerify(tokens.id_token!, createLocalJWKSet(jwks as never));
  });

  it('sends an authorization error with the state instead of a code', async () => {
    op.behave.authorizeError = { error: 'access_denied', error_description: '<script>alert(1)</script>' };
    const flow = await login(op, await rp(op));
    expect(flow.callback.searchParams.get('error')).toBe('access_denied');
    expect(flow.callback.searchParams.get('error_description')).toBe('<script>alert(1)</script>');
    expect(flow.callback.searchParams.get('state')).toBe(flow.state);
    expect(flow.callback.searchParams.get('code')).toBeNull();
  });

  it('sends a wrong iss parameter, redirects discovery, and serves two keys for the kid-less case', async () => {
    op.behave.authorizeIss = 'https://evil.example';
    const flow = await login(op, await rp(op));
    expect(flow.callback.searchParams.get('iss')).toBe('https://evil.example');
    op.reset();

    op.behave.discovery = { kind: 'redirect', location: 'http://169.254.169.254/latest/meta-data/' };
    const redirected = await fetch(op.discoveryUrl, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/');
    op.reset();

    const before = op.keys.length;
    await op.rotateKey({ keepOld: true });
    op.behave.omitKid = true;
    const jwks = (await (await fetch(op.endpoints.jwks)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(2);
    const token = await rawIdToken(op, await rp(op));
    expect(decodeProtectedHeader(token)).not.toHaveProperty('kid');
    expect(op.keys).toHaveLength(before + 1);
  });

  it('serves a huge body with a matching Content-Length and lets the client stop reading', async () => {
    op.behave.discovery = { kind: 'huge' };
    const res = await fetch(op.discoveryUrl);
    expect(res.headers.get('content-length')).toBe(String(50 * 1024 * 1024));
    const reader = res.body!.getReader();
    let read = 0;
    while (read < 2 * 1024 * 1024) {
      const { value, done } = await reader.read();
      if (done) break;
      read += value.length;
    }
    await reader.cancel();
    expect(read).toBeGreaterThanOrEqual(2 * 1024 * 1024);
  });
});

describe('test OP, configuration variants', () => {
  it('advertises and enforces only client_secret_post when told to, and signs with ES256', async () => {
    const op = await startTestOp({ authMethods: ['client_secret_post'], alg: 'ES256' });
    try {
      const doc = (await (await fetch(op.discoveryUrl)).json()) as Record<string, unknown>;
      expect(doc.token_endpoint_auth_methods_supported).toEqual(['client_secret_post']);
      expect(doc.id_token_signing_alg_values_supported).toEqual(['ES256']);

      await expect((await login(op, await rp(op, 'basic'))).exchange()).rejects.toMatchObject({ status: 401 });
      const tokens = await (await login(op, await rp(op, 'post'))).exchange();
      expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('ES256');
      expect(op.requestsTo('token').at(-1)?.form?.client_secret).toBe(DEFAULT_TEST_CLIENT.clientSecret);
    } finally {
      await op.close();
    }
  });

  it('with basicDecoding "raw", compares Basic credentials as sent instead of form-decoding them', async () => {
    const client = { clientId: 'sso-test-client', clientSecret: 'Qx8~a.b_c-d', redirectUris: [] };
    const op = await startTestOp({ clients: [client], basicDecoding: 'raw', authMethods: ['client_secret_basic'] });
    try {
      // openid-client escapes "-", "~" and "." (sso%2Dtest%2Dclient), which this OP does not undo.
      await expect((await login(op, await rp(op))).exchange()).rejects.toMatchObject({ status: 401 });
      expect(op.requestsTo('token')[0]?.basicRaw?.clientId).toBe('sso%2Dtest%2Dclient');
      const flow = await login(op, await rp(op));
      const raw = Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64');
      const res = await fetch(op.endpoints.token, {
        method: 'POST',
        headers: { authorization: `Basic ${raw}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: flow.callback.searchParams.get('code')!,
          redirect_uri: CALLBACK,
          code_verifier: flow.verifier,
        }),
      });
      expect(res.status).toBe(200);
    } finally {
      await op.close();
    }
  });

  it('verifies PS256 tokens and serves a discovery issuer with a trailing slash', async () => {
    const op = await startTestOp({ alg: 'PS256', issuerPath: '/t/1' });
    try {
      const tokens = await (await login(op, await rp(op))).exchange();
      expect(decodeProtectedHeader(tokens.id_token!).alg).toBe('PS256');
      op.behave.discoveryOverrides = { issuer: `${op.issuer}/`, token_endpoint: 'http://169.254.169.254/latest/token' };
      const doc = (await (await fetch(op.discoveryUrl)).json()) as Record<string, unknown>;
      expect(doc).toMatchObject({ issuer: `${op.issuer}/`, token_endpoint: 'http://169.254.169.254/latest/token' });
      // openid-client normalises an origin-only issuer, but not one with a path: this must fail.
      await expect(rp(op)).rejects.toThrow();
    } finally {
      await op.close();
    }
  });

  it('mounts two issuers on one host, and serves an issuer with a trailing slash', async () => {
    const host = await startTestOpHost();
    try {
      const root = await host.addIssuer({ issuerTrailingSlash: true });
      const nested = await host.addIssuer({ issuerPath: '/oauth2/default' });
      expect(root.issuer).toBe(`${host.origin}/`);
      expect(nested.issuer).toBe(`${host.origin}/oauth2/default`);
      const docs = await Promise.all(
        [root, nested].map(async (o) => (await (await fetch(o.discoveryUrl)).json()) as Record<string, unknown>),
      );
      expect(docs.map((d) => d.issuer)).toEqual([root.issuer, nested.issuer]);
      expect(docs.map((d) => d.token_endpoint)).toEqual([
        `${host.origin}/token`,
        `${host.origin}/oauth2/default/token`,
      ]);
      expect(root.requestsTo('discovery')).toHaveLength(1);
      expect(nested.requestsTo('discovery')).toHaveLength(1);
      const tokens = await (await login(nested, await rp(nested))).exchange();
      expect(tokens.claims()?.iss).toBe(nested.issuer);
      expect(root.requestsTo('token')).toHaveLength(0);
    } finally {
      await host.close();
    }
  });

  it('answers userinfo for a Bearer token it issued, with the claims behave says', async () => {
    const op = await startTestOp();
    try {
      const config = await rp(op);
      const tokens = await (await login(op, config)).exchange();
      op.behave.userinfoClaims = { name: 'Other Name' };
      op.behave.omitUserinfoClaims = ['email'];
      const info = await oidc.fetchUserInfo(config, tokens.access_token, 'test-op-user-1');
      expect(info).toMatchObject({ sub: 'test-op-user-1', name: 'Other Name' });
      expect(info.email).toBeUndefined();
      const anonymous = await fetch(op.endpoints.userinfo);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    } finally {
      await op.close();
    }
  });

  it('ends hanging and endless responses when closed', async () => {
    const op = await startTestOp();
    op.behave.jwks = { kind: 'hang' };
    op.behave.discovery = { kind: 'endless' };
    const hanging = fetch(op.endpoints.jwks).then((r) => r.text());
    const endless = fetch(op.discoveryUrl).then((r) => r.text());
    // Wait until both requests have arrived, so close() has sockets to end.
    while (op.requests.length < 2) await new Promise((r) => setImmediate(r));
    await op.close();
    await expect(hanging).rejects.toThrow();
    await expect(endless).rejects.toThrow();
  });
});
