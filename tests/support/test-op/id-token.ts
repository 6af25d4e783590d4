import { base64url, SignJWT, type JWTPayload } from 'jose';
import type { Behaviour } from './behaviour';
import { generateTestKey, type KeyRing } from './keys';

export interface IdTokenContext {
  issuer: string;
  clientId: string;
  clientSecret: string;
  nonce?: string;
}

function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/** Flips bits in the middle of the signature so its length and encoding stay valid. */
function corruptSignature(jwt: string): string {
  const [h, p, s = ''] = jwt.split('.');
  const sig = Buffer.from(s, 'base64url');
  const mid = Math.floor(sig.length / 2);
  sig[mid] = (sig[mid] ?? 0) ^ 0xff;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

export function idTokenPayload(ctx: IdTokenContext, behave: Behaviour): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: ctx.issuer,
    aud: ctx.clientId,
    sub: behave.user.sub,
    email: behave.user.email,
    email_verified: behave.user.email_verified,
    name: behave.user.name,
    iat: now,
    exp: now + 300,
    auth_time: now,
    ...(ctx.nonce !== undefined ? { nonce: ctx.nonce } : {}),
    ...behave.idTokenClaims,
  };
  for (const claim of behave.omitIdTokenClaims) delete payload[claim];
  return payload as JWTPayload;
}

/** The userinfo response for `sub` (the user the access token was issued for), as `behave` says. */
export function userinfoClaims(sub: string, behave: Behaviour): Record<string, unknown> {
  const claims: Record<string, unknown> = {
    sub,
    email: behave.user.email,
    email_verified: behave.user.email_verified,
    name: behave.user.name,
    ...behave.userinfoClaims,
  };
  for (const claim of behave.omitUserinfoClaims) delete claims[claim];
  return claims;
}

/** Builds the ID token exactly as `behave` says, including the deliberately broken variants. */
export async function issueIdToken(ctx: IdTokenContext, behave: Behaviour, keys: KeyRing): Promise<string> {
  const payload = idTokenPayload(ctx, behave);
  const key = keys.current;

  if (behave.signing === 'none') {
    const header: Record<string, unknown> = { alg: 'none', typ: 'JWT', ...behave.idTokenHeader };
    return `${encodeSegment(header)}.${encodeSegment(payload)}.`;
  }

  if (behave.signing === 'hs256-client-secret') {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...behave.idTokenHeader } as { alg: string })
      .sign(new TextEncoder().encode(ctx.clientSecret));
  }

  if (behave.signing === 'encryption-key') {
    const enc = keys.encryption;
    if (!enc) throw new Error("signing 'encryption-key' needs op.addEncryptionKey() first");
    const header = { alg: 'RS256', typ: 'JWT', kid: enc.kid, ...behave.idTokenHeader };
    return new SignJWT(payload).setProtectedHeader(header).sign(enc.privateKey);
  }

  const header: Record<string, unknown> = { alg: key.alg, typ: 'JWT', kid: key.kid, ...behave.idTokenHeader };
  if (behave.omitKid) delete header.kid;
  const signer = behave.signing === 'unpublished-key' ? (await generateTestKey(key.alg)).privateKey : key.privateKey;
  const jwt = await new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(signer);

  if (behave.signing === 'bad-signature') return corruptSignature(jwt);
  if (behave.signing === 'tampered-payload') {
    const [h, , s] = jwt.split('.');
    return `${h}.${encodeSegment({ ...payload, email: 'attacker@evil.example' })}.${s}`;
  }
  return jwt;
}
