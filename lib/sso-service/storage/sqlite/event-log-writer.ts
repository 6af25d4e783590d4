/**
 * The main thread's side of the event log's writer thread (event-log-worker.ts): `write` posts compiled statements
 * and resolves once they are committed together, or rejects with an error carrying SQLite's code (so the store's
 * error mapping classifies it as it would the driver's own). Jobs run one at a time, in the order written.
 */
import { Worker } from 'node:worker_threads';
import type { CompiledQuery } from 'kysely';
import type { EventLogAnswer, EventLogJob } from './event-log-worker';

export interface EventLogWriter {
  /** Commits the statements in one transaction; resolves with the rows they changed. */
  write(statements: readonly CompiledQuery[]): Promise<number>;
  /** Waits for the jobs already written, then stops the thread. */
  close(): Promise<void>;
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

export function startEventLogWriter(file: string): EventLogWriter {
  const worker = new Worker(new URL('./event-log-worker.ts', import.meta.url), { workerData: { file } });
  const waiting = new Map<number, { resolve: (changes: number) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let failed: Error | null = null;
  const failAll = (err: Error) => {
    failed = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (answer: EventLogAnswer) => {
    const w = waiting.get(answer.id);
    if (!w) return;
    waiting.delete(answer.id);
    // Idle, the thread must not keep the process alive; with jobs in flight it is referenced until they are answered.
    if (waiting.size === 0) worker.unref();
    if ('error' in answer) w.reject(new EventLogWriteError(answer.error.message, answer.error.code));
    else w.resolve(answer.changes);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', () => failAll(new EventLogWriteError('the event log writer has stopped', 'SQLITE_MISUSE')));
  worker.unref();

  return {
    write(statements) {
      if (failed) return Promise.reject(failed);
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
      if (failed) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
