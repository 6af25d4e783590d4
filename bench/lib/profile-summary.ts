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
}

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
    if (chain.some((n) => STARTUP.test(shortUrl(n.callFrame.url)))) return;
    busy += dt;
    if (node.callFrame.functionName === '(garbage collector)') gc += dt;
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
  };
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
