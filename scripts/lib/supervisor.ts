/**
 * Runs the parts of the stack as child processes with prefixed, coloured output and stops them together.
 * Children share our process group on purpose: if we are SIGKILLed (Playwright does that to its webServer's
 * group), the children go down with us instead of holding the ports.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';

const COLOURS = [36, 35, 33, 32, 34]; // cyan, magenta, yellow, green, blue
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

export function paint(code: number, text: string): string {
  return useColour ? `\x1b[${code}m${text}\x1b[0m` : text;
}
export const bold = (t: string) => paint(1, t);
export const red = (t: string) => paint(31, t);
export const green = (t: string) => paint(32, t);

export interface Part {
  name: string;
  child: ChildProcess;
  /** Resolves with the first IPC message the child sends (only for children spawned with ipc). */
  message: Promise<unknown>;
}

export class Supervisor {
  private readonly parts: Part[] = [];
  private stopping = false;
  private readonly width: number;
  private readonly stopped: Promise<number>;
  private resolveStopped!: (code: number) => void;

  constructor(names: string[]) {
    this.width = Math.max(...names.map((n) => n.length));
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(signal, () => {
        if (this.stopping) return;
        log(`\n${bold(`Received ${signal}, stopping everything…`)}`);
        void this.stop(signal === 'SIGINT' ? 130 : 143);
      });
    }
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Resolves with the exit code the orchestrator should use once every child is gone. */
  done(): Promise<number> {
    return this.stopped;
  }

  start(
    name: string,
    command: string,
    args: string[],
    options: Omit<SpawnOptions, 'env'> & { ipc?: boolean; env?: Record<string, string | undefined> } = {},
  ): Part {
    const colour = COLOURS[this.parts.length % COLOURS.length] ?? 36;
    const prefix = paint(colour, `${name.padEnd(this.width)} │`);
    const { ipc, env, ...spawnOptions } = options;
    const child = spawn(command, args, {
      ...spawnOptions,
      // Next's types make NODE_ENV mandatory in ProcessEnv; a child's env legitimately may lack it.
      env: env as NodeJS.ProcessEnv | undefined,
      stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
    });
    // stderr stays stderr, so a caller can keep errors while dropping request logs (Playwright's webServer does).
    for (const [stream, sink] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => sink.write(`${prefix} ${line}\n`));
    }
    const message = new Promise<unknown>((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', () => reject(new Error(`${name} exited before it was ready`)));
      child.once('error', reject);
    });
    message.catch(() => undefined); // observed via waitFor; avoid unhandled rejections
    child.on('error', (err) => {
      warn(red(`${name} could not be started: ${err.message}`));
      void this.stop(1);
    });
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      // A Ctrl-C reaches the whole process group at once; give our own signal handler the chance to run first.
      setTimeout(() => {
        if (this.stopping) return;
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        warn(red(bold(`\n${name} ${how}; stopping the other parts. Scroll up for ${name}'s last lines.`)));
        void this.stop(code && code !== 0 ? code : 1);
      }, 150);
    });
    const part: Part = { name, child, message };
    this.parts.push(part);
    return part;
  }

  /** SIGTERM to every child, SIGKILL to those still alive after the grace period. */
  async stop(exitCode: number, graceMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const alive = this.parts.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    await Promise.all(
      alive.map(
        (p) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              log(`${p.name} did not stop within ${graceMs / 1000}s; killing it.`);
              p.child.kill('SIGKILL');
            }, graceMs);
            p.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            p.child.kill('SIGTERM');
          }),
      ),
    );
    this.resolveStopped(exitCode);
  }
}

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}
