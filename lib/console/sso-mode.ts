/**
 * Whether the console allows plain-http loopback issuers (the local dev IdP) — the same switch
 * the embedded service has. Read at run time, not build time: the e2e stack runs a production
 * build against the dev IdP on 127.0.0.1 and sets GRANTEX_DEV_MODE=true for that.
 * Read lazily, never at module load, so `next build` does not need the runtime environment.
 */
import 'server-only';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function ssoDevMode(source: Record<string, string | undefined> = process.env): boolean {
  const flag = source.GRANTEX_DEV_MODE?.trim().toLowerCase();
  if (flag && TRUE.has(flag)) return true;
  if (flag && FALSE.has(flag)) return false;
  return source.NODE_ENV !== 'production';
}
