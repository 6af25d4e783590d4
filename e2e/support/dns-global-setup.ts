/**
 * Playwright global setup: the loopback DNS server the local stack's service asks when an admin verifies a domain
 * (see e2e/support/dns.ts). Bounded: one UDP socket on 127.0.0.1, closed at teardown with its records directory.
 */
import { rmSync } from 'node:fs';
import { startLoopbackDnsServer } from '../../tests/support/dns-server';
import { readTxt } from './dns';
import { LOCAL } from './env';

export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  const dir = process.env.E2E_DNS_RECORDS_DIR;
  if (process.env.E2E_BASE_URL || !dir) return undefined;
  const dns = await startLoopbackDnsServer({ port: LOCAL.dnsPort, lookupTxt: (name) => readTxt(dir, name) });
  return async () => {
    await dns.close();
    rmSync(dir, { recursive: true, force: true });
  };
}
