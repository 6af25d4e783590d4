/**
 * `npm run grantex`: the embedded Grantex-compatible SSO service alone, configured from the environment
 * (see .env.example / docs/ARCHITECTURE.md).
 * `npm run grantex -- backup <file>`: an online backup of the SQLite database (the service may keep running).
 * `npm run grantex -- restore <file> [--force]`: puts a backup in place of the database (the service stopped).
 * PostgreSQL: pg_dump / pg_restore (docs/OPERATIONS.md).
 */
import { DEFAULT_SHUTDOWN_DRAIN_MS, loadServiceConfig, ServiceConfigError, startSsoService } from '@/lib/sso-service';
import { resolveDbPath, type ServiceConfig } from '@/lib/sso-service/config';
import { BackupError, backupSqlite, restoreSqlite } from '@/lib/sso-service/storage/sqlite/backup';

const USAGE = 'usage: npm run grantex [-- backup <file> | -- restore <file> [--force]]';

async function backupOrRestore(config: ServiceConfig, [command, file, ...rest]: string[]): Promise<void> {
  if (!file || (command === 'backup' && rest.length > 0) || rest.some((a) => a !== '--force')) {
    console.error(USAGE);
    process.exit(2);
  }
  if (config.postgres) {
    console.error(
      'grantex: DATABASE_URL is set: back up PostgreSQL with pg_dump and restore with pg_restore (docs/OPERATIONS.md)',
    );
    process.exit(2);
  }
  const dbPath = resolveDbPath(config);
  if (command === 'backup') {
    const { pages } = await backupSqlite(dbPath, file, ({ totalPages, remainingPages }) =>
      process.stderr.write(`\rcopied ${totalPages - remainingPages} of ${totalPages} pages`),
    );
    console.log(`\nbackup written to ${file} (${pages} pages, integrity checked)`);
    console.log('keep the keys (GRANTEX_ENCRYPTION_KEY, GRANTEX_STATE_SECRET or service-keys.json) apart from it');
  } else {
    restoreSqlite(file, dbPath, { force: rest.includes('--force') });
    console.log(`restored ${file} to ${dbPath}; start the service with the same keys`);
  }
}

async function main(): Promise<void> {
  const config = loadServiceConfig();
  const args = process.argv.slice(2);
  if (args[0] === 'backup' || args[0] === 'restore') return backupOrRestore(config, args);
  if (args.length > 0) {
    console.error(USAGE);
    process.exit(2);
  }
  const service = await startSsoService(config);
  console.log(`Grantex SSO service listening at ${service.url}${config.devMode ? ' (development mode)' : ''}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, stopping: requests in flight may finish`);
    // close() drains requests in flight for at most SSO_SHUTDOWN_DRAIN_MS; anything hung past that (and the
    // flushes after it) must not keep the process, and its port, alive forever.
    const force = setTimeout(() => process.exit(1), (config.shutdownDrainMs ?? DEFAULT_SHUTDOWN_DRAIN_MS) + 10_000);
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
  if (err instanceof ServiceConfigError || err instanceof BackupError) console.error(`grantex: ${err.message}`);
  else console.error('grantex: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
