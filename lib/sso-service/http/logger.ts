/**
 * A deliberately small JSON-lines logger: one JSON.stringify and one write per line, no child loggers or
 * serializers on the hot path. Callers pass only fields that are safe to log (never bodies, headers,
 * query strings, codes, states or secrets).
 */
import SonicBoom from 'sonic-boom';
import type { LogLevel } from '../config';

export type LogSink = (line: string) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface ServiceLogger {
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  log(level: Exclude<LogLevel, 'silent'>, fields: Record<string, unknown>): void;
}

/**
 * Asynchronous stdout: pino's destination (sonic-boom, non-blocking writes). Lines are buffered and handed to the
 * kernel in the background, 4 KB at a time or every STDOUT_FLUSH_MS, whichever comes first, so a request never
 * waits for a write system call (process.stdout writes synchronously to files and pipes, one call per line).
 * What is still buffered when the process exits is written synchronously then; a kill -9 can lose the last
 * STDOUT_FLUSH_MS of lines.
 */
const STDOUT_FLUSH_MS = 250;
let stdout: SonicBoom | undefined;
/** Lines written since the last timed flush (a flush of nothing would still issue a write). */
let unflushed = false;
function asyncStdout(): SonicBoom {
  if (!stdout) {
    const dest = new SonicBoom({ fd: 1, sync: false, minLength: 4096 });
    setInterval(() => {
      if (!unflushed) return;
      unflushed = false;
      dest.flush();
    }, STDOUT_FLUSH_MS).unref();
    process.once('exit', () => {
      try {
        dest.flushSync();
      } catch {
        // Exiting anyway: a write still in flight (or a closed stdout) is not worth an error at exit.
      }
    });
    stdout = dest;
  }
  return stdout;
}

const stdoutSink: LogSink = (line) => {
  asyncStdout().write(line + '\n');
  unflushed = true;
};

export function createServiceLogger(level: LogLevel, sink: LogSink = stdoutSink): ServiceLogger {
  const threshold = RANK[level];
  return {
    enabled: (l) => RANK[l] >= threshold,
    log(l, fields) {
      if (RANK[l] < threshold) return;
      sink(JSON.stringify({ time: new Date().toISOString(), level: l, ...fields }));
    },
  };
}
