/**
 * `npm run grantex`: the embedded Grantex-compatible SSO service alone, configured from the environment
 * (see .env.example / docs/ARCHITECTURE.md).
 */
import { loadServiceConfig, ServiceConfigError, startSsoService } from '@/lib/sso-service';

async function main(): Promise<void> {
  const config = loadServiceConfig();
  const service = await startSsoService(config);
  console.log(`Grantex SSO service listening at ${service.url}${config.devMode ? ' (development mode)' : ''}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping`);
    // A hung keep-alive connection must not keep the process (and its port) alive forever.
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    service
      .close()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error('error while stopping:', err instanceof Error ? err.message : err);
        process.exit(1);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  // Configuration errors name the variable and never its value; print them without a stack.
  if (err instanceof ServiceConfigError) console.error(`grantex: ${err.message}`);
  else console.error('grantex: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
