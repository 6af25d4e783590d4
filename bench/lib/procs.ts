import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress } from './log';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Child {
  name: string;
  proc: ChildProcess;
  pid: number;
  /** Last lines of stdout+stderr, for error messages when the child dies. */
  tail(): string;
  exited: Promise<number | null>;
  hasExited(): boolean;
}

const running = new Set<Child>();

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * Next needs a fixed port; the team reserved 3700–3799 for consoles. Start at a random offset to dodge
 * colleagues, and return several candidates: the console starts minutes later, when one may be taken.
 */
export async function freeConsolePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const offset = Math.floor(Math.random() * 100);
  const found: number[] = [];
  for (let i = 0; i < 100 && found.length < count; i++) {
    const port = 3700 + ((offset + i) % 100);
    if (await portIsFree(port, host)) found.push(port);
  }
  if (found.length === 0) throw new Error('no free port in 3700–3799');
  return found;
}

export async function firstFreePort(ports: readonly number[], host = '127.0.0.1'): Promise<number | undefined> {
  for (const port of ports) if (await portIsFree(port, host)) return port;
  return undefined;
}

export interface SpawnOptions {
  env: Record<string, string>;
  /** Arguments after the node executable, e.g. ['--import', 'tsx', 'scripts/grantex.ts']. */
  args: string[];
  /** Print the child's output live (debugging). */
  verbose?: boolean;
  /** Send the child's stdout to this file instead of the bench (a service logging every request at `info`). */
  stdoutFile?: string;
}

export function spawnNode(name: string, options: SpawnOptions): Child {
  // Run node directly (not the tsx CLI, which forks a second process) so the pid we sample
  // for VmHWM/RSS is the server itself.
  return spawnProcess(name, process.execPath, options);
}

/** Any program as a bench child: detached = own process group, so stop() also reaches anything it forks. */
export function spawnProcess(name: string, command: string, { env, args, verbose, stdoutFile }: SpawnOptions): Child {
  const lines: string[] = [];
  const out = stdoutFile === undefined ? 'pipe' : openSync(stdoutFile, 'a');
  const proc = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', FORCE_COLOR: '0', ...env },
    stdio: ['ignore', out, 'pipe'],
    detached: true,
  });
  if (typeof out === 'number') closeSync(out);
  if (proc.pid === undefined) throw new Error(`${name}: spawn failed`);
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > 60) lines.shift();
      if (verbose) process.stderr.write(`  [${name}] ${line}\n`);
    }
  };
  proc.stdout?.on('data', collect);
  proc.stderr?.on('data', collect);
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => {
      done = true;
      resolve(code);
    });
  });
  const child: Child = {
    name,
    proc,
    pid: proc.pid,
    tail: () => lines.join('\n'),
    exited,
    hasExited: () => done,
  };
  running.add(child);
  void exited.then(() => running.delete(child));
  return child;
}

export function spawnTsx(
  name: string,
  script: string,
  env: Record<string, string>,
  verbose = false,
  nodeArgs: string[] = [],
  stdoutFile?: string,
): Child {
  return spawnNode(name, {
    env,
    args: [...nodeArgs, '--import', 'tsx', script],
    verbose,
    ...(stdoutFile ? { stdoutFile } : {}),
  });
}

/** Polls until the URL answers with any HTTP status (a 401/404 still proves the server is up). */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.hasExited()) {
      throw new Error(`${child.name} exited before it was ready. Output:\n${child.tail()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
      await res.arrayBuffer();
      return;
    } catch (err) {
      lastError = String(err);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${child.name} not ready at ${url} after ${timeoutMs} ms (${lastError}). Output:\n${child.tail()}`);
}

function killGroup(child: Child, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      process.kill(child.pid, signal);
    } catch {
      /* already gone */
    }
  }
}

export async function stop(child: Child, graceMs = 5_000): Promise<void> {
  if (child.hasExited()) return;
  killGroup(child, 'SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    progress(`${child.name} ignored SIGTERM for ${graceMs} ms; killing`);
    killGroup(child, 'SIGKILL');
    await child.exited;
  }
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((c) => stop(c)));
}

let cleanupInstalled = false;
/** Children must not outlive the bench, whether it ends normally, fails or is interrupted. */
export function installCleanup(extra: () => Promise<void> = async () => {}): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping everything the bench started`);
    void Promise.allSettled([extra(), stopAll()]).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => {
    for (const child of running) killGroup(child, 'SIGKILL');
  });
}

export interface ProcMemory {
  /** Current resident set, MiB. */
  rssMiB: number;
  /** Peak resident set since start (VmHWM), MiB. */
  hwmMiB: number;
}

export function readMemory(pid: number): ProcMemory | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { rssMiB: kb('VmRSS') / 1024, hwmMiB: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Linux's USER_HZ: /proc reports CPU times in these ticks on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * The process's CPU time so far (user + system, all threads), in milliseconds, from /proc. Per request it is a
 * steadier figure than req/s on a shared machine: other load slows the clock time of a request far more than it
 * changes the work the service does for it.
 */
export function readCpuMs(pid: number): number {
  return cpuMsOfStat(`/proc/${pid}/stat`);
}

/** CPU milliseconds (user + system) in a /proc `stat` file: a process's, or one thread's (`/proc/<pid>/task/<tid>/stat`). */
export function cpuMsOfStat(statPath: string): number {
  try {
    const stat = readFileSync(statPath, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** Samples RSS while a load runs: VmHWM alone cannot tell a spike from growth. */
export function sampleMemory(pid: number, everyMs = 250): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    const m = readMemory(pid);
    if (m) samples.push(m.rssMiB);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}
