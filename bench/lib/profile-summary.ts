import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './procs';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface HotFunction {
  fn: string;
  where: string;
  /** Share of the busy time (idle and module loading excluded). */
  pct: number;
}

export interface ProfileSummary {
  /** Busy share of the whole profile (the rest is idle). */
  busyPct: number;
  gcPct: number;
  /** Leaf (self) time. */
  self: HotFunction[];
  /** Inclusive time of the project's own functions (lib/, scripts/): where our code spends it. */
  ours: HotFunction[];
  /** Busy time by kind of work (see CATEGORIES), in % of busy time, largest first. */
  categories: { category: string; pct: number }[];
}

/**
 * Kinds of work, matched against a sample's stack from the leaf up: the first frame that names one decides.
 * Generic helpers (zod, native JSON, anonymous natives) decide nothing by themselves; the frame that called them
 * does (zod under storage/rows.ts is the store's row parsing; under the route schema it is validation).
 * Fastify runs a route's hooks and handler inside the previous hook's `done()`, so "hooks" is only the hooks'
 * own frames (the leaf-most match), never what runs after them.
 */
const CATEGORIES: [string, RegExp][] = [
  [
    'store',
    /^(lib\/sso-service\/storage\/|lib\/sso-service\/features\/[^/]+\/store\.ts|kysely\/|better-sqlite3\/|pg\/|pg-protocol\/)/,
  ],
  ['crypto', /^(lib\/sso-service\/crypto\/|node:internal\/crypto\/|jose\/)/],
  // Synchronous stdout to a file or pipe (process.stdout) writes through node:fs on the main thread.
  ['logging', /^(lib\/sso-service\/http\/logger\.ts|sonic-boom\/|node:fs|node:internal\/fs\/)/],
  ['events', /^(lib\/sso-service\/features\/(events|webhooks)\/)/],
  ['validation', /^(lib\/sso-service\/http\/validation\.ts|fastify-type-provider-zod\/|lib\/contract\/)/],
  ['serialisation', /^(fast-json-stringify\/|fastify\/lib\/(reply|error-serializer)\.js)/],
  ['hooks', /^lib\/sso-service\/(app\.ts|http\/(client-address|request-id|auth)\.ts)/],
  ['handlers (ours)', /^(lib\/|scripts\/)/],
  [
    'framework (fastify)',
    /^(fastify\/|find-my-way\/|@fastify\/|avvio\/|fast-querystring\/|fast-decode-uri-component\/|light-my-request\/|process-warning\/|toad-cache\/)/,
  ],
  [
    'node http + socket',
    /^node:(_http|net|internal\/(http|streams|stream_base_commons|net|timers|async_hooks|process\/task_queues|url)|stream|events|timers|url)/,
  ],
];
const GENERIC = /^(zod\/|\(native\))/;

function shortUrl(url: string): string {
  const clean = url.replace(/^file:\/\//, '');
  const nm = clean.lastIndexOf('node_modules/');
  if (nm >= 0) return clean.slice(nm + 'node_modules/'.length);
  return clean.startsWith(ROOT) ? path.relative(ROOT, clean) : clean || '(native)';
}

// Start-up work (tsx transpiling, module loading) is not what a request costs; a profile cannot
// start after boot, so it is filtered out instead.
const STARTUP = /^(node:internal\/(modules|bootstrap|deps\/cjs-module-lexer|main)|tsx\/|esbuild\/)/;
const IDLE = new Set(['(idle)', '(program)']);
/** The service's own start-up (building the app, registering routes, opening the store). */
const STARTUP_FUNCTIONS = new Set(['startSsoService', 'buildServiceApp', 'openStore']);

/** Summarises a V8 .cpuprofile (what `node --cpu-prof` writes). */
export function summarizeProfile(file: string, top = 12): ProfileSummary {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const label = (n: CpuProfileNode) => ({
    fn: n.callFrame.functionName || '(anonymous)',
    where: `${shortUrl(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`,
  });
  const self = new Map<string, { fn: string; where: string; us: number }>();
  const ours = new Map<string, { fn: string; where: string; us: number }>();
  const byCategory = new Map<string, number>();
  let total = 0;
  let busy = 0;
  let gc = 0;
  prof.samples.forEach((id, i) => {
    const dt = prof.timeDeltas[i] ?? 0;
    total += dt;
    const node = byId.get(id);
    if (!node || IDLE.has(node.callFrame.functionName)) return;
    // Skip samples whose stack is start-up work.
    const chain: CpuProfileNode[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n) chain.push(n);
    }
    if (chain.some((n) => STARTUP.test(shortUrl(n.callFrame.url)) || STARTUP_FUNCTIONS.has(n.callFrame.functionName)))
      return;
    busy += dt;
    if (node.callFrame.functionName === '(garbage collector)') gc += dt;
    const category = categoryOf(chain);
    byCategory.set(category, (byCategory.get(category) ?? 0) + dt);
    const l = label(node);
    const key = `${l.fn}\0${l.where}`;
    const e = self.get(key) ?? { ...l, us: 0 };
    e.us += dt;
    self.set(key, e);
    const seen = new Set<string>();
    for (const n of chain) {
      const url = shortUrl(n.callFrame.url);
      if (!/^(lib|scripts)\//.test(url)) continue;
      const o = label(n);
      const k = `${o.fn}\0${o.where}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const oe = ours.get(k) ?? { ...o, us: 0 };
      oe.us += dt;
      ours.set(k, oe);
    }
  });
  const rank = (m: Map<string, { fn: string; where: string; us: number }>) =>
    [...m.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((e) => ({ fn: e.fn, where: e.where, pct: busy ? (e.us / busy) * 100 : 0 }));
  return {
    busyPct: total ? (busy / total) * 100 : 0,
    gcPct: busy ? (gc / busy) * 100 : 0,
    self: rank(self),
    ours: rank(ours),
    categories: [...byCategory.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, pct: busy ? (us / busy) * 100 : 0 })),
  };
}

function categoryOf(chain: readonly CpuProfileNode[]): string {
  const leaf = chain[0];
  if (leaf?.callFrame.functionName === '(garbage collector)') return 'GC';
  let generic: string | undefined;
  for (const n of chain) {
    const url = shortUrl(n.callFrame.url);
    if (GENERIC.test(url)) {
      generic ??= url.startsWith('zod/') ? 'validation' : undefined;
      continue;
    }
    for (const [name, re] of CATEGORIES) if (re.test(url)) return name;
  }
  // Natives called straight from the event loop (socket writes, the HTTP parser) and anything unmatched.
  return (
    generic ??
    (leaf && /write|Writev|parser|HTTPParser/i.test(leaf.callFrame.functionName) ? 'node http + socket' : 'other')
  );
}

export function profilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}
