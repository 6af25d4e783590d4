/**
 * Client authentication against IdPs that form-decode Basic credentials (RFC 6749 §2.3.1) and IdPs
 * that compare them raw, with the client IDs and secrets real vendors issue. A raw-comparing IdP
 * must see exactly the registered bytes; the RP never sends an escaped form to one if it can avoid it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRelyingParty } from '@/lib/sso-service/oidc';
import { startTestOp, type AuthMethod, type BasicDecoding, type TestOp, type TestOpClient } from '@/tests/support/test-op';
import { rpLogin, rpLoginError } from '@/tests/support/test-op/rp-login';

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
  it.each(['entra', 'google'] as const)('accepts %s-style credentials sent with client_secret_basic, byte for byte', async (kind) => {
    const client = CLIENTS[kind];
    const op = await opWith(client, decoding);
    const { identity } = await rpLogin(rp(), op);
    expect(identity.sub).toBe('test-op-user-1');
    const [token] = op.requestsTo('token');
    expect(token?.basicRaw).toEqual(client);
    expect(token?.form?.client_secret).toBeUndefined();
  });

  it('gets a secret with ":%+ " via client_secret_post when the IdP offers it', async () => {
    const op = await opWith(CLIENTS.special, decoding);
    await rpLogin(rp(), op);
    const [token] = op.requestsTo('token');
    expect(token?.headers.authorization).toBeUndefined();
    expect(token?.form).toMatchObject({ client_id: CLIENTS.special.clientId, client_secret: CLIENTS.special.clientSecret });
  });
});

describe('an IdP that offers only client_secret_basic, with a secret that must be escaped', () => {
  it('a decoding IdP reads the form-encoded secret back exactly', async () => {
    const op = await opWith(CLIENTS.special, 'form', ['client_secret_basic']);
    await rpLogin(rp(), op);
    const [token] = op.requestsTo('token');
    expect(token?.basicRaw).toEqual({ clientId: 'sso-test-client', clientSecret: 'test+secret%3Awith%25special%2Bchars' });
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
