/**
 * The OAuth `state` parameter as a self-contained, authenticated-encrypted token (AES-256-GCM, key from
 * HKDF over GRANTEX_STATE_SECRET). It carries the nonce and PKCE verifier, so /sso/login writes nothing,
 * and a login started before a restart can still finish. Single use is enforced by the callback, which
 * records the state id in consumed_states before redeeming the code.
 * Layout (base64url): version(1) | iv(12) | tag(16) | ciphertext(JSON payload).
 * The payload names the connection the login started on (`con`). A state without `con` (sealed by a service
 * that predates connections) still opens (same version and key) and finishes on the org's default connection,
 * the one it was started on, so a deploy breaks no login in flight.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ID_MAX, STATE_MAX } from '@/lib/contract/limits';
import { createRandomPool } from './random-pool';

const VERSION = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER = 1 + IV_BYTES + TAG_BYTES;
/** A sealed state is a few hundred characters; anything much longer is not ours. */
export const STATE_MAX_LENGTH = STATE_MAX;
export const STATE_TTL_MS = 10 * 60 * 1000;

const payloadSchema = z.object({
  sid: z.string().min(16).max(64),
  dev: z.string().min(1).max(ID_MAX),
  /** The connection's id; absent only in states sealed before connections (→ the org's default connection). */
  con: z.string().min(1).max(ID_MAX).optional(),
  nonce: z.string().min(43).max(128),
  cv: z.string().min(43).max(128),
  /** A test sign-in started by an admin: finishes at GET /sso/callback on any status, creates no session. */
  tst: z.literal(true).optional(),
  /**
   * A console sign-in (`intent=console`): the member callbacks answer a console grant for the role the member's
   * groups map to. Sealed, so a callback can never turn a member login into a console one.
   */
  cns: z.literal(true).optional(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type LoginState = z.infer<typeof payloadSchema>;

export interface StateSealer {
  /** Creates a fresh state for a login on `connectionId` of `developerId`, with new random id, nonce and code verifier. */
  issue(
    developerId: string,
    connectionId: string,
    opts?: { test?: boolean; console?: boolean },
  ): { token: string; state: LoginState };
  /** Returns the payload, or null when the token is malformed or fails authentication. Expiry is the caller's call. */
  open(token: string): LoginState | null;
}

export function deriveStateKey(stateSecret: string): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', stateSecret, 'grantex-sso', 'login-state/aes-256-gcm/v2', 32)));
}

export function createStateSealer(stateSecret: string, now: () => number = Date.now): StateSealer {
  const key = deriveStateKey(stateSecret);
  const aad = Buffer.from('grantex-login-state', 'utf8');
  const random = createRandomPool();
  return {
    issue(developerId, connectionId, opts = {}) {
      // All per-login randomness in one draw from the pool keeps the hot path cheap.
      const rnd = random(16 + 32 + 32 + IV_BYTES);
      const iat = Math.floor(now() / 1000);
      const state: LoginState = {
        sid: rnd.subarray(0, 16).toString('base64url'),
        dev: developerId,
        con: connectionId,
        nonce: rnd.subarray(16, 48).toString('base64url'),
        cv: rnd.subarray(48, 80).toString('base64url'),
        ...(opts.test ? { tst: true as const } : {}),
        ...(opts.console && !opts.test ? { cns: true as const } : {}),
        iat,
        exp: iat + STATE_TTL_MS / 1000,
      };
      const iv = rnd.subarray(80);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(JSON.stringify(state), 'utf8'), cipher.final()]);
      const token = Buffer.concat([Buffer.of(VERSION), iv, cipher.getAuthTag(), body]).toString('base64url');
      return { token, state };
    },
    open(token) {
      if (token.length > STATE_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
      const raw = Buffer.from(token, 'base64url');
      if (raw.length <= HEADER || raw[0] !== VERSION) return null;
      let json: string;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + IV_BYTES));
        decipher.setAAD(aad);
        decipher.setAuthTag(raw.subarray(1 + IV_BYTES, HEADER));
        json = Buffer.concat([decipher.update(raw.subarray(HEADER)), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
      let value: unknown;
      try {
        value = JSON.parse(json);
      } catch {
        return null;
      }
      const parsed = payloadSchema.safeParse(value);
      return parsed.success ? parsed.data : null;
    },
  };
}
