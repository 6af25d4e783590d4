/**
 * Remembers successful issuer checks, so re-saving a config (or many orgs saving the same IdP) does not fetch
 * the discovery document every time, and coalesces concurrent checks of one URL.
 * Stale-while-revalidate: a success is fresh for `ttlMs`; after that the next save is still answered from it
 * (up to `maxStaleMs`) while one background check refreshes it, so saves never wait on a live IdP fetch once
 * an issuer has been seen working. A failed refresh drops the remembered success (the next save checks live).
 * Only successes are kept: after a failure the next save checks again, so a fixed IdP is accepted at once.
 */
import { BoundedMap } from '../../bounded-map';
import type { IssuerCheck } from '../../relying-party-port';

export interface IssuerCheckMemo {
  check(issuerUrl: string): Promise<IssuerCheck>;
  invalidate(issuerUrl: string): void;
}

const OK: IssuerCheck = Object.freeze({ ok: true as const });

export function createIssuerCheckMemo(
  check: (issuerUrl: string) => Promise<IssuerCheck>,
  opts: { ttlMs?: number; maxStaleMs?: number; maxEntries?: number; now?: () => number } = {},
): IssuerCheckMemo {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxStaleMs = opts.maxStaleMs ?? 10 * 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  /** Time of the last successful check. */
  const okAt = new BoundedMap<string, number>(maxEntries);
  const inFlight = new Map<string, Promise<IssuerCheck>>();

  function start(issuerUrl: string): Promise<IssuerCheck> {
    const pending = inFlight.get(issuerUrl);
    if (pending) return pending;
    const started = check(issuerUrl)
      .then((result) => {
        if (result.ok) {
          okAt.set(issuerUrl, now());
        } else {
          okAt.delete(issuerUrl);
        }
        return result;
      })
      .finally(() => inFlight.delete(issuerUrl));
    inFlight.set(issuerUrl, started);
    return started;
  }

  return {
    check(issuerUrl) {
      const at = okAt.get(issuerUrl);
      if (at !== undefined) {
        const age = now() - at;
        if (age < ttlMs) return Promise.resolve(OK);
        if (age < ttlMs + maxStaleMs) {
          // Answer from the last good check; refresh once in the background (errors: next save checks live).
          start(issuerUrl).catch(() => okAt.delete(issuerUrl));
          return Promise.resolve(OK);
        }
        okAt.delete(issuerUrl);
      }
      return start(issuerUrl);
    },
    invalidate(issuerUrl) {
      okAt.delete(issuerUrl);
    },
  };
}
