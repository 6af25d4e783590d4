/**
 * TXT lookups for domain verification, through node:dns's c-ares resolver (not getaddrinfo), so the servers are
 * configurable (SSO_DNS_SERVERS; tests point it at a DNS server on loopback) and every lookup is bounded.
 */
import { promises as dns } from 'node:dns';

export type TxtLookup =
  { kind: 'found'; values: string[] } | { kind: 'none' } | { kind: 'timeout' } | { kind: 'error'; code: string };

/** SSO_DNS_TIMEOUT_MS when unset. */
export const DEFAULT_DNS_TIMEOUT_MS = 5000;

export interface TxtResolver {
  lookup(name: string): Promise<TxtLookup>;
}

/** c-ares codes for "this name has no TXT record" (NXDOMAIN, or the name exists without one). */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA']);
/** Our own overall bound cancels the query (ECANCELLED); c-ares' per-try timer answers ETIMEOUT. */
const TIMED_OUT = new Set(['ETIMEOUT', 'ECANCELLED']);

export function createTxtResolver(opts: { servers?: readonly string[]; timeoutMs: number }): TxtResolver {
  return {
    async lookup(name) {
      // One resolver per lookup: cancel() ends every query of a resolver, and verifications are rare.
      // One try: the caller's "Verify" button is the retry, and a slow DNS server must not hold the request.
      const resolver = new dns.Resolver({ timeout: opts.timeoutMs, tries: 1 });
      if (opts.servers && opts.servers.length > 0) resolver.setServers([...opts.servers]);
      // c-ares' own timer is per try and backs off; this bounds the whole lookup.
      const guard = setTimeout(() => resolver.cancel(), opts.timeoutMs + 250);
      try {
        const records = await resolver.resolveTxt(name);
        // A TXT record is a list of character-strings (each at most 255 bytes); its value is their concatenation.
        return { kind: 'found', values: records.map((chunks) => chunks.join('')) };
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        if (typeof code === 'string' && NO_RECORD.has(code)) return { kind: 'none' };
        if (typeof code === 'string' && TIMED_OUT.has(code)) return { kind: 'timeout' };
        return { kind: 'error', code: typeof code === 'string' ? code : 'EUNKNOWN' };
      } finally {
        clearTimeout(guard);
      }
    },
  };
}
