import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startCountingProxy, type CountingProxy } from './counting-proxy';
import { json } from './http';
import { progress } from './log';
import { ROOT, freePort, readMemory, spawnTsx, stop, waitForHttp, type Child } from './procs';

/** Prefer the project's entry points; fall back to the bench's own thin ones while those are missing. */
function entry(script: string, fallback: string): string {
  return existsSync(path.join(ROOT, script)) ? script : fallback;
}

export interface Idp {
  /** The issuer the service is configured with: the counting proxy's URL. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  proxy: CountingProxy;
  child: Child;
  stop(): Promise<void>;
}

interface DiscoveryDoc {
  issuer: string;
  jwks_uri?: string;
  token_endpoint?: string;
  userinfo_endpoint?: string;
}

export async function startIdp(redirectUris: string[], verbose = false): Promise<Idp> {
  const proxy = await startCountingProxy();
  const port = await freePort();
  proxy.setTarget(port);
  const script = entry('scripts/dev-idp.ts', 'bench/entries/dev-idp.ts');
  progress(`starting dev IdP (${script}) on :${port} behind counting proxy ${proxy.url}`);
  const child = spawnTsx(
    'dev-idp',
    script,
    {
      DEV_IDP_PORT: String(port),
      DEV_IDP_HOST: '127.0.0.1',
      DEV_IDP_ISSUER: proxy.url,
      DEV_IDP_REDIRECT_URIS: redirectUris.join(','),
    },
    verbose,
  );
  const direct = `http://127.0.0.1:${port}/.well-known/openid-configuration`;
  await waitForHttp(direct, child);
  // Read discovery directly (not through the proxy) so the bench's own look-up is not counted.
  const doc = await json<DiscoveryDoc>(direct);
  if (doc.issuer !== proxy.url) {
    throw new Error(
      `dev IdP ignored DEV_IDP_ISSUER (issuer ${doc.issuer}, wanted ${proxy.url}); cannot count its requests`,
    );
  }
  proxy.learn(doc);
  return {
    issuer: proxy.url,
    clientId: 'grantex-console',
    clientSecret: 'dev-only-secret:change%me+now',
    redirectUris,
    proxy,
    child,
    async stop() {
      await stop(child);
      await proxy.close();
    },
  };
}

export interface Service {
  url: string;
  child: Child;
  dataDir: string;
  /** Where the service's stdout went (with --log-level), else undefined. */
  logFile?: string;
  stop(): Promise<void>;
  memory(): { rssMiB: number; hwmMiB: number } | null;
}

export interface ServiceOptions {
  /** LOG_LEVEL; anything but `warn` sends stdout to `<dataDir>.log` (the bench must not parse every line). */
  logLevel?: string;
  /** Another entry point (the soak's fast-clock service). */
  script?: string;
}

/** Fixed per bench run so that a restarted service can still decrypt the client secrets it stored. */
const SERVICE_SECRETS = {
  GRANTEX_STATE_SECRET: randomBytes(32).toString('base64url'),
  GRANTEX_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};

/**
 * `profileDir`: run the service under `node --cpu-prof`; the profile is written there when it stops.
 * `extraEnv`: e.g. DATABASE_URL to run it on PostgreSQL instead of SQLite in `dataDir`.
 */
export async function startService(
  dataDir: string,
  verbose = false,
  profileDir?: string,
  extraEnv: Record<string, string> = {},
  options: ServiceOptions = {},
): Promise<Service> {
  const port = await freePort();
  const script = options.script ?? entry('scripts/grantex.ts', 'bench/entries/grantex.ts');
  const logLevel = options.logLevel ?? (verbose ? 'info' : 'warn');
  const logFile = logLevel !== 'warn' && !verbose ? `${dataDir}-${port}.log` : undefined;
  progress(`starting service (${script}) on :${port}, data ${dataDir}`);
  const child = spawnTsx(
    'service',
    script,
    {
      NODE_ENV: 'production',
      GRANTEX_HOST: '127.0.0.1',
      GRANTEX_PORT: String(port),
      GRANTEX_DATA_DIR: dataDir,
      // Dev mode only so the loopback http issuer (the dev IdP) is accepted.
      GRANTEX_DEV_MODE: 'true',
      RATE_LIMIT: 'off',
      LOG_LEVEL: logLevel,
      ...SERVICE_SECRETS,
      ...extraEnv,
    },
    verbose,
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    logFile,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/v1/sso/config`, child);
  return {
    url,
    child,
    dataDir,
    ...(logFile ? { logFile } : {}),
    stop: () => stop(child),
    memory: () => readMemory(child.pid),
  };
}
