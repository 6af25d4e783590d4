/**
 * Reads every stored sign-in and audit event of a service straight from its database (SQLite file or
 * PostgreSQL), with the webhook event bodies waiting in or delivered from the outbox (`{ webhookEvent }`), and
 * checks that none quotes a sensitive value, a token or a signature.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { eventLogPathOf } from '@/lib/sso-service/storage/sqlite/event-log';
import pg from 'pg';
import { expect } from 'vitest';

function webhookEvents(rows: unknown[]): Record<string, unknown>[] {
  return rows.map((row) => ({ webhookEvent: JSON.parse((row as { body: string }).body) as unknown }));
}

export async function readStoredEvents(db: {
  dbPath: string;
  postgresUrl: string | undefined;
}): Promise<Record<string, unknown>[]> {
  // The service writes events in batches every 250 ms: let the last ones land.
  await new Promise((resolve) => setTimeout(resolve, 600));
  if (db.postgresUrl) {
    const client = new pg.Client({ connectionString: db.postgresUrl });
    await client.connect();
    try {
      const signIns = await client.query('SELECT * FROM sign_in_events');
      const audits = await client.query('SELECT * FROM audit_events');
      const webhooks = await client.query('SELECT body FROM webhook_deliveries');
      return [...signIns.rows, ...audits.rows, ...webhookEvents(webhooks.rows)] as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  }
  const sqlite = new Database(db.dbPath, { readonly: true });
  // The event tables live in the event log file beside the database (unqualified names find them there).
  const eventLog = eventLogPathOf(db.dbPath);
  if (existsSync(eventLog)) sqlite.prepare('ATTACH DATABASE ? AS event_log').run(eventLog);
  try {
    return [
      ...sqlite.prepare('SELECT * FROM sign_in_events').all(),
      ...sqlite.prepare('SELECT * FROM audit_events').all(),
      ...webhookEvents(sqlite.prepare('SELECT body FROM webhook_deliveries').all()),
    ] as Record<string, unknown>[];
  } finally {
    sqlite.close();
  }
}

/**
 * No row quotes a sensitive value (plain or URL-encoded), a JWT, a long mixed base64url run (a signature, a
 * sealed state, a code), or has a field named like a token, code, state or nonce.
 */
export function expectCleanEvents(
  rows: readonly Record<string, unknown>[],
  sensitive: Iterable<string>,
  minRows: number,
): void {
  expect(rows.length).toBeGreaterThanOrEqual(minRows);
  const text = JSON.stringify(rows);
  for (const value of sensitive) {
    expect(text.includes(value), `an event contains a sensitive value (${value.slice(0, 6)}…)`).toBe(false);
    expect(
      text.includes(encodeURIComponent(value)),
      `an event contains an encoded sensitive value (${value.slice(0, 6)}…)`,
    ).toBe(false);
  }
  expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\./);
  // A console session token or a break-glass credential, whatever the test passed as sensitive. The prefix must
  // start a run: random ids (a developer id) can hold the letters `gxc_` by chance.
  expect(text).not.toMatch(/(?<![A-Za-z0-9_-])(?:gxc|gxbg)_[A-Za-z0-9_-]{8}/);
  const longRuns = (text.match(/[A-Za-z0-9_-]{80,}/g) ?? []).filter((run) => new Set(run).size > 8);
  expect(longRuns).toEqual([]);
  expect(text.match(/\\?"(nonce|at_hash|c_hash|id_token|access_token|refresh_token|code|state)\\?":/g)).toBeNull();
}
