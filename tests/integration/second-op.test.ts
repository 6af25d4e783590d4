/**
 * The flow against a second, independent OpenID Provider (the programmable test OP in normal mode,
 * not the dev IdP): an issuer with a path, client_secret_basic only, nonce and PKCE required,
 * RS256 with a kid. Proves the service is a generic relying party, not one tuned to oidc-provider.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MESSAGES } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex';
import { loginAtDevIdp } from '@/tests/support/idp-login';
import { devIdpConfig, signupOrg, startStack, type Stack } from '@/tests/support/stack';
import { DEFAULT_USER, startTestOp, type TestOp } from '@/tests/support/test-op';
import { failure } from '@/tests/support/grantex-failure';

const REDIRECT_URI = 'http://localhost:3999/sso/callback';
const CLIENT = {
  clientId: 'second-op-client',
  // `:`, `%`, `+` and a space: Basic credentials must be form-encoded (RFC 6749 §2.3.1) to match.
  clientSecret: 'second op:secret%with+chars',
  redirectUris: [REDIRECT_URI],
};

let stack: Stack;
let op: TestOp;

beforeAll(async () => {
  [stack, op] = await Promise.all([
    startStack({ redirectUri: REDIRECT_URI }),
    startTestOp({
      issuerPath: '/tenants/acme',
      authMethods: ['client_secret_basic'],
      alg: 'RS256',
      requireNonce: true,
      requirePkce: true,
      clients: [CLIENT],
    }),
  ]);
});

afterAll(async () => {
  await Promise.all([stack?.close(), op?.close()]);
});

beforeEach(() => {
  op.reset();
});

function opConfig() {
  return {
    issuerUrl: op.issuer,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
  };
}

describe('a second OP (issuer with a path, client_secret_basic only, RS256 + kid)', () => {
  it('runs create config → get config → login URL → authorize → callback → identity', async () => {
    expect(new URL(op.issuer).pathname).toBe('/tenants/acme');
    const org = await signupOrg(stack.serviceUrl, 'Second OP Org');

    const created = await org.client.sso.createConfig(opConfig());
    expect(created).toMatchObject({ issuerUrl: op.issuer, clientId: CLIENT.clientId, redirectUri: REDIRECT_URI });
    const fetched = await org.client.sso.getConfig();
    expect(fetched).toEqual(created);
    expect(JSON.stringify(fetched)).not.toContain(CLIENT.clientSecret);

    const publicClient = new GrantexClient({ baseUrl: stack.serviceUrl });
    const login = await publicClient.sso.getLoginUrl(org.developerId);
    expect(login.protocol).toBe('oidc');
    const authorize = new URL(login.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(op.endpoints.authorization);
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('client_id')).toBe(CLIENT.clientId);
    expect(authorize.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(authorize.searchParams.get('nonce')).toBeTruthy();
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    // Discovery went to the issuer's own path, not the host root.
    expect(op.requestsTo('discovery').map((r) => r.path)).toContain('/tenants/acme/.well-known/openid-configuration');

    const callback = await op.driveAuthorize(login.authorizeUrl);
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.get('error')).toBeNull();
    const code = callback.searchParams.get('code')!;
    const state = callback.searchParams.get('state')!;
    expect(state).toBe(authorize.searchParams.get('state'));

    const identity = await publicClient.sso.handleCallback(code, state, {
      iss: callback.searchParams.get('iss') ?? undefined,
    });
    expect(identity).toEqual({
      developerId: org.developerId,
      email: DEFAULT_USER.email,
      // The test OP's ID token says email_verified: true.
      emailVerified: true,
      name: DEFAULT_USER.name,
      sub: DEFAULT_USER.sub,
    });

    // The token request: Basic auth with form-encoded credentials, no secret in the body, the exact
    // configured redirect URI and the PKCE verifier.
    const tokenRequests = op.requestsTo('token');
    expect(tokenRequests).toHaveLength(1);
    const token = tokenRequests[0]!;
    expect(token.basic).toEqual({ clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret });
    expect(token.form?.client_secret).toBeUndefined();
    expect(token.form?.redirect_uri).toBe(REDIRECT_URI);
    expect(token.form?.code).toBe(code);
    expect(token.form?.code_verifier).toBeTruthy();
    // The ID token was verified against the JWKS, where the signing key is published under its kid.
    expect(op.keys[0]?.alg).toBe('RS256');
    expect(op.keys[0]?.kid).toBeTruthy();
    expect(op.requestsTo('jwks').length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a replayed callback without redeeming the code again', async () => {
    const org = await signupOrg(stack.serviceUrl);
    await org.client.sso.createConfig(opConfig());
    const publicClient = new GrantexClient({ baseUrl: stack.serviceUrl });
    const { authorizeUrl } = await publicClient.sso.getLoginUrl(org.developerId);
    const callback = await op.driveAuthorize(authorizeUrl);
    const code = callback.searchParams.get('code')!;
    const state = callback.searchParams.get('state')!;
    const iss = callback.searchParams.get('iss') ?? undefined;

    await expect(publicClient.sso.handleCallback(code, state, { iss })).resolves.toMatchObject({
      sub: DEFAULT_USER.sub,
    });
    const replay = await failure(publicClient.sso.handleCallback(code, state, { iss }));
    expect(replay.status).toBe(400);
    expect(replay.message).toBe(MESSAGES.stateExpiredOrUsed);
    expect(op.requestsTo('token')).toHaveLength(1);
  });

  it('serves orgs on the dev IdP and on the second OP side by side', async () => {
    const onDevIdp = await signupOrg(stack.serviceUrl);
    const onTestOp = await signupOrg(stack.serviceUrl);
    await onDevIdp.client.sso.createConfig(devIdpConfig(stack));
    await onTestOp.client.sso.createConfig(opConfig());
    const publicClient = new GrantexClient({ baseUrl: stack.serviceUrl });

    const devLogin = await publicClient.sso.getLoginUrl(onDevIdp.developerId);
    const opLogin = await publicClient.sso.getLoginUrl(onTestOp.developerId);
    expect(new URL(devLogin.authorizeUrl).origin).toBe(new URL(stack.idp.issuer).origin);
    expect(new URL(opLogin.authorizeUrl).origin).toBe(new URL(op.issuer).origin);

    const alice = stack.idp.users.find((u) => u.username === 'alice')!;
    const devCallback = await loginAtDevIdp(devLogin.authorizeUrl, alice);
    const opCallback = await op.driveAuthorize(opLogin.authorizeUrl);
    const fromDev = await publicClient.sso.handleCallback(
      devCallback.searchParams.get('code')!,
      devCallback.searchParams.get('state')!,
      { iss: devCallback.searchParams.get('iss') ?? undefined },
    );
    const fromOp = await publicClient.sso.handleCallback(
      opCallback.searchParams.get('code')!,
      opCallback.searchParams.get('state')!,
      { iss: opCallback.searchParams.get('iss') ?? undefined },
    );
    expect(fromDev).toMatchObject({ developerId: onDevIdp.developerId, sub: alice.sub, email: alice.email });
    expect(fromOp).toMatchObject({
      developerId: onTestOp.developerId,
      sub: DEFAULT_USER.sub,
      email: DEFAULT_USER.email,
    });
  });

  it('surfaces an IdP failure at the callback as kind sso, once, and repeats the real error on a retry', async () => {
    const org = await signupOrg(stack.serviceUrl);
    await org.client.sso.createConfig(opConfig());
    const publicClient = new GrantexClient({ baseUrl: stack.serviceUrl });
    const { authorizeUrl } = await publicClient.sso.getLoginUrl(org.developerId);
    const callback = await op.driveAuthorize(authorizeUrl);
    op.behave.signing = 'bad-signature';

    const args = [
      callback.searchParams.get('code')!,
      callback.searchParams.get('state')!,
      { iss: callback.searchParams.get('iss') ?? undefined },
    ] as const;
    const error = await failure(publicClient.sso.handleCallback(...args));
    expect(error.kind).toBe('sso');
    expect(error.status).toBe(502);
    expect(error.code).toBe('SSO_ERROR');
    // The contract's sentence first; the service may add why (e.g. ": its signature is invalid").
    expect(error.message.startsWith(MESSAGES.idTokenVerificationFailed)).toBe(true);
    expect(error.requestId).toBeTruthy();
    // The client did not retry the single-use callback on its own.
    expect(op.requestsTo('token')).toHaveLength(1);

    // A user-driven retry gets the same real error, not "already used", and no second redemption.
    const again = await failure(publicClient.sso.handleCallback(...args));
    expect(again.message).toBe(error.message);
    expect(op.requestsTo('token')).toHaveLength(1);
  });

  it('reports a failing token endpoint as kind sso "Token exchange failed"', async () => {
    const org = await signupOrg(stack.serviceUrl);
    await org.client.sso.createConfig(opConfig());
    const publicClient = new GrantexClient({ baseUrl: stack.serviceUrl });
    const { authorizeUrl } = await publicClient.sso.getLoginUrl(org.developerId);
    const callback = await op.driveAuthorize(authorizeUrl);
    op.behave.token = {
      kind: 'raw',
      status: 500,
      body: '<html>token endpoint exploded</html>',
      contentType: 'text/html',
    };

    const error = await failure(
      publicClient.sso.handleCallback(callback.searchParams.get('code')!, callback.searchParams.get('state')!, {
        iss: callback.searchParams.get('iss') ?? undefined,
      }),
    );
    expect(error.kind).toBe('sso');
    expect(error.message.startsWith(MESSAGES.tokenExchangeFailed)).toBe(true);
    expect(error.message).not.toContain('exploded');
    expect(op.requestsTo('token')).toHaveLength(1);
  });
});
