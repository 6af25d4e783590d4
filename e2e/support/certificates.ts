/** Certificates for SAML specs, valid between chosen dates (the dev IdP's own is valid for years). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A self-signed certificate valid between two dates (`openssl ca` can set both; `openssl req` cannot). */
export function certificatePem(notBefore: Date, notAfter: Date): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'saml-cert-'));
  const stamp = (d: Date) => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  try {
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(path.join(dir, 'serial'), '01\n');
    writeFileSync(
      path.join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca=x\n[x]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n',
    );
    const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
    run([
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'k.pem',
      '-out',
      'csr.pem',
      '-subj',
      '/CN=test-idp',
    ]);
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-selfsign',
      '-keyfile',
      'k.pem',
      '-in',
      'csr.pem',
      '-out',
      'c.pem',
      '-startdate',
      stamp(notBefore),
      '-enddate',
      stamp(notAfter),
      '-notext',
    ]);
    return readFileSync(path.join(dir, 'c.pem'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
