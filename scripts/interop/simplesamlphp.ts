/**
 * A real SAML IdP that is neither JavaScript nor ours: SimpleSAMLphp 1.19 (PHP, Debian's `simplesamlphp`)
 * served by its own nginx + PHP-FPM from a temporary directory, on one loopback port, with its own
 * configuration: an exampleauth username/password source, our SP's entity ID and ACS URL as its one SP, and a
 * key and certificate made for this run. Nothing of the system's configuration or services is used; close()
 * stops every process and deletes the directory. Helpers are shared with the LemonLDAP launcher.
 *
 * Library (tests):  const idp = await startSimpleSamlPhp({ spEntityId, acsUrl }); … await idp.close();
 * Command line:     tsx scripts/interop/simplesamlphp.ts --sp-entity-id ID --acs-url URL [--port N]
 *                     prints the IdP's metadata URL and user; runs until SIGINT/SIGTERM.
 *
 * Install first: `bash scripts/interop/simplesamlphp-install.sh` (root).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { generateSigningKey } from '@/lib/dev-idp/saml/keys';
import { fillTemplate, freePort, ownedProcesses, tailFile } from './lemonldap';

const NGINX = '/usr/sbin/nginx';
const PHP_FPM = '/usr/sbin/php-fpm8.2';
const SSP_WWW = '/usr/share/simplesamlphp/www/saml2/idp/SSOService.php';
const INSTALL_HINT = 'Install it with `sudo bash scripts/interop/simplesamlphp-install.sh` (Debian packages).';

/** The exampleauth users (attributes as SimpleSAMLphp releases them; NameID = mail, emailAddress format). */
export const SIMPLESAMLPHP_USERS = [
  {
    username: 'ada',
    password: 'ada-interop-pass',
    email: 'ada@example.org',
    name: 'Ada Lovelace',
    groups: ['staff', 'member'],
  },
  {
    username: 'grace',
    password: 'grace-interop-pass',
    email: 'grace@example.org',
    name: 'Grace Hopper',
    groups: ['member'],
  },
] as const;

export interface SimpleSamlPhpOptions {
  spEntityId: string;
  acsUrl: string;
  port?: number;
  host?: string;
  startupTimeoutMs?: number;
}

export interface SimpleSamlPhp {
  baseUrl: string;
  /** Also the IdP's entity ID. */
  metadataUrl: string;
  users: typeof SIMPLESAMLPHP_USERS;
  /** SimpleSAMLphp's, PHP-FPM's and nginx's logs so far (for a failing test's message). */
  logs(): string;
  close(): Promise<void>;
}

const optionsSchema = z.object({
  spEntityId: z.string().min(1),
  acsUrl: z.url(),
  port: z.number().int().min(1).max(65_535).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  startupTimeoutMs: z.number().int().positive().default(60_000),
});

export function simpleSamlPhpInstalled(): boolean {
  return [NGINX, PHP_FPM, SSP_WWW].every((file) => existsSync(file));
}

export class SimpleSamlPhpStartError extends Error {
  override name = 'SimpleSamlPhpStartError';
}

/** A PHP single-quoted string literal. */
function php(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function usersPhp(): string {
  return SIMPLESAMLPHP_USERS.map(
    (u) =>
      `${php(`${u.username}:${u.password}`)} => ['uid' => [${php(u.username)}], 'mail' => [${php(u.email)}], ` +
      `'displayName' => [${php(u.name)}], 'eduPersonAffiliation' => [${u.groups.map(php).join(', ')}]],`,
  ).join('\n        ');
}

async function waitForMetadata(url: string, children: ChildProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead)
      throw new Error(`${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode}) before SimpleSAMLphp was ready`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (res.ok && text.includes('IDPSSODescriptor')) return;
      last = `HTTP ${res.status}: ${text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no IdP metadata within ${Math.round(timeoutMs / 1000)} s (last answer: ${last})`);
}

export async function startSimpleSamlPhp(options: SimpleSamlPhpOptions): Promise<SimpleSamlPhp> {
  const opts = optionsSchema.parse(options);
  if (!simpleSamlPhpInstalled()) throw new SimpleSamlPhpStartError(`SimpleSAMLphp is not installed. ${INSTALL_HINT}`);

  const port = opts.port ?? (await freePort(opts.host));
  const baseUrl = `http://${opts.host}:${port}`;
  const metadataUrl = `${baseUrl}/simplesaml/saml2/idp/metadata.php`;
  const dir = mkdtempSync(join(tmpdir(), 'grantex-simplesamlphp-'));
  const log = (name: string) => join(dir, 'log', name);
  const { children, close } = ownedProcesses(dir);
  const logs = () =>
    ['simplesamlphp.log', 'php-errors.log', 'php-fpm.log', 'nginx-error.log']
      .map((name) => `--- ${name} ---\n${tailFile(log(name), 15)}`)
      .join('\n');

  try {
    for (const sub of ['config', 'metadata', 'cert', 'log', 'data', 'tmp', 'sessions', 'run', 'nginx'])
      mkdirSync(join(dir, sub), { recursive: true });
    const root = process.getuid?.() === 0;
    const values = {
      DIR: dir,
      HOST: opts.host,
      PORT: String(port),
      BASE_URL: baseUrl,
      SECRET_SALT: randomBytes(24).toString('hex'),
      ADMIN_PASSWORD: randomBytes(24).toString('hex'),
      USERS: usersPhp(),
      SP_ENTITY_ID: opts.spEntityId.replace(/[\\']/g, ''),
      ACS_URL: opts.acsUrl.replace(/[\\']/g, ''),
      // nginx's workers and PHP-FPM's pool drop to nobody when we are root.
      USER_DIRECTIVE: root ? 'user nobody nogroup;' : '',
      FPM_USER: root ? 'user = nobody\ngroup = nogroup' : '',
      FPM_LISTEN_OWNER: root ? 'listen.owner = nobody\nlisten.group = nogroup' : '',
    };
    const template = (name: string) => fillTemplate(`simplesamlphp/${name}`, values);
    writeFileSync(join(dir, 'config/config.php'), template('config.php'));
    writeFileSync(join(dir, 'config/authsources.php'), template('authsources.php'));
    writeFileSync(join(dir, 'metadata/saml20-idp-hosted.php'), template('saml20-idp-hosted.php'));
    writeFileSync(join(dir, 'metadata/saml20-sp-remote.php'), template('saml20-sp-remote.php'));
    writeFileSync(join(dir, 'php-fpm.conf'), template('php-fpm.conf'));
    writeFileSync(join(dir, 'nginx.conf'), template('nginx.conf'));
    const key = generateSigningKey('SimpleSAMLphp interop IdP', 30);
    writeFileSync(join(dir, 'cert/idp.key'), key.privateKeyPem, { mode: 0o600 });
    writeFileSync(join(dir, 'cert/idp.crt'), key.certificatePem);
    if (root) execFileSync('chown', ['-R', 'nobody:nogroup', dir]);

    const out = openSync(log('processes.out'), 'a');
    children.push(
      spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', log('nginx-error.log')], {
        stdio: ['ignore', out, out],
      }),
    );
    const fpmArgs = ['--nodaemonize', '--fpm-config', join(dir, 'php-fpm.conf')];
    if (root) fpmArgs.push('--allow-to-run-as-root');
    children.push(spawn(PHP_FPM, fpmArgs, { stdio: ['ignore', out, out] }));
    closeSync(out);
    for (const child of children) child.on('error', () => undefined);
    await waitForMetadata(metadataUrl, children, opts.startupTimeoutMs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message = `SimpleSAMLphp did not start at ${baseUrl}: ${reason}\n${logs()}`;
    await close().catch(() => undefined);
    throw new SimpleSamlPhpStartError(message);
  }
  return { baseUrl, metadataUrl, users: SIMPLESAMLPHP_USERS, logs, close };
}

// ------------------------------------------------------------------ command line

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'sp-entity-id': { type: 'string' }, 'acs-url': { type: 'string' }, port: { type: 'string' } },
  });
  const args = z
    .object({
      'sp-entity-id': z.string().min(1),
      'acs-url': z.url(),
      port: z.coerce.number().int().min(1).max(65_535).optional(),
    })
    .safeParse(values);
  if (!args.success) {
    console.error('usage: tsx scripts/interop/simplesamlphp.ts --sp-entity-id ID --acs-url URL [--port N]');
    process.exit(2);
  }
  let idp: SimpleSamlPhp;
  try {
    idp = await startSimpleSamlPhp({
      spEntityId: args.data['sp-entity-id'],
      acsUrl: args.data['acs-url'],
      port: args.data.port,
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  const user = idp.users[0];
  console.log(`SimpleSAMLphp ready: metadata ${idp.metadataUrl} · user ${user.username} / ${user.password}`);
  const stop = () => void idp.close().then(() => process.exit(0));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
