/**
 * `grantex reseal`: re-seals every stored secret under the current (first) encryption key, so the previous key
 * can then be removed from GRANTEX_ENCRYPTION_KEY (docs/OPERATIONS.md, "Rotating the keys").
 *
 * Progress is the data itself: a row is done when its value names the current key id, so the job keeps no state
 * and resumes by running again. It walks each sealed column in primary-key order, in small batches, and writes
 * each row with a compare-and-set on the value it read, so it may run while the service runs on any number of
 * processes (or twice at once): a row the service rewrote meanwhile is counted and left alone. A value that does
 * not open (its key is no longer configured, or it is damaged) is counted and named by row id, never by content.
 */
import { SecretBoxError, type SecretBox } from '../../crypto/secret-box';
import { spKeyAad } from '../sp-keys/service';
import { webhookSecretAad } from '../webhooks/service';
import { SEALED_COLUMNS, type KeyRotationStore, type SealedColumn, type SealedValue } from './store';

export interface ColumnReport {
  /** Non-NULL values looked at. */
  scanned: number;
  resealed: number;
  /** Already under the current key: nothing written. */
  alreadyCurrent: number;
  /** Rewritten by the service between the read and the write (left as it is now; a second run looks again). */
  changedMeanwhile: number;
  /** Could not be opened with the configured keys. */
  failed: number;
}

export interface ResealReport {
  currentKeyId: string;
  columns: Record<SealedColumn, ColumnReport>;
  total: ColumnReport;
  /** Rows that failed to open: column, row id and why (the reason names a key id at most). */
  failures: { column: SealedColumn; rowId: string; reason: string }[];
  /** True when `maxRows` stopped the job before it went through every column. */
  stoppedEarly: boolean;
}

export interface ResealOptions {
  /** Rows read per query (default 100). */
  batchSize?: number;
  /** Stop after re-sealing this many rows (the rest waits for the next run). */
  maxRows?: number;
  /** Called after each batch. */
  onProgress?: (column: SealedColumn, report: ColumnReport) => void;
}

/** The associated data each column's values were sealed with, as the feature that seals them builds it. */
function associatedData(column: SealedColumn, v: SealedValue): string {
  switch (column) {
    case 'sso_connections.secret_enc':
    case 'sso_session_logout.id_token_sealed':
      return v.developerId;
    case 'saml_sp_keys.private_key_enc':
      return spKeyAad({ developerId: v.developerId, connectionId: v.connectionId ?? '', id: v.rowId });
    case 'webhook_endpoints.secret_sealed':
    case 'webhook_endpoints.previous_secret_sealed':
      return webhookSecretAad(v.rowId);
  }
}

const emptyReport = (): ColumnReport => ({
  scanned: 0,
  resealed: 0,
  alreadyCurrent: 0,
  changedMeanwhile: 0,
  failed: 0,
});

export async function resealSecrets(
  deps: { store: KeyRotationStore; secretBox: SecretBox },
  options: ResealOptions = {},
): Promise<ResealReport> {
  const { store, secretBox } = deps;
  const batchSize = options.batchSize ?? 100;
  const maxRows = options.maxRows ?? Infinity;
  const columns = Object.fromEntries(SEALED_COLUMNS.map((c) => [c, emptyReport()])) as Record<
    SealedColumn,
    ColumnReport
  >;
  const failures: ResealReport['failures'] = [];
  let resealedTotal = 0;
  let stoppedEarly = false;

  outer: for (const column of SEALED_COLUMNS) {
    const report = columns[column];
    let cursor: string | null = null;
    for (;;) {
      const batch = await store.listSealedValues(column, cursor, batchSize);
      for (const value of batch) {
        if (resealedTotal >= maxRows) {
          stoppedEarly = true;
          break outer;
        }
        report.scanned++;
        let plaintext: string;
        try {
          if (secretBox.keyIdOf(value.sealed) === secretBox.currentKeyId) {
            report.alreadyCurrent++;
            continue;
          }
          plaintext = secretBox.open(value.sealed, associatedData(column, value));
        } catch (err) {
          if (!(err instanceof SecretBoxError)) throw err;
          report.failed++;
          failures.push({ column, rowId: value.rowId, reason: err.message });
          continue;
        }
        const resealed = secretBox.seal(plaintext, associatedData(column, value));
        if (await store.replaceSealedValue(column, value.rowId, value.sealed, resealed)) {
          report.resealed++;
          resealedTotal++;
        } else {
          report.changedMeanwhile++;
        }
      }
      options.onProgress?.(column, report);
      if (batch.length < batchSize) break;
      cursor = batch[batch.length - 1]!.rowId;
    }
  }

  const total = emptyReport();
  for (const r of Object.values(columns)) {
    for (const k of Object.keys(total) as (keyof ColumnReport)[]) total[k] += r[k];
  }
  return { currentKeyId: secretBox.currentKeyId, columns, total, failures, stoppedEarly };
}
