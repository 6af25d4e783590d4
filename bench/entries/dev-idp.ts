/**
 * Fallback entry for the dev IdP when scripts/dev-idp.ts is absent: the bench needs the IdP in a
 * process of its own, configured from the same environment variables.
 */
import { devIdpOptionsFromEnv, startDevIdp } from '@/lib/dev-idp';

const idp = await startDevIdp(devIdpOptionsFromEnv());
console.log(`dev IdP listening, issuer ${idp.issuer}`);
const shutdown = () => void idp.close().finally(() => process.exit(0));
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
