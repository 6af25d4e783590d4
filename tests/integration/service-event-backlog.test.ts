/**
 * The event log when its database stalls: another connection holds the event tables' write lock (SQLite: the
 * event log file; PostgreSQL: the two tables) while the legacy save keeps being used. The saves all succeed, the
 * service keeps at most `maxQueued` audit events waiting in memory (the oldest beyond it dropped and counted in
 * one warning per flush, not one per event), and once the lock is gone the write that hung and the newest queued
 * events land.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOp, type TestOp } from '@/tests/support/test-op';
import { REDIRECT_URI, saveConfig, signup, startHarness, type Harness, type Org } from '@/tests/support/adversarial';
import { holdEventTablesLock } from '@/tests/support/database-faults';
import { readStoredEvents } from '@/tests/support/stored-events';

const CLIENT = { clientId: 'backlog-client', clientSecret: 'backlog-secret', redirectUris: [REDIRECT_URI] };
const MAX_QUEUED = 30;
/** Saves made while the lock is held: at most this many, and only for this long (inside PostgreSQL's 2 s). */
const MAX_SAVES = 120;
const SAVING_MS = 1_200;

let h: Harness;
let op: TestOp;
let org: Org;
const logs: string[] = [];

beforeAll(async () => {
  op = await startTestOp({ clients: [CLIENT] });
  h = await startHarness({ eventBuffer: { flushMs: 20, maxQueued: MAX_QUEUED } }, { logs });
  org = await signup(h.url);
});

afterAll(async () => {
  await h?.close();
  await op?.close();
});

const save = (n: number) =>
  saveConfig(h.url, org, {
    issuerUrl: op.issuer,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    redirectUri: REDIRECT_URI,
    // A different change each time, so each save's audit event can be told apart (its changed fields).
    ...(n % 2 === 0 ? { scopes: ['openid', 'email'] } : { scopes: ['openid', 'email', 'profile'] }),
  });

describe('audit events while the event tables are locked by another connection', () => {
  it('every save succeeds; at most maxQueued events wait in memory, the oldest dropped and counted; the rest land after', async () => {
    const first = await save(0);
    expect(first.status, first.text).toBe(201);
    // The first save's event is written before the lock is taken.
    await expect.poll(async () => (await auditTimes()).length, { timeout: 5_000 }).toBe(1);

    const lock = await holdEventTablesLock(h);
    const lockedAt = Date.now();
    /** Each save's time window: its audit event's created_at falls inside it (the windows never touch). */
    const windows: { n: number; from: number; to: number }[] = [];
    let saves = 0;
    try {
      for (let n = 1; n <= MAX_SAVES && Date.now() - lockedAt < SAVING_MS; n++) {
        const from = Date.now();
        const res = await save(n);
        expect(res.status, res.text).toBe(201);
        windows.push({ n, from, to: Date.now() });
        saves = n;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    } finally {
      // Within both backends' wait for a lock (busy timeout 5 s, statement timeout 2 s): the write that hung lands.
      await lock.release();
    }
    // Enough saves that the queue overflowed even if the flush that hung took many.
    expect(saves).toBeGreaterThan(MAX_QUEUED + 20);

    const times = await settledAuditTimes();
    const kept = times.slice(1).map((t) => {
      const found = windows.filter((w) => w.from <= t && t <= w.to);
      expect(found).toHaveLength(1);
      return found[0]!.n;
    });
    // Kept: the flush that hung when the lock was taken (saves 1..k), then the newest MAX_QUEUED. The saves between
    // them were dropped while the write waited; without the bound all of them would have been held in memory.
    const k = kept.findIndex((n, i) => n !== i + 1);
    expect(k).toBeGreaterThan(0);
    const newest = Array.from({ length: MAX_QUEUED }, (_, i) => saves - MAX_QUEUED + 1 + i);
    expect(kept).toEqual([...Array.from({ length: k }, (_, i) => i + 1), ...newest]);
    // Every drop was counted, in a few warnings rather than one per event.
    const dropped = droppedCounts();
    expect(dropped.reduce((a, b) => a + b, 0)).toBe(saves - k - MAX_QUEUED);
    expect(dropped.length).toBeLessThan(10);
  });
});

/** The stored `config.saved` events' times (ms), oldest first. */
async function auditTimes(): Promise<number[]> {
  return (await readStoredEvents(h))
    .filter((r) => r.action === 'config.saved')
    .map((r) => Date.parse(String(r.created_at)))
    .sort((a, b) => a - b);
}

/** The stored times once they stop changing (the write that hung, then the flush after it). */
async function settledAuditTimes(): Promise<number[]> {
  let times = await auditTimes();
  for (;;) {
    const again = await auditTimes();
    if (again.length === times.length) return again;
    times = again;
  }
}

function droppedCounts(): number[] {
  return logs
    .map((line) => JSON.parse(line) as { msg?: string; count?: number })
    .filter((l) => l.msg === 'audit events dropped')
    .map((l) => Number(l.count));
}
