/**
 * Hot reads shared on PostgreSQL by the requests that ask them at about the same time: `batchedRead`, a one-row
 * read by key (the config read by API key, the login's read by org), and `coalescedRead` (below), any read shared
 * by requests with the same parameters.
 *
 * Through node-postgres each statement costs the service about 60–90 µs of CPU whatever it reads (the protocol
 * messages, the result parsing, the pool's bookkeeping), more than the indexed read costs PostgreSQL. So while
 * `MAX_IN_FLIGHT` reads of a statement are on the wire, the keys asked meanwhile wait and go together as one
 * `key = any($1)` statement: 8 keys in one statement cost about 12 µs each instead of 66–95 (bench/RESULTS.md).
 * Requests for the same key share its place (many requests with one org's API key: one single-key statement).
 * A read alone on an idle service goes at once, as before (one `setImmediate` later, so the requests parsed in the
 * same turn of the event loop share it).
 *
 * Consistency is that of one read per request: a key joins only a statement that has not been sent yet, so every
 * statement is sent after each request it answers arrived, and sees every write committed before that. (Joining a
 * statement already on the wire would not: it may have been planned before a write the newcomer depends on.)
 *
 * SQLite is not batched: better-sqlite3 is synchronous and a statement costs a few µs, so there is nothing to
 * share; the single-key statement runs directly.
 */
import { sql, type QueryResult, type SelectQueryBuilder } from 'kysely';
import type { StoreDatabase } from './connect';
import type { Database } from './database';
import { precompile } from './precompiled';

export const BATCHED_READ_LIMITS = {
  /** Batched statements of one read on the wire at once (a second overlaps the first's round trip). */
  inFlight: 2,
  /** Keys per statement at most: the parameter stays small and one slow statement holds few requests. */
  keys: 64,
} as const;
const { inFlight: MAX_IN_FLIGHT, keys: MAX_KEYS } = BATCHED_READ_LIMITS;

/** The column the batched statement returns the key in (to hand each row to the requests that asked for it). */
const BATCH_KEY = 'batch_key';

type AnySelect = SelectQueryBuilder<Database, never, Record<string, unknown>>;

export interface BatchedReadSpec<K extends string | Buffer> {
  /** The statement without its key condition (selects from tables that `key` names). */
  select: () => AnySelect;
  /** The key column, unique among the rows `select` gives (so a key matches one row at most). */
  key: string;
  /** A key as a map key (Buffers compare by content). */
  idOf: (key: K) => string;
}

/** A binary key (an API key's hash) as a map key: one character per byte. */
export const bufferId = (key: Buffer): string => key.toString('latin1');

/** Returns a read of the one row for a key, or undefined when none. */
export function batchedRead<K extends string | Buffer, R extends Record<string, unknown>>(
  database: StoreDatabase,
  spec: BatchedReadSpec<K>,
): (key: K) => Promise<R | undefined> {
  const one = precompile(
    database,
    (p: { key: K }) => spec.select().where(sql.ref(spec.key), '=', p.key) as unknown as AnySelect,
  ) as unknown as (p: { key: K }) => Promise<QueryResult<R>>;
  const readOne = async (key: K): Promise<R | undefined> => (await one({ key })).rows[0];
  if (database.dialect.name !== 'postgres') return readOne;

  const many = precompile(
    database,
    (p: { keys: K[] }) =>
      spec
        .select()
        .select(sql.ref(spec.key).as(BATCH_KEY))
        .where(sql.ref(spec.key), '=', sql`any(${p.keys})`) as unknown as AnySelect,
  ) as unknown as (p: { keys: K[] }) => Promise<QueryResult<R & { [BATCH_KEY]: K }>>;

  interface Waiter {
    resolve(row: R | undefined): void;
    reject(err: unknown): void;
  }
  /** Keys asked and not yet sent, each with the requests waiting for it (insertion order is arrival order). */
  let waiting = new Map<string, { key: K; waiters: Waiter[] }>();
  let inFlight = 0;
  let scheduled = false;

  const send = (): void => {
    scheduled = false;
    while (waiting.size > 0 && inFlight < MAX_IN_FLIGHT) {
      let batch = waiting;
      if (batch.size > MAX_KEYS) {
        const entries = [...batch];
        batch = new Map(entries.slice(0, MAX_KEYS));
        waiting = new Map(entries.slice(MAX_KEYS));
      } else waiting = new Map();
      inFlight++;
      const sent = batch;
      const run: Promise<QueryResult<R>> =
        sent.size === 1
          ? one({ key: sent.values().next().value!.key })
          : many({ keys: [...sent.values()].map((e) => e.key) });
      const settle = (rows: readonly R[]): void => {
        if (sent.size === 1) {
          for (const w of sent.values().next().value!.waiters) w.resolve(rows[0]);
          return;
        }
        const byId = new Map<string, R>();
        for (const row of rows) {
          const { [BATCH_KEY]: key, ...rest } = row as R & { [BATCH_KEY]: K };
          byId.set(spec.idOf(key), rest as unknown as R);
        }
        for (const [id, entry] of sent) for (const w of entry.waiters) w.resolve(byId.get(id));
      };
      const fail = (err: unknown): void => {
        for (const entry of sent.values()) for (const w of entry.waiters) w.reject(err);
      };
      run
        .then(({ rows }) => settle(rows))
        .catch(fail)
        .finally(() => {
          inFlight--;
          send();
        });
    }
  };

  return (key) =>
    new Promise<R | undefined>((resolve, reject) => {
      const id = spec.idOf(key);
      const entry = waiting.get(id);
      if (entry) entry.waiters.push({ resolve, reject });
      else waiting.set(id, { key, waiters: [{ resolve, reject }] });
      if (!scheduled && inFlight < MAX_IN_FLIGHT) {
        scheduled = true;
        setImmediate(send);
      }
    });
}

/**
 * Any read, on PostgreSQL, shared by the requests that ask it with the same parameters (`idOf`) while one
 * statement of it is on the wire: they wait, and the next statement answers them all. For reads that return several
 * rows per key (the domain-routed login's: ordered, limited), where a multi-key statement would need a lateral join
 * per key; the members of one org signing in by their domain ask the same thing. Distinct parameters go at once,
 * side by side. The consistency rule is `batchedRead`'s: a request joins only a statement not yet sent. SQLite runs
 * `read` directly.
 */
export function coalescedRead<P, T>(
  database: StoreDatabase,
  read: (params: P) => Promise<T>,
  idOf: (params: P) => string,
): (params: P) => Promise<T> {
  if (database.dialect.name !== 'postgres') return read;
  interface Waiting {
    params: P;
    waiters: { resolve(value: T): void; reject(err: unknown): void }[];
  }
  /** Parameters with a statement on the wire. */
  const sent = new Set<string>();
  /** Requests not yet sent, by parameters (the ones whose statement is on the wire wait here for the next). */
  const waiting = new Map<string, Waiting>();

  const send = (id: string): void => {
    const entry = waiting.get(id);
    if (entry === undefined) return;
    waiting.delete(id);
    sent.add(id);
    read(entry.params)
      .then(
        (value) => {
          for (const w of entry.waiters) w.resolve(value);
        },
        (err: unknown) => {
          for (const w of entry.waiters) w.reject(err);
        },
      )
      .finally(() => {
        sent.delete(id);
        send(id);
      });
  };

  return (params) =>
    new Promise<T>((resolve, reject) => {
      const id = idOf(params);
      const entry = waiting.get(id);
      if (entry !== undefined) {
        entry.waiters.push({ resolve, reject });
        return;
      }
      waiting.set(id, { params, waiters: [{ resolve, reject }] });
      if (!sent.has(id)) setImmediate(() => send(id));
    });
}
