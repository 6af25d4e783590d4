/**
 * The service for the bench's retention soak: the documented programmatic API with a fast clock. The service's
 * clock runs BENCH_CLOCK_FACTOR times faster than the wall clock (event timestamps, retention cut-offs), and the
 * purge runs every BENCH_PURGE_RUN_MS instead of every minute, so days of retention pass in minutes.
 */
import { loadServiceConfig, startSsoService } from '@/lib/sso-service';

const factor = Number(process.env.BENCH_CLOCK_FACTOR ?? '1');
const runMs = Number(process.env.BENCH_PURGE_RUN_MS ?? '60000');
const start = Date.now();
const service = await startSsoService({
  ...loadServiceConfig(),
  now: () => start + (Date.now() - start) * factor,
  purge: { runMs },
});
console.log(`service (clock × ${factor}) listening at ${service.url}`);
const shutdown = () => void service.close().finally(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
