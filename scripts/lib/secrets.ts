/** Dev-only secrets, generated once per checkout so sessions survive restarts of `npm run dev`. */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const randomSecret = (bytes = 32) => randomBytes(bytes).toString('base64url');

/**
 * Ensures `<dataDir>/dev-secrets.json` holds the console's session secret under `nextauthSecret` — the same
 * file and key lib/env.ts reads when NEXTAUTH_SECRET is unset — and the secret the console and the service
 * share (GRANTEX_CONSOLE_SECRET) under `consoleSecret`. Other keys are kept; the file is 0600.
 */
export function ensureDevSecrets(dataDir: string): {
  NEXTAUTH_SECRET: string;
  GRANTEX_CONSOLE_SECRET: string;
  created: boolean;
  file: string;
} {
  const file = join(dataDir, 'dev-secrets.json');
  let current: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      throw new Error(`${file} is not valid JSON. Delete it and start again to generate fresh dev secrets.`);
    }
  }
  const strong = (value: unknown): value is string => typeof value === 'string' && value.length >= 32;
  if (strong(current.nextauthSecret) && strong(current.consoleSecret)) {
    chmodSync(file, 0o600);
    return {
      NEXTAUTH_SECRET: current.nextauthSecret,
      GRANTEX_CONSOLE_SECRET: current.consoleSecret,
      created: false,
      file,
    };
  }
  const NEXTAUTH_SECRET = strong(current.nextauthSecret) ? current.nextauthSecret : randomSecret();
  const GRANTEX_CONSOLE_SECRET = strong(current.consoleSecret) ? current.consoleSecret : randomSecret();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    file,
    `${JSON.stringify({ ...current, nextauthSecret: NEXTAUTH_SECRET, consoleSecret: GRANTEX_CONSOLE_SECRET }, null, 2)}\n`,
    { mode: 0o600 },
  );
  chmodSync(file, 0o600); // writeFileSync's mode only applies when the file is created
  return { NEXTAUTH_SECRET, GRANTEX_CONSOLE_SECRET, created: true, file };
}
