/**
 * Resolves the two secrets the service needs: the state secret (HKDF input for the login-state key)
 * and the 32-byte encryption key for client secrets at rest.
 * Development: missing values are generated once and kept in `<dataDir>/service-keys.json` (0600) so that
 * stored secrets and in-flight logins survive restarts. Production: missing values stop the start.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ServiceConfigError, type ServiceConfig } from './config';

export interface ServiceKeys {
  stateSecret: string;
  encryptionKey: Buffer;
}

const STATE_SECRET_MIN = 32;
const keysFileSchema = z.object({ stateSecret: z.string().optional(), encryptionKey: z.string().optional() });

function decodeEncryptionKey(value: string, source: string): Buffer {
  const key = /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url') : Buffer.alloc(0);
  if (key.length !== 32) throw new ServiceConfigError(`${source} must be 32 bytes encoded as base64url`);
  return key;
}

function checkStateSecret(value: string, source: string): string {
  if (value.length < STATE_SECRET_MIN) {
    throw new ServiceConfigError(`${source} must be at least ${STATE_SECRET_MIN} characters`);
  }
  return value;
}

export function keysFilePath(dataDir: string): string {
  return path.join(dataDir, 'service-keys.json');
}

function readKeysFile(file: string): z.infer<typeof keysFileSchema> {
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
  const parsed = keysFileSchema.safeParse(JSON.parse(raw));
  if (!parsed.success) throw new ServiceConfigError(`${file} is not a valid service keys file`);
  return parsed.data;
}

const OUTSIDE_DEV = 'outside development mode (GRANTEX_DEV_MODE=true or NODE_ENV=development asks for it)';
const CONSOLE_SECRET_MIN = 32;

export function resolveServiceKeys(config: ServiceConfig): ServiceKeys {
  if (config.consoleSecret !== undefined && config.consoleSecret.length < CONSOLE_SECRET_MIN) {
    throw new ServiceConfigError(`GRANTEX_CONSOLE_SECRET must be at least ${CONSOLE_SECRET_MIN} characters`);
  }
  if (!config.devMode) {
    if (!config.stateSecret) {
      throw new ServiceConfigError(`GRANTEX_STATE_SECRET is required ${OUTSIDE_DEV}`);
    }
    if (!config.encryptionKey) {
      throw new ServiceConfigError(`GRANTEX_ENCRYPTION_KEY is required ${OUTSIDE_DEV}`);
    }
    const keys = {
      stateSecret: checkStateSecret(config.stateSecret, 'GRANTEX_STATE_SECRET'),
      encryptionKey: decodeEncryptionKey(config.encryptionKey, 'GRANTEX_ENCRYPTION_KEY'),
    };
    // Without it the console cannot name members' addresses, and every member behind it shares its buckets.
    if (!config.consoleSecret) {
      throw new ServiceConfigError(`GRANTEX_CONSOLE_SECRET is required ${OUTSIDE_DEV}`);
    }
    return keys;
  }

  if (config.stateSecret && config.encryptionKey) {
    return {
      stateSecret: checkStateSecret(config.stateSecret, 'GRANTEX_STATE_SECRET'),
      encryptionKey: decodeEncryptionKey(config.encryptionKey, 'GRANTEX_ENCRYPTION_KEY'),
    };
  }

  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = keysFilePath(config.dataDir);
  const stored = readKeysFile(file);
  const next = {
    stateSecret: stored.stateSecret ?? randomBytes(32).toString('base64url'),
    encryptionKey: stored.encryptionKey ?? randomBytes(32).toString('base64url'),
  };
  if (next.stateSecret !== stored.stateSecret || next.encryptionKey !== stored.encryptionKey) {
    // Write-then-rename so a crash never leaves a truncated keys file behind.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(next, null, 2) + '\n', { mode: 0o600 });
    fs.renameSync(tmp, file);
  }
  fs.chmodSync(file, 0o600);
  return {
    stateSecret: checkStateSecret(
      config.stateSecret ?? next.stateSecret,
      config.stateSecret ? 'GRANTEX_STATE_SECRET' : file,
    ),
    encryptionKey: decodeEncryptionKey(
      config.encryptionKey ?? next.encryptionKey,
      config.encryptionKey ? 'GRANTEX_ENCRYPTION_KEY' : file,
    ),
  };
}
