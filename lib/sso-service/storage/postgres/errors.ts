/** node-postgres (`pg`) errors → StoreError, in one place. Unique violations are handled where they are expected. */
import { driverCodeOf, StoreError, type StoreErrorKind } from '../errors';

export const PG_UNIQUE_VIOLATION = '23505';

/** True for pg's own error and for the StoreError it was mapped to. */
export function isPgUniqueViolation(err: unknown): boolean {
  const code = err instanceof StoreError ? err.driverCode : driverCodeOf(err);
  return code === PG_UNIQUE_VIOLATION;
}

/** SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) that are not plain bugs. */
const BY_SQLSTATE: Readonly<Record<string, StoreErrorKind>> = {
  '57014': 'timeout', // query_canceled: statement_timeout fired
  '57P01': 'unavailable', // admin_shutdown: the server is stopping or restarting
  '57P02': 'unavailable', // crash_shutdown
  '57P03': 'unavailable', // cannot_connect_now: still starting up
  '53300': 'unavailable', // too_many_connections
  '53200': 'unavailable', // out_of_memory
  '53100': 'full', // disk_full
  '25006': 'read_only', // read_only_sql_transaction (a hot standby, default_transaction_read_only)
  '40001': 'busy', // serialization_failure
  '40P01': 'busy', // deadlock_detected
  '55P03': 'busy', // lock_not_available (lock_timeout)
};

/**
 * Errors pg raises itself carry no SQLSTATE; their message is fixed text (never a query parameter), so it is
 * safe to recognise them by it.
 */
const CLIENT_SIDE: readonly [RegExp, StoreErrorKind][] = [
  [/timeout exceeded when trying to connect/i, 'unavailable'], // pool exhausted or server unreachable
  [/Connection terminated/i, 'unavailable'],
  [/Client has encountered a connection error/i, 'unavailable'],
  [/Query read timeout/i, 'timeout'],
];

function kindOf(err: unknown, code: string | undefined): StoreErrorKind {
  if (code !== undefined) {
    const known = BY_SQLSTATE[code];
    if (known) return known;
    if (code.startsWith('08')) return 'unavailable'; // connection_exception class
    if (code.startsWith('E')) return 'unavailable'; // Node socket errors: ECONNREFUSED, ECONNRESET, ETIMEDOUT...
    return 'failed';
  }
  const message = err instanceof Error ? err.message : '';
  return CLIENT_SIDE.find(([pattern]) => pattern.test(message))?.[1] ?? 'failed';
}

export function mapPgError(err: unknown): StoreError {
  if (err instanceof StoreError) return err;
  const code = driverCodeOf(err);
  return new StoreError(kindOf(err, code), code);
}
