/**
 * `npm run bench` — performance figures for the Grantex SSO service and console.
 * See bench/README.md for what each figure means and how to reproduce it.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { measureCallbacks, type CallbackResult } from './measure/callback';
import { measureLoginUrl, type LoginUrlResult } from './measure/latency';
import { measureSamlModule, measureSamlService, type SamlResult, type SamlServiceResult } from './measure/saml';
import { measureScim, type ScimResult } from './measure/scim';
import { measureWebhooks, type WebhooksResult } from './measure/webhooks';
import { measureSoak, type SoakResult } from './measure/soak';
import type { Summary } from './lib/stats';
import { ENDPOINTS, measureThroughput, type EndpointName, type ThroughputResult } from './measure/throughput';
import { ROUTE_BUDGET_KB, gitInfo, measureWeight, type WeightResult } from './measure/weight';
import {
  checkNoJs,
  consolePagesMissing,
  measureBrowserLogins,
  startConsole,
  type BrowserResult,
  type NoJsResult,
} from './measure/browser';
import { agent } from './lib/http';
import { progress, warn } from './lib/log';
import { createOrg, seedOrgs, type Org } from './lib/orgs';
import { NGINX, nginxAvailable, startNginx } from './lib/nginx';
import { ROOT, firstFreePort, freeConsolePorts, installCleanup, stop, stopAll } from './lib/procs';
import { atLeast, below, exact, fmt, table, verdict, type Target } from './lib/report';
import { startPostgresServer, type PostgresServer } from '../tests/support/postgres-server';
import { startIdp, startService, type Idp, type Service } from './lib/stack';
import { deltaPct } from './lib/stats';
import { profilesIn, summarizeProfile, type ProfileSummary } from './lib/profile-summary';

const SECTIONS = [
  'latency',
  'callback',
  'throughput',
  'scale',
  'cluster',
  'weight',
  'nojs',
  'browser',
  'saml',
  'scim',
  'webhooks',
  'soak',
] as const;
/** Sections run when --only is not given (the soak takes minutes and is asked for by name). */
const DEFAULT_SECTIONS = SECTIONS.filter((s) => s !== 'soak');
const USAGE_FLAGS =
  '[--quick] [--only=…] [--db=sqlite,postgres] [--skip-build] [--orgs=N] [--strict] [--profile] [--log-level=info] [--soak-seconds=S] [--endpoints=…] [--verbose]';
const BACKENDS = ['sqlite', 'postgres'] as const;
type Backend = (typeof BACKENDS)[number];
const BACKEND_NAMES: Record<Backend, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };
type Section = (typeof SECTIONS)[number];

interface Options {
  quick: boolean;
  only: Set<Section>;
  skipBuild: boolean;
  verbose: boolean;
  strict: boolean;
  profile: boolean;
  /** The service's LOG_LEVEL (default warn); other levels log to a file next to the data dir. */
  logLevel: string;
  /** Length of the retention soak (default 180 s, quick 60 s). */
  soakSeconds: number;
  /** The throughput endpoints measured (--endpoints=…, matched by substring; default all). */
  endpoints: EndpointName[];
  scaleOrgs: number;
  /** Storage backends the service phases run on, in order; scale, profile and the console use the first. */
  dbs: Backend[];
}

const USAGE = `usage: npm run bench -- ${USAGE_FLAGS}
  sections for --only: ${SECTIONS.join(',')}
  --quick       fewer iterations and 1,000 orgs instead of 10,000 (smoke run; figures are not comparable)
  --only=…      run only these sections; "scale" repeats the selected of latency/callback/throughput
                (all three when none is selected) with N orgs stored
  cluster       two service processes on one PostgreSQL behind nginx (Debian's package): callback latency and
                throughput through the load balancer
  saml          the SAML service provider module in this process: login URL and ACS validation of a signed
                response (no servers)
  webhooks      sign-ins with a webhook endpoint on vs off (interleaved in one process) and one process's
                delivery throughput (Grantex format and OCSF batches, outbox pre-filled; SQLite)
  soak          (only when named) config saves for --soak-seconds against a service whose clock runs days in
                minutes, retention 1 day: database size and audit rows kept, sampled through the run (SQLite)
  --db=…        storage backends for latency/callback/throughput, one table row set each (default sqlite;
                postgres starts a throw-away PostgreSQL server, Debian's postgresql package)
  --skip-build  use the existing .next build for page weight and the browser runs
  --orgs=N      organizations stored for the scale section (default 10000, quick 1000)
  --strict      exit 1 when a target is missed
  --profile     afterwards, rerun each 1-org measurement against a service under node --cpu-prof and
                print its hottest functions (diagnostic; the figures above are taken without the profiler)
  --log-level=… the service's LOG_LEVEL (default warn; info is what a deployment runs by default); its log goes to
                a file in the temp dir and its size is reported
  --endpoints=… throughput endpoints to measure, by substring (e.g. --endpoints=POST); default all three
  --verbose     show the children's output`;

function parseArgs(argv: string[]): Options {
  const opts: Options = {
    quick: false,
    only: new Set(DEFAULT_SECTIONS),
    skipBuild: false,
    verbose: false,
    strict: false,
    profile: false,
    logLevel: 'warn',
    soakSeconds: 0,
    endpoints: ENDPOINTS,
    scaleOrgs: 0,
    dbs: ['sqlite'],
  };
  for (const arg of argv) {
    if (arg === '--quick') opts.quick = true;
    else if (arg === '--skip-build') opts.skipBuild = true;
    else if (arg === '--verbose') opts.verbose = true;
    else if (arg === '--strict') opts.strict = true;
    else if (arg === '--profile') opts.profile = true;
    else if (arg.startsWith('--orgs=')) opts.scaleOrgs = Number(arg.slice(7));
    else if (arg.startsWith('--log-level=')) opts.logLevel = arg.slice(12);
    else if (arg.startsWith('--soak-seconds=')) opts.soakSeconds = Number(arg.slice(15));
    else if (arg.startsWith('--endpoints=')) {
      const wanted = arg.slice(12).split(',');
      opts.endpoints = ENDPOINTS.filter((e) => wanted.some((w) => w && e.includes(w)));
      if (opts.endpoints.length === 0) throw new Error(`--endpoints matched none of ${ENDPOINTS.join(', ')}`);
    } else if (arg.startsWith('--db=')) {
      const names = [
        ...new Set(
          arg
            .slice(5)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        ),
      ];
      const bad = names.filter((n) => !(BACKENDS as readonly string[]).includes(n));
      if (bad.length || names.length === 0) throw new Error(`unknown backend(s) ${bad.join(', ')}\n${USAGE}`);
      opts.dbs = names as Backend[];
    } else if (arg.startsWith('--only=')) {
      const names = arg
        .slice(7)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
      if (bad.length) throw new Error(`unknown section(s) ${bad.join(', ')}\n${USAGE}`);
      opts.only = new Set(names as Section[]);
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (!opts.scaleOrgs) opts.scaleOrgs = opts.quick ? 1_000 : 10_000;
  if (!opts.soakSeconds) opts.soakSeconds = opts.quick ? 60 : 180;
  if (!(opts.soakSeconds >= 20)) throw new Error('--soak-seconds must be at least 20');
  if (!Number.isInteger(opts.scaleOrgs) || opts.scaleOrgs < 2) throw new Error('--orgs must be an integer ≥ 2');
  if (opts.only.has('scale') && !['latency', 'callback', 'throughput'].some((s) => opts.only.has(s as Section))) {
    for (const s of ['latency', 'callback', 'throughput'] as const) opts.only.add(s);
  }
  return opts;
}

interface Phase {
  label: string;
  orgs: number;
  seedSeconds?: number;
  seedPerSec?: number;
  /** Mean per-request latency while seeding (32 in flight) and the IdP requests the saves caused. */
  seedMeanSignupMs?: number;
  seedMeanConfigMs?: number;
  seedIdpRequests?: number;
  loginUrl?: LoginUrlResult;
  callback?: CallbackResult;
  throughput?: ThroughputResult;
  /** The service's log (with --log-level other than warn), MiB over the whole phase. */
  logMiB?: number;
  error?: string;
}

const opts = parseArgs(process.argv.slice(2));
const N = opts.quick
  ? { loginUrl: 200, loginWarm: 50, callbacks: 30, callbackWarm: 5, seconds: 2, warmS: 1, browser: 3 }
  : { loginUrl: 1_000, loginWarm: 200, callbacks: 300, callbackWarm: 20, seconds: 10, warmS: 3, browser: 20 };
const CONNECTIONS = [16, 64];
/** Throughput at 16 connections as a share of bare node:http in the same run (SQLite). */
const BARE_RATIO_TARGETS: [EndpointName, number][] = [
  ['GET /v1/sso/config', 0.4],
  ['GET /sso/login', 0.3],
  ['POST /v1/sso/config', 0.2],
];

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'grantex-bench-'));
installCleanup(async () => {
  await stopPostgres();
  rmSync(tmpRoot, { recursive: true, force: true });
});

/** Throw-away PostgreSQL for --db=postgres, one database per service data dir (a restart keeps its data). */
let pgServer: Promise<PostgresServer> | undefined;
const pgDatabases = new Map<string, Promise<string>>();
const dirBackend = new Map<string, Backend>();

function backendEnv(dir: string): Promise<Record<string, string>> {
  const db = dirBackend.get(dir) ?? opts.dbs[0] ?? 'sqlite';
  if (db === 'sqlite') return Promise.resolve({});
  if (!pgServer) {
    progress('starting a throw-away PostgreSQL server');
    pgServer = startPostgresServer();
  }
  const server = pgServer;
  let url = pgDatabases.get(dir);
  if (!url) {
    url = server.then((s) => s.createDatabase());
    pgDatabases.set(dir, url);
  }
  return url.then((u) => ({ DATABASE_URL: u, DATABASE_POOL_MAX: '10' }));
}

async function stopPostgres(): Promise<void> {
  const server = pgServer;
  pgServer = undefined;
  await server?.then((s) => s.stop()).catch(() => undefined);
}

/** The service on the backend chosen for `dir`. */
async function serviceFor(dir: string, profileDir?: string): Promise<Service> {
  return startService(dir, opts.verbose, profileDir, await backendEnv(dir), { logLevel: opts.logLevel });
}

const startedAt = new Date();
const loadStart = os.loadavg();
const failures: string[] = [];

async function runPhase(label: string, service: Service, idp: Idp, orgs: Org[], phase: Phase): Promise<void> {
  progress(`── phase "${label}" (${orgs.length} org${orgs.length === 1 ? '' : 's'} used)`);
  if (opts.only.has('latency')) phase.loginUrl = await measureLoginUrl(service, idp, orgs, N.loginUrl, N.loginWarm);
  if (opts.only.has('callback'))
    phase.callback = await measureCallbacks(service, idp, orgs, N.callbacks, N.callbackWarm);
  if (opts.only.has('throughput')) {
    phase.throughput = await measureThroughput(
      service,
      idp,
      orgs,
      CONNECTIONS,
      N.seconds,
      N.warmS,
      opts.endpoints,
      true,
      opts.verbose,
    );
  }
}

interface ProfileStep {
  step: string;
  summary: ProfileSummary;
}

/**
 * One service process per step, each under --cpu-prof, so every profile shows one kind of request.
 * Runs after the real measurements: the profiler slows the service down.
 */
async function profilePhase(dir: string, idp: Idp, orgs: Org[], label: string): Promise<ProfileStep[]> {
  const steps: [string, (svc: Service) => Promise<unknown>][] = [];
  if (opts.only.has('latency'))
    steps.push([
      `${label}: GET /sso/login (sequential)`,
      (svc) => measureLoginUrl(svc, idp, orgs, N.loginUrl, N.loginWarm),
    ]);
  if (opts.only.has('callback'))
    steps.push([
      `${label}: GET /sso/callback (logins)`,
      (svc) => measureCallbacks(svc, idp, orgs, N.callbacks, N.callbackWarm),
    ]);
  if (opts.only.has('throughput')) {
    for (const e of ENDPOINTS)
      steps.push([
        `${label}: ${e} @16 (load)`,
        (svc) => measureThroughput(svc, idp, orgs, [16], N.seconds, N.warmS, [e]),
      ]);
  }
  const out: ProfileStep[] = [];
  for (const [step, run] of steps) {
    const profDir = path.join(tmpRoot, 'profiles', `${label.replace(/\W+/g, '-')}-${out.length}`);
    progress(`profile: ${step}`);
    const svc = await serviceFor(dir, profDir);
    try {
      await run(svc);
    } finally {
      await svc.stop();
    }
    const file = profilesIn(profDir)[0];
    if (file) {
      // Kept for a closer look (Chrome DevTools, speedscope): bench/results/profiles/ is git-ignored.
      const keep = path.join(
        ROOT,
        'bench/results/profiles',
        `${step.replace(/\W+/g, '-').replace(/^-|-$/g, '')}.cpuprofile`,
      );
      mkdirSync(path.dirname(keep), { recursive: true });
      copyFileSync(file, keep);
      out.push({ step, summary: summarizeProfile(file, 10) });
    } else warn(`no profile written for ${step}`);
  }
  return out;
}

/** Two service processes on one PostgreSQL database behind nginx; figures taken through the load balancer. */
async function clusterPhase(idp: Idp, phase: Phase): Promise<void> {
  if (!nginxAvailable()) throw new Error(`nginx not found at ${NGINX} (apt-get install nginx)`);
  const dirs = [path.join(tmpRoot, 'cluster-a'), path.join(tmpRoot, 'cluster-b')] as const;
  dirBackend.set(dirs[0], 'postgres');
  const env = await backendEnv(dirs[0]);
  const services = await Promise.all(dirs.map((dir) => startService(dir, opts.verbose, undefined, env)));
  let lb: { url: string; child: Service['child'] } | undefined;
  try {
    lb = await startNginx(
      path.join(tmpRoot, 'nginx'),
      services.map((s) => s.url),
      opts.verbose,
    );
    // Memory figures are the first process's; requests alternate between both.
    const front: Service = { ...services[0]!, url: lb.url };
    const org = await createOrg(lb.url, idp, 90);
    phase.callback = await measureCallbacks(front, idp, [org], N.callbacks, N.callbackWarm);
    phase.throughput = await measureThroughput(
      front,
      idp,
      [org],
      CONNECTIONS,
      N.seconds,
      N.warmS,
      ENDPOINTS,
      true,
      opts.verbose,
    );
  } finally {
    if (lb) await stop(lb.child);
    await Promise.all(services.map((s) => s.stop()));
  }
}

async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    failures.push(`${what}: ${msg.split('\n')[0]}`);
    warn(`${what} failed: ${msg}`);
    return undefined;
  }
}

async function main(): Promise<number> {
  progress(`Grantex bench${opts.quick ? ' (quick)' : ''}: ${[...opts.only].join(', ')}; temp ${tmpRoot}`);
  const consolePorts = await freeConsolePorts(3);
  const callbackFor = (port: number) => `http://127.0.0.1:${port}/sso/callback`;
  const needsIdp = [...opts.only].some((s) => s !== 'weight' && s !== 'saml' && s !== 'scim');
  const idp = needsIdp ? await startIdp(consolePorts.map(callbackFor), opts.verbose) : undefined;

  const phases: Phase[] = [];
  let weight: WeightResult | undefined;
  let browser: BrowserResult | undefined;
  let noJs: NoJsResult | undefined;
  let browserNote: string | undefined;
  const profiles: ProfileStep[] = [];
  const wantsService = ['latency', 'callback', 'throughput'].some((s) => opts.only.has(s as Section));

  const labelled = opts.dbs.length > 1 || opts.dbs[0] !== 'sqlite';
  for (const [i, db] of (wantsService && idp ? opts.dbs : []).entries()) {
    if (!idp) break;
    const label = labelled ? `1 org, ${BACKEND_NAMES[db]}` : '1 org';
    const dir = path.join(tmpRoot, i === 0 ? 'one' : `one-${db}`);
    dirBackend.set(dir, db);
    const phase: Phase = { label, orgs: 1 };
    phases.push(phase);
    let org: Org | undefined;
    await guarded(`phase "${label}"`, async () => {
      const service = await serviceFor(dir);
      try {
        org = await createOrg(service.url, idp, i);
        await runPhase(phase.label, service, idp, [org], phase);
      } finally {
        await service.stop();
        if (service.logFile && existsSync(service.logFile)) {
          phase.logMiB = statSync(service.logFile).size / 2 ** 20;
          progress(`  the service logged ${phase.logMiB.toFixed(1)} MiB at LOG_LEVEL=${opts.logLevel}`);
        }
      }
    });
    if (opts.profile && org) {
      const profiled = org;
      profiles.push(...((await guarded('profile', () => profilePhase(dir, idp, [profiled], label))) ?? []));
    }
  }

  if (opts.only.has('cluster') && idp) {
    const label = '1 org, 2 processes + nginx, PostgreSQL';
    const phase: Phase = { label, orgs: 1 };
    phases.push(phase);
    await guarded(`phase "${label}"`, () => clusterPhase(idp, phase));
  }

  if (opts.only.has('scale') && idp) {
    const label = `${opts.scaleOrgs.toLocaleString('en-US')} orgs`;
    const phase: Phase = { label, orgs: opts.scaleOrgs };
    phases.push(phase);
    await guarded(`phase "${label}"`, async () => {
      const dir = path.join(tmpRoot, 'many');
      let service = await serviceFor(dir);
      let orgs: Org[];
      try {
        progress(`seeding ${opts.scaleOrgs} orgs through the API (signup + config each, 32 at a time)`);
        const seeded = await seedOrgs(service.url, idp, opts.scaleOrgs, 32);
        orgs = seeded.orgs;
        phase.seedSeconds = seeded.seconds;
        phase.seedPerSec = opts.scaleOrgs / seeded.seconds;
        phase.seedMeanSignupMs = seeded.meanSignupMs;
        phase.seedMeanConfigMs = seeded.meanConfigMs;
        phase.seedIdpRequests = seeded.idpRequests;
        progress(
          `  seeded in ${seeded.seconds.toFixed(1)} s (${Math.round(phase.seedPerSec)} orgs/s; mean signup ` +
            `${seeded.meanSignupMs.toFixed(1)} ms, config ${seeded.meanConfigMs.toFixed(1)} ms; ${seeded.idpRequests} IdP requests)`,
        );
      } finally {
        await service.stop();
      }
      // A fresh process on the seeded database: its memory figures then compare with the 1-org phase.
      service = await serviceFor(dir);
      try {
        await runPhase(label, service, idp, orgs, phase);
      } finally {
        await service.stop();
      }
      if (opts.profile) profiles.push(...(await profilePhase(dir, idp, orgs, label)));
    });
  }

  let saml: SamlResult | undefined;
  let samlService: SamlServiceResult | undefined;
  if (opts.only.has('saml')) {
    progress('── SAML module');
    saml = await guarded('SAML module', () => measureSamlModule(opts.quick ? 200 : 1_000, opts.quick ? 20 : 100));
    progress('── SAML through the service');
    samlService = await guarded('SAML service', () => measureSamlService(opts.quick ? 100 : 500, opts.quick ? 10 : 50));
  }

  let scim: ScimResult | undefined;
  if (opts.only.has('scim')) {
    progress('── SCIM through the service');
    scim = await guarded('SCIM', () => measureScim(opts.quick ? 1_000 : 10_000, opts.quick ? 50 : 200, 8));
  }

  let soak: SoakResult | undefined;
  if (opts.only.has('soak') && idp) {
    progress('── retention soak');
    const seconds = opts.soakSeconds;
    const days = Math.max(3, Math.round(seconds / 30));
    soak = await guarded('soak', () => measureSoak(path.join(tmpRoot, 'soak'), idp, seconds, days, opts.verbose));
  }

  if (opts.only.has('weight')) {
    progress('── page weight');
    weight = await guarded('page weight', () => measureWeight(opts.skipBuild));
  }

  if ((opts.only.has('nojs') || opts.only.has('browser')) && idp) {
    progress('── console in chromium');
    await guarded('browser', async () => {
      if (opts.only.has('browser') && !opts.only.has('weight') && !opts.skipBuild) {
        // The browser needs a current production build; weight already built one when it ran.
        weight = await measureWeight(false);
      }
      if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) {
        browserNote = 'skipped: no production build in .next (next build failed or another build is rewriting it)';
        progress(`  ${browserNote}`);
        return;
      }
      const service = await serviceFor(path.join(tmpRoot, 'console'));
      try {
        const consolePort = await firstFreePort(consolePorts);
        if (consolePort === undefined)
          throw new Error(`console ports ${consolePorts.join(', ')} were all taken meanwhile`);
        const app = await startConsole(consolePort, service, opts.verbose);
        try {
          const missing = await consolePagesMissing(app.url);
          if (missing) {
            browserNote = `skipped: console member login not there yet (${missing})`;
            progress(`  ${browserNote}`);
            return;
          }
          const org = await createOrg(service.url, idp, 0, undefined, false, callbackFor(consolePort));
          if (opts.only.has('nojs')) noJs = await checkNoJs(app.url, idp, org);
          if (opts.only.has('browser')) browser = await measureBrowserLogins(app.url, idp, org, N.browser);
        } finally {
          await app.stop();
        }
      } finally {
        await service.stop();
      }
    });
  }

  let webhooks: WebhooksResult | undefined;
  if (opts.only.has('webhooks') && idp) {
    progress('── webhooks');
    webhooks = await guarded('webhooks', async () => {
      const dir = path.join(tmpRoot, 'webhooks');
      dirBackend.set(dir, opts.dbs[0] ?? 'sqlite');
      const service = await serviceFor(dir);
      try {
        const off = await createOrg(service.url, idp, 70);
        const on = await createOrg(service.url, idp, 71);
        const drainOrg = await createOrg(service.url, idp, 72);
        return await measureWebhooks(
          service,
          idp,
          { off, on, drain: drainOrg },
          {
            rounds: opts.quick ? 4 : 10,
            perBlock: opts.quick ? 5 : 15,
            warmup: opts.quick ? 3 : 10,
            drainEvents: opts.quick ? 1_000 : 5_000,
            sqlite: (opts.dbs[0] ?? 'sqlite') === 'sqlite',
          },
        );
      } finally {
        await service.stop();
      }
    });
  }

  await idp?.stop();
  return report(phases, weight, browser, noJs, browserNote, profiles, saml, samlService, scim, webhooks, soak);
}

function report(
  phases: Phase[],
  weight: WeightResult | undefined,
  browser: BrowserResult | undefined,
  noJs: NoJsResult | undefined,
  browserNote: string | undefined,
  profiles: ProfileStep[],
  saml?: SamlResult,
  samlService?: SamlServiceResult,
  scim?: ScimResult,
  webhooks?: WebhooksResult,
  soak?: SoakResult,
): number {
  const out: string[] = [];
  const base = phases[0];
  // Scale compares the first backend's 1-org phase with the many-org phase (other backends add 1-org phases).
  const scaled = phases.find((p) => p.orgs > 1);

  if (phases.some((p) => p.loginUrl)) {
    out.push('\n1. Login URL latency (GET /sso/login, sequential, keep-alive), ms');
    out.push(
      table(
        ['orgs', 'n', 'p50', 'p95', 'p99', 'max', 'IdP requests', 'errors'],
        phases
          .filter((p) => p.loginUrl)
          .map((p) => {
            const l = p.loginUrl!;
            return [
              p.label,
              l.latencyMs.n,
              fmt(l.latencyMs.p50),
              fmt(l.latencyMs.p95),
              fmt(l.latencyMs.p99),
              fmt(l.latencyMs.max),
              l.idpRequestsTotal,
              l.errors,
            ];
          }),
      ),
    );
  }
  if (phases.some((p) => p.callback)) {
    out.push('\n2. Complete logins over HTTP through the dev IdP, ms (callback = GET /sso/callback alone)');
    out.push(
      table(
        [
          'orgs',
          'logins',
          'callback p50',
          'p95',
          'p99',
          'token@IdP p50',
          'own p50',
          'round trip p50',
          'p95',
          'p99',
          'IdP part p50',
          'IdP req/login',
          'errors',
        ],
        phases
          .filter((p) => p.callback)
          .map((p) => {
            const c = p.callback!;
            const per = c.idpRequestsPerLogin;
            return [
              p.label,
              c.logins,
              fmt(c.callbackMs.p50),
              fmt(c.callbackMs.p95),
              fmt(c.callbackMs.p99),
              fmt(c.tokenEndpointMs.p50),
              fmt(c.callbackOwnMs.p50),
              fmt(c.roundTripMs.p50),
              fmt(c.roundTripMs.p95),
              fmt(c.roundTripMs.p99),
              fmt(c.idpMs.p50),
              per.min === per.max ? String(per.min) : `${per.min}–${per.max}`,
              c.errors,
            ];
          }),
      ),
    );
    for (const p of phases.filter((x) => x.callback)) {
      const r = p.callback!.idpRequests;
      out.push(
        `   ${p.label}: service → IdP over all logins: token ${r.token}, discovery ${r.discovery}, jwks ${r.jwks}, userinfo ${r.userinfo}`,
      );
    }
    out.push(
      '   token@IdP = the token request as timed at the counting proxy; own = callback minus that (state, DB, ID-token checks)',
    );
  }
  if (phases.some((p) => p.throughput)) {
    out.push('\n3. Throughput (autocannon, closed loop), service in its own process');
    out.push(
      '   × bare = req/s over bare node:http in the same phase (mean of the runs before and after); × bare CPU = bare ' +
        "node:http's CPU per request over the service's (steadier on a shared machine)",
    );
    const rows: (string | number)[][] = [];
    for (const p of phases.filter((x) => x.throughput)) {
      for (const b of p.throughput!.bare) {
        rows.push([
          p.label,
          'bare node:http (reference)',
          b.connections,
          Math.round(b.reqPerSec),
          '1.00',
          fmt(b.cpuUsPerRequest, 0),
          '1.00',
          fmt(b.p50Ms),
          fmt(b.p99Ms),
          '',
          '',
          '',
          b.runsReqPerSec.map((x) => Math.round(x)).join(' / '),
        ]);
      }
      for (const r of p.throughput!.runs) {
        rows.push([
          p.label,
          r.endpoint,
          r.connections,
          Math.round(r.reqPerSec),
          fmt(bareRatio(p, r), 2),
          fmt(r.cpuUsPerRequest, 0),
          fmt(bareCpuRatio(p, r), 2),
          fmt(r.p50Ms),
          fmt(r.p99Ms),
          r.non2xx,
          r.errors,
          r.idpRequests,
          `${fmt(r.rssBeforeMiB, 0)}→${fmt(r.rssAfterMiB, 0)}`,
        ]);
      }
    }
    out.push(
      table(
        [
          'orgs',
          'endpoint',
          'conns',
          'req/s',
          '× bare',
          'CPU µs/req',
          '× bare CPU',
          'p50 ms',
          'p99 ms',
          'non-2xx',
          'errors',
          'IdP req',
          'RSS MiB',
        ],
        rows,
        ['l', 'l'],
      ),
    );
    for (const p of phases.filter((x) => x.throughput)) {
      const m = p.throughput!.memory;
      out.push(
        `   ${p.label}: RSS ${fmt(m.rssBeforeMiB, 0)} MiB before, ${fmt(m.rssAfterFirstRunMiB, 0)} after the first run, ` +
          `${fmt(m.rssAfterMiB, 0)} after all (${fmt(m.growthAfterFirstRunPct, 1)}% since the first run); peak VmHWM ${fmt(m.peakHwmMiB, 0)} MiB`,
      );
    }
  }
  if (scaled?.seedSeconds !== undefined) {
    out.push(
      `\n6. Seeded ${scaled.orgs} orgs through the API in ${fmt(scaled.seedSeconds, 1)} s (${Math.round(scaled.seedPerSec ?? 0)} orgs/s, ` +
        `32 in flight): mean signup ${fmt(scaled.seedMeanSignupMs, 1)} ms, mean config save ${fmt(scaled.seedMeanConfigMs, 1)} ms, ` +
        `${scaled.seedIdpRequests} service → IdP requests`,
    );
  }
  const deltas: { metric: string; base: number; next: number; slowerPct: number }[] = [];
  if (base && scaled) {
    const add = (metric: string, b: number | undefined, n: number | undefined, higherIsBetter = false) => {
      if (b === undefined || n === undefined) return;
      const d = deltaPct(b, n);
      deltas.push({ metric, base: b, next: n, slowerPct: higherIsBetter ? -d : d });
    };
    add('login URL p50 ms', base.loginUrl?.latencyMs.p50, scaled.loginUrl?.latencyMs.p50);
    add('callback p50 ms', base.callback?.callbackMs.p50, scaled.callback?.callbackMs.p50);
    add('round trip p50 ms', base.callback?.roundTripMs.p50, scaled.callback?.roundTripMs.p50);
    for (const e of ENDPOINTS) {
      for (const c of CONNECTIONS) {
        const find = (p: Phase) => p.throughput?.runs.find((r) => r.endpoint === e && r.connections === c)?.reqPerSec;
        add(`${e} @${c} req/s`, find(base), find(scaled), true);
      }
    }
    add('peak VmHWM MiB', base.throughput?.memory.peakHwmMiB, scaled.throughput?.memory.peakHwmMiB);
    if (deltas.length) {
      out.push(`\n6. Scale: ${base.label} vs ${scaled.label} (positive = slower/bigger)`);
      out.push(
        table(
          ['metric', base.label, scaled.label, 'delta'],
          deltas.map((d) => [
            d.metric,
            fmt(d.base),
            fmt(d.next),
            `${d.slowerPct >= 0 ? '+' : ''}${fmt(d.slowerPct, 1)}%`,
          ]),
          ['l'],
        ),
      );
    }
  }
  if (browser || noJs || browserNote) {
    out.push('\n4. Browser round trip (chromium, hosted /login → IdP → /member)');
    if (browserNote) out.push(`   ${browserNote}`);
    if (browser) {
      out.push(
        `   ${browser.logins} logins: median ${fmt(browser.medianTotalMs, 0)} ms from "Continue with SSO" to the identity page; ` +
          `IdP page (arrival → submit) ${fmt(browser.medianIdpPageMs, 0)} ms; everything else ${fmt(browser.medianWithoutIdpPageMs, 0)} ms ` +
          `(click → IdP page loaded ${fmt(browser.medianToIdpMs, 0)} ms, IdP submit → identity shown ${fmt(browser.medianBackMs, 0)} ms)` +
          (browser.errors ? `; ${browser.errors} failed (${browser.firstError})` : ''),
      );
    }
  }
  if (weight) {
    out.push(
      `\n5. First-load JS per route (gzip -9 of the chunks in ${weight.statsFile}${weight.built ? `, fresh build ${fmt(weight.buildSeconds, 1)} s` : ', existing build'})`,
    );
    if (weight.buildError) out.push(`   build failed: ${weight.buildError.split('\n')[0]}`);
    if (weight.note) out.push(`   ${weight.note}`);
    out.push(
      table(
        ['route', 'chunks', 'raw KB', 'gzip KB'],
        weight.routes.map((r) => [r.route, r.chunks, fmt(r.rawKB, 1), fmt(r.gzipKB, 1)]),
        ['l'],
      ),
    );
  }
  if (noJs) {
    out.push(
      `   JavaScript disabled: /login renders ${noJs.loginPageRenders ? 'yes' : 'NO'}; member login completes ${noJs.flowCompletes ? 'yes' : 'NO'}` +
        (noJs.error ? ` (ended at ${noJs.endedAt}: ${noJs.error})` : ''),
    );
  }

  for (const p of profiles) {
    const s = p.summary;
    out.push(
      `\nProfile of the service (node --cpu-prof, start-up excluded): ${p.step} — busy ${fmt(s.busyPct, 0)}% of the time, ` +
        `GC ${fmt(s.gcPct, 1)}% of busy; % below are of busy time`,
    );
    const rows = Array.from({ length: Math.max(s.self.length, s.ours.length) }, (_, i) => {
      const a = s.self[i];
      const b = s.ours[i];
      return [
        a ? fmt(a.pct, 1) : '',
        a ? `${a.fn} ${a.where}` : '',
        b ? fmt(b.pct, 1) : '',
        b ? `${b.fn} ${b.where}` : '',
      ];
    });
    out.push(table(['self %', 'hottest leaf functions', 'incl %', 'our code (inclusive)'], rows, ['r', 'l', 'r', 'l']));
    out.push(
      `   by kind of work (% of busy): ${s.categories.map((c) => `${c.category} ${fmt(c.pct, 1)}`).join(' · ')}`,
    );
  }

  // ---------------------------------------------------------------- targets
  const targets: Target[] = [];
  const l = base?.loginUrl;
  const c = base?.callback;
  if (l) {
    targets.push(below('login-url-p50', 'login URL p50 < 2 ms', l.latencyMs.p50, 2, 'ms'));
    targets.push(
      exact(
        'login-url-idp',
        'login URL: no IdP request on a warm cache',
        l.idpRequestsTotal === 0 && l.errors === 0,
        `${l.idpRequestsTotal} IdP requests, ${l.errors} errors`,
      ),
    );
  }
  if (c) {
    targets.push(below('callback-p50', 'callback p50 < 5 ms', c.callbackMs.p50, 5, 'ms'));
    targets.push(
      exact(
        'callback-idp',
        'callback: exactly one IdP request (token) per warm login',
        c.logins > 0 && c.errors === 0 && c.loginsWithExactlyOneToken === c.logins,
        `${c.loginsWithExactlyOneToken}/${c.logins} logins (${c.errors} errors)`,
      ),
    );
  }
  if (base?.throughput) {
    const limits: Record<string, number> = {
      'GET /v1/sso/config': 4_000,
      'POST /v1/sso/config': 2_500,
      'GET /sso/login': 5_000,
    };
    for (const r of base.throughput.runs) {
      targets.push(
        atLeast(
          `tput-${r.endpoint}-${r.connections}`,
          `${r.endpoint} @${r.connections} ≥ ${limits[r.endpoint]} req/s`,
          r.reqPerSec,
          limits[r.endpoint]!,
          'req/s',
        ),
      );
    }
  }
  // Against bare node:http in the same run, 16 connections, SQLite (the first phase); PostgreSQL vs SQLite.
  if (base?.throughput?.bare.length) {
    const at16 = (p: Phase, e: EndpointName) =>
      p.throughput?.runs.find((r) => r.endpoint === e && r.connections === 16);
    for (const [e, min] of BARE_RATIO_TARGETS) {
      const r = at16(base, e);
      if (r) targets.push(atLeast(`bare-${e}`, `${e} @16 ≥ ${min} × bare node:http`, bareRatio(base, r), min, '×', 2));
    }
    const save = at16(base, 'POST /v1/sso/config');
    if (save) targets.push(below('save-p99', 'POST /v1/sso/config @16 p99 ≤ 10 ms', save.p99Ms, 10.001, 'ms'));
    const pg = phases.find((p) => p.label.includes(BACKEND_NAMES.postgres) && p.orgs === 1 && p !== base);
    for (const [e] of pg?.throughput ? BARE_RATIO_TARGETS : []) {
      const a = at16(base, e);
      const b = at16(pg!, e);
      if (a && b)
        targets.push(atLeast(`pg-${e}`, `${e} @16: PostgreSQL ≥ 0.8 × SQLite`, b.reqPerSec / a.reqPerSec, 0.8, '×', 2));
    }
  }
  if (c) {
    targets.push(below('callback-own-p50', 'callback own time p50 ≤ 2 ms', c.callbackOwnMs.p50, 2.001, 'ms'));
  }
  const allRuns = phases.flatMap((p) => p.throughput?.runs ?? []);
  if (allRuns.length) {
    const bad = allRuns.reduce((a, r) => a + r.non2xx + r.errors, 0);
    targets.push(exact('non-2xx', 'throughput: 0 non-2xx responses and 0 errors', bad === 0, `${bad}`));
  }
  for (const p of phases.filter((x) => x.throughput)) {
    targets.push(
      below(
        `memory-${p.orgs}`,
        `memory flat (${p.label}): RSS growth after the first run < 10%`,
        p.throughput!.memory.growthAfterFirstRunPct,
        10,
        '%',
        1,
      ),
    );
  }
  if (weight?.note && weight.routes.length) {
    targets.push(
      exact('first-load-js', `no route > ${ROUTE_BUDGET_KB} KB first-load JS gzip`, null, 'incomplete', weight.note),
    );
  } else if (weight?.largest) {
    targets.push(
      below(
        'first-load-js',
        `no route > ${ROUTE_BUDGET_KB} KB first-load JS gzip (largest: ${weight.largest.route})`,
        weight.largest.gzipKB,
        ROUTE_BUDGET_KB + 0.001,
        'KB',
        1,
      ),
    );
  }
  if (noJs)
    targets.push(
      exact(
        'no-js',
        '/login and the callback flow work without JavaScript',
        noJs.loginPageRenders && noJs.flowCompletes,
        noJs.flowCompletes ? 'works' : `fails at ${noJs.endedAt}`,
      ),
    );
  if (scaled?.seedSeconds !== undefined) {
    targets.push(below('seed', `seed ${scaled.orgs} orgs through the API < 60 s`, scaled.seedSeconds, 60, 's', 1));
  }
  for (const d of deltas.filter((x) => !x.metric.startsWith('peak'))) {
    targets.push(below(`scale-${d.metric}`, `${scaled!.label}: ${d.metric} < 20% slower`, d.slowerPct, 20, '%', 1));
  }

  if (saml) {
    out.push(
      samlTable('SAML service provider (module level, in process)', [
        ['login URL (HTTP-Redirect AuthnRequest)', saml.loginUrlMs],
        ['login URL, signed (RSA-SHA256, RSA-3072 SP key)', saml.loginUrlSignedMs],
        ['ACS: validate a signed response', saml.validateMs],
        ['ACS: encrypted assertion (AES-256-GCM, RSA-OAEP-3072), Response unsigned', saml.validateEncryptedMs],
        ['ACS: encrypted assertion in a signed Response', saml.validateEncryptedSignedResponseMs],
      ]),
    );
    targets.push(below('saml-login-url-p50', 'SAML login URL p50 < 2 ms', saml.loginUrlMs.p50, 2, 'ms', 3));
    targets.push(
      exact(
        'saml-login-url-idp',
        'SAML login URL: no request to the IdP',
        saml.loginUrlFetches === 0,
        `${saml.loginUrlFetches} requests`,
      ),
    );
    targets.push(below('saml-acs-p50', 'SAML ACS validation p50 < 5 ms', saml.validateMs.p50, 5, 'ms', 3));
    targets.push(
      exact('saml-acs-errors', 'SAML ACS: every response validated', saml.errors === 0, `${saml.errors} errors`),
    );
  }
  if (samlService) {
    out.push(
      samlTable('SAML through the service (HTTP, SQLite, keep-alive client)', [
        ['GET /sso/login (SAML connection)', samlService.loginMs],
        ['POST /sso/callback/saml → session', samlService.acsMs],
      ]),
    );
    targets.push(
      exact(
        'saml-service-acs-errors',
        'SAML ACS via the service: every post opened a session',
        samlService.errors === 0,
        `${samlService.errors} errors`,
      ),
    );
  }

  if (scim) {
    out.push(
      samlTable(`SCIM through the service (HTTP, SQLite; ${scim.directorySize} users in the directory)`, [
        ['POST /scim/v2/Users (sequential)', scim.createMs],
        ['PATCH /scim/v2/Users/:id Replace active (sequential)', scim.patchMs],
        ['GET /scim/v2/Users?filter=userName eq … (indexed)', scim.lookupMs],
        ['GET /scim/v2/Users?filter=emails.value eq … (in memory)', scim.emailLookupMs],
      ]),
    );
    out.push(
      `SCIM throughput, 8 requests in flight: ${fmt(scim.createPerSec, 0)} creates/s, ${fmt(scim.patchPerSec, 0)} PATCHes/s`,
    );
    targets.push(
      below(
        'scim-lookup-p50',
        `SCIM userName lookup among ${scim.directorySize} users p50 < 5 ms`,
        scim.lookupMs.p50,
        5,
        'ms',
        3,
      ),
    );
    targets.push(
      exact('scim-errors', 'SCIM: every request answered as expected', scim.errors === 0, `${scim.errors} errors`),
    );
  }

  if (webhooks) {
    const row = (label: string, s: WebhooksResult['on']) => [
      label,
      s.callbackMs.n,
      fmt(s.callbackMs.p50),
      fmt(s.callbackMs.p95),
      fmt(s.callbackMs.p99),
      fmt(s.roundTripMs.p50),
    ];
    out.push(
      `\nWebhooks: complete logins with an endpoint on vs off, interleaved in one process (${webhooks.rounds} rounds × ${webhooks.perBlock} each, ABBA), ms`,
    );
    out.push(
      table(
        ['side', 'n', 'callback p50', 'p95', 'p99', 'round trip p50'],
        [row('off (no endpoint)', webhooks.off), row('on (endpoint, every event)', webhooks.on)],
      ),
    );
    out.push(
      `   callback p50 change on vs off: ${fmt(deltaPct(webhooks.off.callbackMs.p50, webhooks.on.callbackMs.p50), 1)} %; ` +
        `events delivered ${webhooks.delivered} of ${webhooks.expected}; errors ${webhooks.errors}` +
        (webhooks.firstError ? ` (first: ${webhooks.firstError})` : ''),
    );
    if (webhooks.throughput.length) {
      out.push('\nWebhook delivery throughput, one process (outbox pre-filled, loopback receiver answering 200)');
      out.push(
        table(
          ['format', 'events', 'POSTs', 'seconds', 'events/s'],
          webhooks.throughput.map((t) => [t.format, t.events, t.posts, fmt(t.seconds), fmt(t.perSec, 0)]),
        ),
      );
    }
    if (webhooks.throughputNote) out.push(`   ${webhooks.throughputNote}`);
    targets.push(
      exact(
        'webhooks-delivered',
        'webhooks: every sign-in of the org with an endpoint delivered',
        webhooks.delivered >= webhooks.expected && webhooks.errors === 0,
        `${webhooks.delivered} of ${webhooks.expected}`,
      ),
    );
  }
  if (soak) {
    out.push(
      `\nRetention soak (SQLite, ${soak.savesPerSecond} config saves/s at 16 connections, clock × ${soak.factor}, retention ${soak.retentionDays} day): ` +
        `${soak.saves} saves, ${soak.non2xx} non-2xx`,
    );
    out.push(
      table(
        ['real s', 'service hours', 'database MiB', 'of which WAL', 'audit rows kept', 'their span, h'],
        soak.samples.map((x) => [
          fmt(x.realSeconds, 0),
          fmt(x.serviceHours, 0),
          fmt(x.dbMiB, 1),
          fmt(x.walMiB, 1),
          x.auditRows,
          fmt(x.keptSpanHours, 1),
        ]),
      ),
    );
    targets.push(
      below(
        'soak-flat',
        `soak: database size after the first retention period grows < 10% (${fmt(soak.afterFirstPeriodMiB, 1)} → ${fmt(soak.endMiB, 1)} MiB)`,
        soak.growthPct,
        10,
        '%',
        1,
      ),
    );
    const span = Math.max(...soak.samples.map((x) => x.keptSpanHours));
    targets.push(
      below(
        'soak-span',
        `soak: no audit row kept beyond the retention (span of kept rows < ${soak.retentionDays * 24} h + 2 h)`,
        span,
        soak.retentionDays * 24 + 2,
        'h',
        1,
      ),
    );
  }

  out.push('\nTargets');
  out.push(
    table(
      ['', 'target', 'measured', 'margin'],
      targets.map((t) => [verdict(t), t.description, t.value, t.margin]),
      ['l', 'l', 'r', 'l'],
    ),
  );
  if (failures.length) out.push(`\nFailed sections:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  const loadEnd = os.loadavg();
  out.push(
    `\nload average ${loadStart.map((x) => x.toFixed(2)).join(' ')} at start, ${loadEnd.map((x) => x.toFixed(2)).join(' ')} at end ` +
      `(${os.cpus().length} CPUs): figures from a busy machine are noisy`,
  );
  console.log(out.join('\n'));

  const git = gitInfo();
  const result = {
    timestamp: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    git,
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memTotalGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      loadavgStart: loadStart,
      loadavgEnd: loadEnd,
    },
    options: {
      quick: opts.quick,
      only: [...opts.only],
      skipBuild: opts.skipBuild,
      profile: opts.profile,
      scaleOrgs: opts.scaleOrgs,
      iterations: N,
      connections: CONNECTIONS,
    },
    phases,
    scaleDeltas: deltas,
    pageWeight: weight,
    saml,
    samlService,
    scim,
    webhooks,
    soak,
    noJs,
    browser: browser ?? (browserNote ? { skipped: browserNote } : undefined),
    targets,
    profiles,
    failures,
  };
  const dir = path.join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  progress(`wrote ${path.relative(ROOT, file)} (commit ${git.commit.slice(0, 10)}${git.dirty ? ', dirty tree' : ''})`);

  const missed = targets.some((t) => t.pass === false);
  if (failures.length) return 1;
  return opts.strict && missed ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  warn(err instanceof Error ? (err.stack ?? err.message) : String(err));
} finally {
  await stopAll();
  await stopPostgres();
  await agent.close().catch(() => undefined);
  rmSync(tmpRoot, { recursive: true, force: true });
}
process.exit(code);

/** Throughput relative to the bare node:http reference of the same phase, same connection count. */
function bareRatio(p: Phase, r: { connections: number; reqPerSec: number }): number {
  const bare = p.throughput?.bare.find((b) => b.connections === r.connections);
  return bare ? r.reqPerSec / bare.reqPerSec : Number.NaN;
}

/**
 * The same ratio from CPU time: bare node:http's CPU per request over the service's. On a shared machine req/s
 * move with everyone else's load; CPU per request mostly does not.
 */
function bareCpuRatio(p: Phase, r: { connections: number; cpuUsPerRequest: number }): number {
  const bare = p.throughput?.bare.find((b) => b.connections === r.connections);
  return bare ? bare.cpuUsPerRequest / r.cpuUsPerRequest : Number.NaN;
}

/** A titled SAML table: one row per operation (n, p50, p95, p99, max in ms, three decimals). */
function samlTable(title: string, rows: [string, Summary][]): string {
  const body = rows.map(([label, ms]) => [label, ms.n, fmt(ms.p50, 3), fmt(ms.p95, 3), fmt(ms.p99, 3), fmt(ms.max, 3)]);
  return `\n${title}, ms\n${table(['operation', 'n', 'p50', 'p95', 'p99', 'max'], body, ['l'])}`;
}
