/**
 * Remembers successful issuer checks for a short while, so re-saving a config (or many orgs saving the
 * same IdP) does not fetch the discovery document every time, and coalesces concurrent checks of one URL.
 * Only successes are kept: after a failure the next save checks again, so a fixed IdP is accepted at once.
 */
import type { IssuerCheck } from './relying-party-port';

export interface IssuerCheckMemo {
  check(issuerUrl: string): Promise<IssuerCheck>;
  invalidate(issuerUrl: string): void;
}

export function createIssuerCheckMemo(
  check: (issuerUrl: string) => Promise<IssuerCheck>,
  opts: { ttlMs?: number; maxEntries?: number; now?: () => number } = {},
): IssuerCheckMemo {
  const ttlMs = opts.ttlMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  const okUntil = new Map<string, number>();
  const inFlight = new Map<string, Promise<IssuerCheck>>();

  return {
    check(issuerUrl) {
      const until = okUntil.get(issuerUrl);
      if (until !== undefined) {
        if (until > now()) return Promise.resolve({ ok: true });
        okUntil.delete(issuerUrl);
      }
      const pending = inFlight.get(issuerUrl);
      if (pending) return pending;
      const started = check(issuerUrl)
        .then((result) => {
          if (result.ok) {
            okUntil.set(issuerUrl, now() + ttlMs);
            if (okUntil.size > maxEntries) {
              const oldest = okUntil.keys().next().value;
              if (oldest !== undefined) okUntil.delete(oldest);
            }
          }
          return result;
        })
        .finally(() => inFlight.delete(issuerUrl));
      inFlight.set(issuerUrl, started);
      return started;
    },
    invalidate(issuerUrl) {
      okUntil.delete(issuerUrl);
    },
  };
}
