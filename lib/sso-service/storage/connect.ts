/**
 * Kysely over each driver, with what the hand-written stores had: SQLite statements prepared once (a cache by
 * SQL text in front of better-sqlite3) and write transactions that take the write lock up front
 * (`BEGIN IMMEDIATE`, so two writers never deadlock on a lock upgrade); PostgreSQL statements named, so each
 * pooled connection parses and plans a statement once. Pool settings, pragmas and migrations are where they
 * were (postgres/store.ts, sqlite/open-database.ts).
 */
import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Driver,
  type LimitNode,
  type OffsetNode,
  type QueryCompiler,
  type PostgresPool,
  type PostgresPoolClient,
  type QueryResult,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';
import type pg from 'pg';
import type { Database, Db } from './database';
import { POSTGRES, SQLITE, type Dialect } from './dialect';
import { statementCache } from './sqlite/connection-setup';

/** What every store slice is written against: the query builder and the few dialect differences. */
export interface StoreDatabase {
  readonly db: Db;
  readonly dialect: Dialect;
  /**
   * Runs one already compiled statement straight on the driver (no Kysely executor): for `precompile`d hot
   * statements. On SQLite it waits its turn like any Kysely query while a transaction holds the connection.
   */
  run<R>(compiled: CompiledQuery<R>): Promise<QueryResult<R>>;
}

/** Distinct statements kept prepared/named; the service has a few dozen (multi-row event batches vary by size). */
const STATEMENT_CACHE_MAX = 500;

/** Whether a Kysely transaction holds SQLite's one connection (a direct statement would run inside it). */
interface TransactionState {
  open: boolean;
}

class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly state: TransactionState,
  ) {
    super(config);
  }
  // Marked open before BEGIN runs (it runs synchronously inside executeQuery; a mark set after the await would
  // leave a tick in which a direct statement joins the transaction), closed after COMMIT/ROLLBACK.
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    this.state.open = true;
    try {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    } catch (err) {
      this.state.open = false;
      throw err;
    }
  }
  override async commitTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.commitTransaction(connection);
    } finally {
      this.state.open = false;
    }
  }
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await super.rollbackTransaction(connection);
    } finally {
      this.state.open = false;
    }
  }
}

class StoreSqliteDialect extends SqliteDialect {
  constructor(
    private readonly storeConfig: SqliteDialectConfig,
    private readonly state: TransactionState,
  ) {
    super(storeConfig);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.storeConfig, this.state);
  }
  override createQueryCompiler(): QueryCompiler {
    return new IntegerLimitCompiler();
  }
}

/**
 * LIMIT and OFFSET written `cast(? as integer)` instead of a bare `?`. SQLite's planner reads a bare parameter's
 * bound value for the LIMIT, so it marks the statement to be planned again each time that parameter is bound: a
 * one-row indexed read through better-sqlite3 took 6.3 µs without a LIMIT, 13.8 µs with `limit ?` and 5.6 µs
 * with the cast. Bounded reads sit on the hot paths (the redirect-URI holder on each config save, the domain
 * routing of logins).
 */
class IntegerLimitCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    this.append('limit cast(');
    this.visitNode(node.limit);
    this.append(' as integer)');
  }
  protected override visitOffset(node: OffsetNode): void {
    this.append('offset cast(');
    this.visitNode(node.offset);
    this.append(' as integer)');
  }
}

/** better-sqlite3 with its statements prepared once per SQL text (Kysely prepares on every execution). */
function preparedOnce(db: BetterSqlite3.Database): SqliteDatabase & { prepare(text: string): BetterSqlite3.Statement } {
  return { close: () => db.close(), prepare: statementCache(db, STATEMENT_CACHE_MAX) };
}

export function sqliteDatabase(sqlite: BetterSqlite3.Database): StoreDatabase {
  const state: TransactionState = { open: false };
  const database = preparedOnce(sqlite);
  const db = new Kysely<Database>({ dialect: new StoreSqliteDialect({ database }, state) });
  return {
    db,
    dialect: SQLITE,
    // better-sqlite3 runs a statement synchronously, so outside a transaction nothing can interleave with it.
    run<R>(compiled: CompiledQuery<R>): Promise<QueryResult<R>> {
      if (state.open) return db.executeQuery(compiled);
      try {
        const statement = database.prepare(compiled.sql);
        if (statement.reader) return Promise.resolve({ rows: statement.all(compiled.parameters) as R[] });
        return Promise.resolve({ rows: [], numAffectedRows: BigInt(statement.run(compiled.parameters).changes) });
      } catch (err) {
        return Promise.reject(err);
      }
    },
  };
}

/** A pool whose clients run every statement under a name derived from its text (unnamed past the cap). */
function namedStatements(pool: pg.Pool, nameOf: (text: string) => string | undefined): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let w = wrapped.get(client);
    if (w === undefined) {
      const named: PostgresPoolClient = {
        query: ((text: unknown, values?: unknown[]) =>
          typeof text === 'string'
            ? client.query({ name: nameOf(text), text, values })
            : client.query(text as pg.QueryConfig)) as unknown as PostgresPoolClient['query'],
        release: (destroy?: boolean) => client.release(destroy),
      };
      w = named;
      wrapped.set(client, w);
    }
    return w;
  };
  return {
    options: pool.options,
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}

export function postgresDatabase(pool: pg.Pool): StoreDatabase {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < STATEMENT_CACHE_MAX) {
      name = `gx_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: namedStatements(pool, nameOf) }) }),
    dialect: POSTGRES,
    async run<R>(compiled: CompiledQuery<R>): Promise<QueryResult<R>> {
      const result = await pool.query({
        name: nameOf(compiled.sql),
        text: compiled.sql,
        values: compiled.parameters as unknown[],
      });
      return {
        rows: result.rows as R[],
        numAffectedRows: result.command === 'SELECT' ? undefined : BigInt(result.rowCount ?? 0),
      };
    },
  };
}
