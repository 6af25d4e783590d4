/**
 * The write-ahead log stays bounded (lib/sso-service/storage/sqlite/wal.ts), on a real SQLite file: a log grown
 * past the limit is checkpointed and truncated; while another connection still reads an older snapshot the
 * checkpoint cannot finish, nothing fails, and the next try after that reader is gone truncates it. No data is
 * lost either way.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '@/lib/sso-service/storage/sqlite/open-database';
import { checkpointIfLarge } from '@/lib/sso-service/storage/sqlite/wal';

const LIMIT = 256 * 1024;

function grownDatabase() {
  const dbPath = path.join(mkdtempSync(path.join(tmpdir(), 'gx-wal-')), 'grantex.db');
  const db = openSqliteDatabase(dbPath);
  // No automatic checkpoint, and a short wait for readers: the log only grows until this module acts.
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('busy_timeout = 50');
  const insert = db.prepare(
    "INSERT INTO developers (id, name, email, contact_email, mode, plan, created_at) VALUES (?, ?, NULL, NULL, 'live', 'free', '2026-01-01T00:00:00.000Z')",
  );
  for (let i = 0; i < 2000; i++) insert.run(`dev_${i}`, `Organization ${i} ${'x'.repeat(200)}`);
  return { db, dbPath };
}

const count = (db: Database.Database) => (db.prepare('SELECT count(*) AS n FROM developers').get() as { n: number }).n;

describe('SQLite write-ahead log', () => {
  it('a log past the limit is checkpointed and truncated, with every row kept', () => {
    const { db, dbPath } = grownDatabase();
    // Under its limit, the log is left alone.
    expect(checkpointIfLarge(db, dbPath, 1024 ** 3)).toBeGreaterThan(LIMIT);
    expect(checkpointIfLarge(db, dbPath, LIMIT)).toBe(0);
    expect(count(db)).toBe(2000);
    db.close();
  });

  it('a reader on an older snapshot holds the checkpoint back without an error; the next try truncates', () => {
    const { db, dbPath } = grownDatabase();
    const reader = new Database(dbPath);
    reader.prepare('BEGIN').run();
    expect((reader.prepare('SELECT count(*) AS n FROM developers').get() as { n: number }).n).toBe(2000);
    db.prepare(
      "INSERT INTO developers (id, name, email, contact_email, mode, plan, created_at) VALUES ('dev_late', 'Late', NULL, NULL, 'live', 'free', '2026-01-01T00:00:00.000Z')",
    ).run();
    expect(checkpointIfLarge(db, dbPath, LIMIT)).toBeGreaterThan(LIMIT);
    reader.prepare('COMMIT').run();
    reader.close();
    expect(checkpointIfLarge(db, dbPath, LIMIT)).toBe(0);
    expect(count(db)).toBe(2001);
    db.close();
  });
});
