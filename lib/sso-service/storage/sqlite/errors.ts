/** better-sqlite3's errors → StoreError, in one place. Unique violations are handled where they are expected. */
import { driverCodeOf, StoreError, type StoreErrorKind } from '../errors';

export function isSqliteUniqueViolation(err: unknown): boolean {
  const code = driverCodeOf(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function kindOf(code: string | undefined): StoreErrorKind {
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_READONLY_DBMOVED, SQLITE_IOERR_WRITE...) share their prefix.
  if (code === undefined) return 'failed';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_NOSPC') return 'full';
  if (code.startsWith('SQLITE_READONLY')) return 'read_only';
  if (code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_IOERR')) return 'unavailable';
  return 'failed';
}

/** A better-sqlite3 error as a StoreError (the driver's message is dropped: it can quote parameters). */
export function mapSqliteError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const code = driverCodeOf(err);
  return new StoreError(kindOf(code), code);
}
