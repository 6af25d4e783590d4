/**
 * Service configuration, read once from the environment and validated with zod.
 * Key material is NOT resolved here (see service-keys.ts): loading the config has no side effects,
 * so tools can inspect it without creating files.
 */
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RateLimitConfig {
  enabled: boolean;
  signupPerMin: number;
  loginPerMin: number;
  callbackPerMin: number;
  /** SCIM requests per minute per SCIM token (absent: SCIM_PER_MIN_DEFAULT). */
  scimPerMin?: number;
}

/** A full Entra ID or Okta sync stays well under it. */
export const SCIM_PER_MIN_DEFAULT = 1200;

/** Selected by DATABASE_URL; without it the service uses SQLite in its data dir. */
export interface PostgresConfig {
  /** postgres:// or postgresql:// connection URL (may carry a password: never logged). */
  url: string;
  /** Connections per process (DATABASE_POOL_MAX). */
  poolMax: number;
  /** Server-side limit for one statement (DATABASE_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs: number;
  /** How long a request waits for a connection, pool exhausted or server unreachable (DATABASE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs: number;
}

export interface ServiceConfig {
  host: string;
  port: number;
  dataDir: string;
  /** SQLite file; defaults to `<dataDir>/grantex.db` when absent. Unused when `postgres` is set. */
  dbPath?: string;
  /** PostgreSQL instead of SQLite (DATABASE_URL). */
  postgres?: PostgresConfig;
  /**
   * Development mode (loopback http issuers, generated keys, loopback metadata fetches): only when asked for,
   * GRANTEX_DEV_MODE=true or NODE_ENV=development. Anything else (NODE_ENV unset included) is production-strict.
   */
  devMode: boolean;
  /**
   * Shared with the console (GRANTEX_CONSOLE_SECRET): a request carrying it may name the member's address in
   * X-Grantex-Client-Address, which then keys the rate-limit buckets. Required outside development mode.
   */
  consoleSecret?: string;
  /** Required in production; generated into `<dataDir>/service-keys.json` in development. */
  stateSecret?: string;
  /** 32 bytes, base64url. Required in production; generated in development. */
  encryptionKey?: string;
  rateLimit: RateLimitConfig;
  /** IPs/CIDRs whose X-Forwarded-For is believed. Empty = trust nobody. */
  trustedProxies: string[];
  logLevel: LogLevel;
  /**
   * LOG_SUCCESSFUL_READS=true: successful GET/HEAD requests get their request line at `info` too; by default they
   * are logged at `debug` only (writes and failures always at `info`).
   */
  logSuccessfulReads?: boolean;
  /** How long an SSO session (POST /sso/callback/oidc) lasts; default 8 hours (GRANTEX_SESSION_TTL_SECONDS). */
  sessionTtlSec?: number;
  /**
   * DNS servers for domain verification (SSO_DNS_SERVERS: `ip` or `ip:port`, `[v6]:port`, comma-separated);
   * absent or empty: the system resolver.
   */
  dnsServers?: string[];
  /** Per-lookup DNS timeout (SSO_DNS_TIMEOUT_MS). */
  dnsTimeoutMs?: number;
  /** Sign-in and audit events older than this are purged (GRANTEX_EVENT_RETENTION_DAYS, default 30). */
  eventRetentionDays: number;
  /**
   * Seconds to wait before each retry of a failed webhook delivery (WEBHOOK_RETRY_SCHEDULE, comma-separated;
   * default about a day in ten retries). Optional so callers building a config by hand get the default.
   */
  webhookRetrySchedule?: number[];
  /**
   * How often a SAML connection's IdP metadata is fetched again from its URL, in minutes
   * (GRANTEX_SAML_METADATA_REFRESH_MINUTES, 15–10080, default 720 = 12 h; each connection's turn is jittered ±10 %).
   */
  samlMetadataRefreshMinutes?: number;
  /**
   * The service's public base URL (GRANTEX_PUBLIC_URL), for the SAML SP entity ID, ACS and metadata URLs of new
   * connections; absent: the creating request's own origin.
   */
  publicUrl?: string;
  /**
   * The console's public base URL (GRANTEX_CONSOLE_URL; default APP_URL, else http://localhost:3000; no trailing
   * slash). Connections get their own callback below it, `<consoleUrl>/sso/callback/<key>` (lib/contract/url-rules.ts).
   */
  consoleUrl: string;
}

/** Thrown when the service must not start; the message names the variable, never its value. */
export class ServiceConfigError extends Error {
  override readonly name = 'ServiceConfigError';
}

const booleanFlag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

const perMinute = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback);

function isIpOrCidr(value: string): boolean {
  if (ipaddr.isValid(value)) return true;
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}

/** `1.2.3.4`, `1.2.3.4:5353`, `::1` or `[::1]:5353`: what node:dns's setServers accepts. */
function isDnsServer(value: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(value);
  const withPort = /^([^:]+):(\d{1,5})$/.exec(value);
  const [host, port] = bracketed
    ? [bracketed[1], bracketed[2]]
    : withPort
      ? [withPort[1], withPort[2]]
      : [value, undefined];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  return host !== undefined && ipaddr.isValid(host);
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** An http(s) base URL without query or fragment; kept without its trailing slash. */
const consoleUrlSchema = z
  .url({ protocol: /^https?$/ })
  .refine((v) => !/[?#]/.test(v), 'must be a base URL without ?query or #fragment')
  .transform((v) => v.replace(/\/+$/, ''));

const DEFAULT_CONSOLE_URL = 'http://localhost:3000';

const envSchema = z.object({
  NODE_ENV: z.string().optional(),
  GRANTEX_HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('localhost')),
  GRANTEX_PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3001)),
  GRANTEX_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('.data')),
  GRANTEX_DB_PATH: z.preprocess(emptyToUndefined, z.string().optional()),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .refine((v) => v === undefined || /^postgres(ql)?:\/\/[^\s]+$/i.test(v), {
        message: 'must be a postgres:// or postgresql:// URL (leave it unset to use SQLite)',
      }),
  ),
  DATABASE_POOL_MAX: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(1000).default(10)),
  DATABASE_STATEMENT_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(600_000).default(5000),
  ),
  DATABASE_CONNECT_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(100).max(600_000).default(5000),
  ),
  GRANTEX_DEV_MODE: z.preprocess(emptyToUndefined, booleanFlag.optional()),
  GRANTEX_STATE_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
  GRANTEX_ENCRYPTION_KEY: z.preprocess(emptyToUndefined, z.string().optional()),
  GRANTEX_CONSOLE_SECRET: z.preprocess(emptyToUndefined, z.string().optional()),
  RATE_LIMIT: z.preprocess(emptyToUndefined, booleanFlag.default(true)),
  RATE_LIMIT_SIGNUP_PER_MIN: z.preprocess(emptyToUndefined, perMinute(20)),
  RATE_LIMIT_LOGIN_PER_MIN: z.preprocess(emptyToUndefined, perMinute(120)),
  RATE_LIMIT_CALLBACK_PER_MIN: z.preprocess(emptyToUndefined, perMinute(120)),
  RATE_LIMIT_SCIM_PER_MIN: z.preprocess(emptyToUndefined, perMinute(SCIM_PER_MIN_DEFAULT)),
  TRUSTED_PROXIES: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .refine((list) => list.every(isIpOrCidr), 'must be a comma-separated list of IP addresses or CIDR ranges'),
  ),
  GRANTEX_SESSION_TTL_SECONDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 60 * 60)
      .default(8 * 60 * 60),
  ),
  SSO_DNS_SERVERS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .optional()
      .transform((s) =>
        s
          ?.split(',')
          .map((p) => p.trim())
          .filter(Boolean),
      )
      .refine(
        (list) => list === undefined || list.every(isDnsServer),
        'must be a comma-separated list of IP addresses, each with an optional :port',
      ),
  ),
  SSO_DNS_TIMEOUT_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(100).max(60_000).default(5000)),
  GRANTEX_EVENT_RETENTION_DAYS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(3650).default(30)),
  WEBHOOK_RETRY_SCHEDULE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\s*\d+(\.\d+)?\s*(,\s*\d+(\.\d+)?\s*){0,29}$/, 'comma-separated seconds (at most 30)')
      .transform((v) => v.split(',').map((n) => Number(n.trim())))
      .pipe(
        z.array(
          z
            .number()
            .min(0)
            .max(7 * 86_400),
        ),
      )
      .optional(),
  ),
  GRANTEX_SAML_METADATA_REFRESH_MINUTES: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(15).max(10_080).default(720),
  ),
  GRANTEX_PUBLIC_URL: z.preprocess(emptyToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  GRANTEX_CONSOLE_URL: z.preprocess(emptyToUndefined, consoleUrlSchema.optional()),
  APP_URL: z.preprocess(emptyToUndefined, z.string().optional()),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? emptyToUndefined(v.toLowerCase()) : v),
    z.enum(LOG_LEVELS).default('info'),
  ),
  LOG_SUCCESSFUL_READS: z.preprocess(emptyToUndefined, booleanFlag.default(false)),
});

export function loadServiceConfig(env: Readonly<Record<string, string | undefined>> = process.env): ServiceConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Name the variable and the rule only: the offending value may be a secret.
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ServiceConfigError(`Invalid service configuration: ${why}`);
  }
  const e = parsed.data;
  return {
    host: e.GRANTEX_HOST,
    port: e.GRANTEX_PORT,
    dataDir: e.GRANTEX_DATA_DIR,
    dbPath: e.GRANTEX_DB_PATH,
    postgres:
      e.DATABASE_URL === undefined
        ? undefined
        : {
            url: e.DATABASE_URL,
            poolMax: e.DATABASE_POOL_MAX,
            statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
            connectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
          },
    // Strict unless asked for: a service started without NODE_ENV must not accept loopback issuers or run keyless.
    devMode: e.GRANTEX_DEV_MODE ?? e.NODE_ENV === 'development',
    stateSecret: e.GRANTEX_STATE_SECRET,
    encryptionKey: e.GRANTEX_ENCRYPTION_KEY,
    consoleSecret: e.GRANTEX_CONSOLE_SECRET,
    rateLimit: {
      enabled: e.RATE_LIMIT,
      signupPerMin: e.RATE_LIMIT_SIGNUP_PER_MIN,
      loginPerMin: e.RATE_LIMIT_LOGIN_PER_MIN,
      callbackPerMin: e.RATE_LIMIT_CALLBACK_PER_MIN,
      scimPerMin: e.RATE_LIMIT_SCIM_PER_MIN,
    },
    trustedProxies: e.TRUSTED_PROXIES,
    logLevel: e.LOG_LEVEL,
    logSuccessfulReads: e.LOG_SUCCESSFUL_READS,
    sessionTtlSec: e.GRANTEX_SESSION_TTL_SECONDS,
    dnsServers: e.SSO_DNS_SERVERS,
    dnsTimeoutMs: e.SSO_DNS_TIMEOUT_MS,
    eventRetentionDays: e.GRANTEX_EVENT_RETENTION_DAYS,
    webhookRetrySchedule: e.WEBHOOK_RETRY_SCHEDULE,
    samlMetadataRefreshMinutes: e.GRANTEX_SAML_METADATA_REFRESH_MINUTES,
    publicUrl: e.GRANTEX_PUBLIC_URL,
    consoleUrl: e.GRANTEX_CONSOLE_URL ?? consoleUrlFromAppUrl(e.APP_URL),
  };
}

/**
 * The console's URL when GRANTEX_CONSOLE_URL is not set: APP_URL (the console's own variable, when the service
 * runs next to it), else the development default. An APP_URL that is not a base URL is an error here too.
 */
function consoleUrlFromAppUrl(appUrl: string | undefined): string {
  if (appUrl === undefined) return DEFAULT_CONSOLE_URL;
  const parsed = consoleUrlSchema.safeParse(appUrl);
  if (!parsed.success)
    throw new ServiceConfigError(
      'Invalid service configuration: APP_URL: must be an http(s) base URL (or set GRANTEX_CONSOLE_URL)',
    );
  return parsed.data;
}

export function resolveDbPath(config: Pick<ServiceConfig, 'dataDir' | 'dbPath'>): string {
  return config.dbPath ?? path.join(config.dataDir, 'grantex.db');
}
