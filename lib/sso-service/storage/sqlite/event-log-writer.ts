/**
 * The main thread's side of the event log's writer thread (event-log-worker.ts): `write` posts compiled statements
 * and resolves once they are committed together, or rejects with an error carrying SQLite's code (so the store's
 * error mapping classifies it as it would the driver's own). Jobs run one at a time, in the order written.
 *
 * A thread that stops on its own (a crash, memory exhausted) fails the jobs it held as `unavailable` (transient:
 * the event buffer drops each batch with one warning instead of retrying it row by row). The next write starts a
 * new thread, at most one per `RESTART_AFTER_MS`; until then writes fail at once the same way. Readiness writes an
 * empty job, so it restarts the thread too and reports the log unavailable while it cannot.
 */
import { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';
import { StoreError } from '../errors';
import type { EventLogAnswer, EventLogJob } from './event-log-worker';

/** The least time between two starts of the writer thread after it stopped on its own. */
export const RESTART_AFTER_MS = 1_000;

export interface EventLogWriter {
  /** Commits the statements in one transaction; resolves with the rows they changed. */
  write(statements: readonly CompiledQuery[]): Promise<number>;
  /** Waits for the jobs already written, then stops the thread. */
  close(): Promise<void>;
  /** Stops the thread at once, as a crash would (tests of the restart). */
  crash(): Promise<void>;
}

/** An error the writer thread met, as the driver would have thrown it on this thread. */
export class EventLogWriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SqliteError';
  }
}

interface Waiting {
  resolve: (changes: number) => void;
  reject: (err: Error) => void;
}

export interface EventLogWriterOptions {
  /** Hears why the thread stopped on its own (the service logs it); must not throw. */
  onStop?: (err: Error) => void;
  now?: () => number;
}

export function startEventLogWriter(file: string, opts: EventLogWriterOptions = {}): EventLogWriter {
  const now = opts.now ?? Date.now;
  const waiting = new Map<number, Waiting>();
  let nextId = 1;
  let closing = false;
  /** When the thread stopped on its own (null while it runs). */
  let stoppedAt: number | null = null;

  const start = (): Worker => {
    const worker = new Worker(new URL('./event-log-worker.ts', import.meta.url), { workerData: { file } });
    worker.on('message', (answer: EventLogAnswer) => {
      const w = waiting.get(answer.id);
      if (!w) return;
      waiting.delete(answer.id);
      // Idle, the thread must not keep the process alive; with jobs in flight it is referenced until they are answered.
      if (waiting.size === 0) worker.unref();
      if ('error' in answer) w.reject(new EventLogWriteError(answer.error.message, answer.error.code));
      else w.resolve(answer.changes);
    });
    // 'error' (an uncaught exception in the thread) is followed by 'exit', where the jobs fail.
    let cause: Error | null = null;
    worker.on('error', (err) => (cause = err));
    worker.on('exit', (code) => {
      if (closing) return;
      stoppedAt = now();
      opts.onStop?.(cause ?? new Error(`the event log's writer thread exited with code ${code}`));
      const stopped = new StoreError('unavailable', 'EVENT_LOG_WRITER_STOPPED');
      for (const w of waiting.values()) w.reject(stopped);
      waiting.clear();
    });
    worker.unref();
    return worker;
  };
  let worker = start();

  return {
    write(statements) {
      if (stoppedAt !== null) {
        if (now() - stoppedAt < RESTART_AFTER_MS)
          return Promise.reject(new StoreError('unavailable', 'EVENT_LOG_WRITER_STOPPED'));
        stoppedAt = null;
        worker = start();
      }
      const job: EventLogJob = {
        id: nextId++,
        statements: statements.map((s) => ({ sql: s.sql, parameters: s.parameters })),
      };
      return new Promise<number>((resolve, reject) => {
        if (waiting.size === 0) worker.ref();
        waiting.set(job.id, { resolve, reject });
        worker.postMessage(job);
      });
    },
    async close() {
      if (stoppedAt !== null) return;
      closing = true;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
    async crash() {
      await worker.terminate();
    },
  };
}
