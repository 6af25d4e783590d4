import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions } from './e2e/support/chromium';
import { LOCAL, e2eSettings } from './e2e/support/env';

/*
 * Local runs start scripts/stack.ts (next start + embedded service + dev IdP) on 3100–3102, never 3000–3002,
 * so a developer's `npm run dev` keeps running. Needs a production build: `npx next build` (scripts/test.sh does it).
 */
const external = Boolean(process.env.E2E_BASE_URL);
if (!external) {
  // One unique client secret per run, so the leak test searches for a value that exists nowhere else.
  // Set before workers fork, so they inherit the same value; `??=` keeps it when the config is re-read there.
  // The local stack re-checks member sessions with Grantex every 5 s (30 s by default), so
  // e2e/member-session-recheck.spec.ts, whose workers inherit this variable, proves a revocation without long waits.
  process.env.MEMBER_SESSION_RECHECK_SECONDS ??= '5';
  process.env.E2E_IDP_CLIENT_SECRET ??= `e2e-${randomBytes(12).toString('base64url')}:secret%+`;
  // Where tests publish TXT records for the loopback DNS server (e2e/support/dns.ts); inherited by workers.
  process.env.E2E_DNS_RECORDS_DIR ??= mkdtempSync(path.join(tmpdir(), 'grantex-e2e-dns-'));
}
const settings = e2eSettings();

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/support/dns-global-setup.ts',
  outputDir: 'test-results/artifacts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  forbidOnly: Boolean(process.env.CI),
  // Honest results: a flaky test fails the run instead of passing on a retry.
  retries: 0,
  // Two cores: two browsers plus the stack is the ceiling. A shared org (E2E_API_KEY) cannot run in parallel.
  workers: settings.apiKey ? 1 : Number(process.env.E2E_WORKERS) || 2,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    baseURL: settings.baseUrl,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    video: 'off',
    launchOptions: chromiumLaunchOptions,
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], launchOptions: chromiumLaunchOptions } }],
  webServer: external
    ? undefined
    : {
        command: 'node --import tsx scripts/stack.ts',
        url: `${LOCAL.baseUrl}/`,
        timeout: 180_000,
        // Always a fresh stack: the per-run IdP secret above must be the one the IdP uses.
        reuseExistingServer: false,
        // The stack's request logs are noise in a test report; its errors (stderr) are kept.
        stdout: process.env.E2E_STACK_LOG ? 'pipe' : 'ignore',
        stderr: 'pipe',
        // Let the stack stop its children; Playwright's default SIGKILL would skip that.
        gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
        env: {
          NEXT_TELEMETRY_DISABLED: '1',
          PORT: String(LOCAL.consolePort),
          APP_URL: LOCAL.baseUrl,
          NEXTAUTH_URL: LOCAL.baseUrl,
          GRANTEX_HOST: 'localhost',
          GRANTEX_PORT: String(LOCAL.grantexPort),
          GRANTEX_URL: LOCAL.grantexUrl,
          GRANTEX_DEV_MODE: 'true',
          DEV_IDP_PORT: String(LOCAL.idpPort),
          DEV_IDP_ISSUER: LOCAL.idpIssuer,
          // The shared (legacy) callback and every connection's own one (`/*`: one key, lib/dev-idp/config.ts).
          DEV_IDP_REDIRECT_URIS: `${LOCAL.baseUrl}/sso/callback,${LOCAL.baseUrl}/sso/callback/*`,
          GRANTEX_CONSOLE_URL: LOCAL.baseUrl,
          DEV_IDP_CLIENT_SECRET: settings.idp.clientSecret,
          CONSOLE_DEMO_SIGNUP: 'true',
          MEMBER_SESSION_RECHECK_SECONDS: process.env.MEMBER_SESSION_RECHECK_SECONDS ?? '5',
          // Tests sign up and log in far faster than people; the limits have their own vitest coverage.
          RATE_LIMIT: 'off',
          // Domain verification asks only the run's loopback DNS server (e2e/support/dns-global-setup.ts).
          SSO_DNS_SERVERS: `127.0.0.1:${LOCAL.dnsPort}`,
          SSO_DNS_TIMEOUT_MS: '2000',
        },
      },
});
