/**
 * Where the e2e suite points. With no E2E_BASE_URL, playwright.config.ts starts the local production-mode stack
 * on ports 3100–3102; with E2E_BASE_URL set, the suite targets an existing deployment and its IdP (see README).
 * Shared by playwright.config.ts (main process) and the fixtures (workers).
 */

// E2E_PORT moves the whole local stack (console, service, IdP on three consecutive ports), e.g. to run two
// checkouts' suites side by side.
const basePort = Number(process.env.E2E_PORT) || 3100;

export const LOCAL = {
  consolePort: basePort,
  grantexPort: basePort + 1,
  idpPort: basePort + 2,
  /** UDP: the DNS server domain verification asks (e2e/support/dns-global-setup.ts). */
  dnsPort: basePort + 3,
  baseUrl: `http://localhost:${basePort}`,
  grantexUrl: `http://localhost:${basePort + 1}`,
  idpIssuer: `http://127.0.0.1:${basePort + 2}`,
} as const;

/** The dev IdP's seeded client and first demo user (lib/dev-idp); the secret is replaced per run locally. */
const DEV_IDP_DEFAULTS = {
  clientId: 'grantex-console',
  clientSecret: 'dev-only-secret:change%me+now',
  username: 'alice',
  password: 'alice-password',
  email: 'alice@example.com',
  name: 'Alice Anderson',
} as const;

export interface IdpSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
  user: { username: string; password: string; email: string; name: string };
}

export interface E2eSettings {
  /** True when the suite targets an existing deployment instead of the local stack. */
  external: boolean;
  baseUrl: string;
  grantexUrl: string;
  /** When set, every test uses this org instead of signing up a fresh one. */
  apiKey?: string;
  idp: IdpSettings;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

export function e2eSettings(env: NodeJS.ProcessEnv = process.env): E2eSettings {
  const external = Boolean(env.E2E_BASE_URL);
  if (external && !env.E2E_GRANTEX_URL) {
    throw new Error('E2E_BASE_URL is set: also set E2E_GRANTEX_URL (the Grantex API that deployment uses).');
  }
  return {
    external,
    baseUrl: trimSlash(env.E2E_BASE_URL || LOCAL.baseUrl),
    grantexUrl: trimSlash(env.E2E_GRANTEX_URL || LOCAL.grantexUrl),
    apiKey: env.E2E_API_KEY || undefined,
    idp: {
      issuer: trimSlash(env.E2E_IDP_ISSUER || LOCAL.idpIssuer),
      clientId: env.E2E_IDP_CLIENT_ID || DEV_IDP_DEFAULTS.clientId,
      clientSecret: env.E2E_IDP_CLIENT_SECRET || DEV_IDP_DEFAULTS.clientSecret,
      user: {
        username: env.E2E_IDP_USERNAME || DEV_IDP_DEFAULTS.username,
        password: env.E2E_IDP_PASSWORD || DEV_IDP_DEFAULTS.password,
        email: env.E2E_IDP_EMAIL || DEV_IDP_DEFAULTS.email,
        name: env.E2E_IDP_NAME || DEV_IDP_DEFAULTS.name,
      },
    },
  };
}
