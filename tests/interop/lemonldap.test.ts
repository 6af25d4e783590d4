/**
 * The service against a real OpenID Provider that is neither JavaScript nor ours: LemonLDAP::NG 2.16 from
 * Debian's packages (Perl, behind its own nginx + FastCGI on a loopback port; scripts/interop/lemonldap.ts).
 * Everything goes over real HTTP: the service's contract flow, LemonLDAP's own login form, and raw token
 * requests that pin down how LemonLDAP reads client_secret_basic credentials.
 *
 * Runs when LemonLDAP::NG is installed (`sudo bash scripts/interop/install-lemonldap.sh`); skipped otherwise,
 * except in CI (CI or INTEROP_REQUIRED=1), where a LemonLDAP that cannot start fails the suite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lemonLdapInstalled, startLemonLdap, type LemonLdap } from '@/scripts/interop/lemonldap';
import { loginAtLemonLdap } from '@/tests/interop/lemonldap-login';
import { STACK_CONSOLE_URL, STACK_REDIRECT_URI, signupOrg, startStack, type Stack } from '@/tests/support/stack';

/** A fixed per-connection callback of the console (scripts/test.sh registers the same one for the e2e stack). */
const OWN_REDIRECT_URI = `${STACK_CONSOLE_URL}/sso/callback/interop-lemonldap`;

const required = Boolean(process.env.CI) || process.env.INTEROP_REQUIRED === '1';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  token_endpoint_auth_methods_supported?: string[];
  id_token_signing_alg_values_supported?: string[];
}

async function json<T>(res: Response): Promise<{ status: number; body: T }> {
  return { status: res.status, body: (await res.json()) as T };
}

/** RFC 6749's form encoding as openid-client's ClientSecretBasic did it: everything but letters and digits escaped. */
function percentEncodeAll(value: string): string {
  return value.replace(/[^A-Za-z0-9]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`;

describe.skipIf(!lemonLdapInstalled() && !required)('LemonLDAP::NG (Debian package) as the identity provider', () => {
  let idp: LemonLdap;
  let stack: Stack;
  let discovery: Discovery;

  beforeAll(async () => {
    stack = await startStack();
    idp = await startLemonLdap({ redirectUris: [STACK_REDIRECT_URI, OWN_REDIRECT_URI] });
    discovery = (await json<Discovery>(await fetch(`${idp.issuer}/.well-known/openid-configuration`))).body;
  }, 90_000);

  afterAll(async () => {
    await idp?.close();
    await stack?.close();
  });

  /** A token request with a code LemonLDAP never issued: `invalid_grant` means the client got through. */
  async function tokenRequest(init: { authorization?: string; form?: Record<string, string> }) {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: 'not-a-code-lemonldap-issued',
      redirect_uri: STACK_REDIRECT_URI,
      ...init.form,
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (init.authorization) headers.authorization = init.authorization;
    return json<{ error?: string }>(await fetch(discovery.token_endpoint, { method: 'POST', headers, body }));
  }

  it('publishes a discovery document and an RS256 key the service can use', async () => {
    expect(discovery.issuer).toBe(idp.issuer);
    expect(discovery.id_token_signing_alg_values_supported).toContain('RS256');
    expect(discovery.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post']),
    );
    const jwks = (await json<{ keys: Array<{ kty: string; kid?: string }> }>(await fetch(discovery.jwks_uri))).body;
    expect(jwks.keys).toContainEqual(expect.objectContaining({ kty: 'RSA', kid: 'interop-rs256' }));
  });

  it('compares client_secret_basic credentials as sent: it does not percent-decode them', async () => {
    const { clientId, clientSecret } = idp.probeClient;
    expect(basic(clientId, clientSecret), 'this client’s Basic token must have no + or /').not.toMatch(/[+/]/);
    const asIs = await tokenRequest({ authorization: basic(clientId, clientSecret) });
    expect(asIs.body.error, 'the exact id and secret authenticate').toBe('invalid_grant');

    // `sso%2Dprobe%2Dclient%2Eexample`: what a Basic encoder that escapes `-` and `.` sends. A decoding IdP
    // would read the same client; LemonLDAP looks for a client with that literal ID.
    const escaped = await tokenRequest({
      authorization: basic(percentEncodeAll(clientId), percentEncodeAll(clientSecret)),
    });
    expect(escaped.body.error).toBe('invalid_client');
  });

  it('reads a Basic token only up to its first `+` or `/` (2.16), so such credentials work only by client_secret_post', async () => {
    // The service's client: nothing in it needs escaping, yet its Basic token has a `+`.
    const { clientId, clientSecret } = idp.client;
    const token = basic(clientId, clientSecret);
    expect(token, 'the client credentials must produce a + or / in base64').toMatch(/[+/]/);
    expect((await tokenRequest({ authorization: token })).body.error).toBe('invalid_client');
    const post = await tokenRequest({ form: { client_id: clientId, client_secret: clientSecret } });
    expect(post.body.error).toBe('invalid_grant');
  });

  it('runs the contract flow: signup → config → /sso/login → LemonLDAP login form → /sso/callback → identity → get/delete', async () => {
    const org = await signupOrg(stack.serviceUrl, 'LemonLDAP interop');
    const config = {
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      redirectUri: STACK_REDIRECT_URI,
    };
    // POST /v1/sso/config: the service checks LemonLDAP's discovery document before it saves.
    const saved = await org.client.sso.createConfig(config);
    expect(saved).toMatchObject({ issuerUrl: idp.issuer, clientId: config.clientId, redirectUri: STACK_REDIRECT_URI });
    expect(JSON.stringify(saved)).not.toContain(config.clientSecret);

    const login = await json<{ authorizeUrl: string; protocol: string }>(
      await fetch(new URL(`/sso/login?org=${encodeURIComponent(org.developerId)}`, stack.serviceUrl)),
    );
    expect(login.status).toBe(200);
    expect(login.body.protocol).toBe('oidc');
    const authorize = new URL(login.body.authorizeUrl);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(discovery.authorization_endpoint);
    expect(authorize.searchParams.get('client_id')).toBe(config.clientId);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    const user = idp.users[0];
    const redirect = await loginAtLemonLdap(login.body.authorizeUrl, user);
    expect(`${redirect.origin}${redirect.pathname}`).toBe(STACK_REDIRECT_URI);
    expect(redirect.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    expect(redirect.searchParams.get('code')).toBeTruthy();

    const logBefore = (await idp.portalLog()).length;
    const callback = await json<unknown>(await fetch(new URL(`/sso/callback${redirect.search}`, stack.serviceUrl)));
    expect(callback.status, JSON.stringify(callback.body)).toBe(200);
    // LemonLDAP's demo users carry no email_verified claim: the email is passed on, marked unverified.
    expect(callback.body).toEqual({
      developerId: org.developerId,
      email: user.email,
      emailVerified: false,
      name: user.name,
      sub: user.sub,
    });
    // LemonLDAP logs the method of each token request: Basic first (nothing to escape), rejected because of
    // the `+` in its token, then the one retry with client_secret_post, which redeemed the same code.
    const log = (await idp.portalLog()).slice(logBefore);
    const methods = [...log.matchAll(/Method (client_secret_\w+) used/g)].map((m) => m[1]);
    expect(methods).toEqual(['client_secret_basic', 'client_secret_post']);
    expect(log).toContain('Wrong credentials');

    await expect(org.client.sso.getConfig()).resolves.toEqual(saved);
    await org.client.sso.deleteConfig();
    await expect(org.client.sso.getConfig()).resolves.toBeNull();
  });

  it('signs in a second user in a fresh browser session, with that user’s own claims', async () => {
    const org = await signupOrg(stack.serviceUrl, 'LemonLDAP interop 2');
    await org.client.sso.createConfig({
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      redirectUri: STACK_REDIRECT_URI,
    });
    const { authorizeUrl } = await org.client.sso.getLoginUrl(org.developerId);
    const user = idp.users[1];
    const redirect = await loginAtLemonLdap(authorizeUrl, user);
    const identity = await org.client.sso.handleCallback(
      redirect.searchParams.get('code')!,
      redirect.searchParams.get('state')!,
    );
    expect(identity).toEqual({
      developerId: org.developerId,
      email: user.email,
      emailVerified: false,
      name: user.name,
      sub: user.sub,
    });
  });

  it('signs a member in on a connection with its own redirect URI; a foreign redirect_uri is refused before any token request', async () => {
    const org = await signupOrg(stack.serviceUrl, 'LemonLDAP interop 3');
    const connection = await org.client.sso.connections.create({
      name: 'LemonLDAP',
      protocol: 'oidc',
      issuerUrl: idp.issuer,
      clientId: idp.client.clientId,
      clientSecret: idp.client.clientSecret,
      redirectUri: OWN_REDIRECT_URI,
    });
    expect(connection).toMatchObject({ redirectUri: OWN_REDIRECT_URI });
    const signIn = async () => {
      const { authorizeUrl } = await org.client.sso.getLoginUrl(org.developerId);
      expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toBe(OWN_REDIRECT_URI);
      const redirect = await loginAtLemonLdap(authorizeUrl, idp.users[0]);
      expect(`${redirect.origin}${redirect.pathname}`).toBe(OWN_REDIRECT_URI);
      return {
        code: redirect.searchParams.get('code')!,
        state: redirect.searchParams.get('state')!,
        iss: redirect.searchParams.get('iss') ?? undefined,
      };
    };
    const first = await signIn();
    const logBefore = (await idp.portalLog()).length;
    await expect(
      org.client.sso.handleOidcCallback(first.code, first.state, { iss: first.iss, redirectUri: STACK_REDIRECT_URI }),
    ).rejects.toMatchObject({ status: 400 });
    // No token request reached LemonLDAP.
    expect((await idp.portalLog()).slice(logBefore)).not.toMatch(/Method client_secret_\w+ used/);
    // The same response at its own URI completes (the refusal claimed nothing).
    const session = await org.client.sso.handleOidcCallback(first.code, first.state, {
      iss: first.iss,
      redirectUri: OWN_REDIRECT_URI,
    });
    expect(session).toMatchObject({ developerId: org.developerId, email: idp.users[0]?.email });
  });
});
