/**
 * Helpers for the adversarial relying-party suite (tests/security): a restartable service on a temp data
 * dir with a controllable clock and captured log lines, raw HTTP (node:http, so Host / X-Forwarded-For /
 * the local address can be set and nothing is retried), and the full login flow
 * POST /v1/sso/config → GET /sso/login → test OP /authorize → GET /sso/callback.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { startSsoService, type SsoServiceOptions } from '@/lib/sso-service';
import type { TestOp } from '@/tests/support/test-op';
import { testDatabaseOptions } from '@/tests/support/test-database';

export const TEST_KEYS = {
  stateSecret: 'adversarial-state-secret-0123456789-abcdefgh',
  encryptionKey: Buffer.alloc(32, 11).toString('base64url'),
  consoleSecret: 'adversarial-console-secret-0123456789-abcdefgh',
};

export const REDIRECT_URI = 'http://localhost:3999/sso/callback';

// ------------------------------------------------------------------ raw HTTP

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: Record<string, unknown> | undefined;
  ms: number;
}

export interface RawRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Bind the client socket to this local address (e.g. 127.0.0.2: another peer). */
  localAddress?: string;
  timeoutMs?: number;
}

export function raw(baseUrl: string, pathAndQuery: string, req: RawRequest = {}): Promise<RawResponse> {
  const url = new URL(pathAndQuery, baseUrl);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: req.method ?? 'GET',
        headers,
        localAddress: req.localAddress,
        agent: false,
        timeout: req.timeoutMs ?? 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> | undefined;
          try {
            const parsed: unknown = JSON.parse(text);
            json = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ms: Date.now() - started });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`request to ${url.pathname} timed out`)));
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

export function postJson(baseUrl: string, p: string, body: unknown, apiKey?: string): Promise<RawResponse> {
  return raw(baseUrl, p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(body),
  });
}

export function getWithKey(baseUrl: string, p: string, apiKey: string): Promise<RawResponse> {
  return raw(baseUrl, p, { headers: { authorization: `Bearer ${apiKey}` } });
}

// ------------------------------------------------------------------ service harness

export interface Clock {
  offsetMs: number;
  now(): number;
}

export interface Harness {
  url: string;
  dataDir: string;
  dbPath: string;
  /** The PostgreSQL database's URL when the tests run on PostgreSQL (else SQLite at `dbPath`). */
  postgresUrl: string | undefined;
  clock: Clock;
  /** Every JSON log line the service wrote (log level debug). */
  logs: string[];
  /** Closes the service and starts it again on the same data dir (cold caches); `overrides` replace the previous ones. */
  restart(overrides?: SsoServiceOptions): Promise<void>;
  /** Closes the service only (the data dir stays until `close`). */
  stop(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  overrides: SsoServiceOptions = {},
  shared?: { dataDir?: string; logs?: string[] },
): Promise<Harness> {
  const dataDir = shared?.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'grantex-adv-')));
  const ownsDir = shared?.dataDir === undefined;
  const dbPath = path.join(dataDir, 'grantex.db');
  const logs = shared?.logs ?? [];
  const clock: Clock = {
    offsetMs: 0,
    now: () => Date.now() + clock.offsetMs,
  };
  let current: { url: string; close(): Promise<void> } | null = null;
  let opts = overrides;
  // SQLite in the data dir, or a fresh PostgreSQL database (GRANTEX_TEST_DATABASE_URL): kept across restarts.
  const database = await testDatabaseOptions();

  const boot = async () => {
    current = await startSsoService({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      dbPath,
      devMode: true,
      logLevel: 'debug',
      trustedProxies: [],
      rateLimit: { enabled: false, signupPerMin: 1_000_000, loginPerMin: 1_000_000, callbackPerMin: 1_000_000 },
      ...TEST_KEYS,
      ...database,
      logger: (line) => logs.push(line),
      now: () => clock.now(),
      ...opts,
    });
    h.url = current.url;
  };

  const h: Harness = {
    url: '',
    dataDir,
    dbPath,
    postgresUrl: database.postgres?.url,
    clock,
    logs,
    async restart(next) {
      if (next) opts = next;
      await current?.close();
      current = null;
      await boot();
    },
    async stop() {
      await current?.close();
      current = null;
    },
    async close() {
      await current?.close();
      current = null;
      if (ownsDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
  await boot();
  return h;
}

// ------------------------------------------------------------------ orgs and configs

export interface Org {
  developerId: string;
  apiKey: string;
}

let orgCounter = 0;

export async function signup(baseUrl: string, name = `Adversarial Org ${++orgCounter}`): Promise<Org> {
  const res = await postJson(baseUrl, '/v1/signup', { name });
  expect(res.status, res.text).toBe(201);
  return { developerId: String(res.json?.developerId), apiKey: String(res.json?.apiKey) };
}

export interface ConfigInput {
  issuerUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export function saveConfig(baseUrl: string, org: Org, cfg: ConfigInput): Promise<RawResponse> {
  return postJson(baseUrl, '/v1/sso/config', cfg, org.apiKey);
}

// ------------------------------------------------------------------ the flow

export function login(baseUrl: string, org: Org | string, extra = ''): Promise<RawResponse> {
  const id = typeof org === 'string' ? org : org.developerId;
  return raw(baseUrl, `/sso/login?org=${encodeURIComponent(id)}${extra}`);
}

export interface CallbackParams {
  code?: string;
  state?: string;
  iss?: string;
}

export function callbackPath(p: CallbackParams): string {
  const q = new URLSearchParams();
  if (p.code !== undefined) q.set('code', p.code);
  if (p.state !== undefined) q.set('state', p.state);
  if (p.iss !== undefined) q.set('iss', p.iss);
  return `/sso/callback?${q.toString()}`;
}

export function callback(baseUrl: string, p: CallbackParams, req: RawRequest = {}): Promise<RawResponse> {
  return raw(baseUrl, callbackPath(p), req);
}

export interface AuthorizedLogin {
  loginRes: RawResponse;
  authorizeUrl: URL;
  /** Where the OP redirected back to (the configured redirect URI with code/state/iss or error). */
  returned: URL;
  params: CallbackParams;
}

/** GET /sso/login and follow the OP's /authorize; asserts the login succeeded. */
export async function authorize(baseUrl: string, org: Org, op: TestOp): Promise<AuthorizedLogin> {
  const loginRes = await login(baseUrl, org);
  expect(loginRes.status, loginRes.text).toBe(200);
  const authorizeUrl = new URL(String(loginRes.json?.authorizeUrl));
  const returned = await op.driveAuthorize(authorizeUrl);
  const params: CallbackParams = {
    code: returned.searchParams.get('code') ?? undefined,
    state: returned.searchParams.get('state') ?? undefined,
    iss: returned.searchParams.get('iss') ?? undefined,
  };
  return { loginRes, authorizeUrl, returned, params };
}

export interface FlowResult extends AuthorizedLogin {
  res: RawResponse;
}

/** The whole login: /sso/login → /authorize → /sso/callback (forwarding `iss` as the console does). */
export async function runFlow(baseUrl: string, org: Org, op: TestOp, req: RawRequest = {}): Promise<FlowResult> {
  const a = await authorize(baseUrl, org, op);
  expect(a.params.code, `OP answered ${a.returned.search}`).toBeTruthy();
  const res = await callback(baseUrl, a.params, req);
  return { ...a, res };
}

// ------------------------------------------------------------------ outcomes

export function expectIdentity(
  res: RawResponse,
  org: Org,
  user: { sub: string; email: string; name: string; email_verified?: boolean },
): void {
  expect(res.status, res.text).toBe(200);
  // The test OP's users say email_verified: true unless a test says otherwise.
  expect(res.json).toEqual({
    developerId: org.developerId,
    sub: user.sub,
    email: user.email,
    emailVerified: user.email_verified ?? true,
    name: user.name,
  });
}

const JWT_LIKE = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;

/**
 * REJ: a 4xx/5xx with `{message, code, requestId}`, code SSO_ERROR or BAD_REQUEST, no identity, and a
 * message that quotes none of the secrets (client secret, code, state) and no token.
 */
export function expectRejected(
  res: RawResponse,
  secrets: (string | undefined)[],
  codes: string[] = ['SSO_ERROR', 'BAD_REQUEST'],
): void {
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(res.status, res.text).toBeLessThan(600);
  expect(res.json, res.text).toBeDefined();
  const body = res.json ?? {};
  expect(codes, res.text).toContain(body.code);
  expect(typeof body.message).toBe('string');
  expect(String(body.message).length).toBeGreaterThan(10);
  for (const field of ['sub', 'developerId', 'email', 'name']) expect(body).not.toHaveProperty(field);
  expectNoLeak(res.text, secrets);
}

/** The service's captured log lines (at least `minLines`) quote none of the sensitive values and no JWT. */
export function expectCleanLogs(logs: readonly string[], sensitive: Iterable<string>, minLines: number): void {
  expect(logs.length).toBeGreaterThan(minLines);
  const all = logs.join('\n');
  for (const value of sensitive) {
    expect(all.includes(value), `a log line contains a sensitive value (${value.slice(0, 6)}…)`).toBe(false);
  }
  expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\./);
  // A console session token or a break-glass credential, whatever the test passed as sensitive.
  expect(all).not.toMatch(/(?<![A-Za-z0-9_-])(?:gxc|gxbg)_[A-Za-z0-9_-]{8}/);
}

export function expectNoLeak(text: string, secrets: (string | undefined)[]): void {
  for (const s of secrets) {
    if (!s) continue;
    expect(text.includes(s), `response quotes a secret value: ${text.slice(0, 300)}`).toBe(false);
    const encoded = encodeURIComponent(s);
    if (encoded !== s)
      expect(text.includes(encoded), `response quotes an encoded secret: ${text.slice(0, 300)}`).toBe(false);
  }
  expect(JWT_LIKE.test(text), `response quotes a token: ${text.slice(0, 300)}`).toBe(false);
}

/** UNAV: a 502/503/504 SSO_ERROR, well within `withinMs`. */
export function expectUnavailable(res: RawResponse, withinMs: number, secrets: (string | undefined)[] = []): void {
  expect([502, 503, 504], res.text).toContain(res.status);
  expect(res.json?.code, res.text).toBe('SSO_ERROR');
  expect(res.ms, `took ${res.ms} ms`).toBeLessThan(withinMs);
  expectNoLeak(res.text, secrets);
}

/** Samples the heap while `work` runs; returns the peak growth in bytes over the starting value. */
export async function peakHeapGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 2);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    return { value, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}
