/**
 * OpenID Connect Discovery with the checks a relying party needs before trusting an issuer:
 * exact issuer match, required endpoints, and every endpoint on an allowed address.
 * Used by the service's RP (cached there) and by the console's "check issuer" step, so it stays
 * free of service code and of `server-only`.
 */
import { z } from 'zod';
import { hostResolvesToAllowed, isAddressAllowed, literalAddress } from './address-policy';
import { formatSeconds, guardedFetch, DEFAULT_TIMEOUT_MS, type GuardOptions } from './guarded-fetch';
import { OutboundError } from './outbound-error';

const stringList = z.array(z.string()).optional();

/** Only the fields we use are typed; everything else is kept (loose) for openid-client. */
export const discoveryMetadataSchema = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string().optional(),
  token_endpoint: z.string().optional(),
  jwks_uri: z.string().optional(),
  userinfo_endpoint: z.string().optional(),
  response_types_supported: stringList,
  id_token_signing_alg_values_supported: stringList,
  token_endpoint_auth_methods_supported: stringList,
  code_challenge_methods_supported: stringList,
  authorization_response_iss_parameter_supported: z.boolean().optional(),
});

export type DiscoveryMetadata = z.infer<typeof discoveryMetadataSchema> & {
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
};

export type DiscoveryFailureReason =
  | 'unreachable'
  | 'timeout'
  | 'http_status'
  | 'redirect'
  | 'not_json'
  | 'too_large'
  | 'invalid_metadata'
  | 'issuer_mismatch'
  | 'missing_endpoints'
  | 'blocked_address'
  /** The URL entered is a discovery document's address (`…/.well-known/openid-configuration`), not an issuer. */
  | 'discovery_url_as_issuer'
  /** The document names its issuer with a `{tenantid}` placeholder: Microsoft Entra's multi-tenant endpoints. */
  | 'tenant_placeholder';

export type DiscoveryResult =
  | { ok: true; metadata: DiscoveryMetadata }
  | {
      ok: false;
      reason: DiscoveryFailureReason;
      message: string;
      /**
       * `issuer_mismatch`: the issuer the document declares. `tenant_placeholder`: the issuer's shape with the
       * placeholder spelled for people (`…/<your tenant ID>/v2.0`). `discovery_url_as_issuer`: the issuer URL.
       */
      expected?: string;
      /** What was entered. */
      actual?: string;
      /**
       * Set when the fix is certain enough to offer in one click: the declared issuer differs from the one
       * entered only by trailing slashes or letter case, or the entered URL is a discovery document's address.
       */
      suggestedIssuer?: string;
    };

const REQUIRED_ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;
/** Endpoints the server itself fetches, so their host names are resolved and checked up front. */
const SERVER_FETCHED = new Set(['token_endpoint', 'jwks_uri', 'userinfo_endpoint']);

const WELL_KNOWN_SUFFIX = '/.well-known/openid-configuration';

/** OIDC Discovery §4: the well-known suffix goes after the issuer's path. */
export function discoveryUrlFor(issuerUrl: string): string {
  return `${issuerUrl.replace(/\/+$/, '')}${WELL_KNOWN_SUFFIX}`;
}

/**
 * The issuer a discovery document's address belongs to (`https://idp/x/.well-known/openid-configuration` →
 * `https://idp/x`), or null when the URL is not such an address. Admins often paste the document's address,
 * which is what many consoles show.
 */
export function issuerFromDiscoveryUrl(url: string): string | null {
  const match = /^(.+?)\/\.well-known\/openid-configuration\/?$/i.exec(url.trim());
  return match?.[1] ?? null;
}

/** True when two issuers differ, but only by trailing slashes or letter case (a typing slip, not another issuer). */
export function isNearMissIssuer(declared: string, entered: string): boolean {
  const loose = (issuer: string) => issuer.replace(/\/+$/, '').toLowerCase();
  return declared !== entered && loose(declared) === loose(entered);
}

/** Microsoft Entra's multi-tenant documents (`common`, `organizations`, `consumers`) name this placeholder. */
const TENANT_PLACEHOLDER = /\{tenantid\}/i;
const TENANT_ID_FOR_PEOPLE = '<your tenant ID>';

function fail(
  reason: DiscoveryFailureReason,
  message: string,
  extra?: { expected: string; actual: string; suggestedIssuer?: string },
): DiscoveryResult {
  return { ok: false, reason, message, ...extra };
}

/** Why this URL may not be used as an endpoint, or null. */
function endpointProblem(
  value: string,
  allowLoopback: boolean,
): { reason: DiscoveryFailureReason; why: string } | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { reason: 'invalid_metadata', why: 'is not a valid absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { reason: 'invalid_metadata', why: 'must use https' };
  }
  const literal = literalAddress(url.hostname);
  const host = url.hostname.toLowerCase();
  const loopbackName = host === 'localhost' || host.endsWith('.localhost');
  if (literal && !isAddressAllowed(literal, allowLoopback)) {
    return { reason: 'blocked_address', why: 'points to a private, loopback, link-local or metadata address' };
  }
  if (loopbackName && !allowLoopback) {
    return { reason: 'blocked_address', why: 'points to a loopback address' };
  }
  if (url.protocol === 'http:') {
    const isLoopback =
      loopbackName || (literal !== null && isAddressAllowed(literal, true) && !isAddressAllowed(literal, false));
    if (!allowLoopback || !isLoopback) {
      return {
        reason: 'blocked_address',
        why: 'must use https (plain http is allowed only for localhost or 127.0.0.1 in development)',
      };
    }
  }
  return null;
}

function fromOutboundError(err: OutboundError, issuerUrl: string, opts: GuardOptions): DiscoveryResult {
  switch (err.kind) {
    case 'blocked_address':
      return fail(
        'blocked_address',
        `The issuer "${issuerUrl}" resolves to a private, loopback, link-local or metadata address, which is not allowed.`,
      );
    case 'timeout':
      return fail(
        'timeout',
        `The issuer did not answer within ${formatSeconds(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)} when fetching its discovery document.`,
      );
    case 'too_large':
      return fail('too_large', 'The discovery document is too large; this is not a standard OpenID Provider.');
    case 'bad_url':
      return fail('unreachable', `The issuer URL "${issuerUrl}" is not a valid http(s) URL.`);
    case 'network':
      return fail(
        'unreachable',
        `Could not connect to the issuer "${issuerUrl}". Check the URL and that it is reachable from the server.`,
      );
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export async function fetchDiscovery(issuerUrl: string, opts: GuardOptions): Promise<DiscoveryResult> {
  const issuerProblem = endpointProblem(issuerUrl, opts.allowLoopback);
  if (issuerProblem) {
    const reason = issuerProblem.reason === 'invalid_metadata' ? 'unreachable' : issuerProblem.reason;
    return fail(reason, `The issuer URL ${issuerProblem.why}.`);
  }
  const trimmed = issuerFromDiscoveryUrl(issuerUrl);
  if (trimmed) {
    return fail(
      'discovery_url_as_issuer',
      `"${issuerUrl}" is the address of the discovery document, not the issuer. Enter the issuer without /.well-known/openid-configuration: "${trimmed}".`,
      { expected: trimmed, actual: issuerUrl, suggestedIssuer: trimmed },
    );
  }
  const url = discoveryUrlFor(issuerUrl);

  let res: Response;
  try {
    res = await guardedFetch(url, { headers: { accept: 'application/json' } }, opts);
  } catch (err) {
    if (err instanceof OutboundError) return fromOutboundError(err, issuerUrl, opts);
    return fail('unreachable', `Could not fetch the discovery document from ${url}.`);
  }

  if (res.status >= 300 && res.status < 400) {
    return fail(
      'redirect',
      `${url} answered with a redirect (HTTP ${res.status}). Redirects are not followed; enter the issuer URL the provider itself reports.`,
    );
  }
  if (res.status < 200 || res.status >= 300) {
    return fail(
      'http_status',
      `${url} answered HTTP ${res.status}. Check that the issuer URL is correct (it should be the provider's issuer, without /.well-known/openid-configuration).`,
    );
  }

  let json: unknown;
  try {
    json = JSON.parse(await res.text());
  } catch {
    return fail('not_json', `${url} did not return JSON. Check that the issuer URL points to an OpenID Provider.`);
  }

  const parsed = discoveryMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || 'the document';
    return fail(
      'invalid_metadata',
      `The discovery document is not valid OpenID Provider metadata (problem with ${field}).`,
    );
  }
  const metadata = parsed.data;

  if (TENANT_PLACEHOLDER.test(metadata.issuer)) {
    // Entra's `common`/`organizations`/`consumers` documents serve every tenant, so their issuer is a template
    // (`https://login.microsoftonline.com/{tenantid}/v2.0`); ID tokens carry the member's own tenant, and no
    // single issuer can be checked. Only the tenant's own issuer works.
    const shape = metadata.issuer.replace(TENANT_PLACEHOLDER, TENANT_ID_FOR_PEOPLE);
    return fail(
      'tenant_placeholder',
      `"${issuerUrl}" is a multi-tenant address (Microsoft Entra ID's common, organizations or consumers): its discovery document names the issuer "${metadata.issuer}", a template rather than an issuer. Use your tenant's own issuer instead: "${shape}" (the tenant ID is on the Overview page of the Microsoft Entra admin center).`,
      { expected: shape, actual: issuerUrl },
    );
  }

  if (metadata.issuer !== issuerUrl) {
    const nearMiss = isNearMissIssuer(metadata.issuer, issuerUrl);
    const differ = nearMiss ? ' They differ only by a trailing slash or letter case, but must match exactly.' : '';
    return fail(
      'issuer_mismatch',
      `The issuer's discovery document says its issuer is "${metadata.issuer}", but you entered "${issuerUrl}".${differ} Use exactly "${metadata.issuer}".`,
      { expected: metadata.issuer, actual: issuerUrl, ...(nearMiss ? { suggestedIssuer: metadata.issuer } : {}) },
    );
  }

  const missing = REQUIRED_ENDPOINTS.filter((key) => !metadata[key]);
  if (missing.length > 0) {
    return fail(
      'missing_endpoints',
      `The discovery document does not list ${missing.join(', ')}, which sign-in needs.`,
    );
  }

  const endpointEntries = Object.entries(metadata).filter(
    (entry): entry is [string, string] =>
      (entry[0].endsWith('_endpoint') || entry[0] === 'jwks_uri') && typeof entry[1] === 'string',
  );
  for (const [key, value] of endpointEntries) {
    const problem = endpointProblem(value, opts.allowLoopback);
    if (problem) return fail(problem.reason, `The discovery document's ${key} "${value}" ${problem.why}.`);
  }
  const issuerHost = new URL(issuerUrl).hostname;
  for (const [key, value] of endpointEntries) {
    const host = new URL(value).hostname;
    // The issuer's own host was just vetted by the fetch; other hosts are resolved here so a bad
    // config is refused at save time (the guard still re-checks at fetch time).
    if (!SERVER_FETCHED.has(key) || host === issuerHost) continue;
    let allowed: boolean;
    try {
      allowed = await withTimeout(
        hostResolvesToAllowed(host, opts.allowLoopback),
        opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      );
    } catch {
      return fail('unreachable', `The discovery document's ${key} host "${host}" could not be resolved.`);
    }
    if (!allowed) {
      return fail(
        'blocked_address',
        `The discovery document's ${key} "${value}" resolves to a private, loopback, link-local or metadata address.`,
      );
    }
  }

  return { ok: true, metadata: metadata as DiscoveryMetadata };
}
