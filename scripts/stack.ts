/**
 * The production-mode stack for e2e tests and benchmarks: `next start` (expects a built `.next`), the embedded
 * service and the dev IdP. Each run gets a fresh service database and fresh secrets, so runs never share state.
 *
 *   PORT=3100 GRANTEX_PORT=3101 DEV_IDP_PORT=3102 RATE_LIMIT=off tsx scripts/stack.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadStackConfig } from './lib/config';
import { randomSecret } from './lib/secrets';
import { runStack } from './lib/stack-runner';
import { red, warn } from './lib/supervisor';

let config;
try {
  config = loadStackConfig();
} catch (err) {
  warn(red(err instanceof Error ? err.message : String(err)));
  process.exit(1);
}

const ownDataDir = process.env.GRANTEX_DATA_DIR ? undefined : mkdtempSync(join(tmpdir(), 'grantex-stack-'));
if (ownDataDir) process.on('exit', () => rmSync(ownDataDir, { recursive: true, force: true }));

// This stack always serves the plain-http loopback dev IdP, which only dev mode accepts (console and service).
const devMode = process.env.GRANTEX_DEV_MODE || 'true';
// One per run, shared by console and service: the console names members' addresses with it.
const consoleSecret = process.env.GRANTEX_CONSOLE_SECRET || randomSecret();

await runStack({
  mode: 'production',
  config,
  consoleEnv: {
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET || randomSecret(),
    GRANTEX_DEV_MODE: devMode,
    GRANTEX_CONSOLE_SECRET: consoleSecret,
  },
  serviceEnv: {
    GRANTEX_DEV_MODE: devMode,
    GRANTEX_DATA_DIR: process.env.GRANTEX_DATA_DIR || ownDataDir,
    GRANTEX_STATE_SECRET: process.env.GRANTEX_STATE_SECRET || randomSecret(),
    GRANTEX_ENCRYPTION_KEY: process.env.GRANTEX_ENCRYPTION_KEY || randomSecret(32),
    GRANTEX_CONSOLE_SECRET: consoleSecret,
  },
  // e2e passes a per-run secret so the leak test looks for a value that exists nowhere else.
  idpOptions: { clientSecret: process.env.DEV_IDP_CLIENT_SECRET || undefined },
  banner: ({ consoleUrl, grantexUrl, idp }) =>
    `stack ready: console ${consoleUrl} · grantex ${grantexUrl} · dev IdP ${idp.issuer} (client ${idp.client.clientId})`,
});
