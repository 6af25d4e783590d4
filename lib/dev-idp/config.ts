import { z } from 'zod';
import type { SamlSigningKey } from './saml/keys';

export const DEFAULT_CLIENT_ID = 'grantex-console';
/** Contains `:`, `%`, `+` on purpose so relying parties prove they form-encode Basic credentials. */
export const DEFAULT_CLIENT_SECRET = 'dev-only-secret:change%me+now';
export const DEFAULT_PORT = 3002;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_REDIRECT_URI = 'http://localhost:3000/sso/callback';
/** Every per-connection callback of a console on the default port (see redirectUriMatcher). */
export const DEFAULT_PER_CONNECTION_REDIRECT_URIS = 'http://localhost:3000/sso/callback/*';
/**
 * The last path segment a wildcard entry accepts: the console's per-connection callback key. Kept here rather
 * than imported, because the dev IdP stands in for an outside provider and imports nothing of ours; a unit
 * test keeps it equal to the contract's CALLBACK_KEY_PATTERN.
 */
export const REDIRECT_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

const urlList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url()).min(1));

const envSchema = z.object({
  DEV_IDP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DEV_IDP_HOST: z.string().min(1).optional(),
  DEV_IDP_ISSUER: z.url().optional(),
  DEV_IDP_REDIRECT_URIS: urlList.optional(),
  APP_URL: z.url().optional(),
  NEXTAUTH_URL: z.url().optional(),
});

/**
 * Redirect URIs the dev client accepts. An entry ending in `/*` (e.g. `http://localhost:3000/sso/callback/*`)
 * accepts every per-connection callback below that prefix: exactly one more path segment matching the console's
 * key pattern (REDIRECT_KEY_PATTERN), no query, no fragment. Every other entry is matched exactly.
 */
export interface RedirectUriMatcher {
  /** The exact URIs (what oidc-provider registers for the client). */
  exact: string[];
  /** The prefixes of the wildcard entries, each ending in "/". */
  prefixes: string[];
  allows(uri: string): boolean;
}

export function redirectUriMatcher(entries: readonly string[]): RedirectUriMatcher {
  const exact = entries.filter((e) => !e.endsWith('/*'));
  const prefixes = entries.filter((e) => e.endsWith('/*')).map((e) => e.slice(0, -1));
  return {
    exact,
    prefixes,
    allows(uri) {
      if (exact.includes(uri)) return true;
      return prefixes.some((prefix) => uri.startsWith(prefix) && REDIRECT_KEY_PATTERN.test(uri.slice(prefix.length)));
    },
  };
}

export interface DevIdpOptions {
  port?: number;
  host?: string;
  issuer?: string;
  /** Exact URIs, and prefixes ending in `/*` for the console's per-connection callbacks (redirectUriMatcher). */
  redirectUris?: string[];
  clientId?: string;
  clientSecret?: string;
  /** The SAML signing key and certificate; DEV_IDP_SAML_KEY_FILE / DEV_IDP_SAML_CERT_FILE, else generated at start. */
  samlKey?: SamlSigningKey;
  /** SAML ACS URLs accepted besides loopback ones. */
  samlAcsUrls?: string[];
  /** Print one line per request (method, path without query, status). Off by default for tests. */
  logRequests?: boolean;
}

/** Reads the dev IdP's settings from the environment (see docs/ARCHITECTURE.md "Ports and environment"). */
export function devIdpOptionsFromEnv(env: Record<string, string | undefined> = process.env): DevIdpOptions {
  const blankToUndefined = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in envSchema.shape && value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Invalid dev IdP environment: ${fields}`);
  }
  const e = parsed.data;
  const appUrl = e.APP_URL ?? e.NEXTAUTH_URL;
  return {
    port: e.DEV_IDP_PORT,
    host: e.DEV_IDP_HOST,
    issuer: e.DEV_IDP_ISSUER,
    redirectUris:
      e.DEV_IDP_REDIRECT_URIS ??
      (appUrl ? [new URL('/sso/callback', appUrl).href, new URL('/sso/callback/*', appUrl).href] : undefined),
  };
}
