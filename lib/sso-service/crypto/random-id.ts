import { createRandomPool } from './random-pool';

const random = createRandomPool(8192);

/** Opaque ids such as `dev_…` and `conn_…`; 16 random bytes make collisions irrelevant. */
export function randomId(prefix: string, bytes = 16): string {
  return `${prefix}_${random(bytes).toString('base64url')}`;
}

/**
 * An opaque id whose text starts with its creation time (milliseconds, 9 base36 digits, fixed width until the
 * year 5188), then 16 random bytes: for append-only tables written in bulk (the event log). Ids that sort by time
 * land in the last pages of the primary-key index, so a write of 100 rows dirties a few pages instead of one per
 * row (random ids scatter over the whole index, and SQLite's commit writes every touched page again). The time it
 * tells is the row's `created_at`, which the reader sees anyway; the random part keeps ids unguessable.
 */
export function timeOrderedId(prefix: string, nowMs: number, bytes = 16): string {
  return `${prefix}_${nowMs.toString(36).padStart(9, '0')}${random(bytes).toString('base64url')}`;
}
