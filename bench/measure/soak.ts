/**
 * Retention soak: config saves (each writes an audit event) at 16 connections for `seconds`, against a service
 * whose clock runs `factor` times faster (bench/entries/soak-service.ts) with a retention of one day, so the purge
 * deletes as fast as the saves write once the first day has passed. Reported: the database size (file + WAL) and
 * the audit rows kept, sampled through the run; flat after the first retention period means bounded disk.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { progress } from '../lib/log';
import { createOrg } from '../lib/orgs';
import { startService, type Idp } from '../lib/stack';

export interface SoakSample {
  realSeconds: number;
  serviceHours: number;
  dbMiB: number;
  walMiB: number;
  auditRows: number;
}

export interface SoakResult {
  factor: number;
  retentionDays: number;
  saves: number;
  non2xx: number;
  samples: SoakSample[];
  /** The database (file + WAL) at the end of the first retention period and at the end, MiB. */
  afterFirstPeriodMiB: number;
  endMiB: number;
  growthPct: number;
}

const RETENTION_DAYS = 1;

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

function auditRows(dataDir: string): number {
  const db = new Database(path.join(dataDir, 'grantex.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('select count(*) as n from audit_events').get() as { n: number }).n;
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
        auditRows: auditRows(dataDir),
      };
      samples.push(sample);
      progress(
        `  ${sample.serviceHours.toFixed(0)} service hours: database ${sample.dbMiB.toFixed(1)} MiB ` +
          `(WAL ${sample.walMiB.toFixed(1)}), ${sample.auditRows} audit rows, ${saves} saves so far`,
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
    saves,
    non2xx,
    samples,
    afterFirstPeriodMiB,
    endMiB,
    growthPct: ((endMiB - afterFirstPeriodMiB) / afterFirstPeriodMiB) * 100,
  };
}
