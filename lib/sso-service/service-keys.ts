/**
 * Resolves the two secrets the service needs: the state secrets (HKDF inputs for the login-state and
 * RelayState-handle keys) and the 32-byte encryption keys for secrets at rest. Each is a list (config.ts): the
 * first entry seals, every entry opens, so a key can be rotated without downtime (docs/OPERATIONS.md).
 * Development: missing values are generated once and kept in `<dataDir>/service-keys.json` (0600) so that
 * stored secrets and in-flight logins survive restarts. Production: missing values stop the start.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  encryptionKeysSchema,
  parseKeyList,
  ServiceConfigError,
  stateSecretsSchema,
  type KeyEntry,
  type ServiceConfig,
} from './config';

type KeyList<V> = [KeyEntry<V>, ...KeyEntry<V>[]];

export interface ServiceKeys {
  /** The first one seals new login states and RelayState handles; all of them open. */
  stateSecrets: KeyList<string>;
  /** The first one seals secrets at rest; all of them open. */
  encryptionKeys: KeyList<Buffer>;
}

const keysFileSchema = z.object({ stateSecret: z.string().optional(), encryptionKey: z.string().optional() });

const decodeEncryptionKeys = (value: string, source: string) => parseKeyList(encryptionKeysSchema, value, source);
const decodeStateSecrets = (value: string, source: string) => parseKeyList(stateSecretsSchema, value, source);

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
      stateSecrets: decodeStateSecrets(config.stateSecret, 'GRANTEX_STATE_SECRET'),
      encryptionKeys: decodeEncryptionKeys(config.encryptionKey, 'GRANTEX_ENCRYPTION_KEY'),
    };
    // Without it the console cannot name members' addresses, and every member behind it shares its buckets.
    if (!config.consoleSecret) {
      throw new ServiceConfigError(`GRANTEX_CONSOLE_SECRET is required ${OUTSIDE_DEV}`);
    }
    return keys;
  }

  if (config.stateSecret && config.encryptionKey) {
    return {
      stateSecrets: decodeStateSecrets(config.stateSecret, 'GRANTEX_STATE_SECRET'),
      encryptionKeys: decodeEncryptionKeys(config.encryptionKey, 'GRANTEX_ENCRYPTION_KEY'),
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
  // The file takes the same forms as the variables, so a development data dir can rotate its keys too.
  return {
    stateSecrets: decodeStateSecrets(
      config.stateSecret ?? next.stateSecret,
      config.stateSecret ? 'GRANTEX_STATE_SECRET' : file,
    ),
    encryptionKeys: decodeEncryptionKeys(
      config.encryptionKey ?? next.encryptionKey,
      config.encryptionKey ? 'GRANTEX_ENCRYPTION_KEY' : file,
    ),
  };
}
