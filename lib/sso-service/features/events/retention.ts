/**
 * Retention: sign-in and audit events older than the configured number of days are deleted by the service's
 * periodic purge, in chunks with a yield to the event loop between them, so a large backlog never holds the
 * database (or, on SQLite, the event loop) for long.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { EventStore } from '../../storage/events-types';

const PURGE_CHUNK = 1000;
/** Per purge run; the next run (a minute later) continues. */
const MAX_CHUNKS = 200;

export async function purgeOldEvents(store: EventStore, retentionDays: number, nowMs: number): Promise<number> {
  const before = new Date(nowMs - retentionDays * 24 * 60 * 60_000).toISOString();
  let total = 0;
  for (let i = 0; i < MAX_CHUNKS; i++) {
    const purged = await store.purgeEventsBefore(before, PURGE_CHUNK);
    total += purged;
    if (purged === 0) break;
    await yieldToEventLoop();
  }
  return total;
}
