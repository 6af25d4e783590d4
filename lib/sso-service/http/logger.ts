/**
 * A deliberately small JSON-lines logger: one JSON.stringify and one write per line, no child loggers or
 * serializers on the hot path. Callers pass only fields that are safe to log (never bodies, headers,
 * query strings, codes, states or secrets).
 */
import type { LogLevel } from '../config';

export type LogSink = (line: string) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export interface ServiceLogger {
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
  log(level: Exclude<LogLevel, 'silent'>, fields: Record<string, unknown>): void;
}

const stdoutSink: LogSink = (line) => {
  process.stdout.write(line + '\n');
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
