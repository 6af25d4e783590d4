/**
 * Retention soak: config saves (each writes an audit event) at a fixed rate (SAVES_PER_SECOND, 16 connections)
 * for `seconds`, against a service whose clock runs `factor` times faster (bench/entries/soak-service.ts) with a
 * retention of one day, so the purge deletes as fast as the saves write once the first day has passed. A fixed
 * rate, because the rows a day holds follow the save rate, which a shared machine would otherwise move. Reported:
 * the database size (file + WAL), the audit rows kept and the span of their timestamps (service hours; at most
 * the retention plus one purge interval), sampled through the run.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { progress } from '../lib/log';
import { createOrg } from '../lib/orgs';
import { startService, type Idp } from '../lib/stack';
import { eventLogPathOf } from '../../lib/sso-service/storage/sqlite/event-log';

export interface SoakSample {
  realSeconds: number;
  serviceHours: number;
  dbMiB: number;
  walMiB: number;
  auditRows: number;
  /** Newest minus oldest audit row, in service hours. */
  keptSpanHours: number;
}

export interface SoakResult {
  factor: number;
  retentionDays: number;
  savesPerSecond: number;
  saves: number;
  non2xx: number;
  samples: SoakSample[];
  /** The database (file + WAL) at the end of the first retention period and at the end, MiB. */
  afterFirstPeriodMiB: number;
  endMiB: number;
  growthPct: number;
}

const RETENTION_DAYS = 1;
const SAVES_PER_SECOND = 400;

function sizes(dataDir: string): { dbMiB: number; walMiB: number } {
  let db = 0;
  let wal = 0;
  for (const f of readdirSync(dataDir)) {
    if (!f.startsWith('grantex.db')) continue;
    const size = statSync(path.join(dataDir, f)).size;
    if (f.endsWith('-wal')) wal += size;
    else if (!f.endsWith('-shm')) db += size;
  }
  return { dbMiB: (db + wal) / 2 ** 20, walMiB: wal / 2 ** 20 };
}

function auditRows(dataDir: string): { auditRows: number; keptSpanHours: number } {
  const db = new Database(eventLogPathOf(path.join(dataDir, 'grantex.db')), { readonly: true, fileMustExist: true });
  try {
    const r = db
      .prepare('select count(*) as n, min(created_at) as oldest, max(created_at) as newest from audit_events')
      .get() as { n: number; oldest: string | null; newest: string | null };
    const span = r.oldest && r.newest ? (Date.parse(r.newest) - Date.parse(r.oldest)) / 3_600_000 : 0;
    return { auditRows: r.n, keptSpanHours: span };
  } finally {
    db.close();
  }
}

export async function measureSoak(
  dataDir: string,
  idp: Idp,
  seconds: number,
  serviceDays: number,
  verbose: boolean,
): Promise<SoakResult> {
  const factor = Math.round((serviceDays * 86_400) / seconds);
  progress(`soak: ${seconds} s of config saves = ${serviceDays} service days (clock × ${factor}), retention 1 day`);
  const service = await startService(
    dataDir,
    verbose,
    undefined,
    {
      GRANTEX_EVENT_RETENTION_DAYS: String(RETENTION_DAYS),
      BENCH_CLOCK_FACTOR: String(factor),
      BENCH_PURGE_RUN_MS: '1000',
    },
    { script: 'bench/entries/soak-service.ts' },
  );
  const samples: SoakSample[] = [];
  let saves = 0;
  let non2xx = 0;
  try {
    const org = await createOrg(service.url, idp, 97);
    const started = Date.now();
    const slice = Math.max(2, Math.round(seconds / 18));
    while ((Date.now() - started) / 1000 < seconds) {
      const result = await autocannon({
        url: `${service.url}/v1/sso/config`,
        connections: 16,
        overallRate: SAVES_PER_SECOND,
        duration: slice,
        method: 'POST',
        headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
        body: org.configJson,
      });
      saves += result['2xx'];
      non2xx += result.non2xx;
      const realSeconds = (Date.now() - started) / 1000;
      const sample = {
        realSeconds,
        serviceHours: (realSeconds * factor) / 3600,
        ...sizes(dataDir),
        ...auditRows(dataDir),
      };
      samples.push(sample);
      progress(
        `  ${sample.serviceHours.toFixed(0)} service hours: database ${sample.dbMiB.toFixed(1)} MiB ` +
          `(WAL ${sample.walMiB.toFixed(1)}), ${sample.auditRows} audit rows over ${sample.keptSpanHours.toFixed(1)} h, ${saves} saves so far`,
      );
    }
  } finally {
    await service.stop();
  }
  const firstPeriod = samples.find((s) => s.serviceHours >= RETENTION_DAYS * 24) ?? samples[0];
  const end = samples[samples.length - 1];
  const afterFirstPeriodMiB = firstPeriod?.dbMiB ?? Number.NaN;
  const endMiB = end?.dbMiB ?? Number.NaN;
  return {
    factor,
    retentionDays: RETENTION_DAYS,
    savesPerSecond: SAVES_PER_SECOND,
    saves,
    non2xx,
    samples,
    afterFirstPeriodMiB,
    endMiB,
    growthPct: ((endMiB - afterFirstPeriodMiB) / afterFirstPeriodMiB) * 100,
  };
}
