import { describe, expect, it } from 'vitest';
import { BatchBuffer } from '@/lib/sso-service/features/events/buffer';

function buffer(opts: { flushMs?: number; maxBatch?: number; maxQueued?: number; fail?: boolean } = {}) {
  const batches: number[][] = [];
  const drops: number[] = [];
  const b = new BatchBuffer<number>(
    async (batch) => {
      if (opts.fail) throw new Error('database down');
      batches.push(batch);
    },
    {
      flushMs: opts.flushMs ?? 50,
      maxBatch: opts.maxBatch ?? 100,
      maxQueued: opts.maxQueued ?? 1000,
      onDrop: (n) => drops.push(n),
    },
  );
  return { b, batches, drops };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event buffer', () => {
  it('writes nothing on push, then everything queued as one batch after the interval', async () => {
    const { b, batches } = buffer();
    for (let i = 0; i < 5; i++) b.push(i);
    expect(batches).toEqual([]);
    await sleep(120);
    expect(batches).toEqual([[0, 1, 2, 3, 4]]);
    expect(b.stats).toMatchObject({ pushed: 5, written: 5, batches: 1, dropped: 0 });
  });

  it('flushes at once when a batch is full, and close() writes the rest', async () => {
    const { b, batches } = buffer({ flushMs: 10_000, maxBatch: 3 });
    for (let i = 0; i < 4; i++) b.push(i);
    await sleep(10);
    expect(batches).toEqual([[0, 1, 2]]);
    await b.close();
    expect(batches).toEqual([[0, 1, 2], [3]]);
  });

  it('a failed write drops its batch and says how many; a full queue drops the oldest', async () => {
    const failing = buffer({ fail: true });
    failing.b.push(1);
    failing.b.push(2);
    await failing.b.flush();
    expect(failing.drops).toEqual([2]);
    expect(failing.b.stats.dropped).toBe(2);

    const full = buffer({ flushMs: 10_000, maxQueued: 3 });
    for (let i = 0; i < 5; i++) full.b.push(i);
    await full.b.close();
    expect(full.batches).toEqual([[2, 3, 4]]);
    // Counted per item, reported once by the flush that follows (not one log line per event).
    expect(full.drops).toEqual([2]);
    expect(full.b.stats.dropped).toBe(2);
  });

  it('a write that hangs holds one flush: what arrives meanwhile stays queued within maxQueued, then goes in one flush', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batches: number[][] = [];
    const drops: number[] = [];
    const b = new BatchBuffer<number>(
      async (batch) => {
        if (batches.length === 0) await gate;
        batches.push(batch);
      },
      { flushMs: 5, maxBatch: 10, maxQueued: 50, onDrop: (n) => drops.push(n) },
    );
    for (let i = 0; i < 10; i++) b.push(i); // a full batch: its flush starts and hangs
    await sleep(20);
    // A stalled database while events keep coming: flushes are asked for again and again (timer, full batches).
    for (let i = 10; i < 1010; i++) {
      b.push(i);
      if (i % 100 === 0) await sleep(10);
    }
    expect(batches).toEqual([]);
    expect(b.stats.dropped).toBe(1000 - 50);
    release();
    await b.close();
    expect(batches[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The newest 50, in order, written in chunks of maxBatch.
    expect(batches.slice(1).flat()).toEqual(Array.from({ length: 50 }, (_, k) => 960 + k));
    expect(drops).toEqual([950]);
    expect(b.stats).toMatchObject({ pushed: 1010, written: 60, dropped: 950 });
  });

  it('a batch the database refuses for good is written item by item: only the bad item is lost', async () => {
    const written: number[][] = [];
    const drops: number[] = [];
    const b = new BatchBuffer<number>(
      async (batch) => {
        if (batch.includes(13)) throw new Error('constraint');
        written.push(batch);
      },
      { flushMs: 10_000, maxBatch: 100, maxQueued: 1000, onDrop: (n) => drops.push(n), isTransient: () => false },
    );
    for (const n of [11, 12, 13, 14]) b.push(n);
    await b.close();
    expect(written).toEqual([[11], [12], [14]]);
    expect(drops).toEqual([1]);
    expect(b.stats).toMatchObject({ pushed: 4, written: 3, dropped: 1 });
  });

  it('a passing failure (database busy) drops its batch without trying each item', async () => {
    let calls = 0;
    const b = new BatchBuffer<number>(
      async () => {
        calls++;
        throw new Error('busy');
      },
      { flushMs: 10_000, maxBatch: 100, maxQueued: 1000, onDrop: () => {}, isTransient: () => true },
    );
    for (const n of [1, 2, 3]) b.push(n);
    await b.close();
    expect(calls).toBe(1);
    expect(b.stats).toMatchObject({ written: 0, dropped: 3 });
  });

  it('writes a flush in chunks of writeChunk items and lets other work run between them (SQLite holds the loop)', async () => {
    const order: string[] = [];
    const b = new BatchBuffer<number>(
      async (batch) => {
        order.push(`write ${batch.join(',')}`);
        // A request that arrives while a chunk is written (better-sqlite3 blocks the loop for the whole write).
        setImmediate(() => order.push('request'));
      },
      { flushMs: 10_000, maxBatch: 100, maxQueued: 1000, writeChunk: 2, onDrop: () => {} },
    );
    for (let i = 0; i < 5; i++) b.push(i);
    await b.flush();
    expect(order).toEqual(['write 0,1', 'request', 'write 2,3', 'request', 'write 4']);
    expect(b.stats).toMatchObject({ pushed: 5, written: 5, batches: 3, dropped: 0 });
  });
});
