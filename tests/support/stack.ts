/**
 * The real parts of the SSO flow, started in-process on ephemeral ports for integration tests:
 * the dev IdP and the embedded Grantex-compatible service (temp data dir, dev mode, no rate limits).
 * The redirect URI is never called: tests read `code` and `state` from the IdP's final redirect.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SsoConfigRequest } from '@/lib/contract';
import { startDevIdp, type DevIdp } from '@/lib/dev-idp';
import { GrantexClient } from '@/lib/grantex';
import { startSsoService, type RunningSsoService, type SsoServiceOptions } from '@/lib/sso-service';
import type { ServiceConfig } from '@/lib/sso-service/config';
import { testDatabaseOptions } from '@/tests/support/test-database';

/** The console the stack's service serves (GRANTEX_CONSOLE_URL); its callbacks are never called. */
export const STACK_CONSOLE_URL = 'http://localhost:3999';
/** The console's shared (legacy) callback. */
export const STACK_REDIRECT_URI = `${STACK_CONSOLE_URL}/sso/callback`;

export interface Stack {
  serviceUrl: string;
  idp: DevIdp;
  /** The redirect URI registered at the dev IdP, for configs that use it. */
  redirectUri: string;
  dataDir: string;
  close(): Promise<void>;
}

export interface StackOptions {
  redirectUri?: string;
  /** Extra service settings (e.g. `rateLimit`), applied over the stack's test defaults. */
  service?: Partial<ServiceConfig>;
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const redirectUri = opts.redirectUri ?? STACK_REDIRECT_URI;
  const dataDir = await mkdtemp(path.join(tmpdir(), 'grantex-stack-'));
  const cleanups: Array<() => Promise<void>> = [() => rm(dataDir, { recursive: true, force: true })];
  const close = async () => {
    // Reverse start order; keep going when one part fails to stop so no temp dir is left behind.
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => errors.push(error));
    }
    if (errors.length) throw errors[0];
  };

  try {
    const idp = await startDevIdp({ port: 0, host: '127.0.0.1', redirectUris: [redirectUri] });
    cleanups.push(() => idp.close());
    const service = await startLocalSsoService(dataDir, {
      consoleUrl: STACK_CONSOLE_URL,
      ...(await testDatabaseOptions()),
      ...opts.service,
    });
    cleanups.push(() => service.close());
    return { serviceUrl: service.url, idp, redirectUri, dataDir, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}

/**
 * The service in this process on loopback, port 0, in `dataDir` (SQLite there unless `extra` names PostgreSQL),
 * development mode, silent, rate limits off; `extra` wins (hooks such as `now` included).
 */
export function startLocalSsoService(dataDir: string, extra: SsoServiceOptions = {}): Promise<RunningSsoService> {
  return startSsoService({
    host: '127.0.0.1',
    port: 0,
    dataDir,
    // Explicit, so a GRANTEX_DB_PATH in the caller's environment cannot point tests at a real database.
    dbPath: path.join(dataDir, 'grantex.db'),
    devMode: true,
    logLevel: 'silent',
    trustedProxies: [],
    rateLimit: { enabled: false, signupPerMin: 1_000_000, loginPerMin: 1_000_000, callbackPerMin: 1_000_000 },
    ...extra,
  });
}

/** The SSO config that points an org at the stack's dev IdP. */
export function devIdpConfig(stack: Stack): SsoConfigRequest {
  return {
    issuerUrl: stack.idp.issuer,
    clientId: stack.idp.client.clientId,
    clientSecret: stack.idp.client.clientSecret,
    redirectUri: stack.redirectUri,
  };
}

let orgCounter = 0;

/** A fresh org through the public signup endpoint, with a client holding its key. */
export async function signupOrg(
  serviceUrl: string,
  name = `Org ${++orgCounter}`,
): Promise<{ developerId: string; apiKey: string; client: GrantexClient }> {
  const signedUp = await new GrantexClient({ baseUrl: serviceUrl }).orgs.signup({ name });
  return {
    developerId: signedUp.developerId,
    apiKey: signedUp.apiKey,
    client: new GrantexClient({ baseUrl: serviceUrl, apiKey: signedUp.apiKey, retries: 0 }),
  };
}

/** Headers and body of a raw test request: an optional Bearer key and a JSON or form-encoded body. */
export function requestParts(opts: { apiKey?: string; json?: unknown; form?: Record<string, string> }): {
  headers: Record<string, string>;
  body?: string;
} {
  const headers: Record<string, string> = {};
  if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
  if (opts.json !== undefined)
    return { headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(opts.json) };
  if (opts.form)
    return {
      headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(opts.form).toString(),
    };
  return { headers };
}
