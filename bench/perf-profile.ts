/**
 * `npx tsx bench/perf-profile.ts <endpoint word> [--seconds=7] [--top=60]`: where the service's CPU goes under one
 * endpoint's throughput load, counted by `perf` (Debian's linux-perf) instead of V8's `--cpu-prof`.
 *
 * Why a second profiler: `--cpu-prof` samples the main thread on a wall-clock timer, so a thread that waits for a
 * core (two cores shared with the load generator) is charged to whatever frame it waits in. Frames that enter the
 * kernel (the socket write, a SQLite statement) then look larger than their CPU: in a config save, `--cpu-prof` put
 * the SQLite statements at 25.8 % of busy time, while `perf` put SQLite's own code at 8 % of the process and the
 * statements with their JavaScript at about 21 %. `perf` counts CPU cycles only, in every thread,
 * and sees inside native code (SQLite, OpenSSL, V8's runtime); the service runs with `--perf-basic-prof` so its
 * JavaScript frames have names.
 *
 * It runs `npm run bench -- --only=throughput --endpoints=<word> --log-level=info` with that flag, waits for the
 * 16-connection burst of the first matching endpoint, records the service for a few seconds
 * (`perf record -g -p <pid>`), then prints, for the service's main thread, the share of samples under each named
 * JavaScript function (inclusive) and the native leaves. Raw data: bench/results/perf/ (git-ignored).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const word = args.find((a) => !a.startsWith('--'));
const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 7);
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 60);
if (!word) {
  console.error('usage: npx tsx bench/perf-profile.ts <endpoint word: config, POST, login> [--seconds=7] [--top=60]');
  process.exit(2);
}
if (spawnSync('perf', ['--version']).status !== 0) {
  console.error('perf is not installed: apt-get install linux-perf');
  process.exit(2);
}

/**
 * `--perf-basic-prof` makes every Node process it reaches (npm, tsx, the bench, the service) write an
 * `isolate-…-v8.log` in its working directory; the run removes the ones it made (perf needs only /tmp/perf-<pid>.map).
 */
const isolateLogs = () => new Set(fs.readdirSync('.').filter((f) => /^isolate-.*-v8\.log$/.test(f)));
const logsBefore = isolateLogs();

const out = path.join('bench', 'results', 'perf');
fs.mkdirSync(out, { recursive: true });
const progress = fs.openSync(path.join(out, 'bench.err'), 'w');
const bench = spawn(
  'npm',
  ['run', 'bench', '--', '--only=throughput', `--endpoints=${word}`, '--log-level=info', '--skip-build'],
  { env: { ...process.env, NODE_OPTIONS: '--perf-basic-prof' }, stdio: ['ignore', 'ignore', progress] },
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitForBurst(): Promise<void> {
  for (let waited = 0; waited < 180_000; waited += 500) {
    const text = fs.readFileSync(path.join(out, 'bench.err'), 'utf8');
    // The service phases follow the bare node:http reference runs.
    if (/throughput: (GET|POST) \S+ with 16 connections/.test(text)) return;
    await sleep(500);
  }
  throw new Error('the bench did not reach a matching endpoint in 3 minutes (see bench/results/perf/bench.err)');
}

function servicePid(): string {
  // The newest: the bench's own service, not one started earlier by hand.
  const found = spawnSync('pgrep', ['-n', '-f', 'scripts/grantex.ts'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('no service process found');
  return found;
}

try {
  await waitForBurst();
  await sleep(4000); // past the warm-up
  const data = path.join(out, 'perf.data');
  const pid = servicePid();
  const rec = spawnSync('perf', ['record', '-F', '1999', '-g', '-p', pid, '-o', data, '--', 'sleep', String(seconds)], {
    encoding: 'utf8',
  });
  if (rec.status !== 0) throw new Error(`perf record failed: ${rec.stderr}`);
  const script = spawnSync('perf', ['script', '-i', data, '-F', 'tid,ip,sym'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  summarize(script.stdout);
} finally {
  bench.kill('SIGINT');
  if (bench.exitCode === null && bench.signalCode === null) await new Promise((r) => bench.once('exit', r));
  for (const f of isolateLogs()) if (!logsBefore.has(f)) fs.rmSync(f, { force: true });
}

/** perf script's text: one block per sample, a "tid" line then frames from the leaf up ("ip symbol"). */
function summarize(text: string): void {
  const samples = text
    .split('\n\n')
    .map((block) => block.trim().split('\n'))
    .filter((lines) => lines.length > 1)
    .map(([head, ...frames]) => ({
      tid: head!.trim().split(/\s+/)[0]!,
      frames: frames.map((f) => f.trim().replace(/^[0-9a-f]+\s+/, '')),
    }));
  const byThread = new Map<string, number>();
  for (const s of samples) byThread.set(s.tid, (byThread.get(s.tid) ?? 0) + 1);
  const [main] = [...byThread].sort((a, b) => b[1] - a[1])[0] ?? [];
  const mine = samples.filter((s) => s.tid === main);
  const total = mine.length;
  const inclusive = new Map<string, number>();
  const leaves = new Map<string, number>();
  for (const { frames } of mine) {
    const seen = new Set<string>();
    for (const frame of frames) {
      // V8's perf map names JavaScript frames "JS:<tier>'name url:line:column"; the tier differs per compilation.
      const name = frame.startsWith('JS:') ? frame.slice(3).replace(/^[*+^~']+/, '') : null;
      if (name === null || seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    }
    const leaf = frames[0] ?? '?';
    leaves.set(leaf, (leaves.get(leaf) ?? 0) + 1);
  }
  const pct = (n: number) => ((100 * n) / total).toFixed(1).padStart(5);
  const threads = [...byThread].sort((a, b) => b[1] - a[1]);
  console.log(`samples by thread: ${threads.map(([t, n]) => `${t === main ? 'main' : t} ${n}`).join(', ')}`);
  console.log(`\n% of the main thread's samples under each JavaScript function (inclusive), top ${top}`);
  for (const [name, n] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${name.replace(/file:\/\/\/?\S*?\/(lib|node_modules)\//, '$1/')}`);
  console.log("\n% of the main thread's samples by leaf (native code, the kernel, V8 builtins), top 25");
  for (const [name, n] of [...leaves].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(n)}  ${name}`);
}
