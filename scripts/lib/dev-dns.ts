/**
 * Development only: a DNS server on loopback that answers the embedded service's domain-verification lookups from
 * a plain file, so `npm run dev` can verify an email domain with no real DNS zone and no network. Each line of
 * `.data/dev-dns.txt` is one TXT record, `<name> <value>`, as the console's Email domains section shows them, e.g.
 *   _grantex-sso.acme.test grantex-sso-verification=AbC…
 * The file is read on every query, so a record counts as soon as it is saved. Not started when SSO_DNS_SERVERS is
 * set (then those servers answer) or DEV_DNS=off.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { startLoopbackDnsServer, type LoopbackDnsServer } from '../../tests/support/dns-server';

const HEADER = [
  '# Development DNS (npm run dev): one TXT record per line, "<name> <value>", e.g.',
  '# _grantex-sso.acme.test grantex-sso-verification=<the value the console shows>',
  '',
].join('\n');

/** The TXT values at `name` in the file's text (lines starting with # are comments; names are case-insensitive). */
export function devDnsTxt(text: string, name: string): string[] | undefined {
  const values = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => /^(\S+)\s+(.+)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && m[1]?.toLowerCase().replace(/\.$/, '') === name.toLowerCase())
    .map((m) => (m[2] ?? '').trim().replace(/^"(.*)"$/, '$1'));
  return values.length > 0 ? values : undefined;
}

export async function startDevDns(file: string, port: number): Promise<LoopbackDnsServer> {
  if (!existsSync(file)) writeFileSync(file, HEADER, { mode: 0o600 });
  return startLoopbackDnsServer({
    port,
    lookupTxt: (name) => {
      try {
        return devDnsTxt(readFileSync(file, 'utf8'), name);
      } catch {
        return undefined;
      }
    },
  });
}
