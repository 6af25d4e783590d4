import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createEventRecorders, SQLITE_EVENT_WRITE_CHUNK } from '@/lib/sso-service/features/events/recorder';
import { openSqliteDatabase } from '@/lib/sso-service/storage/sqlite/open-database';
import { createSqliteStore } from '@/lib/sso-service/storage/sqlite/store';

const events = 20000;
const drop = (process.env.DROP ?? '').split(',').filter(Boolean);
const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-recorder-'));
const db = openSqliteDatabase(path.join(dir, 'grantex.db'));
for (const d of drop) db.exec(d);
const store = createSqliteStore(db);
const logger = { log: () => {} } as never;
const runs: number[] = [];
for (let r = 0; r < 6; r++) {
  const recorders = createEventRecorders(store.events, logger, Date.now, { writeChunk: SQLITE_EVENT_WRITE_CHUNK, flushMs: 1_000_000, maxBatch: 1_000_000 });
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < events; i++) {
    recorders.audit.record({ developerId: 'dev_bench', actor: { kind: 'api_key', id: 'key_0123456789ab', label: null, ip: '127.0.0.1' }, action: 'config.saved', target: { type: 'connection', id: 'conn_0123456789' }, changedFields: ['issuerUrl', 'clientId', 'clientSecret', 'redirectUri'] });
  }
  await recorders.close();
  const cpu = process.cpuUsage(cpu0);
  if (r > 0) runs.push((cpu.user + cpu.system) / events);
}
runs.sort((a, b) => a - b);
console.log(drop.join(';') || 'none', runs[2]!.toFixed(1), runs.map((x) => x.toFixed(1)).join(' '));
await store.close();
rmSync(dir, { recursive: true, force: true });
