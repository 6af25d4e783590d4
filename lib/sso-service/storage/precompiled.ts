/**
 * A statement built with Kysely and compiled ONCE, then run with fresh parameters: for the hot paths, where
 * building and compiling the query on every call would cost more than running it (measured in the storage
 * README). The builder gets placeholders in place of the values; each call binds the values at the
 * placeholders' positions. Only for statements whose shape never depends on the values.
 */
import { CompiledQuery, type Compilable, type QueryResult } from 'kysely';
import type { StoreDatabase } from './connect';

class Placeholder {
  constructor(readonly name: PropertyKey) {}
}

/** `build` receives placeholders typed as the values they stand for. */
export function precompile<P extends object, R>(
  database: StoreDatabase,
  build: (params: P) => Compilable<R>,
): (params: P) => Promise<QueryResult<R>> {
  const placeholders = new Proxy({} as P, { get: (_target, name) => new Placeholder(name) });
  const compiled = build(placeholders).compile();
  const slots = compiled.parameters.map((value) => (value instanceof Placeholder ? value.name : undefined));
  const fixed = compiled.parameters.map((value) => (value instanceof Placeholder ? undefined : value));
  return (params) => {
    const parameters = slots.map((name, i) =>
      name === undefined ? fixed[i] : (params as Record<PropertyKey, unknown>)[name],
    );
    return database.run(CompiledQuery.raw(compiled.sql, parameters) as CompiledQuery<R>);
  };
}
