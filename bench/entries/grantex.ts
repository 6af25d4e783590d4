/**
 * Fallback entry for the service when scripts/grantex.ts is absent. Kept to the documented
 * programmatic API (startSsoService + loadServiceConfig) so it stays valid as the service grows.
 */
import { loadServiceConfig, startSsoService } from '@/lib/sso-service';

const service = await startSsoService(loadServiceConfig());
console.log(`service listening at ${service.url}`);
const shutdown = () => void service.close().finally(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
