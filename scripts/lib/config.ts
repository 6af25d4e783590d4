/** Where each part of the stack listens, from the environment (see docs/ARCHITECTURE.md and .env.example). */

export interface StackConfig {
  consolePort: number;
  /** Public URL of the console; SSO callbacks are `${appUrl}/sso/callback` (shared, legacy) and `${appUrl}/sso/callback/<key>`. */
  appUrl: string;
  grantexUrl: string;
  /** False when GRANTEX_URL points at another Grantex API (hosted or elsewhere): then we do not start ours. */
  embeddedService: boolean;
  grantexHost: string;
  grantexPort: number;
  idpHost: string;
  idpPort: number;
  idpIssuer: string;
  idpRedirectUris: string[];
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`${name}=${raw} is not a valid port (1–65535).`);
  }
  return n;
}

function url(name: string, raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new Error(`${name}=${raw} is not an absolute URL (e.g. http://localhost:3000).`);
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
const trimSlash = (s: string) => s.replace(/\/+$/, '');

export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const consolePort = port(env, 'PORT', 3000);
  const appUrl = trimSlash(env.APP_URL || env.NEXTAUTH_URL || `http://localhost:${consolePort}`);
  url('APP_URL', appUrl);

  const grantexPort = port(env, 'GRANTEX_PORT', 3001);
  const grantexHost = env.GRANTEX_HOST || 'localhost';
  const ownUrl = `http://${grantexHost.includes(':') ? `[${grantexHost}]` : grantexHost}:${grantexPort}`;
  let grantexUrl = ownUrl;
  let embeddedService = true;
  if (env.GRANTEX_URL) {
    const given = url('GRANTEX_URL', env.GRANTEX_URL);
    grantexUrl = trimSlash(given.toString());
    const givenPort = Number(given.port || (given.protocol === 'https:' ? 443 : 80));
    embeddedService = LOOPBACK.has(given.hostname) && givenPort === grantexPort && given.protocol === 'http:';
  }

  const idpPort = port(env, 'DEV_IDP_PORT', 3002);
  const idpIssuer = trimSlash(env.DEV_IDP_ISSUER || `http://127.0.0.1:${idpPort}`);
  const idpHost = url('DEV_IDP_ISSUER', idpIssuer).hostname.replace(/^\[|\]$/g, '');
  // The shared callback and every per-connection one (`/*`: one key segment, lib/dev-idp/config.ts).
  const idpRedirectUris = (env.DEV_IDP_REDIRECT_URIS || `${appUrl}/sso/callback,${appUrl}/sso/callback/*`)
    .split(/[\s,]+/)
    .filter(Boolean);

  return {
    consolePort,
    appUrl,
    grantexUrl,
    embeddedService,
    grantexHost,
    grantexPort,
    idpHost,
    idpPort,
    idpIssuer,
    idpRedirectUris,
  };
}
