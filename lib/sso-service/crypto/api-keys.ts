/**
 * API keys: `gx_live_`/`gx_test_` + 32 random bytes in base64url (43 chars). Only sha256(key) is stored, and
 * travels as base64url text (storage's ApiKeyHash).
 */
import { hash, randomBytes } from 'node:crypto';
import type { Mode } from '@/lib/contract';

export function generateApiKey(mode: Mode): string {
  return `${mode === 'live' ? 'gx_live_' : 'gx_test_'}${randomBytes(32).toString('base64url')}`;
}

/** Every authenticated request hashes its key: the one-shot `hash` costs a quarter of a createHash chain. */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'base64url');
}
