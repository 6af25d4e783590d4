import { randomBytes } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { TestOp, TestOpKey } from './index';

export const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * A back-channel logout token as this OP would send it (OpenID Connect Back-Channel Logout 1.0 §2.4), signed with
 * its current key (or `key`): `claims` are merged over a correct token (`undefined` removes a claim).
 */
export async function issueLogoutToken(
  op: TestOp,
  claims: Record<string, unknown> = {},
  opts: { key?: TestOpKey; typ?: string } = {},
): Promise<string> {
  const key = opts.key ?? op.keys.at(-1);
  if (!key) throw new Error('the test OP has no key');
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: op.issuer,
    aud: op.clients[0]?.clientId,
    iat: now,
    exp: now + 120,
    jti: randomBytes(12).toString('base64url'),
    events: { [BACKCHANNEL_EVENT]: {} },
    ...claims,
  };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return new SignJWT(payload as JWTPayload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: opts.typ ?? 'logout+jwt' })
    .sign(key.privateKey);
}
