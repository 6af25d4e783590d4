/**
 * Storage failures in the service's terms. Each backend maps its driver's errors to these in one place
 * (sqlite/errors.ts, postgres/errors.ts); app.ts turns them into HTTP answers. The driver's message is
 * never kept: it can quote SQL parameters (a sealed secret, a key hash).
 */
export type StoreErrorKind =
  /** Another writer holds the database (SQLite busy/locked), or a serialization conflict: retrying may work. */
  | 'busy'
  /** The database cannot be reached: connection refused or lost, server shutting down, pool exhausted. */
  | 'unavailable'
  /** A statement ran longer than the configured statement timeout. */
  | 'timeout'
  /** No space left for the write. */
  | 'full'
  /** The database accepts reads only (read-only file, hot standby, read-only transaction). */
  | 'read_only'
  /** Anything else: a bug or a schema that does not match this version. */
  | 'failed';

/** Kinds that usually pass by themselves; answered with 503 so clients retry later. */
const TRANSIENT: ReadonlySet<StoreErrorKind> = new Set(['busy', 'unavailable', 'timeout']);

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    /** The driver's error code (e.g. SQLITE_BUSY, 57014), for logs: safe, it never quotes input. */
    readonly driverCode: string | undefined,
  ) {
    super(`storage ${kind}${driverCode ? ` (${driverCode})` : ''}`);
  }

  get transient(): boolean {
    return TRANSIENT.has(this.kind);
  }
}

/** Recognises a StoreError by shape too, so a second copy of this module (test runner) cannot turn it into a bug. */
export function asStoreError(err: unknown): StoreError | null {
  if (err instanceof StoreError) return err;
  if (err instanceof Error && err.name === 'StoreError' && 'kind' in err && 'transient' in err) {
    return err as StoreError;
  }
  return null;
}

/** The code property of a driver error, if it has a string one. */
export function driverCodeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
