/**
 * Drives the relying party (lib/sso-service/oidc) through one login against a test OP, the way the
 * service's two routes do: authorizationUrl → the OP's /authorize → redeem.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { RpError, type RelyingParty, type RpClientConfig } from '@/lib/sso-service/oidc';
import { startTestOp, type TestOp, type TestOpOptions } from './index';

/** One test OP for a whole file: started before, reset after each test, closed after all. */
export function sharedTestOp(opts: TestOpOptions = {}): { readonly op: TestOp } {
  let op: TestOp | undefined;
  beforeAll(async () => {
    op = await startTestOp(opts);
  });
  afterEach(() => op?.reset());
  afterAll(async () => {
    await op?.close();
  });
  return {
    get op() {
      if (!op) throw new Error('the shared test OP is not started yet');
      return op;
    },
  };
}

export const RP_REDIRECT_URI = 'https://console.example/sso/callback';

export function rpConfigFor(op: TestOp, redirectUri = RP_REDIRECT_URI): RpClientConfig {
  const client = op.clients[0];
  if (!client) throw new Error('the test OP has no client');
  return { issuerUrl: op.issuer, clientId: client.clientId, clientSecret: client.clientSecret, redirectUri };
}

export function freshLoginParams() {
  return {
    state: randomBytes(16).toString('base64url'),
    nonce: randomBytes(16).toString('base64url'),
    codeVerifier: randomBytes(32).toString('base64url'),
  };
}

export async function rpLogin(
  rp: RelyingParty,
  op: TestOp,
  cfg = rpConfigFor(op),
  extra: { wantEmailVerified?: boolean } = {},
) {
  const p = freshLoginParams();
  const authorizeUrl = new URL(await rp.authorizationUrl(cfg, p));
  const callback = await op.driveAuthorize(authorizeUrl);
  const identity = await rp.redeem(cfg, {
    code: callback.searchParams.get('code') ?? '',
    state: callback.searchParams.get('state') ?? '',
    iss: callback.searchParams.get('iss') ?? undefined,
    nonce: p.nonce,
    codeVerifier: p.codeVerifier,
    ...extra,
  });
  return { identity, authorizeUrl, callback, p };
}

/** The RpError a login ends with; throws if it succeeds. */
export async function rpLoginError(rp: RelyingParty, op: TestOp, cfg = rpConfigFor(op)): Promise<RpError> {
  try {
    await rpLogin(rp, op, cfg);
  } catch (err) {
    if (err instanceof RpError) return err;
    throw err;
  }
  throw new Error('expected the login to fail');
}
