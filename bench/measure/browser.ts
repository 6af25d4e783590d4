import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../../e2e/support/chromium';
import { http } from '../lib/http';
import { progress } from '../lib/log';
import type { Org } from '../lib/orgs';
import { ROOT, spawnNode, stop, waitForHttp, type Child } from '../lib/procs';
import type { Idp, Service } from '../lib/stack';
import { median, summarize, type Summary } from '../lib/stats';

export interface Console {
  url: string;
  child: Child;
  stop(): Promise<void>;
}

/** `next start` on the reserved 37xx port, pointed at the bench's service. Needs a finished `next build`. */
export async function startConsole(port: number, service: Service, verbose = false): Promise<Console> {
  const url = `http://127.0.0.1:${port}`;
  progress(`starting console (next start) at ${url}`);
  const child = spawnNode('console', {
    args: [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(port), '-H', '127.0.0.1'],
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      APP_URL: url,
      NEXTAUTH_URL: url,
      GRANTEX_URL: service.url,
      NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
      // Required in production; this bench's service does not check it (its buckets are off anyway).
      GRANTEX_CONSOLE_SECRET: randomBytes(32).toString('base64url'),
      CONSOLE_DEMO_SIGNUP: 'false',
      RATE_LIMIT: 'off',
    },
    verbose,
  });
  await waitForHttp(`${url}/`, child, 60_000);
  return { url, child, stop: () => stop(child) };
}

/** The hosted member login is there when /login renders the documented form. */
export async function consolePagesMissing(app: string): Promise<string | null> {
  const res = await http(`${app}/login`, { headers: { accept: 'text/html' } });
  if (res.status !== 200) return `GET /login answered ${res.status}`;
  if (!/Continue with SSO/.test(res.text)) return '/login has no "Continue with SSO" button';
  return null;
}

interface Timing {
  totalMs: number;
  idpPageMs: number;
  consoleMs: number;
  /** Click → IdP login page loaded: console /sso/start, service login URL, IdP authorize + interaction page. */
  toIdpMs: number;
  /** IdP submit → identity shown: IdP redirects, console callback, service callback, /member render. */
  backMs: number;
}

async function memberLogin(page: Page, app: string, idp: Idp, org: Org): Promise<Timing> {
  const idpOrigin = new URL(idp.issuer).origin;
  await page.goto(`${app}/login`);
  await page.getByLabel('Organization ID').fill(org.developerId);
  const t0 = performance.now();
  await page.getByRole('button', { name: 'Continue with SSO' }).click();
  await page.waitForURL((u) => u.origin === idpOrigin, { waitUntil: 'load' });
  const tArrive = performance.now();
  await page.getByLabel('Username').fill('alice');
  await page.getByLabel('Password').fill('alice-password');
  const tSubmit = performance.now();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.origin === app && u.pathname.startsWith('/member'), { waitUntil: 'load' });
  await page.getByText('alice@example.com').first().waitFor({ timeout: 10_000 });
  const t1 = performance.now();
  return {
    totalMs: t1 - t0,
    idpPageMs: tSubmit - tArrive,
    consoleMs: t1 - t0 - (tSubmit - tArrive),
    toIdpMs: tArrive - t0,
    backMs: t1 - tSubmit,
  };
}

export interface BrowserResult {
  logins: number;
  errors: number;
  firstError?: string;
  medianTotalMs: number;
  medianIdpPageMs: number;
  medianWithoutIdpPageMs: number;
  medianToIdpMs: number;
  medianBackMs: number;
  totalMs: Summary;
}

export interface NoJsResult {
  loginPageRenders: boolean;
  flowCompletes: boolean;
  endedAt?: string;
  error?: string;
}

async function launch(): Promise<Browser> {
  return chromium.launch(chromiumLaunchOptions);
}

/** Measurement 4: member logins in chromium, a fresh context (no IdP session) each time. */
export async function measureBrowserLogins(app: string, idp: Idp, org: Org, n: number): Promise<BrowserResult> {
  progress(`browser round trip: 1 warm-up + ${n} member logins in chromium`);
  const browser = await launch();
  const timings: Timing[] = [];
  let errors = 0;
  let firstError: string | undefined;
  try {
    for (let i = 0; i <= n; i++) {
      const ctx: BrowserContext = await browser.newContext();
      try {
        const page = await ctx.newPage();
        page.setDefaultTimeout(15_000);
        const t = await memberLogin(page, app, idp, org);
        if (i > 0) timings.push(t);
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message.split('\n')[0] : String(err);
        if (errors >= 3 && timings.length === 0) break;
      } finally {
        await ctx.close();
      }
    }
  } finally {
    await browser.close();
  }
  const result: BrowserResult = {
    logins: timings.length,
    errors,
    firstError,
    medianTotalMs: median(timings.map((t) => t.totalMs)),
    medianIdpPageMs: median(timings.map((t) => t.idpPageMs)),
    medianWithoutIdpPageMs: median(timings.map((t) => t.consoleMs)),
    medianToIdpMs: median(timings.map((t) => t.toIdpMs)),
    medianBackMs: median(timings.map((t) => t.backMs)),
    totalMs: summarize(timings.map((t) => t.totalMs)),
  };
  progress(
    `  median ${result.medianTotalMs.toFixed(0)} ms total, IdP page ${result.medianIdpPageMs.toFixed(0)} ms, ` +
      `rest ${result.medianWithoutIdpPageMs.toFixed(0)} ms (to IdP ${result.medianToIdpMs.toFixed(0)}, back ${result.medianBackMs.toFixed(0)}); errors ${errors}${firstError ? ` (${firstError})` : ''}`,
  );
  return result;
}

/** Measurement 5b: the same flow with JavaScript disabled (server actions and plain forms must carry it). */
export async function checkNoJs(app: string, idp: Idp, org: Org): Promise<NoJsResult> {
  progress('JavaScript disabled: /login and the callback flow');
  const browser = await launch();
  const out: NoJsResult = { loginPageRenders: false, flowCompletes: false };
  try {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await page.goto(`${app}/login`);
      await page.getByLabel('Organization ID').waitFor();
      out.loginPageRenders = true;
      await memberLogin(page, app, idp, org);
      out.flowCompletes = true;
    } catch (err) {
      out.error = err instanceof Error ? err.message.split('\n')[0] : String(err);
    }
    out.endedAt = new URL(page.url()).pathname;
    await ctx.close();
  } finally {
    await browser.close();
  }
  progress(`  /login renders: ${out.loginPageRenders}, flow completes: ${out.flowCompletes} (ended at ${out.endedAt})`);
  return out;
}
