/**
 * SAML RelayState as a short handle (the bindings cap it at 80 bytes; the sealed state is several hundred):
 * `GET /sso/login` (and a test sign-in) on a SAML connection stores the sealed state under a fresh random handle
 * (crypto/relay-handle.ts) until the state's own expiry and sends the handle as RelayState; the ACS reads the
 * sealed state back and finishes exactly as with the state itself. So every guarantee of the state holds
 * unchanged: the state is claimed once in consumed_states (a replayed handle reads the same state and is refused
 * as "expired or used", or repeats the recorded failure), the AuthnRequest ID is still derived from the state's
 * nonce (InResponseTo stays bound to it), and the state names its org and connection. The rows are in the shared
 * database, so any process can finish a login another one started.
 *
 * A handle the service did not mint (its MAC fails) is refused without a query; a minted one that is not stored
 * (purged, or its write was lost) is refused too (`invalid_state`); neither is ever read as an IdP-initiated
 * post's RelayState.
 *
 * The ACS reads a handle once per request: the rate limiter's key (which needs the state's org) and the handler
 * share the read.
 */
import type { FastifyRequest } from 'fastify';
import { type RelayHandles, looksLikeRelayHandle, relayHandleHash } from '../../crypto/relay-handle';
import type { SealedLogin } from '../../protocols/types';
import type { RelayStateRecord } from '../../storage/types';
import type { ServiceStore } from '../../storage';

export interface RelayStates {
  /** Stores a SAML login's sealed state and returns the RelayState (a handle) to send with its AuthnRequest. */
  save(login: SealedLogin): Promise<string>;
  /**
   * The stored record for a RelayState that is one of our handles; undefined for a handle that is forged or not
   * stored. Read once per request.
   */
  resolve(request: FastifyRequest, handle: string): Promise<RelayStateRecord | undefined>;
  /** For the rate limiter: the sealed state a RelayState stands for (a non-handle is returned as it is). */
  sealedStateOf(request: FastifyRequest, relayState: string): Promise<string>;
}

export { looksLikeRelayHandle };

export function createRelayStates(
  store: Pick<ServiceStore, 'saveRelayState' | 'findRelayState'>,
  handles: RelayHandles,
): RelayStates {
  const reads = new WeakMap<FastifyRequest, { handle: string; read: Promise<RelayStateRecord | undefined> }>();
  const resolve = (request: FastifyRequest, handle: string): Promise<RelayStateRecord | undefined> => {
    const seen = reads.get(request);
    if (seen && seen.handle === handle) return seen.read;
    const read = handles.verify(handle) ? store.findRelayState(relayHandleHash(handle)) : Promise.resolve(undefined);
    reads.set(request, { handle, read });
    return read;
  };
  return {
    async save({ token, state }) {
      const handle = handles.mint();
      if (state.con === undefined) throw new Error('a SAML login names its connection');
      await store.saveRelayState({
        handleHash: relayHandleHash(handle),
        developerId: state.dev,
        connectionId: state.con,
        state: token,
        expiresAtMs: state.exp * 1000,
      });
      return handle;
    },
    resolve,
    async sealedStateOf(request, relayState) {
      if (!looksLikeRelayHandle(relayState)) return relayState;
      return (await resolve(request, relayState))?.state ?? '';
    },
  };
}
