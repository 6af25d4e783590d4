import { z } from 'zod';
import type { SamlSigningKey } from './saml/keys';

export const DEFAULT_CLIENT_ID = 'grantex-console';
/** Contains `:`, `%`, `+` on purpose so relying parties prove they form-encode Basic credentials. */
export const DEFAULT_CLIENT_SECRET = 'dev-only-secret:change%me+now';
export const DEFAULT_PORT = 3002;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_REDIRECT_URI = 'http://localhost:3000/sso/callback';

const urlList = z
  .string()
  .transform((value) => value.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.url()).min(1));

const envSchema = z.object({
  DEV_IDP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  DEV_IDP_HOST: z.string().min(1).optional(),
  DEV_IDP_ISSUER: z.url().optional(),
  DEV_IDP_REDIRECT_URIS: urlList.optional(),
  APP_URL: z.url().optional(),
  NEXTAUTH_URL: z.url().optional(),
});

export interface DevIdpOptions {
  port?: number;
  host?: string;
  issuer?: string;
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
    redirectUris: e.DEV_IDP_REDIRECT_URIS ?? (appUrl ? [new URL('/sso/callback', appUrl).href] : undefined),
  };
}
