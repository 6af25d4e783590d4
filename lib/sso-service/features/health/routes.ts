/**
 * Health for orchestrators: `GET /health/live` (the process answers; `GET /health` is the same, kept for existing
 * probes) and `GET /health/ready` (it can serve: the database, and on SQLite its event log file, take a write now
 * and no migration is pending).
 * Ready answers 503 otherwise, naming the failed check by code, never the driver's message.
 */
import type { ServiceContext } from '../../context';
import type { ServiceApp } from '../../http/validation';
import { asStoreError } from '../../storage/errors';
import { MIGRATION_STEPS } from '../../storage/migrations';

export type ReadyCheck = 'ok' | 'unavailable' | 'read_only' | 'pending';

const EXPECTED_VERSIONS = MIGRATION_STEPS.map((m) => m.version);

export function registerHealthRoutes(app: ServiceApp, ctx: ServiceContext) {
  const live = async () => ({ status: 'ok' as const });
  app.get('/health', live);
  app.get('/health/live', live);

  app.get('/health/ready', async (_request, reply) => {
    // Shutting down: no new work should be sent here while the requests in flight finish (index.ts close()).
    if (ctx.shutdown?.draining) return reply.code(503).send({ status: 'not_ready', draining: true });
    let database: ReadyCheck = 'ok';
    let migrations: ReadyCheck = 'ok';
    let pending: number[] = [];
    try {
      const { appliedVersions } = await ctx.store.readiness();
      const applied = new Set(appliedVersions);
      pending = EXPECTED_VERSIONS.filter((v) => !applied.has(v));
      if (pending.length > 0) migrations = 'pending';
    } catch (err) {
      database = writeCheck(err);
      migrations = 'unavailable';
    }
    // Where the events live in the database itself, its check answers for them too.
    const eventLog: ReadyCheck = ctx.store.eventLogReadiness
      ? await ctx.store.eventLogReadiness().then(() => 'ok' as const, writeCheck)
      : database;
    const ready = database === 'ok' && migrations === 'ok' && eventLog === 'ok';
    return reply.code(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      checks: { database, migrations, eventLog },
      ...(pending.length > 0 ? { pendingMigrations: pending } : {}),
    });
  });
}

/** A failed write's check, by the store's error kind (anything else is a bug and answers 500). */
function writeCheck(err: unknown): ReadyCheck {
  const storeError = asStoreError(err);
  if (!storeError) throw err;
  return storeError.kind === 'read_only' ? 'read_only' : 'unavailable';
}
