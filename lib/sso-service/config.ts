/**
 * Service configuration, read once from the environment and validated with zod.
 * Key material is NOT resolved here (see service-keys.ts): loading the config has no side effects,
 * so tools can inspect it without creating files.
 */
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { otlpMetricsFromEnv } from './features/metrics/config';
import type { OtlpMetricsConfig } from './features/metrics';

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
  /**
   * GRANTEX_STATE_SECRET as written: one secret, or a `kid:secret,kid:secret` list whose first entry seals new
   * login states and all of which open them (stateSecretsSchema). Required in production; generated into
   * `<dataDir>/service-keys.json` in development.
   */
  stateSecret?: string;
  /**
   * GRANTEX_ENCRYPTION_KEY as written: one 32-byte base64url key, or a `kid:key,kid:key` list whose first entry
   * seals and all of which open (encryptionKeysSchema). Required in production; generated in development.
   */
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
  /**
   * One deadline for everything the IdP answers during a callback (SSO_SIGNIN_DEADLINE_MS, default 10 s): discovery,
   * token, JWKS, userinfo together, each still bounded by its own timeout.
   */
  signInDeadlineMs?: number;
  /**
   * On SIGTERM, how long requests in flight (a slow callback) may still finish before their connections are cut
   * (SSO_SHUTDOWN_DRAIN_MS, default 15 s).
   */
  shutdownDrainMs?: number;
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
  /** OpenTelemetry metrics over OTLP/HTTP (OTEL_EXPORTER_OTLP_[METRICS_]ENDPOINT); absent: off (features/metrics). */
  otlpMetrics?: OtlpMetricsConfig;
}

/** The metrics export's variables, refused like the others (the variable and the rule, never the value). */
function otlpMetricsFromEnvChecked(env: Readonly<Record<string, string | undefined>>): OtlpMetricsConfig | undefined {
  try {
    return otlpMetricsFromEnv(env);
  } catch (err) {
    const issues = err instanceof z.ZodError ? err.issues : [];
    const why = issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ServiceConfigError(`Invalid service configuration: ${why || 'OTEL_* variables'}`);
  }
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

/**
 * Key lists (GRANTEX_ENCRYPTION_KEY, GRANTEX_STATE_SECRET): comma-separated entries `kid:value`, the first one
 * seals, every one opens. An entry without a `kid:` prefix is the key id `default`, so the single-value form
 * of before keeps working and a rotation can list the old value bare: `2027-01:<new>,<old>`. The key id travels
 * in every sealed value (it is not secret); the value never appears in an error.
 */
export const DEFAULT_KEY_ID = 'default';
/** Short, so it costs a state or a sealed column only a few bytes; URL- and log-safe. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,32}$/;
const KEY_ENTRY = /^([A-Za-z0-9._-]{1,32}):(.*)$/s;
const STATE_SECRET_MIN = 32;

export interface KeyEntry<V> {
  id: string;
  value: V;
}

/**
 * `listed(raw)`: whether the value is meant as a list. Otherwise it is the single-value form, taken as written
 * whatever its characters, as it always was (its key must not change on upgrade).
 */
function keyListSchema<V>(
  what: string,
  decode: (raw: string) => V | null,
  rule: string,
  listed: (raw: string) => boolean,
) {
  return z.string().transform((raw, ctx): [KeyEntry<V>, ...KeyEntry<V>[]] => {
    const entries = listed(raw) ? raw.split(',') : [raw];
    const out: KeyEntry<V>[] = [];
    entries.forEach((entry, i) => {
      const trimmed = entry.trim();
      const labelled = KEY_ENTRY.exec(trimmed);
      const id = labelled ? labelled[1]! : DEFAULT_KEY_ID;
      const where = entries.length > 1 ? `entry ${i + 1} (key id "${id}")` : `the ${what}`;
      if (trimmed === '') {
        ctx.addIssue({ code: 'custom', message: `entry ${i + 1} is empty` });
        return;
      }
      if (!labelled && trimmed.includes(':') && entries.length > 1) {
        ctx.addIssue({
          code: 'custom',
          message: `entry ${i + 1} has an invalid key id (letters, digits, ".", "_", "-", at most 32; a value holding ":" needs one, e.g. default:<value>)`,
        });
        return;
      }
      const value = decode(labelled ? labelled[2]! : entries.length === 1 ? entry : trimmed);
      if (value === null) {
        ctx.addIssue({ code: 'custom', message: `${where} ${rule}` });
        return;
      }
      if (out.some((k) => k.id === id)) {
        ctx.addIssue({ code: 'custom', message: `key id "${id}" appears more than once` });
        return;
      }
      out.push({ id, value });
    });
    if (out.length === 0 || out.length !== entries.length) return z.NEVER;
    return out as [KeyEntry<V>, ...KeyEntry<V>[]];
  });
}

/** GRANTEX_ENCRYPTION_KEY: AES-256-GCM keys for secrets at rest, 32 bytes each, base64url. */
export const encryptionKeysSchema = keyListSchema(
  'key',
  (raw) => {
    const key = /^[A-Za-z0-9_-]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64url') : Buffer.alloc(0);
    return key.length === 32 ? key : null;
  },
  'must be 32 bytes encoded as base64url',
  // base64url has neither character: either one means a list.
  (raw) => /[,:]/.test(raw),
);

/** GRANTEX_STATE_SECRET: HKDF inputs of the login-state and RelayState-handle keys, 32 characters or more each. */
export const stateSecretsSchema = keyListSchema(
  'secret',
  (raw) => (raw.length >= STATE_SECRET_MIN ? raw : null),
  `must be at least ${STATE_SECRET_MIN} characters`,
  // A secret of before may hold ',' or ':'; a list names a key id in at least one entry (a rotation's new one).
  (raw) => raw.split(',').some((entry) => KEY_ENTRY.test(entry.trim())),
);

/** The variable as written, refused with the list's own issues when it does not parse. */
function validKeyList(schema: z.ZodType<unknown, string>) {
  return z.string().superRefine((value, ctx) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
  });
}

/** Parses a key list, naming `source` and the rule broken (never the value) in the error. */
export function parseKeyList<V>(
  schema: z.ZodType<[KeyEntry<V>, ...KeyEntry<V>[]], string>,
  raw: string,
  source: string,
): [KeyEntry<V>, ...KeyEntry<V>[]] {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ServiceConfigError(`${source}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
}

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
  // Validated here so a bad list stops the start with its rule; kept as written (service-keys.ts decodes it).
  GRANTEX_STATE_SECRET: z.preprocess(emptyToUndefined, validKeyList(stateSecretsSchema).optional()),
  GRANTEX_ENCRYPTION_KEY: z.preprocess(emptyToUndefined, validKeyList(encryptionKeysSchema).optional()),
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
  SSO_SIGNIN_DEADLINE_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(1000).max(120_000).default(10_000),
  ),
  SSO_SHUTDOWN_DRAIN_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(600_000).default(15_000)),
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
    signInDeadlineMs: e.SSO_SIGNIN_DEADLINE_MS,
    shutdownDrainMs: e.SSO_SHUTDOWN_DRAIN_MS,
    eventRetentionDays: e.GRANTEX_EVENT_RETENTION_DAYS,
    webhookRetrySchedule: e.WEBHOOK_RETRY_SCHEDULE,
    samlMetadataRefreshMinutes: e.GRANTEX_SAML_METADATA_REFRESH_MINUTES,
    publicUrl: e.GRANTEX_PUBLIC_URL,
    consoleUrl: e.GRANTEX_CONSOLE_URL ?? consoleUrlFromAppUrl(e.APP_URL),
    otlpMetrics: otlpMetricsFromEnvChecked(env),
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
