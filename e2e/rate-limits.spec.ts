/**
 * Rate limits cannot be turned against a tenant, through the console (next start + service + dev IdP).
 *
 * The main e2e stack runs with RATE_LIMIT=off, so this spec starts its own stack (scripts/stack.ts, the same
 * production build) with small limits, on E2E_PORT+10…+12. Its console trusts 127.0.0.1 as a reverse proxy
 * (TRUSTED_PROXIES), as a deployment behind one would: Playwright's API requests play that proxy and name the
 * client address in X-Forwarded-For (an attacker at 203.0.113.x), while the browser connects directly (the
 * member or admin at the loopback address). That is the one honest way to have two client addresses on a
 * loopback-only machine: the console reads X-Forwarded-For exactly as it would behind the proxy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as playwrightRequest, type APIRequestContext } from '@playwright/test';
import { LOCAL } from './support/env';
import { expect, IdpLoginPage, MemberLoginPage, test } from './fixtures';

const port = LOCAL.consolePort + 10;
const base = `http://localhost:${port}`;
const grantexUrl = `http://localhost:${port + 1}`;
const idpIssuer = `http://127.0.0.1:${port + 2}`;
const idpSecret = 'rate-limit-e2e-secret';
const START_LIMIT = 5;
const SIGNIN_LIMIT = 3;

let stack: ChildProcess | undefined;
let stackLog = '';

async function waitForConsole(timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (stack?.exitCode !== null && stack?.exitCode !== undefined)
      throw new Error(`stack exited:\n${stackLog.slice(-3000)}`);
    const ok = await fetch(`${base}/`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`stack not ready:\n${stackLog.slice(-3000)}`);
}

test.describe.configure({ mode: 'serial' });
test.skip(() => Boolean(process.env.E2E_BASE_URL), 'starts its own local stack');

test.beforeAll(async () => {
  test.setTimeout(180_000);
  stack = spawn(process.execPath, ['--import', 'tsx', 'scripts/stack.ts'], {
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      PORT: String(port),
      APP_URL: base,
      NEXTAUTH_URL: base,
      GRANTEX_HOST: 'localhost',
      GRANTEX_PORT: String(port + 1),
      GRANTEX_URL: grantexUrl,
      GRANTEX_DEV_MODE: 'true',
      GRANTEX_DATA_DIR: '',
      DEV_IDP_PORT: String(port + 2),
      DEV_IDP_ISSUER: idpIssuer,
      DEV_IDP_REDIRECT_URIS: `${base}/sso/callback`,
      DEV_IDP_CLIENT_SECRET: idpSecret,
      CONSOLE_DEMO_SIGNUP: 'true',
      RATE_LIMIT: 'on',
      RATE_LIMIT_SSO_START_PER_MIN: String(START_LIMIT),
      RATE_LIMIT_LOGIN_EMAIL_PER_MIN: String(START_LIMIT),
      RATE_LIMIT_SIGNIN_PER_MIN: String(SIGNIN_LIMIT),
      RATE_LIMIT_LOGIN_PER_MIN: String(START_LIMIT),
      RATE_LIMIT_CALLBACK_PER_MIN: String(START_LIMIT),
      RATE_LIMIT_SIGNUP_PER_MIN: '100',
      // The console (and service) trust a reverse proxy on loopback: see the file comment.
      TRUSTED_PROXIES: '127.0.0.1,::1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    stackLog = (stackLog + chunk.toString('utf8')).slice(-20_000);
  };
  stack.stdout?.on('data', keep);
  stack.stderr?.on('data', keep);
  await waitForConsole(150_000);
});

test.afterAll(async () => {
  if (!stack || stack.exitCode !== null) return;
  const exited = new Promise((resolve) => stack?.once('exit', resolve));
  stack.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
});

async function orgWithSso(): Promise<{ developerId: string; apiKey: string }> {
  const signup = await fetch(`${grantexUrl}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'Rate limit e2e' }),
  });
  expect(signup.status).toBe(201);
  const org = (await signup.json()) as { developerId: string; apiKey: string };
  const config = await fetch(`${grantexUrl}/v1/sso/config`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      issuerUrl: idpIssuer,
      clientId: 'grantex-console',
      clientSecret: idpSecret,
      redirectUri: `${base}/sso/callback`,
    }),
  });
  expect(config.status, await config.clone().text()).toBe(201);
  return org;
}

/** The "proxy": API requests from 127.0.0.1 that name the client in X-Forwarded-For. */
async function asClient(address: string): Promise<APIRequestContext> {
  return playwrightRequest.newContext({ baseURL: base, extraHTTPHeaders: { 'x-forwarded-for': address } });
}

test('one address flooding /sso/start (and /login) for org X does not stop a member of X at another address', async ({
  browser,
}) => {
  const org = await orgWithSso();
  const attacker = await asClient('203.0.113.66');
  const outcomes: string[] = [];
  for (let i = 0; i < START_LIMIT * 3; i += 1) {
    const res = await attacker.post('/sso/start', {
      form: { mode: 'member', org: org.developerId },
      headers: { origin: base },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(303);
    outcomes.push(res.headers().location ?? '');
    await attacker.get(`/login?org=${org.developerId}`);
  }
  // The flooder is limited: the console answers its friendly error page, not a crash.
  expect(outcomes.at(-1)).toContain('/sso/error?code=rate_limited');
  const limitedPage = await attacker.get(new URL(outcomes.at(-1)!).pathname + new URL(outcomes.at(-1)!).search);
  expect(limitedPage.status()).toBe(200);
  expect(await limitedPage.text()).toContain('Too many sign-in attempts');
  await attacker.dispose();

  // The member of org X, at the browser's own address, signs in all the way.
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  const member = new MemberLoginPage(page);
  await member.goto(org.developerId);
  await member.continueWithSso();
  await new IdpLoginPage(page).signIn({ username: 'alice', password: 'alice-password' }, idpIssuer);
  await expect(page).toHaveURL(/\/member$/);
  expect(await member.identity()).toMatchObject({ 'Developer ID': org.developerId, Email: 'alice@example.com' });
  await context.close();
});

test('a flood of the email form from one address gets a friendly message there, and another address still routes by email', async ({
  browser,
}) => {
  const flooder = await asClient('203.0.113.90');
  let page = '';
  for (let i = 0; i <= START_LIMIT; i += 1) {
    const res = await flooder.post('/sso/start', {
      form: { mode: 'member', email: 'someone@unrouted.example' },
      headers: { origin: base },
    });
    expect(res.status()).toBe(200);
    page = await res.text();
  }
  expect(page).toContain('Too many sign-in attempts from your network');
  await flooder.dispose();

  const context = await browser.newContext({ baseURL: base });
  const member = await context.newPage();
  await member.goto('/login');
  await member.getByLabel('Work email').fill('someone@unrouted.example');
  await member.getByRole('button', { name: 'Continue with SSO' }).click();
  await expect(member.getByText('Sign-in by email is not set up')).toBeVisible();
  await context.close();
});

/** One admin sign-in attempt through next-auth's credentials endpoint, as the form makes it. */
async function signinAttempt(client: APIRequestContext, apiKey: string): Promise<string> {
  const { csrfToken } = (await (await client.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const res = await client.post('/api/auth/callback/api-key', {
    form: { csrfToken, apiKey, json: 'true' },
    maxRedirects: 0,
  });
  const body = (await res.json().catch(() => ({}))) as { url?: string };
  return decodeURIComponent(body.url ?? res.headers().location ?? '');
}

test('admin sign-in: a flood from one address, then from many, does not lock out an admin at another address', async ({
  browser,
}) => {
  const org = await orgWithSso();
  const wrongKey = `gx_test_${'Z'.repeat(43)}`;
  const flooder = await asClient('203.0.113.80');
  let last = '';
  for (let i = 0; i <= SIGNIN_LIMIT + 2; i += 1) last = await signinAttempt(flooder, wrongKey);
  expect(last).toContain('Too many sign-in attempts');
  await flooder.dispose();
  // More attempts in total than any process-wide cap would allow (20 × the per-address limit), spread out.
  for (let i = 0; i < SIGNIN_LIMIT * 20 + 5; i += 1) {
    const spread = await asClient(`198.18.${Math.floor(i / 2)}.${(i % 2) + 1}`);
    await signinAttempt(spread, wrongKey);
    await spread.dispose();
  }

  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto('/signin');
  await page.getByLabel('API key').fill(org.apiKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/settings\/sso$/);
  await context.close();
});
