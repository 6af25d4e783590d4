import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { progress } from '../lib/log';
import { ROOT, spawnNode } from '../lib/procs';

export const ROUTE_BUDGET_KB = 160;

export interface RouteWeight {
  route: string;
  chunks: number;
  rawKB: number;
  gzipKB: number;
}

export interface WeightResult {
  built: boolean;
  buildSeconds?: number;
  buildError?: string;
  statsFile: string;
  routes: RouteWeight[];
  largest?: RouteWeight;
  note?: string;
}

const statsSchema = z.array(
  z.looseObject({
    route: z.string(),
    firstLoadUncompressedJsBytes: z.number().optional(),
    firstLoadChunkPaths: z.array(z.string()),
  }),
);

function otherBuildRunning(): string | null {
  const r = spawnSync('pgrep', ['-af', 'next build'], { encoding: 'utf8' });
  const lines = (r.stdout ?? '')
    .split('\n')
    .filter((l) => l.trim() && !l.includes('pgrep') && !l.startsWith(`${process.pid} `));
  return lines.length ? lines.join('; ') : null;
}

/** Only one `next build` at a time on this machine (team rule): wait for a colleague's to finish. */
async function waitForOtherBuilds(maxWaitMs = 5 * 60_000): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  for (let other = otherBuildRunning(); other; other = otherBuildRunning()) {
    if (Date.now() > deadline) throw new Error(`another next build is still running: ${other}`);
    progress(`  waiting for another next build to finish: ${other.slice(0, 120)}`);
    await new Promise((r) => setTimeout(r, 5_000));
  }
}

export async function buildConsole(): Promise<{ seconds: number }> {
  await waitForOtherBuilds();
  progress('next build (production) …');
  const t0 = performance.now();
  const child = spawnNode('next-build', {
    args: [path.join(ROOT, 'node_modules/next/dist/bin/next'), 'build'],
    env: { NODE_ENV: 'production' },
  });
  const code = await child.exited;
  if (code !== 0) throw new Error(`next build failed (exit ${code}):\n${child.tail()}`);
  const seconds = (performance.now() - t0) / 1000;
  progress(`  built in ${seconds.toFixed(1)} s`);
  return { seconds };
}

/**
 * Measurement 5a: first-load JS per route. Next 16 lists each route's first-load chunks in
 * .next/diagnostics/route-bundle-stats.json (uncompressed only), so each chunk is gzipped here
 * (level 9, as Next's old build table did) and summed per route.
 */
export function readRouteWeights(): Omit<WeightResult, 'built'> {
  const statsFile = path.join(ROOT, '.next/diagnostics/route-bundle-stats.json');
  if (!existsSync(statsFile)) return { statsFile, routes: [], note: 'no route-bundle-stats.json (build missing)' };
  const stats = statsSchema.parse(JSON.parse(readFileSync(statsFile, 'utf8')));
  const gz = new Map<string, { raw: number; gzip: number }>();
  const missing = new Set<string>();
  const sizeOf = (rel: string) => {
    let s = gz.get(rel);
    if (!s) {
      const file = path.join(ROOT, rel);
      // A colleague's build (or dev server) may be rewriting .next: count what is gone instead of crashing.
      if (!existsSync(file)) {
        missing.add(rel);
        return { raw: 0, gzip: 0 };
      }
      const buf = readFileSync(file);
      s = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
      gz.set(rel, s);
    }
    return s;
  };
  const routes: RouteWeight[] = stats.map((r) => {
    const sizes = [...new Set(r.firstLoadChunkPaths)].map(sizeOf);
    return {
      route: r.route,
      chunks: sizes.length,
      rawKB: sizes.reduce((a, s) => a + s.raw, 0) / 1024,
      gzipKB: sizes.reduce((a, s) => a + s.gzip, 0) / 1024,
    };
  });
  routes.sort((a, b) => b.gzipKB - a.gzipKB || a.route.localeCompare(b.route));
  const note = missing.size
    ? `${missing.size} chunk(s) listed in the stats are missing from .next (stale or concurrent build): sizes are incomplete`
    : undefined;
  return { statsFile: path.relative(ROOT, statsFile), routes, largest: routes[0], note };
}

export async function measureWeight(skipBuild: boolean): Promise<WeightResult> {
  let built = false;
  let buildSeconds: number | undefined;
  let buildError: string | undefined;
  if (!skipBuild) {
    try {
      buildSeconds = (await buildConsole()).seconds;
      built = true;
    } catch (err) {
      buildError = err instanceof Error ? err.message.slice(-3000) : String(err);
      progress(`  build failed; reading whatever .next holds. ${buildError.split('\n').slice(-20).join('\n    ')}`);
    }
  }
  const weights = readRouteWeights();
  for (const r of weights.routes) {
    progress(`  ${r.route.padEnd(32)} ${r.gzipKB.toFixed(1).padStart(7)} KB gzip (${r.rawKB.toFixed(0)} KB raw)`);
  }
  return { built, buildSeconds, buildError, ...weights };
}

export function gitInfo(): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}
