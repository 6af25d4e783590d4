import { mkdtempSync, appendFileSync, readFileSync, rmSync } from 'node:fs';
import { Resolver } from 'node:dns/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devDnsTxt, startDevDns } from '../../scripts/lib/dev-dns';

const dir = mkdtempSync(path.join(tmpdir(), 'dev-dns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the development DNS server (npm run dev)', () => {
  it('reads `<name> <value>` lines, case-insensitive names, comments and quotes ignored', () => {
    const text =
      '# comment\n_grantex-sso.Acme.test grantex-sso-verification=abc\n\n_other.test "x y"\n_grantex-sso.acme.test. second';
    expect(devDnsTxt(text, '_grantex-sso.acme.test')).toEqual(['grantex-sso-verification=abc', 'second']);
    expect(devDnsTxt(text, '_other.test')).toEqual(['x y']);
    expect(devDnsTxt(text, 'missing.test')).toBeUndefined();
  });

  it('answers TXT lookups from the file as soon as a line is added', async () => {
    const file = path.join(dir, 'dev-dns.txt');
    const dns = await startDevDns(file, 0);
    try {
      expect(readFileSync(file, 'utf8')).toContain('one TXT record per line');
      const resolver = new Resolver({ timeout: 1000, tries: 1 });
      resolver.setServers([dns.address]);
      await expect(resolver.resolveTxt('_grantex-sso.acme.test')).rejects.toMatchObject({ code: 'ENOTFOUND' });
      appendFileSync(file, '_grantex-sso.acme.test grantex-sso-verification=tok\n');
      expect(await resolver.resolveTxt('_grantex-sso.acme.test')).toEqual([['grantex-sso-verification=tok']]);
    } finally {
      await dns.close();
    }
  });
});
