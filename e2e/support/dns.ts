/**
 * The e2e stack's DNS server for domain verification: started once per run by Playwright's global setup on
 * loopback UDP (LOCAL.dnsPort; the service's SSO_DNS_SERVERS points at it). Tests publish a TXT record by writing a
 * file named after the record into the run's records directory (E2E_DNS_RECORDS_DIR, fixed before workers fork).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Record names are DNS names: anything else is never a file name here. */
const RECORD_NAME = /^[a-z0-9_.-]{1,253}$/;

function recordsDir(): string {
  const dir = process.env.E2E_DNS_RECORDS_DIR;
  if (!dir) throw new Error('E2E_DNS_RECORDS_DIR is not set: domain tests need the local stack (playwright.config.ts)');
  return dir;
}

/** Publishes `value` as the only TXT record at `name`. */
export function publishTxt(name: string, value: string): void {
  const key = name.toLowerCase();
  if (!RECORD_NAME.test(key)) throw new Error(`not a DNS name: ${name}`);
  mkdirSync(recordsDir(), { recursive: true });
  writeFileSync(path.join(recordsDir(), key), value);
}

/** The TXT values at `name`, or undefined (the DNS server then answers NXDOMAIN). */
export function readTxt(dir: string, name: string): string[] | undefined {
  if (!RECORD_NAME.test(name)) return undefined;
  try {
    return [readFileSync(path.join(dir, name), 'utf8')];
  } catch {
    return undefined;
  }
}
