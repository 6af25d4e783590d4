import 'server-only';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * The console's environment, validated once. Server-only: it holds NEXTAUTH_SECRET.
 * `loadConsoleEnv` is pure apart from the dev-secret file so tests can feed it any env.
 */

const booleanish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

/** An on/off environment flag read outside the validated env (runtime switches); undefined when unset or unrecognised. */
export function readFlag(value: string | undefined): boolean | undefined {
  const parsed = booleanish.safeParse(value?.trim().toLowerCase());
  return parsed.success ? parsed.data : undefined;
}

const absoluteHttpUrl = z
  .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
  // Trailing slashes would produce `//sso/callback`.
  .transform((v) => v.replace(/\/+$/, ''));

const rawSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  APP_URL: absoluteHttpUrl.optional(),
  NEXTAUTH_URL: absoluteHttpUrl.optional(),
  GRANTEX_URL: absoluteHttpUrl.default('http://localhost:3001'),
  NEXTAUTH_SECRET: z.string().optional(),
  CONSOLE_DEMO_SIGNUP: booleanish.optional(),
  TRUSTED_PROXIES: z.string().default(''),
  RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_SIGNIN_PER_MIN: z.coerce.number().int().positive().max(100_000).default(10),
  RATE_LIMIT_SSO_START_PER_MIN: z.coerce.number().int().positive().max(100_000).default(30),
  RATE_LIMIT_LOGIN_EMAIL_PER_MIN: z.coerce.number().int().positive().max(100_000).default(20),
  GRANTEX_CONSOLE_SECRET: z.string().optional(),
  MEMBER_SESSION_RECHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
});

export interface ConsoleEnv {
  NODE_ENV: 'development' | 'production' | 'test';
  isProduction: boolean;
  APP_URL: string;
  /** True when APP_URL is https: cookies get `Secure` and the `__Secure-` prefix. */
  secureCookies: boolean;
  GRANTEX_URL: string;
  NEXTAUTH_SECRET: string;
  CONSOLE_DEMO_SIGNUP: boolean;
  TRUSTED_PROXIES: string[];
  RATE_LIMIT: boolean;
  RATE_LIMIT_SIGNIN_PER_MIN: number;
  /** Member login starts (POST /sso/start) per member address and minute. */
  RATE_LIMIT_SSO_START_PER_MIN: number;
  /** Sign-ins by work email (the email form) per member address and minute. */
  RATE_LIMIT_LOGIN_EMAIL_PER_MIN: number;
  /**
   * Shared with the embedded service: proves that the member address the console names on its public calls
   * (X-Grantex-Client-Address) comes from the console. Required in production; unset in development means the
   * address is not sent. Server-only, never logged.
   */
  GRANTEX_CONSOLE_SECRET: string | undefined;
  /** How often (at most) /member asks Grantex whether the member's SSO session is still active. */
  MEMBER_SESSION_RECHECK_SECONDS: number;
}

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

const MIN_SECRET_LENGTH = 32;

export interface LoadEnvOptions {
  /** Where the generated development secret lives; defaults to `<cwd>/.data`. */
  dataDir?: string;
}

/** Reads or creates the development session secret; the file is 0600 because it signs sessions. */
function devSecret(dataDir: string): string {
  const file = path.join(dataDir, 'dev-secrets.json');
  const fileSchema = z.looseObject({ nextauthSecret: z.string().min(MIN_SECRET_LENGTH) });
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data.nextauthSecret;
  } catch {
    // missing or unreadable: generate below
  }
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  let existing: Record<string, unknown> = {};
  try {
    existing = z.record(z.string(), z.unknown()).parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    existing = {};
  }
  writeFileSync(file, JSON.stringify({ ...existing, nextauthSecret: secret }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

export function loadConsoleEnv(
  source: Record<string, string | undefined> = process.env,
  options: LoadEnvOptions = {},
): ConsoleEnv {
  // Empty strings (`FOO=` in .env files) mean "unset", not "invalid".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = rawSchema.safeParse(cleaned);
  if (!parsed.success) {
    // Only variable names and reasons: never echo a value (one of them is a secret).
    const reasons = parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'} ${i.message}`).join('; ');
    throw new EnvError(`Invalid console configuration: ${reasons}`);
  }
  const raw = parsed.data;
  const isProduction = raw.NODE_ENV === 'production';
  const appUrl = raw.APP_URL ?? raw.NEXTAUTH_URL ?? 'http://localhost:3000';

  let secret = raw.NEXTAUTH_SECRET;
  // Short secrets are tolerated in development only (a throwaway value in a test script is fine).
  if (secret !== undefined && secret.length < MIN_SECRET_LENGTH && isProduction) {
    throw new EnvError(
      `NEXTAUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters; generate one with: openssl rand -base64 32`,
    );
  }
  if (secret === undefined) {
    if (isProduction) {
      throw new EnvError(
        'NEXTAUTH_SECRET is required in production (at least 32 characters); generate one with: openssl rand -base64 32',
      );
    }
    secret = devSecret(options.dataDir ?? path.join(process.cwd(), '.data'));
  }

  const consoleSecret = raw.GRANTEX_CONSOLE_SECRET;
  if (isProduction && (consoleSecret === undefined || consoleSecret.length < MIN_SECRET_LENGTH)) {
    throw new EnvError(
      `GRANTEX_CONSOLE_SECRET is required in production (at least ${MIN_SECRET_LENGTH} characters, the same value as the service's); generate one with: openssl rand -base64 32`,
    );
  }

  return {
    NODE_ENV: raw.NODE_ENV,
    isProduction,
    APP_URL: appUrl,
    secureCookies: appUrl.startsWith('https://'),
    GRANTEX_URL: raw.GRANTEX_URL,
    NEXTAUTH_SECRET: secret,
    CONSOLE_DEMO_SIGNUP: raw.CONSOLE_DEMO_SIGNUP ?? !isProduction,
    TRUSTED_PROXIES: raw.TRUSTED_PROXIES.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    RATE_LIMIT: raw.RATE_LIMIT === 'on',
    RATE_LIMIT_SIGNIN_PER_MIN: raw.RATE_LIMIT_SIGNIN_PER_MIN,
    RATE_LIMIT_SSO_START_PER_MIN: raw.RATE_LIMIT_SSO_START_PER_MIN,
    RATE_LIMIT_LOGIN_EMAIL_PER_MIN: raw.RATE_LIMIT_LOGIN_EMAIL_PER_MIN,
    GRANTEX_CONSOLE_SECRET: consoleSecret,
    MEMBER_SESSION_RECHECK_SECONDS: raw.MEMBER_SESSION_RECHECK_SECONDS,
  };
}

let cached: ConsoleEnv | undefined;

/** The validated environment, loaded on first use and then reused. */
export function env(): ConsoleEnv {
  cached ??= loadConsoleEnv();
  return cached;
}
