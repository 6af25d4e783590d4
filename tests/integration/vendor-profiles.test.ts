/**
 * Vendor behaviours, each as a profile of the programmable test OP, each through the service's real
 * path: POST /v1/sso/config → GET /sso/login → the OP's /authorize → GET /sso/callback.
 * Each profile names the vendor's public documentation of the behaviour it reproduces. The OPs here
 * compare Basic credentials raw (they do not percent-decode them), the strictest reading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelyingParty } from '@/lib/sso-service/oidc';
import {
  expectIdentity,
  REDIRECT_URI,
  runFlow,
  saveConfig,
  signup,
  startHarness,
  type Harness,
  type Org,
  type RawResponse,
} from '@/tests/support/adversarial';
import {
  DEFAULT_USER,
  startTestOp,
  startTestOpHost,
  type TestOp,
  type TestOpClient,
  type TestOpOptions,
} from '@/tests/support/test-op';

const USER = { sub: DEFAULT_USER.sub, email: DEFAULT_USER.email, name: DEFAULT_USER.name };

let h: Harness;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await Promise.allSettled(cleanups.splice(0).map((c) => c()));
  await h?.close();
});

type Client = Omit<TestOpClient, 'redirectUris'>;

async function vendorOp(client: Client, opts: TestOpOptions = {}): Promise<TestOp> {
  const op = await startTestOp({
    clients: [{ ...client, redirectUris: [REDIRECT_URI] }],
    basicDecoding: 'raw',
    ...opts,
  });
  cleanups.push(() => op.close());
  return op;
}

function save(org: Org, op: TestOp, client: Client, issuerUrl = op.issuer, base = h.url): Promise<RawResponse> {
  return saveConfig(base, org, {
    issuerUrl,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    redirectUri: REDIRECT_URI,
  });
}

/** A new org whose config (201) points at `op`. */
async function configuredOrg(op: TestOp, client: Client, base = h.url): Promise<Org> {
  const org = await signup(base);
  const saved = await save(org, op, client, op.issuer, base);
  expect(saved.status, saved.text).toBe(201);
  return org;
}

/** The IdP requests one login makes, /authorize (the browser's) left out. */
async function loginRequests(org: Org, op: TestOp, base = h.url) {
  const before = op.requests.length;
  const { res } = await runFlow(base, org, op);
  const endpoints = op.requests
    .slice(before)
    .map((r) => r.endpoint)
    .filter((e) => e !== 'authorize');
  return { res, endpoints };
}

function expectRefusedAtSave(res: RawResponse, mentions: RegExp): void {
  expect(res.status, res.text).toBe(400);
  expect(res.json?.code).toBe('BAD_REQUEST');
  expect(String(res.json?.message)).toMatch(mentions);
}

describe('Microsoft Entra ID', () => {
  // Issuer https://login.microsoftonline.com/{tenant}/v2.0, with a GUID tenant and client ID; `email`
  // is left out of ID tokens of work accounts unless configured, `preferred_username` holds the sign-in
  // name, and the UserInfo endpoint returns email "when available". Documented in Microsoft Learn:
  // "ID token claims reference", "Optional claims reference" and "Microsoft identity platform UserInfo
  // endpoint" (learn.microsoft.com/entra/identity-platform/…).
  const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  const CLIENT = {
    clientId: '3f2b8c1e-6d4a-4e7b-9a0c-5d1e2f3a4b5c',
    clientSecret: 'Qx28Q~Zk4.vN_3pLm-7yRt9.wXs~BcDe1FgHi2Jk',
  };
  let op: TestOp;
  let org: Org;

  beforeAll(async () => {
    op = await vendorOp(CLIENT, { issuerPath: `/${TENANT}/v2.0` });
    org = await configuredOrg(op, CLIENT);
  });

  it('tenant issuer …/{tenant-guid}/v2.0, GUID client ID, secret with "~" and ".": sent byte for byte by Basic', async () => {
    expect(op.issuer.endsWith(`/${TENANT}/v2.0`)).toBe(true);
    const { res } = await loginRequests(org, op);
    expectIdentity(res, org, USER);
    expect(op.requestsTo('token').at(-1)?.basicRaw).toEqual(CLIENT);
  });

  it('ID token without email: userinfo email first, else an email-shaped preferred_username', async () => {
    op.reset();
    op.behave.omitIdTokenClaims = ['email'];
    op.behave.idTokenClaims = { preferred_username: 'ada@contoso.onmicrosoft.com', tid: TENANT, ver: '2.0' };
    const fromUserinfo = await loginRequests(org, op);
    expectIdentity(fromUserinfo.res, org, USER);
    expect(fromUserinfo.endpoints).toEqual(['token', 'userinfo']);

    op.behave.omitUserinfoClaims = ['email'];
    const fromUsername = await loginRequests(org, op);
    // Shown as the email, but a sign-in name is never a verified one.
    expectIdentity(fromUsername.res, org, { ...USER, email: 'ada@contoso.onmicrosoft.com', email_verified: false });
  });

  it('the multi-tenant "common" issuer (discovery names "{tenantid}") is refused at save', async () => {
    const common = await vendorOp(CLIENT, { issuerPath: '/common/v2.0' });
    common.behave.discoveryOverrides = { issuer: common.issuer.replace('/common/', '/{tenantid}/') };
    expectRefusedAtSave(await save(await signup(h.url), common, CLIENT), /tenant/i);
  });
});

describe('Google', () => {
  // Google's ID tokens carry `iss` "https://accounts.google.com" or "accounts.google.com", both valid,
  // while discovery names the former: Google for Developers, "OpenID Connect" (Validating an ID token)
  // and the OpenID Connect reference (discovery document, `issuer`). Client IDs look like
  // "<number>-<id>.apps.googleusercontent.com", secrets start with "GOCSPX-".
  const CLIENT = {
    clientId: '1234-abc.apps.googleusercontent.com',
    clientSecret: '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',
  };

  it('an ID token with the scheme-less iss is accepted for the aliased issuer (alias table seam), with one token request', async () => {
    const op = await vendorOp(CLIENT);
    const schemeless = op.issuer.replace(/^http:\/\//, '');
    // The service's RP with Google's entry moved to this loopback issuer; tests cannot serve https://accounts.google.com.
    const google = await startHarness({
      relyingParty: createRelyingParty({ devMode: true, issuerAliases: { [op.issuer]: [schemeless] } }),
    });
    cleanups.push(() => google.close());
    const org = await configuredOrg(op, CLIENT, google.url);
    expectIdentity((await runFlow(google.url, org, op)).res, org, USER);

    op.behave.idTokenClaims = { iss: schemeless };
    const warm = await loginRequests(org, op, google.url);
    expectIdentity(warm.res, org, USER);
    expect(warm.endpoints).toEqual(['token']);
    expect(op.requestsTo('token').at(-1)?.basicRaw).toEqual(CLIENT);
  });

  it('with the default table no other issuer gains an alias: iss "127.0.0.1:P" for http://127.0.0.1:P is refused', async () => {
    const op = await vendorOp(CLIENT);
    const org = await configuredOrg(op, CLIENT);
    op.behave.idTokenClaims = { iss: op.issuer.replace(/^http:\/\//, '') };
    const { res } = await runFlow(h.url, org, op);
    expect(res.status, res.text).toBe(502);
    expect(res.json?.code).toBe('SSO_ERROR');
    expect(String(res.json?.message)).toMatch(/^ID token verification failed/);
  });
});

describe('Auth0', () => {
  // The issuer of an Auth0 tenant ends in a slash ("https://{yourDomain}/"), in discovery and in `iss`:
  // Auth0 Docs, "Validate ID Tokens" and "Locate JSON Web Key Sets" (…/.well-known/openid-configuration).
  const CLIENT = {
    clientId: 'Xq3k9ZyB7wP2mN4vL8tR6sD1fG5hJ0aC',
    clientSecret: 'aB3_dE6-gH9iJ2kL5mN8oP1qR4sT7uV0wX3yZ6aB9cD2eF5gH8iJ1kL4mN7oP0q',
  };

  it('the exact issuer with its trailing slash works end to end', async () => {
    const op = await vendorOp(CLIENT, { issuerTrailingSlash: true });
    expect(op.issuer.endsWith('/')).toBe(true);
    const org = await configuredOrg(op, CLIENT);
    expectIdentity((await runFlow(h.url, org, op)).res, org, USER);
  });

  it('the issuer typed without the slash is refused at save, naming the discovered issuer', async () => {
    const op = await vendorOp(CLIENT, { issuerTrailingSlash: true });
    const res = await save(await signup(h.url), op, CLIENT, op.issuer.replace(/\/$/, ''));
    expectRefusedAtSave(res, /issuerUrl/);
    expect(String(res.json?.message)).toContain(op.issuer);
  });
});

describe('Okta', () => {
  // One Okta org serves the org authorization server (issuer "https://{yourOktaDomain}") and custom
  // ones ("https://{yourOktaDomain}/oauth2/default", …/oauth2/{authServerId}), each with its own
  // issuer and keys: Okta Developer, "Authorization servers" (concepts/auth-servers).
  const CLIENT = { clientId: '0oa1b2c3d4E5f6G7h8i9', clientSecret: 'xYz-123_AbC-456_dEf-789_gHi-012_jKl-345_mNo' };

  it('the org and the custom (/oauth2/default) authorization servers on one host: both issuers work, each with its own', async () => {
    const host = await startTestOpHost();
    cleanups.push(() => host.close());
    const client = { ...CLIENT, redirectUris: [REDIRECT_URI] };
    const orgAs = await host.addIssuer({ clients: [client], basicDecoding: 'raw' });
    const customAs = await host.addIssuer({ clients: [client], basicDecoding: 'raw', issuerPath: '/oauth2/default' });
    expect(new URL(customAs.issuer).origin).toBe(orgAs.issuer);

    const viaOrg = await configuredOrg(orgAs, CLIENT);
    const viaCustom = await configuredOrg(customAs, CLIENT);
    expectIdentity((await runFlow(h.url, viaOrg, orgAs)).res, viaOrg, USER);
    expectIdentity((await runFlow(h.url, viaCustom, customAs)).res, viaCustom, USER);
    expect([orgAs.requestsTo('token').length, customAs.requestsTo('token').length]).toEqual([1, 1]);

    // Same host, different issuers: a token naming the org server is not valid for the custom one.
    customAs.behave.idTokenClaims = { iss: orgAs.issuer };
    expect((await runFlow(h.url, viaCustom, customAs)).res.status).toBe(502);
  });
});

describe('Keycloak', () => {
  // Realm issuers "{base}/realms/{realm-name}" and both client_secret_basic and client_secret_post in
  // token_endpoint_auth_methods_supported: Keycloak, "Securing applications and services with OpenID
  // Connect" (available endpoints, /realms/{realm-name}/.well-known/openid-configuration).
  const GENERATED = { clientId: 'grantex-console', clientSecret: 'p8Hk2LxQ9vT4mZ7rB1nW6yC3fJ5sD0aE' };
  const TYPED = { clientId: 'grantex-console', clientSecret: 'typed by hand: 100% secret+' };

  it('a generated (alphanumeric) secret goes by client_secret_basic', async () => {
    const op = await vendorOp(GENERATED, { issuerPath: '/realms/acme' });
    expect(op.issuer.endsWith('/realms/acme')).toBe(true);
    const org = await configuredOrg(op, GENERATED);
    expectIdentity((await runFlow(h.url, org, op)).res, org, USER);
    expect(op.requestsTo('token')[0]?.basicRaw).toEqual(GENERATED);
  });

  it('a secret that Basic would have to escape goes by client_secret_post', async () => {
    const op = await vendorOp(TYPED, { issuerPath: '/realms/acme' });
    const org = await configuredOrg(op, TYPED);
    expectIdentity((await runFlow(h.url, org, op)).res, org, USER);
    const [token] = op.requestsTo('token');
    expect(token?.headers.authorization).toBeUndefined();
    expect(token?.form?.client_secret).toBe(TYPED.clientSecret);
  });
});

describe('providers that keep email or name out of the ID token', () => {
  // OpenID Connect Core §5.4/§5.5: claims requested by scope may be returned from the UserInfo endpoint
  // instead of the ID token (Entra and Okta's org server do so for some claims).
  const CLIENT = { clientId: 'userinfo-client', clientSecret: 'UserinfoSecret0123456789' };
  let op: TestOp;
  let org: Org;

  beforeAll(async () => {
    op = await vendorOp(CLIENT);
    org = await configuredOrg(op, CLIENT);
    // Warm the service's discovery and JWKS caches.
    expectIdentity((await runFlow(h.url, org, op)).res, org, USER);
  });

  it('warm login: one IdP request when the ID token has email and name, two (token, userinfo) when not', async () => {
    op.reset();
    const full = await loginRequests(org, op);
    expectIdentity(full.res, org, USER);
    expect(full.endpoints).toEqual(['token']);

    op.behave.omitIdTokenClaims = ['email', 'name'];
    const partial = await loginRequests(org, op);
    expectIdentity(partial.res, org, USER);
    expect(partial.endpoints).toEqual(['token', 'userinfo']);
  });

  it('a userinfo answer for another sub fails the login', async () => {
    op.reset();
    op.behave.omitIdTokenClaims = ['email'];
    op.behave.userinfoClaims = { sub: 'someone-else' };
    const { res } = await runFlow(h.url, org, op);
    expect(res.status, res.text).toBe(502);
    expect(String(res.json?.message)).toMatch(/userinfo endpoint answered for a different user/);
  });
});

describe('signing keys and audiences', () => {
  // RFC 7517 §4.2: "use" is optional and "enc" keys are for encryption only; OpenID Connect Core
  // §2: "aud" may be an array (here with one element).
  const CLIENT = { clientId: 'keys-client', clientSecret: 'KeysSecret0123456789' };

  it('JWKS with an "enc" key next to the "sig" key: the enc key never verifies', async () => {
    const op = await vendorOp(CLIENT);
    await op.addEncryptionKey();
    const org = await configuredOrg(op, CLIENT);
    expectIdentity((await runFlow(h.url, org, op)).res, org, USER);
    op.behave.signing = 'encryption-key';
    expect((await runFlow(h.url, org, op)).res.status).toBe(502);
  });

  it('keys without "use", and "aud" as a one-element array', async () => {
    const op = await vendorOp(CLIENT);
    op.behave.jwksOmitUse = true;
    op.behave.idTokenClaims = { aud: [CLIENT.clientId] };
    const org = await configuredOrg(op, CLIENT);
    expectIdentity((await runFlow(h.url, org, op)).res, org, USER);
  });
});
