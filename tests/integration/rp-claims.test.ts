/**
 * The relying party against the test OP: where email and name come from (ID token, else userinfo,
 * else an email-shaped preferred_username), which JWKS keys may verify, and the issuer alias table.
 */
import { describe, expect, it } from 'vitest';
import { createRelyingParty, DEFAULT_ISSUER_ALIASES, type IssuerAliases } from '@/lib/sso-service/oidc';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import { rpLogin, rpLoginError, sharedTestOp } from '@/tests/support/test-op/rp-login';

// The test OP's user has `email_verified: true`, in the ID token and in userinfo.
const USER = { sub: 'test-op-user-1', email: 'user@test-op.example', emailVerified: true, name: 'Test User' };
/** The verified identity also carries the raw ID token (kept sealed beside the session, for id_token_hint at logout). */
const ID_TOKEN = { idToken: expect.stringMatching(/^eyJ/) };

const shared = sharedTestOp();

const makeRp = (extra: { timeoutMs?: number; maxBytes?: number; issuerAliases?: IssuerAliases } = {}) =>
  createRelyingParty({ devMode: true, ...extra });

/** A warm RP: discovery and JWKS cached, request log cleared, so only login-time requests are counted. */
async function warmRp(extra: Parameters<typeof makeRp>[0] = {}) {
  const rp = makeRp(extra);
  await rpLogin(rp, shared.op);
  shared.op.requests.length = 0;
  return rp;
}

const idpRequests = () => shared.op.requests.filter((r) => r.endpoint !== 'authorize').map((r) => r.endpoint);

describe('email and name: from the ID token, from userinfo only when missing there', () => {
  it('warm login with email and name in the ID token: exactly one IdP request, no userinfo', async () => {
    const rp = await warmRp();
    expect((await rpLogin(rp, shared.op)).identity).toEqual({ ...USER, ...ID_TOKEN });
    expect(idpRequests()).toEqual(['token']);
  });

  it.each([['email'], ['name'], ['email', 'name']])(
    'ID token without %s: one userinfo call with the access token fills it in',
    async (...missing) => {
      const rp = await warmRp();
      shared.op.behave.omitIdTokenClaims = missing;
      expect((await rpLogin(rp, shared.op)).identity).toEqual({ ...USER, ...ID_TOKEN });
      expect(idpRequests()).toEqual(['token', 'userinfo']);
      expect(shared.op.requestsTo('userinfo')[0]?.headers.authorization).toMatch(/^Bearer [A-Za-z0-9_-]+$/);
    },
  );

  it('keeps the ID token value when userinfo says otherwise', async () => {
    const rp = await warmRp();
    shared.op.behave.omitIdTokenClaims = ['name'];
    shared.op.behave.userinfoClaims = { email: 'other@test-shared.op.example', name: 'From Userinfo' };
    expect((await rpLogin(rp, shared.op)).identity).toEqual({ ...USER, ...ID_TOKEN, name: 'From Userinfo' });
  });

  it('does not look up a claim the ID token carries in a wrong shape (it stays null)', async () => {
    const rp = await warmRp();
    shared.op.behave.idTokenClaims = { name: { html: '<b>x</b>' } };
    expect((await rpLogin(rp, shared.op)).identity).toEqual({ ...USER, ...ID_TOKEN, name: null });
    expect(idpRequests()).toEqual(['token']);
  });

  it('refuses a userinfo answer for another sub', async () => {
    shared.op.behave.omitIdTokenClaims = ['email'];
    shared.op.behave.userinfoClaims = { sub: 'someone-else', email: 'attacker@evil.example' };
    const err = await rpLoginError(makeRp(), shared.op);
    expect(err).toMatchObject({ kind: 'token_exchange_failed', status: 502 });
    expect(err.message).toBe(
      'Token exchange failed: the userinfo endpoint answered for a different user ("sub" differs from the ID token)',
    );
  });

  it('guards the userinfo call like every IdP request: timeout, size cap, HTTP errors', async () => {
    shared.op.behave.omitIdTokenClaims = ['email'];
    shared.op.behave.userinfo = { kind: 'hang' };
    const started = Date.now();
    const hung = await rpLoginError(makeRp({ timeoutMs: 500 }), shared.op);
    expect(hung).toMatchObject({ kind: 'idp_unavailable', status: 504 });
    expect(Date.now() - started).toBeLessThan(5000);

    shared.op.behave.userinfo = { kind: 'endless' };
    expect((await rpLoginError(makeRp({ maxBytes: 128 * 1024 }), shared.op)).message).toBe(
      "Token exchange failed: the identity provider's answer was too large",
    );

    shared.op.behave.userinfo = { kind: 'json', status: 401, body: { error: 'invalid_token' } };
    expect((await rpLoginError(makeRp(), shared.op)).message).toMatch(
      /^Token exchange failed: the userinfo endpoint answered HTTP 401/,
    );
  });

  it('refuses a discovered userinfo endpoint on the metadata address', async () => {
    shared.op.behave.discoveryOverrides = { userinfo_endpoint: 'http://169.254.169.254/userinfo' };
    const err = await rpLoginError(makeRp(), shared.op);
    expect(err).toMatchObject({ kind: 'blocked_address', status: 503 });
  });

  it('without a userinfo endpoint, the ID token is all there is', async () => {
    shared.op.behave.omitDiscoveryFields = ['userinfo_endpoint'];
    shared.op.behave.omitIdTokenClaims = ['email', 'name'];
    expect((await rpLogin(makeRp(), shared.op)).identity).toEqual({
      sub: USER.sub,
      email: null,
      emailVerified: false,
      name: null,
      ...ID_TOKEN,
    });
    expect(shared.op.requestsTo('userinfo')).toHaveLength(0);
  });

  it('falls back to preferred_username for email only when it is email-shaped', async () => {
    shared.op.behave.omitIdTokenClaims = ['email'];
    shared.op.behave.omitUserinfoClaims = ['email'];
    shared.op.behave.idTokenClaims = { preferred_username: 'ada@contoso.example' };
    // Shown as the email, never as a verified one: a sign-in name is not a mailbox anyone proved.
    expect((await rpLogin(makeRp(), shared.op)).identity).toMatchObject({
      email: 'ada@contoso.example',
      emailVerified: false,
    });
    for (const username of ['ada', '+15551234567', 'ada@localhost', 'a b@contoso.example']) {
      shared.op.behave.idTokenClaims = { preferred_username: username };
      expect((await rpLogin(makeRp(), shared.op)).identity.email).toBeNull();
    }
  });
});

describe('emailVerified: what the IdP said about the email it sent', () => {
  it('true only for email_verified true (or the string "true") in the claims that gave the email', async () => {
    const cases: Array<[unknown, boolean]> = [
      [true, true],
      ['true', true],
      [false, false],
      ['false', false],
      ['yes', false],
      [1, false],
      [null, false],
    ];
    for (const [value, verified] of cases) {
      shared.op.behave.idTokenClaims = { email_verified: value };
      expect((await rpLogin(makeRp(), shared.op)).identity.emailVerified, String(value)).toBe(verified);
    }
    // Omitted from the ID token (Entra never sends it): not verified, and no userinfo call to ask.
    shared.op.reset();
    shared.op.behave.omitIdTokenClaims = ['email_verified'];
    const rp = await warmRp();
    shared.op.behave.omitIdTokenClaims = ['email_verified'];
    expect((await rpLogin(rp, shared.op)).identity.emailVerified).toBe(false);
    expect(idpRequests()).toEqual(['token']);
  });

  it('an email from userinfo takes userinfo’s flag, not the ID token’s', async () => {
    shared.op.behave.omitIdTokenClaims = ['email'];
    shared.op.behave.userinfoClaims = { email_verified: false };
    expect((await rpLogin(makeRp(), shared.op)).identity).toMatchObject({ email: USER.email, emailVerified: false });
  });

  it('wantEmailVerified: userinfo is asked for the flag the ID token left out, and counts only for the same address', async () => {
    const rp = await warmRp();
    shared.op.behave.omitIdTokenClaims = ['email_verified'];
    expect((await rpLogin(rp, shared.op, undefined, { wantEmailVerified: true })).identity).toMatchObject({
      email: USER.email,
      emailVerified: true,
    });
    expect(idpRequests()).toEqual(['token', 'userinfo']);
    shared.op.behave.userinfoClaims = { email: 'someone-else@test-op.example' };
    expect((await rpLogin(rp, shared.op, undefined, { wantEmailVerified: true })).identity).toMatchObject({
      email: USER.email,
      emailVerified: false,
    });
  });
});

describe('JWKS keys and audiences', () => {
  it('never verifies with a key published for encryption ("use": "enc")', async () => {
    await withFreshOp(async (keys) => {
      await keys.addEncryptionKey();
      // A token with no kid: the enc key is not a candidate, so the one signing key is used.
      keys.behave.omitKid = true;
      expect((await rpLogin(makeRp(), keys)).identity.sub).toBe(USER.sub);
      // A token signed by the enc key's private half, naming its kid: refused.
      keys.behave.omitKid = false;
      keys.behave.signing = 'encryption-key';
      expect((await rpLoginError(makeRp(), keys)).kind).toBe('id_token_invalid');
      const jwks = (await (await fetch(keys.endpoints.jwks)).json()) as { keys: { use?: string }[] };
      expect(jwks.keys.map((k) => k.use)).toEqual(['sig', 'enc']);
    });
  });

  it('accepts keys published without "use"', async () => {
    shared.op.behave.jwksOmitUse = true;
    const jwks = (await (await fetch(shared.op.endpoints.jwks)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.every((k) => !('use' in k))).toBe(true);
    expect((await rpLogin(makeRp(), shared.op)).identity.sub).toBe(USER.sub);
  });

  it('accepts "aud" as a one-element array', async () => {
    shared.op.behave.idTokenClaims = { aud: [shared.op.clients[0]!.clientId] };
    expect((await rpLogin(makeRp(), shared.op)).identity.sub).toBe(USER.sub);
  });
});

describe('issuer aliases', () => {
  const schemeless = () => shared.op.issuer.replace(/^http:\/\//, '');

  it('by default only Google has one: accounts.google.com for https://accounts.google.com', () => {
    expect(DEFAULT_ISSUER_ALIASES).toEqual({ 'https://accounts.google.com': ['accounts.google.com'] });
  });

  it('with the default table, no other issuer gains an alias (an OP at http://127.0.0.1:P issuing iss "127.0.0.1:P" is refused)', async () => {
    shared.op.behave.idTokenClaims = { iss: schemeless() };
    const err = await rpLoginError(makeRp(), shared.op);
    expect(err.kind).toBe('id_token_invalid');
    expect(shared.op.requestsTo('token')).toHaveLength(1);
  });

  it('a listed alias passes both openid-client and jose checks with one token request', async () => {
    const rp = await warmRp({ issuerAliases: { [shared.op.issuer]: [schemeless()] } });
    shared.op.behave.idTokenClaims = { iss: schemeless() };
    expect((await rpLogin(rp, shared.op)).identity).toEqual({ ...USER, ...ID_TOKEN });
    expect(idpRequests()).toEqual(['token']);
    // The issuer itself still works on the same set-up.
    shared.op.reset();
    expect((await rpLogin(rp, shared.op)).identity).toEqual({ ...USER, ...ID_TOKEN });
  });

  it('an alias of another issuer, or any other iss, is still refused', async () => {
    const rp = makeRp({
      issuerAliases: { [shared.op.issuer]: [schemeless()], 'https://other.example': ['evil.example'] },
    });
    for (const iss of ['evil.example', `${shared.op.issuer}/`, 'https://accounts.google.com']) {
      shared.op.behave.idTokenClaims = { iss };
      expect((await rpLoginError(rp, shared.op)).kind).toBe('id_token_invalid');
    }
  });
});

async function withFreshOp(fn: (o: TestOp) => Promise<void>) {
  const fresh = await startTestOp();
  try {
    await fn(fresh);
  } finally {
    await fresh.close();
  }
}
