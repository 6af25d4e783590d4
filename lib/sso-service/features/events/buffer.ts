/**
 * Batches writes off the request path: `push` only appends to an array; a flush writes everything queued every
 * `flushMs`, or as soon as `maxBatch` items wait. One write runs at a time. `close` flushes what is left.
 *
 * A flush writes in chunks of at most `writeChunk` items (one multi-row insert each), yielding to the event loop
 * between chunks: on SQLite a write runs synchronously on the one connection, so a 500-row insert would hold
 * every request behind it for milliseconds; chunks of a few dozen rows let requests run in between.
 *
 * What a crash (kill -9, power loss) can lose: the items pushed since the last flush started, i.e. at most one
 * flush interval of events (250 ms by default), plus the batch being written if the process dies mid-write.
 * A write that fails for a passing reason (`isTransient`: the database busy or unreachable) drops its batch, logged
 * with the count. One the database refused for good (a row it will not take) is written again item by item, so a
 * bad item loses only itself, never the events beside it.
 *
 * Memory is bounded by `maxQueued` plus the flush being written, even when a write hangs (a lock held elsewhere,
 * a stalled disk or database): while one flush is written, what arrives stays queued, where the oldest items past
 * `maxQueued` are dropped and counted, and the next flush takes it all when the write ends.
 */
export interface BatchBufferOptions {
  flushMs: number;
  maxBatch: number;
  maxQueued: number;
  /** Items per write (a write is one insert, with its outbox rows, in one transaction). Default: maxBatch. */
  writeChunk?: number;
  /** A batch could not be written (it is dropped), or items were dropped because the queue was full. */
  onDrop(count: number, err: unknown): void;
  /** The failure will pass (retrying item by item would fail the same way). Absent: every failure is. */
  isTransient?(err: unknown): boolean;
}

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

export class BatchBuffer<T> {
  private queue: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** The flush being written, if any. */
  private current: Promise<void> | null = null;
  /** The flush that starts when `current` ends, taking what is queued then (one, however often flush is asked). */
  private next: Promise<void> | null = null;
  private closed = false;
  /** Items dropped from the full queue since the last flush started (reported by that flush). */
  private overflowed = 0;
  /** Counters for tests and health. */
  readonly stats = { pushed: 0, written: 0, dropped: 0, batches: 0 };

  constructor(
    private readonly write: (batch: T[]) => Promise<void>,
    private readonly opts: BatchBufferOptions,
  ) {}

  push(item: T): void {
    this.stats.pushed++;
    this.queue.push(item);
    if (this.queue.length > this.opts.maxQueued) {
      // The oldest goes (V8 trims an array's front in place); reported once per flush, not once per item.
      this.queue.shift();
      this.stats.dropped++;
      this.overflowed++;
    }
    if (this.queue.length >= this.opts.maxBatch) {
      void this.flush();
    } else if (!this.timer && !this.closed) {
      this.timer = setTimeout(() => void this.flush(), this.opts.flushMs);
      this.timer.unref();
    }
  }

  /** Writes everything queued so far (after any write already running); never rejects. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    // `next` outlives `current` by a microtask (its callback runs after current's `finally`): it starts then.
    if (this.current === null) return this.next ?? this.start();
    this.next ??= this.current.then(() => {
      this.next = null;
      return this.start();
    });
    return this.next;
  }

  /** Takes the queue and writes it, chunk after chunk. */
  private start(): Promise<void> {
    if (this.overflowed > 0) {
      this.opts.onDrop(this.overflowed, new Error('event queue full'));
      this.overflowed = 0;
    }
    const queued = this.queue;
    if (queued.length === 0) return Promise.resolve();
    this.queue = [];
    const size = Math.max(1, this.opts.writeChunk ?? this.opts.maxBatch);
    const written = (async () => {
      for (let i = 0; i < queued.length; i += size) {
        await this.writeChunk(i === 0 && queued.length <= size ? queued : queued.slice(i, i + size));
      }
    })();
    this.current = written.finally(() => {
      this.current = null;
    });
    return this.current;
  }

  private async writeChunk(batch: T[]): Promise<void> {
    // Requests that arrived during the previous write run before this one.
    await yieldToEventLoop();
    try {
      await this.write(batch);
      this.stats.written += batch.length;
      this.stats.batches++;
    } catch (err) {
      if (batch.length > 1 && this.opts.isTransient && !this.opts.isTransient(err)) {
        await this.writeOneByOne(batch);
        return;
      }
      this.stats.dropped += batch.length;
      this.opts.onDrop(batch.length, err);
    }
  }

  private async writeOneByOne(batch: T[]): Promise<void> {
    for (const item of batch) {
      try {
        await this.write([item]);
        this.stats.written++;
        this.stats.batches++;
      } catch (err) {
        this.stats.dropped++;
        this.opts.onDrop(1, err);
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }
}
