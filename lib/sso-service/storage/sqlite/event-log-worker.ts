/**
 * The event log's writer thread (event-log-writer.ts starts it): runs each job's statements in one transaction on
 * its own connection to the event log file and answers with the rows changed or the error's code and message.
 * Node loads this file itself (type stripping), with no bundler or path aliases: it imports packages and, by
 * relative path with their extension, connection-setup.ts and wal.ts; its types are erasable.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { applyPragmas, statementCache } from './connection-setup.ts';
import { boundWal } from './wal.ts';

export interface EventLogJob {
  id: number;
  statements: { sql: string; parameters: readonly unknown[] }[];
}

export type EventLogAnswer =
  { id: number; changes: number } | { id: number; error: { message: string; code: string | undefined } };

const { file } = workerData as { file: string };
const db = new Database(file, { fileMustExist: true });
applyPragmas(db);
// The log's WAL is bounded here, by its one writer, so a checkpoint never holds up the main thread (wal.ts).
const stopWal = boundWal(db, file);
/** Batches come in a few sizes: each size's insert is prepared once. */
const statement = statementCache(db, 100);

const runAll = db.transaction((statements: EventLogJob['statements']) => {
  let changes = 0;
  for (const s of statements) changes += statement(s.sql).run(s.parameters).changes;
  return changes;
});

parentPort!.on('message', (job: EventLogJob | 'close') => {
  if (job === 'close') {
    stopWal();
    db.close();
    parentPort!.close();
    return;
  }
  let answer: EventLogAnswer;
  try {
    answer = { id: job.id, changes: runAll.immediate(job.statements) };
  } catch (err) {
    const e = err as { message?: unknown; code?: unknown };
    answer = {
      id: job.id,
      error: { message: String(e.message), code: typeof e.code === 'string' ? e.code : undefined },
    };
  }
  parentPort!.postMessage(answer);
});
