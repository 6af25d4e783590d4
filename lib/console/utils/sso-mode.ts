/**
 * Whether the console allows plain-http loopback issuers (the local dev IdP) — the same switch
 * the embedded service has. Read at run time, not build time: the e2e stack runs a production
 * build against the dev IdP on 127.0.0.1 and sets GRANTEX_DEV_MODE=true for that.
 * Read lazily, never at module load, so `next build` does not need the runtime environment.
 */
import 'server-only';
import { readFlag } from '@/lib/env';

export function ssoDevMode(source: Record<string, string | undefined> = process.env): boolean {
  // Only when asked for (the service's rule): a console started without NODE_ENV is strict.
  return readFlag(source.GRANTEX_DEV_MODE) ?? source.NODE_ENV === 'development';
}
