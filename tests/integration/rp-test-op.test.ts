/**
 * The relying party against the programmable test OP: every misbehaviour in
 * docs/RP-SECURITY.md that is the RP's job (not the service's state handling).
 * Each test builds a fresh RP so caches start cold unless the test warms them on purpose.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRelyingParty, RpError, type RelyingParty } from '@/lib/sso-service/oidc';
import { DEFAULT_TEST_CLIENT, startTestOp, type TestOp, type TestOpOptions } from '@/tests/support/test-op';
import {
  freshLoginParams,
  RP_REDIRECT_URI,
  rpConfigFor,
  rpLogin,
  rpLoginError,
} from '@/tests/support/test-op/rp-login';

function makeRp(extra: Partial<Parameters<typeof createRelyingParty>[0]> = {}): RelyingParty {
  return createRelyingParty({ devMode: true, ...extra });
}

async function withOp(opts: TestOpOptions, fn: (op: TestOp) => Promise<void>): Promise<void> {
  const op = await startTestOp(opts);
  try {
    await fn(op);
  } finally {
    await op.close();
  }
}

let op: TestOp;
beforeAll(async () => {
  op = await startTestOp();
});
afterEach(() => op.reset());
afterAll(async () => {
  await op?.close();
});

describe('happy path and request shape', () => {
  it('sends state, nonce, S256 PKCE and the exact redirect URI; a secret that Basic must escape goes by post', async () => {
    const cfg = rpConfigFor(op);
    expect(cfg.clientSecret).toMatch(/[:%+ ]/);
    const { identity, authorizeUrl, p } = await rpLogin(makeRp(), op);
    expect(identity).toEqual({
      sub: 'test-op-user-1',
      email: 'user@test-op.example',
      emailVerified: true,
      name: expect.any(String),
      idToken: expect.stringMatching(/^eyJ/),
    });

    const q = authorizeUrl.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('client_id')).toBe(cfg.clientId);
    expect(q.get('redirect_uri')).toBe(RP_REDIRECT_URI);
    expect(q.get('state')).toBe(p.state);
    expect(q.get('nonce')).toBe(p.nonce);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // Both methods advertised: post, so no IdP has to decode ":%+ " (rp-client-auth.test.ts has the matrix).
    const [token] = op.requestsTo('token');
    expect(token?.headers.authorization).toBeUndefined();
    expect(token?.form).toMatchObject({ client_id: cfg.clientId, client_secret: cfg.clientSecret });
    expect(token?.form?.redirect_uri).toBe(RP_REDIRECT_URI);
    expect(token?.form?.code_verifier).toBe(p.codeVerifier);
  });

  it('keeps a bare-origin redirect URI byte-for-byte in the token request', async () => {
    const cfg = { ...rpConfigFor(op), redirectUri: 'https://console.example' };
    const { authorizeUrl } = await rpLogin(makeRp(), op, cfg);
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe('https://console.example');
    expect(op.requestsTo('token')[0]?.form?.redirect_uri).toBe('https://console.example');
  });

  it('uses client_secret_post when the IdP supports only that', async () => {
    await withOp({ authMethods: ['client_secret_post'] }, async (postOnly) => {
      await rpLogin(makeRp(), postOnly);
      const [token] = postOnly.requestsTo('token');
      expect(token?.headers.authorization).toBeUndefined();
      expect(token?.form?.client_secret).toBe(DEFAULT_TEST_CLIENT.clientSecret);
    });
  });

  it('uses client_secret_basic when the IdP supports only that', async () => {
    await withOp({ authMethods: ['client_secret_basic'] }, async (basicOnly) => {
      await rpLogin(makeRp(), basicOnly);
      expect(basicOnly.requestsTo('token')[0]?.basic?.clientSecret).toBe(DEFAULT_TEST_CLIENT.clientSecret);
    });
  });

  it('defaults to client_secret_basic when discovery lists no auth methods', async () => {
    op.behave.omitDiscoveryFields = ['token_endpoint_auth_methods_supported'];
    await rpLogin(makeRp(), op);
    expect(op.requestsTo('token')[0]?.basic).toBeDefined();
  });

  it('refuses an IdP that supports neither secret method, at issuer check and at login', async () => {
    op.behave.discoveryOverrides = { token_endpoint_auth_methods_supported: ['private_key_jwt'] };
    const rp = makeRp();
    expect(await rp.checkIssuer(op.issuer)).toMatchObject({ ok: false, reason: 'invalid_metadata' });
    await expect(rp.authorizationUrl(rpConfigFor(op), freshLoginParams())).rejects.toMatchObject({ status: 503 });
  });

  it.each(['ES256', 'PS256'] as const)('accepts %s-signed ID tokens', async (alg) => {
    await withOp({ alg }, async (other) => {
      const { identity } = await rpLogin(makeRp(), other);
      expect(identity.sub).toBe('test-op-user-1');
    });
  });

  it('sends S256 PKCE even when the IdP lists challenge methods without S256 (or none at all)', async () => {
    await withOp({ requirePkce: false }, async (noPkce) => {
      for (const overrides of [{ code_challenge_methods_supported: ['plain'] }, {}]) {
        noPkce.reset();
        noPkce.behave.discoveryOverrides = overrides;
        if (!('code_challenge_methods_supported' in overrides))
          noPkce.behave.omitDiscoveryFields = ['code_challenge_methods_supported'];
        const rp = makeRp();
        const { authorizeUrl } = await rpLogin(rp, noPkce);
        expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
        const verifier = noPkce.requestsTo('token')[0]?.form?.code_verifier;
        expect(verifier).toBeTruthy();
        expect(createHash('sha256').update(String(verifier)).digest('base64url')).toBe(
          authorizeUrl.searchParams.get('code_challenge'),
        );
      }
    });
  });

  it('refuses a response without iss from an IdP that advertises it, before any token request', async () => {
    op.behave.authorizeIss = 'omit';
    op.behave.discoveryOverrides = { authorization_response_iss_parameter_supported: true };
    const err = await rpLoginError(makeRp(), op);
    expect(err).toMatchObject({ kind: 'iss_mismatch', status: 400, reason: 'idp_iss_mismatch' });
    expect(err.message).toMatch(/"iss" missing/);
    expect(op.requestsTo('token')).toHaveLength(0);
  });

  it('accepts a login when the IdP does not send the iss parameter and does not advertise it', async () => {
    op.behave.authorizeIss = 'omit';
    const { identity } = await rpLogin(makeRp(), op);
    expect(identity.sub).toBe('test-op-user-1');
  });
});

describe('caching', () => {
  it('on warm caches: authorizationUrl makes no request and redeem makes exactly one (the token request)', async () => {
    const rp = makeRp();
    await rpLogin(rp, op);
    op.reset();

    const cfg = rpConfigFor(op);
    const p = freshLoginParams();
    const url = await rp.authorizationUrl(cfg, p);
    expect(op.requests).toHaveLength(0);
    const callback = await op.driveAuthorize(url);
    const before = op.requests.length;
    await rp.redeem(cfg, {
      code: callback.searchParams.get('code') ?? '',
      state: p.state,
      iss: callback.searchParams.get('iss') ?? undefined,
      nonce: p.nonce,
      codeVerifier: p.codeVerifier,
    });
    const during = op.requests.slice(before);
    expect(during.map((r) => r.endpoint)).toEqual(['token']);
  });

  it('coalesces concurrent cold discovery fetches', async () => {
    const rp = makeRp();
    const cfg = rpConfigFor(op);
    await Promise.all(Array.from({ length: 10 }, () => rp.authorizationUrl(cfg, freshLoginParams())));
    expect(op.requestsTo('discovery')).toHaveLength(1);
  });

  it('refetches the JWKS once after a key rotation', async () => {
    await withOp({}, async (rotating) => {
      const rp = makeRp();
      await rpLogin(rp, rotating);
      await rotating.rotateKey();
      rotating.reset();
      const { identity } = await rpLogin(rp, rotating);
      expect(identity.sub).toBe('test-op-user-1');
      expect(rotating.requestsTo('jwks')).toHaveLength(1);
      expect(rotating.requestsTo('discovery')).toHaveLength(0);
    });
  });

  it('lets concurrent logins during a key rotation share the one refetch', async () => {
    await withOp({}, async (rotating) => {
      const rp = makeRp();
      await rpLogin(rp, rotating);
      await rotating.rotateKey();
      rotating.reset();
      const results = await Promise.all(Array.from({ length: 5 }, () => rpLogin(rp, rotating)));
      expect(results.map((r) => r.identity.sub)).toEqual(Array(5).fill('test-op-user-1'));
      expect(rotating.requestsTo('jwks')).toHaveLength(1);
    });
  });

  it('does not refetch the JWKS for every token in a flood of unknown kids', async () => {
    const rp = makeRp();
    await rpLogin(rp, op);
    op.reset();
    for (let i = 0; i < 6; i += 1) {
      op.behave.signing = 'unpublished-key';
      op.behave.idTokenHeader = { kid: `unknown-${i}` };
      const err = await rpLoginError(rp, op);
      expect(err.kind).toBe('id_token_invalid');
    }
    expect(op.requestsTo('jwks').length).toBeLessThanOrEqual(1);
  });

  it('keeps verifying with a warm JWKS cache while the JWKS endpoint hangs', async () => {
    const rp = makeRp({ timeoutMs: 1000 });
    await rpLogin(rp, op);
    op.behave.jwks = { kind: 'hang' };
    const { identity } = await rpLogin(rp, op);
    expect(identity.sub).toBe('test-op-user-1');
  });

  it('answers 504-class quickly when a cold JWKS endpoint hangs', async () => {
    op.behave.jwks = { kind: 'hang' };
    const err = await rpLoginError(makeRp({ timeoutMs: 500 }), op);
    expect(err.kind).toBe('idp_unavailable');
    expect(err.status).toBe(504);
    expect(err.message).toMatch(/^ID token verification failed: /);
  });

  it('forget() drops the cached discovery so the next login fetches it again', async () => {
    const rp = makeRp();
    await rpLogin(rp, op);
    op.reset();
    rp.forget(op.issuer);
    await rpLogin(rp, op);
    expect(op.requestsTo('discovery')).toHaveLength(1);
    expect(op.requestsTo('jwks')).toHaveLength(1);
  });
});

describe('ID token verification', () => {
  it('rejects alg none even when the IdP advertises it', async () => {
    op.behave.signing = 'none';
    const err = await rpLoginError(makeRp(), op);
    expect(err.kind).toBe('id_token_invalid');
    expect(err.message).toMatch(/^ID token verification failed/);
  });

  it('rejects HS256 signed with the client secret even when advertised', async () => {
    op.behave.signing = 'hs256-client-secret';
    const err = await rpLoginError(makeRp(), op);
    expect(err.kind).toBe('id_token_invalid');
    expect(err.message).not.toContain(DEFAULT_TEST_CLIENT.clientSecret);
  });

  it.each(['bad-signature', 'tampered-payload'] as const)('rejects a token with %s', async (mode) => {
    op.behave.signing = mode;
    expect((await rpLoginError(makeRp(), op)).kind).toBe('id_token_invalid');
  });

  it('rejects a wrong or missing nonce with the contract message', async () => {
    op.behave.idTokenClaims = { nonce: 'someone-elses-nonce' };
    const wrong = await rpLoginError(makeRp(), op);
    expect(wrong.kind).toBe('nonce_mismatch');
    expect(wrong.message).toBe('ID token nonce mismatch');
    op.reset();
    op.behave.omitIdTokenClaims = ['nonce'];
    expect((await rpLoginError(makeRp(), op)).kind).toBe('nonce_mismatch');
  });

  it('accepts exp 10 s ago and rejects exp 10 min ago', async () => {
    const now = Math.floor(Date.now() / 1000);
    op.behave.idTokenClaims = { exp: now - 10, iat: now - 60 };
    expect((await rpLogin(makeRp(), op)).identity.sub).toBe('test-op-user-1');
    op.behave.idTokenClaims = { exp: now - 600, iat: now - 900 };
    expect((await rpLoginError(makeRp(), op)).kind).toBe('id_token_invalid');
  });

  it('rejects a missing iat and an iat a day in the future', async () => {
    op.behave.omitIdTokenClaims = ['iat'];
    expect((await rpLoginError(makeRp(), op)).kind).toBe('id_token_invalid');
    const now = Math.floor(Date.now() / 1000);
    op.behave.omitIdTokenClaims = [];
    op.behave.idTokenClaims = { iat: now + 86_400, exp: now + 86_400 + 300 };
    expect((await rpLoginError(makeRp(), op)).kind).toBe('id_token_invalid');
  });

  it('uses the injected clock for exp', async () => {
    const rp = makeRp({ now: () => Date.now() + 3600_000 });
    expect((await rpLoginError(rp, op)).kind).toBe('id_token_invalid');
  });

  it.each([
    ['a wrong iss claim', { iss: 'https://evil.example' }, []],
    ['a wrong aud', { aud: 'someone-else' }, []],
    ['several audiences without azp', { aud: [DEFAULT_TEST_CLIENT.clientId, 'other'] }, []],
    ['an azp naming another client', { azp: 'other' }, []],
    ['no aud', {}, ['aud']],
    ['no sub', {}, ['sub']],
    ['no exp', {}, ['exp']],
  ] as const)('rejects %s', async (_label, claims, omit) => {
    op.behave.idTokenClaims = { ...claims };
    op.behave.omitIdTokenClaims = [...omit];
    expect((await rpLoginError(makeRp(), op)).kind).toBe('id_token_invalid');
  });

  it('accepts several audiences when azp is the client', async () => {
    op.behave.idTokenClaims = { aud: [DEFAULT_TEST_CLIENT.clientId, 'other'], azp: DEFAULT_TEST_CLIENT.clientId };
    expect((await rpLogin(makeRp(), op)).identity.sub).toBe('test-op-user-1');
  });

  it('accepts a token without kid when the JWKS has exactly one key, rejects it with two', async () => {
    await withOp({}, async (kidless) => {
      kidless.behave.omitKid = true;
      expect((await rpLogin(makeRp(), kidless)).identity.sub).toBe('test-op-user-1');
      await kidless.rotateKey({ keepOld: true });
      kidless.behave.omitKid = true;
      expect((await rpLoginError(makeRp(), kidless)).kind).toBe('id_token_invalid');
    });
  });
});

describe('authorization response iss (RFC 9207)', () => {
  it('rejects a wrong iss parameter before calling the token endpoint', async () => {
    op.behave.authorizeIss = 'https://evil.example';
    const err = await rpLoginError(makeRp(), op);
    expect(err.kind).toBe('iss_mismatch');
    expect(err.status).toBe(400);
    expect(op.requestsTo('token')).toHaveLength(0);
  });
});

describe('token endpoint failures', () => {
  it('reports HTTP 500 without the raw body', async () => {
    op.behave.token = { kind: 'raw', status: 500, body: 'stack trace SECRET-INTERNAL' };
    const err = await rpLoginError(makeRp(), op);
    expect(err.kind).toBe('token_exchange_failed');
    expect(err.status).toBe(502);
    expect(err.message).toBe('Token exchange failed: the identity provider answered HTTP 500');
  });

  it('reports an HTML page as not JSON', async () => {
    op.behave.token = { kind: 'raw', status: 200, body: '<html>login</html>', contentType: 'text/html' };
    const err = await rpLoginError(makeRp(), op);
    expect(err.kind).toBe('token_exchange_failed');
    expect(err.message).toMatch(/^Token exchange failed: /);
    expect(err.message).not.toContain('<html>');
  });

  it('reports JSON without an id_token', async () => {
    op.behave.token = { kind: 'json', body: { access_token: 'at', token_type: 'Bearer' } };
    const err = await rpLoginError(makeRp(), op);
    expect(err.kind).toBe('token_exchange_failed');
    expect(err.message).toBe('Token exchange failed: the identity provider answered without an ID token');
  });

  it('reports an OAuth error code but not its description', async () => {
    op.behave.token = {
      kind: 'json',
      status: 400,
      body: { error: 'invalid_grant', error_description: 'SECRET-DETAIL' },
    };
    const err = await rpLoginError(makeRp(), op);
    expect(err.message).toBe('Token exchange failed: the identity provider answered invalid_grant (HTTP 400)');
  });

  it('answers 504 within the timeout when the token endpoint hangs', async () => {
    op.behave.token = { kind: 'hang' };
    const err = await rpLoginError(makeRp({ timeoutMs: 500 }), op);
    expect(err.kind).toBe('idp_unavailable');
    expect(err.status).toBe(504);
    expect(err.message).toBe('Token exchange failed: the identity provider did not answer within 0.5 s');
  });

  it.each([{ kind: 'huge' as const }, { kind: 'endless' as const }])(
    'aborts a $kind token response at the cap',
    async (mode) => {
      op.behave.token = mode;
      const err = await rpLoginError(makeRp({ maxBytes: 256 * 1024 }), op);
      expect(err.kind).toBe('token_exchange_failed');
      expect(err.message).toMatch(/too large/);
    },
  );

  it('does not follow a token endpoint redirect to the metadata address', async () => {
    op.behave.token = { kind: 'redirect', location: 'http://169.254.169.254/latest/meta-data/' };
    const err = await rpLoginError(makeRp(), op);
    expect(err.kind).toBe('token_exchange_failed');
    expect(err.message).toBe('Token exchange failed: the identity provider answered HTTP 302');
  });

  it('does not follow a JWKS redirect and aborts an oversized JWKS', async () => {
    op.behave.jwks = { kind: 'redirect', location: 'http://169.254.169.254/jwks' };
    const redirected = await rpLoginError(makeRp(), op);
    expect(redirected).toMatchObject({ kind: 'idp_unavailable', status: 502 });
    expect(redirected.message).toBe('ID token verification failed: its signing keys (JWKS) answered HTTP 302');
    op.behave.jwks = { kind: 'endless' };
    const endless = await rpLoginError(makeRp({ maxBytes: 128 * 1024 }), op);
    expect(endless.message).toBe('ID token verification failed: its signing keys (JWKS) are too large');
  });

  it('blocks a discovered token endpoint on the metadata address', async () => {
    op.behave.discoveryOverrides = { token_endpoint: 'http://169.254.169.254/token' };
    const err = await makeRp()
      .authorizationUrl(rpConfigFor(op), freshLoginParams())
      .catch((e: unknown) => e as RpError);
    expect(err).toMatchObject({ kind: 'blocked_address', status: 503 });
  });
});

describe('discovery at login time', () => {
  it('refuses a trailing-slash issuer mismatch with 503', async () => {
    op.behave.discoveryOverrides = { issuer: `${op.issuer}/` };
    const err = (await makeRp()
      .authorizationUrl(rpConfigFor(op), freshLoginParams())
      .catch((e: unknown) => e)) as RpError;
    expect(err).toBeInstanceOf(RpError);
    expect(err.kind).toBe('issuer_mismatch');
    expect(err.status).toBe(503);
    expect(err.message).toContain(`"${op.issuer}/"`);
  });

  it.each(['https://169.254.169.254', 'https://10.0.0.1', 'https://[::ffff:127.0.0.1]', 'http://idp.example.com'])(
    'refuses the issuer %s in production mode without contacting it',
    async (issuer) => {
      const check = await createRelyingParty({ devMode: false, timeoutMs: 1000 }).checkIssuer(issuer);
      expect(check).toMatchObject({ ok: false, reason: 'blocked_address' });
    },
  );

  it('does not cache a discovery failure for long', async () => {
    const rp = makeRp();
    op.behave.discovery = { kind: 'raw', status: 500, body: 'down' };
    await expect(rp.authorizationUrl(rpConfigFor(op), freshLoginParams())).rejects.toBeInstanceOf(RpError);
    // checkIssuer always fetches fresh and refills the cache.
    op.behave.discovery = { kind: 'normal' };
    expect(await rp.checkIssuer(op.issuer)).toEqual({ ok: true });
    await expect(rp.authorizationUrl(rpConfigFor(op), freshLoginParams())).resolves.toContain('/authorize?');
  });
});
