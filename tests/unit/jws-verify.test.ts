/**
 * The inline ID-token signature check against jose's own jwtVerify as the oracle: for every token below (good ones
 * of each algorithm and the usual forgeries), both accept with the same payload or both refuse with the same jose
 * error class. Then the checks jose's JWKS selection would not reach (a key handed out for the wrong algorithm).
 */
import { generateKeyPairSync, KeyObject, sign as cryptoSign } from 'node:crypto';
import {
  createLocalJWKSet,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey as JoseCryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ASYMMETRIC_ALGS, verifyJwt, type JwtCheck } from '@/lib/sso-service/oidc/jws-verify';

const NOW = new Date('2026-06-01T12:00:00Z');
const nowSec = Math.floor(NOW.getTime() / 1000);
const check: JwtCheck = {
  issuer: 'https://idp.example',
  audience: 'client-1',
  algorithms: ASYMMETRIC_ALGS,
  clockTolerance: 60,
  currentDate: NOW,
  requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
};
const claims = { sub: 'alice', nonce: 'n-1', email: 'alice@example.com' };

interface Signer {
  alg: string;
  kid: string;
  privateKey: JoseCryptoKey;
  jwk: JWK;
}

const signers: Signer[] = [];
let jwks: JWTVerifyGetKey;

function sign(s: Signer, opts: { payload?: object; header?: object; iss?: string; aud?: string; exp?: number } = {}) {
  return new SignJWT({ ...claims, ...opts.payload })
    .setProtectedHeader({ alg: s.alg, kid: s.kid, ...opts.header })
    .setIssuer(opts.iss ?? 'https://idp.example')
    .setAudience(opts.aud ?? 'client-1')
    .setIssuedAt(nowSec - 10)
    .setExpirationTime(opts.exp ?? nowSec + 300)
    .sign(s.privateKey);
}

const b64 = (value: object | string) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Both verifiers on one token: the same payload, or the same error class. */
async function agree(token: string, key: JWTVerifyGetKey = jwks, c: JwtCheck = check) {
  const oracle = await jwtVerify(token, key, { ...c, algorithms: [...c.algorithms] }).then(
    (r) => ({ ok: true as const, payload: r.payload }),
    (err: unknown) => ({ ok: false as const, error: (err as Error).constructor.name }),
  );
  const ours = await verifyJwt(token, key, c).then(
    (payload) => ({ ok: true as const, payload }),
    (err: unknown) => ({ ok: false as const, error: (err as Error).constructor.name }),
  );
  expect(ours).toEqual(oracle);
  return ours;
}

beforeAll(async () => {
  for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA']) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    signers.push({ alg, kid: `k-${alg}`, privateKey, jwk: { ...(await exportJWK(publicKey)), kid: `k-${alg}`, alg } });
  }
  jwks = createLocalJWKSet({ keys: signers.map((s) => s.jwk) });
});

describe('inline JWS verification agrees with jose', () => {
  it('accepts a good token of every algorithm with the same payload', async () => {
    for (const s of signers) {
      const r = await agree(await sign(s));
      expect(r.ok, s.alg).toBe(true);
    }
  });

  it('refuses what jose refuses, with the same error class', async () => {
    const rs = signers.find((s) => s.alg === 'RS256')!;
    const es = signers.find((s) => s.alg === 'ES256')!;
    const good = await sign(rs);
    const [h, p, sig] = good.split('.') as [string, string, string];
    const tampered = [
      `${h}.${b64({ ...claims, sub: 'mallory', iss: 'https://idp.example', aud: 'client-1', iat: nowSec, exp: nowSec + 60 })}.${sig}`,
      `${h}.${p}.${sig.slice(0, -4)}AAAA`,
      `${h}.${p}.`,
      `${h}.${p}`,
      `${b64({ alg: 'none' })}.${p}.`,
      `${b64({ alg: 'HS256', kid: rs.kid })}.${p}.${sig}`,
      `${b64('not json')}.${p}.${sig}`,
      `${b64({ alg: 'RS256', kid: 'unknown' })}.${p}.${sig}`,
      // The RS256 signature presented as PS256 and as ES256 (another key type).
      `${b64({ alg: 'PS256', kid: rs.kid })}.${p}.${sig}`,
      `${b64({ alg: 'ES256', kid: es.kid })}.${p}.${sig}`,
      'a.b.c.d',
    ];
    for (const token of tampered) {
      const r = await agree(token);
      expect(r.ok, token).toBe(false);
    }
    // JWS extensions, correctly signed: jose refuses an unknown `crit` as unsupported and `b64: false` as an invalid
    // JWT; an ID token has no use for either, and here both read as malformed.
    const rsKey = KeyObject.from(rs.privateKey as unknown as CryptoKey);
    for (const header of [
      { alg: 'RS256', kid: rs.kid, crit: ['exp'], exp: 1 },
      { alg: 'RS256', kid: rs.kid, b64: false, crit: ['b64'] },
    ]) {
      const input = `${b64(header)}.${p}`;
      const token = `${input}.${cryptoSign('sha256', Buffer.from(input), rsKey).toString('base64url')}`;
      await expect(jwtVerify(token, jwks, { ...check, algorithms: [...ASYMMETRIC_ALGS] })).rejects.toThrow();
      await expect(verifyJwt(token, jwks, check)).rejects.toBeInstanceOf(errors.JWSInvalid);
    }
    // Claims: jose's own validator decides, so the errors are its classes.
    for (const token of [
      await sign(rs, { iss: 'https://other.example' }),
      await sign(rs, { aud: 'client-2' }),
      await sign(rs, { exp: nowSec - 3600 }),
      await sign(es, { payload: { nbf: nowSec + 3600 } }),
    ]) {
      const r = await agree(token);
      expect(r.ok).toBe(false);
    }
    // Within the clock tolerance: accepted by both.
    expect((await agree(await sign(rs, { exp: nowSec - 30 }))).ok).toBe(true);
    // An algorithm off the allow-list, although the key and signature are good.
    expect(await agree(await sign(rs), jwks, { ...check, algorithms: ['ES256'] })).toEqual({
      ok: false,
      error: 'JOSEAlgNotAllowed',
    });
  });

  it('refuses an RSA key under 2048 bits like jose does', async () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const jwk = { ...(await exportJWK(small.publicKey)), kid: 'small', alg: 'RS256' };
    // jose refuses to sign with it too: signed by node:crypto.
    const input = `${b64({ alg: 'RS256', kid: 'small' })}.${b64({ ...claims, iss: 'https://idp.example', aud: 'client-1', iat: nowSec, exp: nowSec + 60 })}`;
    const token = `${input}.${cryptoSign('sha256', Buffer.from(input), small.privateKey).toString('base64url')}`;
    expect(await agree(token, createLocalJWKSet({ keys: [jwk] }))).toEqual({ ok: false, error: 'TypeError' });
  });
});

describe('the key must be the one the algorithm names', () => {
  it('refuses a verification key of another algorithm, curve or hash handed out by getKey', async () => {
    const rs = signers.find((s) => s.alg === 'RS256')!;
    const token = await sign(rs);
    const es = signers.find((s) => s.alg === 'ES256')!;
    const ps = signers.find((s) => s.alg === 'PS256')!;
    const rs512 = signers.find((s) => s.alg === 'RS512')!;
    for (const other of [es, ps, rs512]) {
      const wrongKey: JWTVerifyGetKey = (header, t) =>
        createLocalJWKSet({ keys: [{ ...other.jwk, kid: rs.kid }] })({ ...header, alg: other.alg }, t);
      await expect(verifyJwt(token, wrongKey, check)).rejects.toBeInstanceOf(TypeError);
    }
  });

  it('checks the signature with the key it was given: the right key type but another key fails', async () => {
    const rs = signers.find((s) => s.alg === 'RS256')!;
    const { publicKey } = await generateKeyPair('RS256', { extractable: true });
    const impostor = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: rs.kid, alg: 'RS256' }] });
    await expect(verifyJwt(await sign(rs), impostor, check)).rejects.toBeInstanceOf(
      errors.JWSSignatureVerificationFailed,
    );
  });
});
