/**
 * Client authentication against IdPs that form-decode Basic credentials (RFC 6749 §2.3.1) and IdPs
 * that compare them raw, with the client IDs and secrets real vendors issue. A raw-comparing IdP
 * must see exactly the registered bytes; the RP never sends an escaped form to one if it can avoid it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRelyingParty } from '@/lib/sso-service/oidc';
import {
  startTestOp,
  type AuthMethod,
  type BasicDecoding,
  type TestOp,
  type TestOpClient,
} from '@/tests/support/test-op';
import { rpConfigFor, rpLogin, rpLoginError } from '@/tests/support/test-op/rp-login';

const CLIENTS = {
  // Microsoft Entra ID: the application (client) ID is a GUID; generated secrets use letters, digits, "~", ".", "_", "-".
  entra: { clientId: '3f2b8c1e-6d4a-4e7b-9a0c-5d1e2f3a4b5c', clientSecret: 'Qx28Q~Zk4.vN_3pLm-7yRt9.wXs~BcDe1FgHi2Jk' },
  // Google: "<number>-<hash>.apps.googleusercontent.com" with a "GOCSPX-" secret.
  google: { clientId: '1234-abc.apps.googleusercontent.com', clientSecret: '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' },
  // The characters that Basic must escape.
  special: { clientId: 'sso-test-client', clientSecret: 'test secret:with%special+chars' },
} satisfies Record<string, Omit<TestOpClient, 'redirectUris'>>;

const BOTH: AuthMethod[] = ['client_secret_basic', 'client_secret_post'];
const ops: TestOp[] = [];

async function opWith(client: Omit<TestOpClient, 'redirectUris'>, basicDecoding: BasicDecoding, authMethods = BOTH) {
  const op = await startTestOp({ clients: [{ ...client, redirectUris: [] }], basicDecoding, authMethods });
  ops.push(op);
  return op;
}

afterEach(async () => {
  await Promise.all(ops.splice(0).map((op) => op.close()));
});

const rp = () => createRelyingParty({ devMode: true });

describe.each(['raw', 'form'] as const)('an IdP that reads Basic credentials %s', (decoding) => {
  it.each(['entra', 'google'] as const)(
    'accepts %s-style credentials sent with client_secret_basic, byte for byte',
    async (kind) => {
      const client = CLIENTS[kind];
      const op = await opWith(client, decoding);
      const { identity } = await rpLogin(rp(), op);
      expect(identity.sub).toBe('test-op-user-1');
      const [token] = op.requestsTo('token');
      expect(token?.basicRaw).toEqual(client);
      expect(token?.form?.client_secret).toBeUndefined();
    },
  );

  it('gets a secret with ":%+ " via client_secret_post when the IdP offers it', async () => {
    const op = await opWith(CLIENTS.special, decoding);
    await rpLogin(rp(), op);
    const [token] = op.requestsTo('token');
    expect(token?.headers.authorization).toBeUndefined();
    expect(token?.form).toMatchObject({
      client_id: CLIENTS.special.clientId,
      client_secret: CLIENTS.special.clientSecret,
    });
  });
});

describe('an IdP that offers only client_secret_basic, with a secret that must be escaped', () => {
  it('a decoding IdP reads the form-encoded secret back exactly', async () => {
    const op = await opWith(CLIENTS.special, 'form', ['client_secret_basic']);
    await rpLogin(rp(), op);
    const [token] = op.requestsTo('token');
    expect(token?.basicRaw).toEqual({
      clientId: 'sso-test-client',
      clientSecret: 'test+secret%3Awith%25special%2Bchars',
    });
    expect(token?.basic).toEqual(CLIENTS.special);
  });

  it('a raw-comparing IdP cannot accept it (no encoding can help): the login fails with a clear message', async () => {
    const op = await opWith(CLIENTS.special, 'raw', ['client_secret_basic']);
    const err = await rpLoginError(rp(), op);
    expect(err.kind).toBe('token_exchange_failed');
    expect(err.message).toBe('Token exchange failed: the identity provider rejected the client credentials');
    expect(err.message).not.toContain(CLIENTS.special.clientSecret);
  });
});

/**
 * IdPs that take one method per client although discovery advertises both (Auth0's per-application
 * "Authentication Method", Okta's per-app client authentication; sources on `TestOpClient.onlyMethod`), and
 * LemonLDAP 2.16's Basic parser: the RP retries the code exchange once with the other method and remembers
 * the one that worked for that client set-up.
 */
describe('an IdP that rejects the chosen client authentication method', () => {
  const auth0Style = { clientId: 'AbCdEfGhIjKlMnOpQrStUvWxYz012345', clientSecret: 'x7-Qm_3v.Z9k~pL2wRt8yN4bH6cJ1dF5' };

  /** Token requests made by the login, and the IdP requests other than /authorize made by its callback. */
  async function loginCounting(relyingParty: ReturnType<typeof rp>, op: TestOp) {
    const before = op.requests.length;
    const { identity } = await rpLogin(relyingParty, op);
    const made = op.requests
      .slice(before)
      .filter((r) => r.endpoint !== 'authorize' && r.endpoint !== 'discovery' && r.endpoint !== 'jwks');
    expect(identity.sub).toBe('test-op-user-1');
    return made.map((r) => (r.endpoint === 'token' ? (r.headers.authorization ? 'basic' : 'post') : r.endpoint));
  }

  it('Auth0-like post-only client, both methods advertised: Basic, then post; the next login goes straight to post', async () => {
    const op = await opWith({ ...auth0Style, onlyMethod: 'client_secret_post' }, 'form');
    const relyingParty = rp();
    expect(await loginCounting(relyingParty, op)).toEqual(['basic', 'post']);
    expect(await loginCounting(relyingParty, op)).toEqual(['post']);
    expect(op.requestsTo('token')).toHaveLength(3);
  });

  it('a basic-only client is served by the first request', async () => {
    const op = await opWith({ ...auth0Style, onlyMethod: 'client_secret_basic' }, 'form');
    const relyingParty = rp();
    expect(await loginCounting(relyingParty, op)).toEqual(['basic']);
    expect(await loginCounting(relyingParty, op)).toEqual(['basic']);
  });

  it('a basic-only client with a secret that needs escaping (post chosen first) falls back to Basic on 403 unauthorized_client', async () => {
    const op = await opWith(
      {
        ...CLIENTS.special,
        onlyMethod: 'client_secret_basic',
        wrongMethodAnswer: { status: 403, error: 'unauthorized_client' },
      },
      'form',
    );
    const relyingParty = rp();
    expect(await loginCounting(relyingParty, op)).toEqual(['post', 'basic']);
    expect(await loginCounting(relyingParty, op)).toEqual(['basic']);
  });

  it('a LemonLDAP-like Basic parser (stops at + or /): post after one rejected Basic request, then post only', async () => {
    // Needs no escaping, but base64("…:probe-secret~~~") contains "+".
    const client = { clientId: 'sso-probe-client.example', clientSecret: 'probe-secret~~~' };
    expect(Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')).toMatch(/[+/]/);
    const op = await opWith(client, 'lemonldap');
    const relyingParty = rp();
    expect(await loginCounting(relyingParty, op)).toEqual(['basic', 'post']);
    expect(await loginCounting(relyingParty, op)).toEqual(['post']);
  });

  it('both methods rejected: exactly two token requests and a message that says so, without the secret', async () => {
    const op = await opWith(auth0Style, 'form');
    const wrongSecret = 'not-the-registered-secret';
    const err = await rpLoginError(rp(), op, { ...rpConfigFor(op), clientSecret: wrongSecret });
    expect(op.requestsTo('token').map((r) => (r.headers.authorization ? 'basic' : 'post'))).toEqual(['basic', 'post']);
    expect(err.kind).toBe('token_exchange_failed');
    expect(err.message).toBe(
      'Token exchange failed: the identity provider rejected the client credentials with both client_secret_basic and client_secret_post; ' +
        "check the client ID and secret in the SSO settings against the identity provider's application",
    );
    expect(err.message).not.toContain(wrongSecret);
  });

  it.each([
    [
      'invalid_grant',
      { kind: 'json', status: 400, body: { error: 'invalid_grant' } },
      'the identity provider answered invalid_grant (HTTP 400)',
    ],
    ['a 500', { kind: 'raw', status: 500, body: 'oops' }, 'the identity provider answered HTTP 500'],
    [
      'invalid_client with HTTP 500',
      { kind: 'json', status: 500, body: { error: 'invalid_client' } },
      'the identity provider answered HTTP 500',
    ],
  ] as const)('no retry after %s', async (_name, mode, detail) => {
    const op = await opWith(auth0Style, 'form');
    op.behave.token = mode;
    const err = await rpLoginError(rp(), op);
    expect(err.message).toContain(detail);
    expect(op.requestsTo('token')).toHaveLength(1);
  });

  it('no retry after a timeout', async () => {
    const op = await opWith(auth0Style, 'form');
    op.behave.token = { kind: 'hang' };
    const err = await rpLoginError(createRelyingParty({ devMode: true, timeoutMs: 300 }), op);
    expect(err.kind).toBe('idp_unavailable');
    expect(op.requestsTo('token')).toHaveLength(1);
  });

  it('no retry when the IdP advertises only the method that was rejected', async () => {
    const op = await opWith({ ...auth0Style, onlyMethod: 'client_secret_post' }, 'form', ['client_secret_basic']);
    const err = await rpLoginError(rp(), op);
    expect(err.message).toBe('Token exchange failed: the identity provider rejected the client credentials');
    expect(op.requestsTo('token')).toHaveLength(1);
  });
});
