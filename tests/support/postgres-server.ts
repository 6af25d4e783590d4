/**
 * A throw-away PostgreSQL server for tests: Debian's `postgresql` binaries (initdb, pg_ctl), a fresh cluster in
 * a temporary directory, listening on a free loopback port only, fsync off (nothing here must survive a power
 * cut). When the tests run as root the server runs as the `postgres` system user (PostgreSQL refuses root).
 * Start and stop are bounded in time; `stop` removes the directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const START_TIMEOUT_S = 30;

export interface PostgresServer {
  /** Superuser URL of the `postgres` database (trust auth on loopback; no password). */
  adminUrl: string;
  port: number;
  /** A new, empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown (open sessions are terminated), then the same server again on the same port. */
  restart(): Promise<void>;
  /** Stops the server, keeping the cluster (`start` brings it back on the same port). */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes the cluster. */
  stop(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory, or PG_BIN_DIR; null when PostgreSQL is not installed. */
export function findPostgresBin(): string | null {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv) return existsSync(path.join(fromEnv, 'pg_ctl')) ? fromEnv : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v) && existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Looks up a system user's uid/gid (getent is in every Debian base image). */
async function systemUser(name: string): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('getent', ['passwd', name]);
  const [, , uid, gid] = stdout.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export async function startPostgresServer(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin)
    throw new Error('PostgreSQL is not installed: run `bash scripts/setup.sh postgres` (Debian package postgresql)');
  const asRoot = userInfo().uid === 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'grantex-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  // As root: every command runs as `postgres` (setpriv drops to its uid/gid without a login shell).
  let asUser: (cmd: string, args: string[]) => [string, string[]] = (cmd, args) => [cmd, args];
  if (asRoot) {
    const { uid, gid } = await systemUser('postgres');
    await chown(dir, uid, gid);
    asUser = (cmd, args) => ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', cmd, ...args]];
  }
  const exec = (tool: string, args: string[], timeoutMs: number) => {
    const [cmd, argv] = asUser(path.join(bin, tool), args);
    return run(cmd, argv, { timeout: timeoutMs, cwd: dir });
  };

  const port = await freePort();
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
    '-c shared_buffers=32MB',
  ].join(' ');
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;

  const start = async () => {
    try {
      await exec(
        'pg_ctl',
        ['-D', data, '-l', logFile, '-o', settings, '-w', '-t', String(START_TIMEOUT_S), 'start'],
        (START_TIMEOUT_S + 5) * 1000,
      );
    } catch (err) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log.slice(-2000)}`);
    }
  };
  const halt = async () => {
    await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop'], 35_000);
  };

  try {
    await exec(
      'initdb',
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      60_000,
    );
    await start();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  let counter = 0;
  return {
    adminUrl,
    port,
    createDatabase(name = `gx_test_${process.pid}_${Date.now().toString(36)}_${counter++}`) {
      return createDatabaseAt(adminUrl, name);
    },
    async restart() {
      await halt();
      await start();
    },
    halt,
    start,
    async stop() {
      await halt().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A database in an already running server (the URL's database is the admin one). */
export async function createDatabaseAt(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}
