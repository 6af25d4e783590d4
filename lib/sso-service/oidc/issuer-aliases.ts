/**
 * ID-token `iss` values accepted for an issuer besides the issuer itself. There is exactly one by
 * default: Google documents that its ID tokens carry `iss` = `https://accounts.google.com` or
 * `accounts.google.com` (OpenID Connect guide, "Validating an ID token"), and its discovery document
 * names the former. Every other issuer must match exactly (OIDC Core §3.1.3.7).
 *
 * Both checks must agree: jose (id-token.ts) is given the alias list, and openid-client, which compares
 * `iss` to its configured issuer during the code grant, gets a second Configuration per alias. Its
 * first attempt keeps the token response (no second request to the IdP); when it refuses only
 * because `iss` is a listed alias, the kept response is validated again by the alias's Configuration.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type IssuerAliases = Readonly<Record<string, readonly string[]>>;

export const DEFAULT_ISSUER_ALIASES: IssuerAliases = Object.freeze({
  'https://accounts.google.com': Object.freeze(['accounts.google.com']),
});

export function aliasesFor(table: IssuerAliases, issuer: string): readonly string[] {
  return Object.hasOwn(table, issuer) ? (table[issuer] ?? []) : [];
}

/** One code grant's token response, kept for a possible second validation. */
export interface Exchange {
  kept?: Response;
  replay?: Response;
}

const exchanges = new AsyncLocalStorage<Exchange>();

export function runExchange<T>(exchange: Exchange, fn: () => Promise<T>): Promise<T> {
  return exchanges.run(exchange, fn);
}

/**
 * Used by the customFetch of an issuer with aliases: answers a replayed token request from the kept
 * response, or sends it and keeps a copy.
 */
export async function keptOrFetched(fetchIt: () => Promise<Response>): Promise<Response> {
  const exchange = exchanges.getStore();
  if (exchange?.replay) return exchange.replay;
  const res = await fetchIt();
  if (exchange) exchange.kept = res.clone();
  return res;
}

/**
 * The listed alias that openid-client's code grant refused as the ID token's `iss`, or null when it
 * failed for any other reason (then the failure stands).
 */
export function refusedAlias(err: unknown, aliases: readonly string[]): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'OAUTH_JWT_CLAIM_COMPARISON_FAILED') return null;
  const detail = ((err as Error).cause as { cause?: { claim?: unknown; claims?: { iss?: unknown } } } | undefined)
    ?.cause;
  const iss = detail?.claims?.iss;
  return detail?.claim === 'iss' && typeof iss === 'string' && aliases.includes(iss) ? iss : null;
}
