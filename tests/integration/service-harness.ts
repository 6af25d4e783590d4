/**
 * Starts the real SSO service on an ephemeral port in a fresh temp data dir, capturing its log lines.
 * The relying party is replaced by a small scripted stand-in (IdP behaviour is not what these tests are
 * about; the full flow through the real relying party and dev IdP is in service-flow.test.ts).
 */
import { expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSsoService, type SsoServiceOptions } from '@/lib/sso-service';
import { RpError, type IssuerCheck, type RelyingParty, type RpIdentity } from '@/lib/sso-service/oidc';
import { requestParts } from '@/tests/support/stack';
import { testDatabaseOptions } from '@/tests/support/test-database';

export interface ScriptedRp extends RelyingParty {
  issuerCheck: IssuerCheck;
  authorizeError: Error | null;
  redeemResult: RpIdentity | Error;
  calls: { method: string; args: unknown[] }[];
}

export function scriptedRp(): ScriptedRp {
  const rp: ScriptedRp = {
    issuerCheck: { ok: true },
    authorizeError: null,
    redeemResult: { sub: 'user-1', email: 'user@example.com', emailVerified: true, name: 'User One' },
    calls: [],
    async authorizationUrl(cfg, p) {
      rp.calls.push({ method: 'authorizationUrl', args: [cfg, p] });
      if (rp.authorizeError) throw rp.authorizeError;
      const url = new URL(`${cfg.issuerUrl.replace(/\/$/, '')}/authorize`);
      url.search = new URLSearchParams({
        client_id: cfg.clientId,
        redirect_uri: cfg.redirectUri,
        state: p.state,
        nonce: p.nonce,
      }).toString();
      return url.href;
    },
    async redeem(cfg, p) {
      rp.calls.push({ method: 'redeem', args: [cfg, p] });
      if (rp.redeemResult instanceof Error) throw rp.redeemResult;
      return rp.redeemResult;
    },
    async checkIssuer(issuerUrl) {
      rp.calls.push({ method: 'checkIssuer', args: [issuerUrl] });
      return rp.issuerCheck;
    },
    async discover(issuerUrl) {
      rp.calls.push({ method: 'discover', args: [issuerUrl] });
      if (!rp.issuerCheck.ok) return rp.issuerCheck;
      const base = issuerUrl.replace(/\/$/, '');
      return {
        ok: true,
        issuer: issuerUrl,
        authorizationEndpoint: `${base}/authorize`,
        tokenEndpoint: `${base}/token`,
        jwksUri: `${base}/jwks`,
      };
    },
    forget(issuerUrl) {
      rp.calls.push({ method: 'forget', args: [issuerUrl] });
    },
    async endSessionUrl(cfg, p) {
      rp.calls.push({ method: 'endSessionUrl', args: [cfg, p] });
      return null;
    },
    async verifyLogoutToken(cfg, token) {
      rp.calls.push({ method: 'verifyLogoutToken', args: [cfg, token] });
      throw new RpError('id_token_invalid', 400, 'The logout token was refused: scripted');
    },
  };
  return rp;
}

export { RpError };

export const TEST_KEYS = {
  stateSecret: 'test-state-secret-0123456789-abcdefghijklmnop',
  encryptionKey: Buffer.alloc(32, 7).toString('base64url'),
};

export interface TestService {
  url: string;
  dataDir: string;
  lines: string[];
  rp: ScriptedRp;
  /** Set when the tests run on PostgreSQL (GRANTEX_TEST_DATABASE_URL). */
  postgresUrl: string | undefined;
  close(): Promise<void>;
  /** Restarts on the same data dir (new port). */
  restart(extra?: SsoServiceOptions): Promise<void>;
}

export async function startTestService(options: SsoServiceOptions & { dataDir?: string } = {}): Promise<TestService> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'gx-service-'));
  const rp = (options.relyingParty as ScriptedRp | undefined) ?? scriptedRp();
  const lines: string[] = [];
  const database = await testDatabaseOptions();
  const base: SsoServiceOptions = {
    host: '127.0.0.1',
    port: 0,
    devMode: true,
    logLevel: 'info',
    trustedProxies: [],
    rateLimit: { enabled: false, signupPerMin: 1000, loginPerMin: 1000, callbackPerMin: 1000 },
    ...database,
    logger: (line) => lines.push(line),
    relyingParty: rp,
    ...options,
    dataDir,
  };
  let running = await startSsoService(base);
  const svc: TestService = {
    url: running.url,
    dataDir,
    lines,
    rp,
    postgresUrl: database.postgres?.url,
    close: () => running.close(),
    async restart(extra = {}) {
      await running.close();
      running = await startSsoService({ ...base, ...extra });
      svc.url = running.url;
    },
  };
  return svc;
}

export async function json(res: Response): Promise<Record<string, unknown>> {
  return (await res.json()) as Record<string, unknown>;
}

export async function signup(url: string, body: Record<string, unknown> = { name: 'Acme' }) {
  const res = await fetch(`${url}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { developerId: string; apiKey: string; createdAt: string };
}

/** An OIDC connection body for the connections API (the issuer is never reached: the test service's RP is scripted). */
export const OIDC_CONNECTION = {
  name: 'Okta (production)',
  protocol: 'oidc',
  issuerUrl: 'http://127.0.0.1:9/okta',
  clientId: 'okta-client',
  clientSecret: 'okta-secret-never-returned',
  redirectUri: 'http://localhost:3000/sso/callback',
} as const;

export const VALID_CONFIG = {
  issuerUrl: 'http://127.0.0.1:9/idp',
  clientId: 'grantex-console',
  clientSecret: 'dev-only-secret:change%me+now',
  redirectUri: 'http://localhost:3000/sso/callback',
};

export function authed(apiKey: string, init: RequestInit = {}): RequestInit {
  return {
    ...init,
    headers: {
      authorization: `Bearer ${apiKey}`,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...(init.headers as Record<string, string> | undefined),
    },
  };
}

export async function saveConfig(url: string, apiKey: string, config: Record<string, unknown> = VALID_CONFIG) {
  return fetch(`${url}/v1/sso/config`, authed(apiKey, { method: 'POST', body: JSON.stringify(config) }));
}

/** One answer of the service over raw HTTP: status, the body as text, and parsed (an empty body is `{}`). */
export interface Answer {
  status: number;
  text: string;
  body: Record<string, unknown>;
}

/**
 * A raw HTTP call to the service: `bearer` (an API key or a setup-link token) as the Authorization header, the
 * body as JSON or as a form. The contract tests use it beside the Grantex client, so both paths are checked.
 */
export async function callService(
  baseUrl: string,
  method: string,
  path: string,
  opts: {
    bearer?: string | null;
    json?: unknown;
    form?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const parts = requestParts({ apiKey: opts.bearer ?? undefined, json: opts.json, form: opts.form });
  const headers = { ...opts.headers, ...parts.headers };
  const body = parts.body;
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  return { status: res.status, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The contract's error shape: this status, this message (or one matching), and a request id. */
export function expectApiError(res: Answer, status: number, message: string | RegExp): void {
  expect(res.status, res.text).toBe(status);
  expect(res.body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  expect(typeof res.body.requestId).toBe('string');
}
