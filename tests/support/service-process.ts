/**
 * The SSO service as a separate OS process (`scripts/grantex.ts`, configured by environment only, as in
 * production), for tests that need several processes or a kill -9.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServiceProcess {
  url: string;
  pid: number;
  /** Output so far (stdout and stderr). */
  output(): string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** The exit code once it exited (null while running, or when a signal ended it). */
  exitCode(): number | null;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const LISTENING = /listening at (http:\/\/\S+)/;

export function startServiceProcess(env: Record<string, string>, timeoutMs = 30_000): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/grantex.ts')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service process did not start within ${timeoutMs} ms:\n${out.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = LISTENING.exec(out);
      if (match?.[1] && child.pid !== undefined) {
        clearTimeout(timer);
        const pid = child.pid;
        resolve({
          url: match[1],
          pid,
          output: () => out,
          exitCode: () => child.exitCode,
          async kill(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`service process exited (${code}) before listening:\n${out.slice(-2000)}`));
    });
  });
}

/** The environment of one development-mode service on loopback, on SQLite in `dataDir` unless `extra` says otherwise. */
export function localServiceEnv(
  dataDir: string,
  keys: { stateSecret: string; encryptionKey: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    GRANTEX_HOST: '127.0.0.1',
    GRANTEX_PORT: '0',
    GRANTEX_DATA_DIR: dataDir,
    GRANTEX_DEV_MODE: 'true',
    GRANTEX_STATE_SECRET: keys.stateSecret,
    GRANTEX_ENCRYPTION_KEY: keys.encryptionKey,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}
