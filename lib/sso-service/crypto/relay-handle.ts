/**
 * SAML RelayState handles: the SAML bindings cap RelayState at 80 bytes, and the sealed login state is several
 * hundred, so a SAML login sends a short handle instead and keeps the sealed state server-side under it
 * (features/login/relay-state.ts).
 *
 * Layout: `rs1.` + base64url(random(18) | HMAC-SHA256(key, random)[0..12]) = 44 characters. 144 random bits
 * make a handle unguessable; the MAC (key from HKDF over GRANTEX_STATE_SECRET, as the state's own key) lets the
 * ACS refuse a made-up handle without a database read, so a flood of forged RelayStates costs no query.
 * Storage keys the row by the handle's sha256, so the table alone never gives a usable RelayState.
 * With several state secrets the first one's key mints and every one's verifies: a handle carries no key id
 * (its length is fixed well under the cap, and a second MAC costs less than a byte of it would be worth).
 */
import { createHash, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { stateSecretList, type StateSecret } from './login-state';
import { createRandomPool } from './random-pool';

export const RELAY_HANDLE_PREFIX = 'rs1.';
const RANDOM_BYTES = 18;
const MAC_BYTES = 12;
const BODY_CHARS = ((RANDOM_BYTES + MAC_BYTES) / 3) * 4;
/** Every handle's length (well under the bindings' 80 bytes). */
export const RELAY_HANDLE_LENGTH = RELAY_HANDLE_PREFIX.length + BODY_CHARS;
const HANDLE_SHAPE = new RegExp(`^${RELAY_HANDLE_PREFIX.replace('.', '\\.')}[A-Za-z0-9_-]{${BODY_CHARS}}$`);

export interface RelayHandles {
  /** A fresh handle. */
  mint(): string;
  /** True for a handle this service minted (shape and MAC); says nothing about whether it is stored. */
  verify(handle: string): boolean;
}

/** True when a RelayState is meant as one of our handles (by its prefix), whether genuine or not. */
export function looksLikeRelayHandle(relayState: string): boolean {
  return relayState.startsWith(RELAY_HANDLE_PREFIX);
}

/** The storage key of a handle. */
export function relayHandleHash(handle: string): string {
  return createHash('sha256').update(handle, 'utf8').digest('hex');
}

export function createRelayHandles(stateSecrets: string | readonly [StateSecret, ...StateSecret[]]): RelayHandles {
  const keys = stateSecretList(stateSecrets).map((s) =>
    Buffer.from(hkdfSync('sha256', s.value, 'grantex-sso', 'saml-relay-handle/hmac-sha256/v1', 32)),
  );
  const random = createRandomPool();
  const mac = (key: Buffer, bytes: Buffer) => createHmac('sha256', key).update(bytes).digest().subarray(0, MAC_BYTES);
  return {
    mint() {
      const rnd = Buffer.from(random(RANDOM_BYTES));
      return RELAY_HANDLE_PREFIX + Buffer.concat([rnd, mac(keys[0]!, rnd)]).toString('base64url');
    },
    verify(handle) {
      if (!HANDLE_SHAPE.test(handle)) return false;
      const raw = Buffer.from(handle.slice(RELAY_HANDLE_PREFIX.length), 'base64url');
      if (raw.length !== RANDOM_BYTES + MAC_BYTES) return false;
      const given = raw.subarray(RANDOM_BYTES);
      const rnd = raw.subarray(0, RANDOM_BYTES);
      return keys.some((key) => timingSafeEqual(given, mac(key, rnd)));
    },
  };
}
