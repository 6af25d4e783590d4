/**
 * The relying party against the real dev IdP (oidc-provider): the happy path end to end at the
 * RP level, with the seeded client whose secret contains ":%+" (Basic auth must form-encode it).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { createRelyingParty, RpError, type RpClientConfig } from '@/lib/sso-service/oidc';
import { loginAtDevIdp } from '@/tests/support/idp-login';

const REDIRECT_URI = 'http://127.0.0.1:9/sso/callback'; // never contacted: we read the redirect

let idp: DevIdp;
let cfg: RpClientConfig;

beforeAll(async () => {
  idp = await startDevIdp({ port: 0, redirectUris: [REDIRECT_URI] });
  cfg = {
    issuerUrl: idp.issuer,
    clientId: idp.client.clientId,
    clientSecret: idp.client.clientSecret,
    redirectUri: REDIRECT_URI,
  };
});

afterAll(async () => {
  await idp?.close();
});

function freshParams() {
  return {
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    codeVerifier: randomBytes(32).toString('base64url'),
  };
}

describe('relying party against the dev IdP (oidc-provider)', () => {
  it('checks the issuer', async () => {
    const rp = createRelyingParty({ devMode: true });
    expect(await rp.checkIssuer(idp.issuer)).toEqual({ ok: true });
    const mismatch = await rp.checkIssuer(`${idp.issuer}/`);
    expect(mismatch.ok).toBe(false);
  });

  it('refuses the loopback issuer outside development mode', async () => {
    const rp = createRelyingParty({ devMode: false });
    const check = await rp.checkIssuer(idp.issuer);
    expect(check).toMatchObject({ ok: false, reason: 'blocked_address' });
    await expect(rp.authorizationUrl(cfg, freshParams())).rejects.toMatchObject({
      kind: 'blocked_address',
      status: 503,
    });
  });

  it('signs alice in: authorization URL → login form → code redemption → verified identity', async () => {
    expect(idp.client.clientSecret).toMatch(/[:%+]/);
    const rp = createRelyingParty({ devMode: true });
    const p = freshParams();
    const authorizeUrl = new URL(await rp.authorizationUrl(cfg, p));
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('scope')).toBe('openid email profile');

    const callback = await loginAtDevIdp(authorizeUrl.href, { username: 'alice', password: 'alice-password' });
    expect(callback.searchParams.get('state')).toBe(p.state);
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const identity = await rp.redeem(cfg, {
      code: code ?? '',
      state: p.state,
      iss: callback.searchParams.get('iss') ?? undefined,
      nonce: p.nonce,
      codeVerifier: p.codeVerifier,
    });
    expect(identity).toEqual({
      sub: expect.any(String),
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice Anderson',
      // Kept for logout: the raw ID token (id_token_hint); the dev IdP sends no `sid` claim.
      idToken: expect.stringMatching(/^eyJ/),
    });
  });

  it('fails the redemption with a wrong PKCE verifier (the IdP checks it)', async () => {
    const rp = createRelyingParty({ devMode: true });
    const p = freshParams();
    const callback = await loginAtDevIdp(await rp.authorizationUrl(cfg, p), {
      username: 'bob',
      password: 'bob-password',
    });
    const err = await rp
      .redeem(cfg, {
        code: callback.searchParams.get('code') ?? '',
        state: p.state,
        iss: callback.searchParams.get('iss') ?? undefined,
        nonce: p.nonce,
        codeVerifier: 'x'.repeat(43),
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpError);
    expect((err as RpError).kind).toBe('token_exchange_failed');
    expect((err as RpError).message).toMatch(/^Token exchange failed: the identity provider answered invalid_grant/);
  });

  it('fails with a wrong client secret, without echoing it', async () => {
    const rp = createRelyingParty({ devMode: true });
    const p = freshParams();
    const callback = await loginAtDevIdp(await rp.authorizationUrl(cfg, p), {
      username: 'bob',
      password: 'bob-password',
    });
    const wrong = { ...cfg, clientSecret: 'wrong-secret-value' };
    const err = (await rp
      .redeem(wrong, {
        code: callback.searchParams.get('code') ?? '',
        state: p.state,
        iss: callback.searchParams.get('iss') ?? undefined,
        nonce: p.nonce,
        codeVerifier: p.codeVerifier,
      })
      .catch((e: unknown) => e)) as RpError;
    expect(err.kind).toBe('token_exchange_failed');
    expect(err.message).not.toContain('wrong-secret-value');
    expect(err.message).not.toContain(callback.searchParams.get('code') ?? '§');
  });

  it('reads the client secret only for the token request, and a new cacheKey never reuses the old secret', async () => {
    const rp = createRelyingParty({ devMode: true });
    let reads = 0;
    let secret = idp.client.clientSecret;
    let cacheKey = 'v1';
    const lazy: RpClientConfig = {
      issuerUrl: cfg.issuerUrl,
      clientId: cfg.clientId,
      redirectUri: cfg.redirectUri,
      get clientSecret() {
        reads += 1;
        return secret;
      },
      get cacheKey() {
        return cacheKey;
      },
    };
    const p = freshParams();
    const callback = await loginAtDevIdp(await rp.authorizationUrl(lazy, p), {
      username: 'alice',
      password: 'alice-password',
    });
    expect(reads).toBe(0);
    const identity = await rp.redeem(lazy, {
      code: callback.searchParams.get('code') ?? '',
      state: p.state,
      // The dev IdP advertises the RFC 9207 iss parameter, so it is required.
      iss: callback.searchParams.get('iss') ?? undefined,
      nonce: p.nonce,
      codeVerifier: p.codeVerifier,
    });
    expect(identity.email).toBe('alice@example.com');
    expect(reads).toBeGreaterThan(0);

    // The admin saves another secret: a new key, so the cached set-up (and its secret) is not reused.
    secret = 'changed-secret-value';
    cacheKey = 'v2';
    const q = freshParams();
    const again = await loginAtDevIdp(await rp.authorizationUrl(lazy, q), {
      username: 'bob',
      password: 'bob-password',
    });
    const err = (await rp
      .redeem(lazy, {
        code: again.searchParams.get('code') ?? '',
        state: q.state,
        iss: again.searchParams.get('iss') ?? undefined,
        nonce: q.nonce,
        codeVerifier: q.codeVerifier,
      })
      .catch((e: unknown) => e)) as RpError;
    expect(err.kind).toBe('token_exchange_failed');
  });
});
