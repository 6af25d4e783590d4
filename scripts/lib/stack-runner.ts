/**
 * The one orchestration behind `npm run dev` (next dev) and `scripts/stack.ts` (next start, for e2e and bench):
 * check ports, start the dev IdP and the embedded service, then the console, wait for each, print a banner,
 * and stop everything together.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type StackConfig } from './config';
import { takenPorts, waitForHttp, type PortClaim } from './net';
import { bold, green, log, red, Supervisor, warn, type Part } from './supervisor';

const ROOT = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

export interface IdpInfo {
  issuer: string;
  client: { clientId: string; clientSecret: string; redirectUris: string[] };
  users: { username: string; password: string; email?: string; name?: string }[];
}

export interface RunningStack {
  idp: IdpInfo;
  grantexUrl: string;
  consoleUrl: string;
}

export type Env = Record<string, string | undefined>;

export interface StackOptions {
  mode: 'dev' | 'production';
  config: StackConfig;
  /** Extra env for each part (on top of process.env). */
  consoleEnv: Env;
  serviceEnv: Env;
  /** Extra startDevIdp options (e.g. a per-run client secret for e2e, request logging for dev). */
  idpOptions: { clientSecret?: string; logRequests?: boolean };
  banner: (stack: RunningStack) => string;
}

function startPart(sup: Supervisor, name: string, kind: 'idp' | 'service', options: object, env: Env): Part {
  return sup.start(
    name,
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/lib/run-part.ts'), kind, JSON.stringify(options)],
    { cwd: ROOT, env, ipc: true },
  );
}

async function ready<T>(part: Part, timeoutMs = 60_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${part.name} was not ready within ${timeoutMs / 1000}s`)), timeoutMs);
  });
  try {
    return (await Promise.race([part.message, timeout])) as T;
  } finally {
    clearTimeout(timer);
  }
}

export async function runStack(opts: StackOptions): Promise<never> {
  const { config, mode } = opts;
  const claims: PortClaim[] = [
    { label: 'console', port: config.consolePort, envVar: 'PORT' },
    { label: 'dev IdP', port: config.idpPort, host: config.idpHost, envVar: 'DEV_IDP_PORT' },
  ];
  if (config.embeddedService) {
    claims.push({
      label: 'Grantex service',
      port: config.grantexPort,
      host: config.grantexHost,
      envVar: 'GRANTEX_PORT',
    });
  }
  const problems = await takenPorts(claims);
  if (problems.length > 0) {
    for (const p of problems) warn(red(p));
    process.exit(1);
  }
  if (mode === 'production' && !existsSync(join(ROOT, '.next', 'BUILD_ID'))) {
    warn(red('No production build found (.next/BUILD_ID). Run `npx next build` first.'));
    process.exit(1);
  }

  const names = ['dev-idp', 'console', ...(config.embeddedService ? ['grantex'] : [])];
  const sup = new Supervisor(names);
  // Children write to pipes, so they would drop colours; keep them for a terminal, strip them for log files.
  const tty = process.stdout.isTTY && !process.env.NO_COLOR;
  const base: Env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  // Node warns when both are set (Playwright's webServer sets FORCE_COLOR).
  if (tty) base.FORCE_COLOR = '1';
  else {
    delete base.FORCE_COLOR;
    base.NO_COLOR = '1';
  }
  const started = Date.now();

  try {
    // The dev IdP is always a development party: oidc-provider tightens cookies and warnings under production.
    const idpPart = startPart(
      sup,
      'dev-idp',
      'idp',
      {
        port: config.idpPort,
        host: config.idpHost,
        issuer: config.idpIssuer,
        redirectUris: config.idpRedirectUris,
        ...opts.idpOptions,
      },
      { ...base, NODE_ENV: undefined },
    );
    const servicePart = config.embeddedService
      ? startPart(
          sup,
          'grantex',
          'service',
          { port: config.grantexPort, host: config.grantexHost },
          // The console's URL: connections get their own callback below it (`/sso/callback/<key>`).
          { ...base, GRANTEX_CONSOLE_URL: config.appUrl, ...opts.serviceEnv },
        )
      : undefined;
    const [idp] = await Promise.all([
      ready<IdpInfo>(idpPart),
      servicePart ? ready<{ url: string }>(servicePart) : Promise.resolve(undefined),
    ]);
    if (sup.isStopping) return exit(sup);
    if (servicePart) log(green(`grantex  ready at ${config.grantexUrl}`));
    log(green(`dev-idp  ready at ${idp.issuer}`));

    // Started last so that "console answers" (what Playwright's webServer polls) means the whole stack is up.
    const nextBin = require.resolve('next/dist/bin/next');
    const nextArgs =
      mode === 'dev' ? ['dev', '--port', String(config.consolePort)] : ['start', '--port', String(config.consolePort)];
    const consolePart = sup.start('console', process.execPath, [nextBin, ...nextArgs], {
      cwd: ROOT,
      env: {
        ...base,
        ...opts.consoleEnv,
        PORT: String(config.consolePort),
        APP_URL: config.appUrl,
        NEXTAUTH_URL: config.appUrl,
        GRANTEX_URL: config.grantexUrl,
        NODE_ENV: mode === 'dev' ? 'development' : 'production',
      },
    });
    await waitForHttp(`http://localhost:${config.consolePort}/`, consolePart, { timeoutMs: 120_000 });
    if (sup.isStopping) return exit(sup);
    log(green(`console  ready at ${config.appUrl} (${((Date.now() - started) / 1000).toFixed(1)}s)`));
    log(opts.banner({ idp, grantexUrl: config.grantexUrl, consoleUrl: config.appUrl }));
  } catch (err) {
    if (!sup.isStopping) {
      warn(red(bold(`\nStart-up failed: ${err instanceof Error ? err.message : String(err)}`)));
      warn("Scroll up for the failing part's output. Stopping the others.");
      await sup.stop(1);
    }
  }
  return exit(sup);
}

async function exit(sup: Supervisor): Promise<never> {
  process.exit(await sup.done());
}
