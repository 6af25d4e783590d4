/**
 * The OAuth `state` parameter as a self-contained, authenticated-encrypted token (AES-256-GCM, key from
 * HKDF over GRANTEX_STATE_SECRET). It carries the nonce and PKCE verifier, so /sso/login writes nothing,
 * and a login started before a restart can still finish. Single use is enforced by the callback, which
 * records the state id in consumed_states before redeeming the code.
 * Several secrets (GRANTEX_STATE_SECRET as a `kid:secret` list): the first seals, every one opens, so a login
 * started before a rotation finishes after it. Layouts (base64url):
 *   version 3: 0x03 | kid length(1) | kid | iv(12) | tag(16) | ciphertext(JSON payload); AAD = the fixed label
 *              then the header, so a state cannot be moved under another key id.
 *   version 2: 0x02 | iv(12) | tag(16) | ciphertext; AAD = the label. Sealed before key ids: opened by trying
 *              each configured secret (it lives ten minutes, so only logins in flight at the upgrade carry it).
 * The payload names the connection the login started on (`con`). A state without `con` (sealed by a service
 * that predates connections) still opens and finishes on the org's default connection,
 * the one it was started on, so a deploy breaks no login in flight.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ID_MAX, STATE_MAX } from '@/lib/contract/limits';
import { DEFAULT_KEY_ID, KEY_ID_PATTERN } from '../config';
import { createRandomPool } from './random-pool';

const VERSION_LEGACY = 2;
const VERSION = 3;
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

export interface StateSecret {
  /** Not secret: it travels in every state sealed with it. */
  id: string;
  value: string;
}

/** A single secret is the key id `default` (the single-secret form of GRANTEX_STATE_SECRET). */
export function stateSecretList(secrets: string | readonly [StateSecret, ...StateSecret[]]): readonly StateSecret[] {
  const list = typeof secrets === 'string' ? [{ id: DEFAULT_KEY_ID, value: secrets }] : secrets;
  for (const s of list) if (!KEY_ID_PATTERN.test(s.id)) throw new Error('invalid state secret key id');
  return list;
}

export function createStateSealer(
  secrets: string | readonly [StateSecret, ...StateSecret[]],
  now: () => number = Date.now,
): StateSealer {
  const list = stateSecretList(secrets);
  const keys = new Map(list.map((s) => [s.id, deriveStateKey(s.value)] as const));
  const current = list[0]!;
  const key = keys.get(current.id)!;
  const label = Buffer.from('grantex-login-state', 'utf8');
  const header = Buffer.concat([Buffer.of(VERSION, current.id.length), Buffer.from(current.id, 'latin1')]);
  const aad = Buffer.concat([label, header]);
  const random = createRandomPool();
  const decrypt = (k: KeyObject, iv: Buffer, tag: Buffer, body: Buffer, ad: Buffer): string | null => {
    try {
      const decipher = createDecipheriv('aes-256-gcm', k, iv);
      decipher.setAAD(ad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      return null;
    }
  };
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
      const token = Buffer.concat([header, iv, cipher.getAuthTag(), body]).toString('base64url');
      return { token, state };
    },
    open(token) {
      if (token.length > STATE_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return null;
      const raw = Buffer.from(token, 'base64url');
      let json: string | null = null;
      if (raw[0] === VERSION && raw.length > 2) {
        const kidEnd = 2 + raw[1]!;
        const k = keys.get(raw.subarray(2, kidEnd).toString('latin1'));
        if (!k || raw.length <= kidEnd + IV_BYTES + TAG_BYTES) return null;
        const ad = Buffer.concat([label, raw.subarray(0, kidEnd)]);
        const ivEnd = kidEnd + IV_BYTES;
        const tagEnd = ivEnd + TAG_BYTES;
        json = decrypt(k, raw.subarray(kidEnd, ivEnd), raw.subarray(ivEnd, tagEnd), raw.subarray(tagEnd), ad);
      } else if (raw[0] === VERSION_LEGACY && raw.length > HEADER) {
        const iv = raw.subarray(1, 1 + IV_BYTES);
        const tag = raw.subarray(1 + IV_BYTES, HEADER);
        for (const k of keys.values()) {
          json = decrypt(k, iv, tag, raw.subarray(HEADER), label);
          if (json !== null) break;
        }
      }
      if (json === null) return null;
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
