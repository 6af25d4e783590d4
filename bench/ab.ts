/**
 * `npx tsx bench/ab.ts <checkout A> <checkout B> [<checkout C with BENCH_NO_AUDIT=1>] [--reps=N] [--seconds=S]
 * [--endpoints=POST] [--callbacks=N] [--db=sqlite,postgres]`:
 * a finely interleaved A/B of the service's hot endpoints on SQLite. On a shared machine, whole bench runs minutes
 * apart see different loads; here every checkout's service runs at once (each from its own tree, LOG_LEVEL=info
 * to a file, rate limits off) beside a bare node:http server, and short bursts (autocannon, 16 connections) go
 * round-robin: bare, A, B, (C), per endpoint, `reps` times. Reported per checkout and endpoint: medians of req/s
 * and of the service's CPU µs per request (/proc), p50/p99 over all bursts, and both as ratios to bare node:http
 * in the same rounds, then the per-round ratios between checkouts (B ÷ A; A ÷ C and B ÷ C) with their spread, the
 * figure to quote for a before/after. A third checkout runs with BENCH_NO_AUDIT=1 in its environment (a tree patched to skip
 * the legacy save's audit record when it is set): the save's cost of the audit record.
 * `--callbacks=N` adds, to each round, N complete logins through the dev IdP per checkout (in turn, like the
 * bursts): the callback's own time (the IdP's token request, timed at the counting proxy, subtracted) moves with
 * the machine's state from one run to the next far more than between checkouts, so it is compared here, login
 * batches interleaved, rather than across whole bench runs. `--endpoints=none` skips the throughput bursts.
 * `--db=postgres` runs each checkout on its own database of one throw-away PostgreSQL server; `--db=sqlite,postgres`
 * runs each checkout on both (services `A/sqlite`, `A/postgres`, …, all in the same rounds) and adds each
 * checkout's PostgreSQL ÷ SQLite req/s, the hot-path issue's backend ratio, taken in the same machine state.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { oneLogin } from './measure/callback';
import { createOrg, type Org } from './lib/orgs';
import { ROOT, cpuMsOfStat, freePort, readCpuMs, spawnNode, stop, waitForHttp, type Child } from './lib/procs';
import { startIdp } from './lib/stack';
import { percentile } from './lib/stats';
import { startPostgresServer, type PostgresServer } from '../tests/support/postgres-server';
import { randomBytes } from 'node:crypto';

/** CPU seconds per thread name (threads of one name summed), largest first. */
function cpuByThread(pid: number): Map<string, number> {
  const totals = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const ms = cpuMsOfStat(`/proc/${pid}/task/${tid}/stat`);
    let name: string;
    try {
      name = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    } catch {
      continue; // the thread ended between the listing and the read
    }
    if (!Number.isNaN(ms)) totals.set(name, (totals.get(name) ?? 0) + ms / 1000);
  }
  return new Map([...totals].sort((a, b) => b[1] - a[1]));
}

const args = process.argv.slice(2);
const trees = args.filter((a) => !a.startsWith('--'));
const reps = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 6);
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 4);
if (trees.length < 2) throw new Error('usage: bench/ab.ts <checkout A> <checkout B> [<checkout C, no audit>]');

const secrets = {
  GRANTEX_STATE_SECRET: randomBytes(32).toString('base64url'),
  GRANTEX_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
};
const tmp = mkdtempSync(path.join(os.tmpdir(), 'grantex-ab-'));

interface Target {
  name: string;
  url: string;
  pid: number;
  org?: Org;
  stop(): Promise<void>;
}

async function startTree(name: string, tree: string, extra: Record<string, string>): Promise<Target> {
  const port = await freePort();
  const dataDir = path.join(tmp, name.replace('/', '-'));
  const out = openSync(`${dataDir}.log`, 'a');
  // The tree's own cwd: its tsconfig paths (`@/…`) must resolve to its own lib/.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/grantex.ts'], {
    cwd: tree,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      GRANTEX_HOST: '127.0.0.1',
      GRANTEX_PORT: String(port),
      GRANTEX_DATA_DIR: dataDir,
      GRANTEX_DEV_MODE: 'true',
      RATE_LIMIT: 'off',
      LOG_LEVEL: 'info',
      ...secrets,
      ...extra,
    },
    stdio: ['ignore', out, 'inherit'],
    detached: true,
  });
  const child: Child = {
    name,
    proc,
    pid: proc.pid!,
    tail: () => '',
    exited: new Promise((r) => proc.once('exit', r)),
    hasExited: () => proc.exitCode !== null,
  };
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/v1/sso/config`, child);
  return { name, url, pid: child.pid, stop: () => stop(child) };
}

/** `GET /sso/login?org&domain`: the login URL as the SDKs ask for it (the org and the member's email domain). */
type Endpoint = 'GET /v1/sso/config' | 'GET /sso/login' | 'GET /sso/login?org&domain' | 'POST /v1/sso/config';
const ALL_ENDPOINTS: Endpoint[] = [
  'GET /v1/sso/config',
  'GET /sso/login',
  'GET /sso/login?org&domain',
  'POST /v1/sso/config',
];
/** The domain the org's connection lists for the domain-routed login (set before the bursts). */
const BENCH_DOMAIN = 'bench.example';
const only = args.find((a) => a.startsWith('--endpoints='))?.slice(12);
const ENDPOINTS = only ? ALL_ENDPOINTS.filter((e) => only.split(',').some((w) => w && e.includes(w))) : ALL_ENDPOINTS;
const callbacks = Number(args.find((a) => a.startsWith('--callbacks='))?.slice(12) ?? 0);

interface Logins {
  callbackMs: number[];
  ownMs: number[];
  tokenMs: number[];
}

/** `n` complete logins on `t` (sequential, as a member would): the callback, its token request, the difference. */
async function loginBatch(t: Target, n: number, into: Logins): Promise<void> {
  for (let i = 0; i < n; i++) {
    const r = await oneLogin({ url: t.url } as Parameters<typeof oneLogin>[0], idp, t.org!);
    into.callbackMs.push(r.callbackMs);
    into.tokenMs.push(r.tokenMs);
    into.ownMs.push(r.callbackMs - r.tokenMs);
  }
}

function request(t: Target, e: Endpoint | 'bare'): autocannon.Options {
  if (e === 'bare' || !t.org) return { url: `${t.url}/` };
  const auth = { authorization: `Bearer ${t.org.apiKey}` };
  if (e === 'GET /v1/sso/config') return { url: `${t.url}/v1/sso/config`, headers: auth };
  if (e === 'GET /sso/login') return { url: `${t.url}/sso/login?org=${encodeURIComponent(t.org.developerId)}` };
  if (e === 'GET /sso/login?org&domain')
    return { url: `${t.url}/sso/login?org=${encodeURIComponent(t.org.developerId)}&domain=${BENCH_DOMAIN}` };
  return {
    url: `${t.url}/v1/sso/config`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: t.org.configJson,
  };
}

/** Lists BENCH_DOMAIN on the org's (default) connection, through the connections API. */
async function listDomain(url: string, org: Org): Promise<void> {
  const headers = { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' };
  const listed = await fetch(`${url}/v1/sso/connections`, { headers });
  if (!listed.ok) throw new Error(`listing the org's connections: ${listed.status} ${await listed.text()}`);
  const id = ((await listed.json()) as { connections: { id: string }[] }).connections[0]?.id;
  if (!id) throw new Error('the org has no connection to list the bench domain on');
  const res = await fetch(`${url}/v1/sso/connections/${id}`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ domains: [BENCH_DOMAIN] }),
  });
  if (!res.ok) throw new Error(`listing the bench domain: ${res.status} ${await res.text()}`);
}

interface Burst {
  reqPerSec: number;
  cpuUs: number;
  latencies: number[];
}

async function burst(t: Target, e: Endpoint | 'bare', s: number): Promise<Burst> {
  const latencies: number[] = [];
  const cpu0 = readCpuMs(t.pid);
  const instance = autocannon({ ...request(t, e), connections: 16, duration: s, timeout: 10 });
  instance.on('response', (_c, status, _b, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const r = await instance;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${t.name} ${e}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { reqPerSec: r['2xx'] / r.duration, cpuUs: ((readCpuMs(t.pid) - cpu0) * 1000) / r['2xx'], latencies };
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

const idp = await startIdp(['http://127.0.0.1:3999/sso/callback'], false);
const barePort = await freePort();
const bareChild = spawnNode('bare-http', {
  env: { BARE_PORT: String(barePort) },
  args: [path.join(ROOT, 'bench/entries/bare-http.mjs')],
});
await waitForHttp(`http://127.0.0.1:${barePort}/`, bareChild);
const bare: Target = {
  name: 'bare',
  url: `http://127.0.0.1:${barePort}`,
  pid: bareChild.pid,
  stop: () => stop(bareChild),
};
const names = ['A', 'B', 'C'];
type Db = 'sqlite' | 'postgres';
const dbs = (args.find((a) => a.startsWith('--db='))?.slice(5) ?? 'sqlite').split(',') as Db[];
if (dbs.length === 0 || dbs.some((d) => d !== 'sqlite' && d !== 'postgres'))
  throw new Error('--db= takes sqlite, postgres or both');
const pg: PostgresServer | undefined = dbs.includes('postgres') ? await startPostgresServer() : undefined;
const backendEnv = async (db: Db): Promise<Record<string, string>> =>
  db === 'postgres' ? { DATABASE_URL: await pg!.createDatabase(), DATABASE_POOL_MAX: '10' } : {};
const services: Target[] = [];
for (const [i, tree] of trees.entries()) {
  for (const db of dbs) {
    const name = dbs.length > 1 ? `${names[i]}/${db}` : names[i]!;
    const noAudit: Record<string, string> = i === 2 ? { BENCH_NO_AUDIT: '1' } : {};
    services.push(await startTree(name, path.resolve(tree), { ...noAudit, ...(await backendEnv(db)) }));
  }
}
try {
  for (const [i, s] of services.entries()) {
    s.org = await createOrg(s.url, idp, i);
    if (ENDPOINTS.includes('GET /sso/login?org&domain')) await listDomain(s.url, s.org);
  }
  const results = new Map<string, Burst[]>();
  const add = (key: string, b: Burst) => results.set(key, [...(results.get(key) ?? []), b]);
  // Warm-up: every target and endpoint once, discarded.
  await burst(bare, 'bare', 2);
  for (const s of services) for (const e of ENDPOINTS) await burst(s, e, 2);
  const logins = new Map(services.map((s) => [s.name, { callbackMs: [], ownMs: [], tokenMs: [] } as Logins]));
  if (callbacks > 0) for (const s of services) await loginBatch(s, 10, { callbackMs: [], ownMs: [], tokenMs: [] });
  for (let r = 0; r < reps; r++) {
    for (const e of ENDPOINTS) {
      add(`bare ${e}`, await burst(bare, 'bare', seconds));
      const order = r % 2 === 0 ? services : [...services].reverse();
      for (const s of order) {
        if (s.name.startsWith('C') && e !== 'POST /v1/sso/config') continue;
        add(`${s.name} ${e}`, await burst(s, e, seconds));
      }
    }
    if (callbacks > 0) {
      const order = r % 2 === 0 ? services : [...services].reverse();
      for (const s of order) await loginBatch(s, callbacks, logins.get(s.name)!);
    }
    process.stderr.write(`round ${r + 1}/${reps} done, load ${os.loadavg()[0]!.toFixed(1)}\n`);
  }
  console.log(
    `${reps} rounds × ${seconds} s bursts, 16 connections; A=${trees[0]} B=${trees[1]}${trees[2] ? ` C=${trees[2]} (no audit)` : ''}`,
  );
  console.log('| checkout | endpoint | req/s (median) | × bare | CPU µs/req (median) | × bare CPU | p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const e of ENDPOINTS) {
    const b = results.get(`bare ${e}`)!;
    const bareRps = median(b.map((x) => x.reqPerSec));
    const bareCpu = median(b.map((x) => x.cpuUs));
    const bl = b.flatMap((x) => x.latencies).sort((x, y) => x - y);
    console.log(
      `| bare node:http | (rounds of ${e}) | ${bareRps.toFixed(0)} | 1.00 | ${bareCpu.toFixed(1)} | 1.00 | ${percentile(bl, 50).toFixed(2)} | ${percentile(bl, 99).toFixed(2)} |`,
    );
    for (const s of services) {
      const xs = results.get(`${s.name} ${e}`);
      if (!xs) continue;
      const rps = median(xs.map((x) => x.reqPerSec));
      const cpu = median(xs.map((x) => x.cpuUs));
      const l = xs.flatMap((x) => x.latencies).sort((x, y) => x - y);
      console.log(
        `| ${s.name} | ${e} | ${rps.toFixed(0)} (${xs.map((x) => x.reqPerSec.toFixed(0)).join(' ')}) | ${(rps / bareRps).toFixed(2)} | ${cpu.toFixed(1)} | ${(bareCpu / cpu).toFixed(2)} | ${percentile(l, 50).toFixed(2)} | ${percentile(l, 99).toFixed(2)} |`,
      );
    }
  }
  // Paired by round: the machine's state drifts from round to round far more than checkouts differ, so each
  // round's burst is divided by the same round's burst of the checkout it is compared with.
  const quartiles = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `${percentile(sorted, 50).toFixed(3)} (IQR ${percentile(sorted, 25).toFixed(3)}–${percentile(sorted, 75).toFixed(3)})`;
  };
  const pairs: [string, string][] = [];
  for (const db of dbs) {
    const at = (i: number) => (dbs.length > 1 ? `${names[i]}/${db}` : names[i]!);
    pairs.push([at(1), at(0)]);
    if (trees.length > 2) pairs.push([at(0), at(2)], [at(1), at(2)]);
  }
  console.log('\nPer-round ratios (median and interquartile range over the rounds)');
  console.log('| checkout ÷ checkout | endpoint | req/s | CPU µs/req |');
  console.log('|---|---|---|---|');
  for (const [x, y] of pairs) {
    for (const e of ENDPOINTS) {
      const xs = results.get(`${x} ${e}`);
      const ys = results.get(`${y} ${e}`);
      if (!xs || !ys) continue;
      const rps = xs.map((b, r) => b.reqPerSec / ys[r]!.reqPerSec);
      const cpu = xs.map((b, r) => b.cpuUs / ys[r]!.cpuUs);
      console.log(`| ${x} ÷ ${y} | ${e} | ${quartiles(rps)} | ${quartiles(cpu)} |`);
    }
  }
  if (dbs.length > 1) {
    console.log('\nPostgreSQL ÷ SQLite, median req/s of the same rounds');
    for (const [i] of trees.entries()) {
      for (const e of ENDPOINTS) {
        const rps = (db: Db) => results.get(`${names[i]}/${db} ${e}`)?.map((x) => x.reqPerSec);
        const [lite, postgres] = [rps('sqlite'), rps('postgres')];
        if (lite && postgres) console.log(`${names[i]} ${e}: ${(median(postgres) / median(lite)).toFixed(2)}`);
      }
    }
  }
  if (callbacks > 0) {
    const p = (xs: number[], q: number) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      ).toFixed(2);
    console.log(`\nComplete logins, ${callbacks} per checkout per round, ms (own = callback − token@IdP)`);
    console.log('| checkout | logins | own p50 | own p95 | callback p50 | token@IdP p50 |');
    console.log('|---|---|---|---|---|---|');
    for (const s of services) {
      const l = logins.get(s.name)!;
      console.log(
        `| ${s.name} | ${l.ownMs.length} | ${p(l.ownMs, 50)} | ${p(l.ownMs, 95)} | ${p(l.callbackMs, 50)} | ${p(l.tokenMs, 50)} |`,
      );
    }
  }
  // The CPU per request above counts every thread of the process; this says which threads spent it (the main
  // thread runs the requests and SQLite; V8's helper threads run most of the garbage collection).
  console.log('\nCPU by thread over the whole run (s):');
  for (const s of services) {
    const byThread = cpuByThread(s.pid);
    console.log(`${s.name}: ${[...byThread].map(([name, sec]) => `${name} ${sec.toFixed(1)}`).join(', ')}`);
  }
} finally {
  await Promise.all([...services.map((s) => s.stop()), bare.stop(), idp.stop()]);
  await pg?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(0);
