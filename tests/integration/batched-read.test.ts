/**
 * The batched hot read (storage/batched-read.ts) on the selected backend (GRANTEX_TEST_DATABASE_URL): every
 * request gets its own key's row, and on PostgreSQL concurrent keys share one statement but never one that was
 * already sent (a read must see every write committed before it was asked).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCHED_READ_LIMITS, batchedRead, bufferId, coalescedRead } from '@/lib/sso-service/storage/batched-read';
import { precompile } from '@/lib/sso-service/storage/precompiled';
import { postgresDatabase, sqliteDatabase, type StoreDatabase } from '@/lib/sso-service/storage/connect';
import { migratePg } from '@/lib/sso-service/storage/postgres/migrations';
import { openSqliteDatabase } from '@/lib/sso-service/storage/sqlite/open-database';
import { createDatabaseAt } from '@/tests/support/postgres-server';
import { onPostgres, TEST_PG_ADMIN_URL, testBackend } from '@/tests/support/test-database';

let database: StoreDatabase;
let close: () => Promise<void> = async () => {};

/** The real database, with each statement it runs counted; `hold` keeps the next result back until released. */
function observed(): {
  db: StoreDatabase;
  statements: unknown[][];
  hold(): { ran: Promise<void>; release(): void };
  failNext(): void;
} {
  const statements: unknown[][] = [];
  let held: { ran: () => void; gate: Promise<void> } | undefined;
  let fail = false;
  return {
    statements,
    db: {
      ...database,
      async run<R>(compiled: CompiledQuery<R>) {
        statements.push([...compiled.parameters]);
        if (fail) {
          fail = false;
          throw new Error('statement failed');
        }
        const h = held;
        held = undefined;
        const result = await database.run(compiled);
        if (h) {
          h.ran();
          await h.gate;
        }
        return result;
      },
    },
    hold() {
      let ran!: () => void;
      let release!: () => void;
      const ranP = new Promise<void>((r) => (ran = r));
      held = { ran, gate: new Promise<void>((r) => (release = r)) };
      return { ran: ranP, release };
    },
    failNext() {
      fail = true;
    },
  };
}

const readOf = (db: StoreDatabase) =>
  batchedRead<string, { name: string }>(db, {
    select: () => db.db.selectFrom('developers').select(['name']) as never,
    key: 'developers.id',
    idOf: (id) => id,
  });

const ids = Array.from({ length: 150 }, (_, i) => `dev_batch_${i}`);

beforeAll(async () => {
  if (onPostgres) {
    const url = await createDatabaseAt(TEST_PG_ADMIN_URL!, `gx_${randomBytes(6).toString('hex')}`);
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    await migratePg(pool);
    database = postgresDatabase(pool);
    close = () => pool.end();
  } else {
    const sqlite = openSqliteDatabase(path.join(mkdtempSync(path.join(tmpdir(), 'gx-batch-')), 'db.sqlite'));
    database = sqliteDatabase(sqlite);
    close = async () => {
      sqlite.close();
    };
  }
  const email = database.dialect.developerEmail;
  await database.db
    .insertInto('developers')
    .values(
      ids.map((id) => ({
        id,
        name: `name of ${id}`,
        [email]: `${id}@example.com`,
        mode: 'live',
        plan: 'free',
        created_at: new Date().toISOString(),
      })) as never,
    )
    .execute();
});
afterAll(() => close());

describe(`batched read (${testBackend})`, () => {
  it('answers each request with its own key’s row, and a missing key with nothing', async () => {
    const o = observed();
    const read = readOf(o.db);
    const asked = [ids[0]!, ids[1]!, ids[0]!, 'dev_missing', ids[2]!];
    const rows = await Promise.all(asked.map((id) => read(id)));
    expect(rows.map((r) => r?.name)).toEqual([
      `name of ${ids[0]}`,
      `name of ${ids[1]}`,
      `name of ${ids[0]}`,
      undefined,
      `name of ${ids[2]}`,
    ]);
    // The rows carry only the selected columns (the batch's key column is not handed out).
    expect(Object.keys(rows[0]!)).toEqual(['name']);
    // PostgreSQL: asked in one turn of the event loop, the four distinct keys went as one statement.
    expect(o.statements).toHaveLength(onPostgres ? 1 : asked.length);
    if (onPostgres) expect(o.statements[0]).toEqual([[ids[0], ids[1], 'dev_missing', ids[2]]]);
  });

  it('binary keys (API key hashes): each request gets its own key’s org, distinct keys in one statement', async () => {
    const hashes = ids.slice(0, 3).map((id) => createHash('sha256').update(id).digest());
    await database.db
      .insertInto('api_keys')
      .values(hashes.map((h, i) => ({ key_hash: h, developer_id: ids[i]!, created_at: new Date().toISOString() })))
      .execute();
    const o = observed();
    const read = batchedRead<Buffer, { developer_id: string }>(o.db, {
      select: () => o.db.db.selectFrom('api_keys as k').select(['k.developer_id']) as never,
      key: 'k.key_hash',
      idOf: bufferId,
    });
    const unknown = createHash('sha256').update('no such key').digest();
    const asked = [hashes[2]!, hashes[0]!, unknown, hashes[1]!, Buffer.from(hashes[0]!)];
    const rows = await Promise.all(asked.map((h) => read(h)));
    expect(rows.map((r) => r?.developer_id)).toEqual([ids[2], ids[0], undefined, ids[1], ids[0]]);
    expect(o.statements).toHaveLength(onPostgres ? 1 : asked.length);
  });

  it('splits more keys than one statement takes, and answers them all', async () => {
    const o = observed();
    const read = readOf(o.db);
    const rows = await Promise.all(ids.map((id) => read(id)));
    expect(rows.map((r) => r?.name)).toEqual(ids.map((id) => `name of ${id}`));
    if (onPostgres) {
      expect(o.statements.length).toBe(Math.ceil(ids.length / BATCHED_READ_LIMITS.keys));
      for (const [keys] of o.statements)
        expect((keys as string[]).length).toBeLessThanOrEqual(BATCHED_READ_LIMITS.keys);
    }
  });

  it.runIf(onPostgres)(
    'never joins a statement already sent: a read sees a write committed before it was asked',
    async () => {
      const o = observed();
      const read = readOf(o.db);
      const id = ids[3]!;
      await database.db.updateTable('developers').set({ name: 'before' }).where('id', '=', id).execute();
      const held = o.hold();
      const first = read(id);
      await held.ran; // the first statement has read the row; its answer is held back
      await database.db.updateTable('developers').set({ name: 'after' }).where('id', '=', id).execute();
      const second = read(id);
      // Answered while the first is still held: it went as a statement of its own, after the write.
      expect((await second)?.name).toBe('after');
      held.release();
      expect((await first)?.name).toBe('before');
      expect(o.statements).toHaveLength(2);
    },
  );

  it.runIf(onPostgres)('a failed statement fails every request in it, and the next statement runs', async () => {
    const o = observed();
    const read = readOf(o.db);
    o.failNext();
    const failed = await Promise.allSettled([read(ids[4]!), read(ids[5]!)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await read(ids[4]!))?.name).toBe(`name of ${ids[4]}`);
  });
});

/** A read of several rows per parameter set (names of the given ids), shared by identical parameter sets. */
const sharedReadOf = (db: StoreDatabase) =>
  coalescedRead(
    db,
    precompile(db, (p: { a: string; b: string }) =>
      db.db.selectFrom('developers').select(['name']).where('id', 'in', [p.a, p.b]).orderBy('id'),
    ),
    (p) => `${p.a}\0${p.b}`,
  );

describe(`coalesced read (${testBackend})`, () => {
  it('identical parameters in one turn share a statement; different ones get their own', async () => {
    const o = observed();
    const read = sharedReadOf(o.db);
    const one = { a: ids[10]!, b: ids[11]! };
    const other = { a: ids[12]!, b: ids[13]! };
    const results = await Promise.all([read(one), read(other), read({ ...one })]);
    expect(results.map((r) => r.rows.map((row) => row.name))).toEqual([
      [`name of ${ids[10]}`, `name of ${ids[11]}`],
      [`name of ${ids[12]}`, `name of ${ids[13]}`],
      [`name of ${ids[10]}`, `name of ${ids[11]}`],
    ]);
    expect(o.statements).toHaveLength(onPostgres ? 2 : 3);
  });

  it.runIf(onPostgres)('never joins a statement already sent, and other parameters do not wait for it', async () => {
    const o = observed();
    const read = sharedReadOf(o.db);
    const params = { a: ids[14]!, b: ids[15]! };
    await database.db.updateTable('developers').set({ name: 'before' }).where('id', '=', ids[14]!).execute();
    const held = o.hold();
    const first = read(params);
    await held.ran; // the first statement has read the rows; its answer is held back
    await database.db.updateTable('developers').set({ name: 'after' }).where('id', '=', ids[14]!).execute();
    const second = read({ ...params });
    // Other parameters go at once, beside the held statement.
    expect((await read({ a: ids[16]!, b: ids[17]! })).rows).toHaveLength(2);
    held.release();
    expect((await first).rows[0]?.name).toBe('before');
    // The same parameters waited for the held statement, then went as a statement of their own, after the write.
    expect((await second).rows[0]?.name).toBe('after');
    expect(o.statements).toHaveLength(3);
  });
});
