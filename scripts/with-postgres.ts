/**
 * Runs a command against a throw-away PostgreSQL server (Debian's postgresql package): starts one in a temp
 * directory on a free loopback port (as the `postgres` user when run as root), exports its admin URL as
 * GRANTEX_TEST_DATABASE_URL, runs the command, stops the server and deletes it, and exits with the
 * command's status. The service test harnesses then create a fresh database per harness.
 *
 *   tsx scripts/with-postgres.ts -- npx vitest run tests/integration/contract.test.ts
 */
import { spawn } from 'node:child_process';
import { startPostgresServer } from '@/tests/support/postgres-server';

async function main(argv: string[]): Promise<number> {
  const sep = argv.indexOf('--');
  const command = sep === -1 ? argv : argv.slice(sep + 1);
  if (command.length === 0) {
    console.error('usage: tsx scripts/with-postgres.ts -- <command> [args...]');
    return 2;
  }
  const started = Date.now();
  const server = await startPostgresServer();
  console.log(`PostgreSQL test server on 127.0.0.1:${server.port} (started in ${Date.now() - started} ms)`);
  try {
    return await new Promise<number>((resolve) => {
      const child = spawn(command[0] ?? '', command.slice(1), {
        stdio: 'inherit',
        env: { ...process.env, GRANTEX_TEST_DATABASE_URL: server.adminUrl },
      });
      const forward = (signal: NodeJS.Signals) => child.kill(signal);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('error', (err) => {
        console.error(`could not run ${command[0]}: ${err.message}`);
        resolve(127);
      });
      child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    await server.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
