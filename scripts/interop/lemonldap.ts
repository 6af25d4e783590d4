/**
 * A real OpenID Provider that is neither JavaScript nor ours: LemonLDAP::NG (Perl, Debian's packages) served by
 * its own nginx + FastCGI processes from a temporary directory, on one loopback port. Nothing of the system's
 * nginx sites or services is used; close() stops every process and deletes the directory.
 *
 * Library (tests):  const idp = await startLemonLdap({ redirectUris: [...] }); … await idp.close();
 * Command line:     tsx scripts/interop/lemonldap.ts --redirect-uri URL [--redirect-uri URL…] [--port N]
 *                     [--write-env FILE]   prints issuer, client and user; runs until SIGINT/SIGTERM.
 *
 * Install first: `bash scripts/interop/install-lemonldap.sh` (root).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { interopEnvFile } from './env';

const NGINX = '/usr/sbin/nginx';
const FASTCGI_SERVER = '/usr/sbin/llng-fastcgi-server';
const PORTAL_MODULE = '/usr/share/perl5/Lemonldap/NG/Portal/Main.pm';
const TEMPLATES = fileURLToPath(new URL('./templates/', import.meta.url));
const INSTALL_HINT = 'Install it with `sudo bash scripts/interop/install-lemonldap.sh` (Debian packages).';

/**
 * The relying party registered at LemonLDAP: a client ID with `-` and `.` and a secret with all of `-._~`, the
 * characters real IdPs put in credentials (Entra, Google). Nothing needs escaping, so the service starts with
 * client_secret_basic, sent as is. But base64("id:secret") contains a `+`, and LemonLDAP 2.16 reads the Basic
 * token only up to the first `+` or `/`: it rejects the client, and the service must fall back to
 * client_secret_post, as it does for any IdP that rejects one method (lib/sso-service/oidc/client-auth.ts).
 */
export const LEMONLDAP_CLIENT = {
  clientId: 'sso-test-client.example',
  clientSecret: 'interop-v2~~~_ng.ldap-ng',
} as const;

/**
 * A second client whose Basic token has no `+` or `/`, so LemonLDAP reads it whole: the interop tests use it
 * to show that LemonLDAP compares Basic credentials without percent-decoding them.
 */
export const LEMONLDAP_PROBE_CLIENT = {
  clientId: 'sso-probe-client.example',
  clientSecret: 'interop-v2_ng.ldap~ng',
} as const;

/** LemonLDAP's Demo backend accounts (password = login). */
export const LEMONLDAP_USERS = [
  { username: 'dwho', password: 'dwho', email: 'dwho@badwolf.org', name: 'Doctor Who', sub: 'dwho' },
  { username: 'rtyler', password: 'rtyler', email: 'rtyler@badwolf.org', name: 'Rose Tyler', sub: 'rtyler' },
] as const;

export type LemonLdapUser = (typeof LEMONLDAP_USERS)[number];

export interface LemonLdapOptions {
  /** Redirect URIs registered for both clients; none: no OpenID Connect client is registered. */
  redirectUris?: string[];
  /** Loopback port; a free one when omitted. */
  port?: number;
  host?: string;
  /** Portal log level; `debug` (default) logs which client authentication method each token request used. */
  logLevel?: 'error' | 'warn' | 'notice' | 'info' | 'debug';
  /** How long to wait for the portal to answer its discovery document (default 60 s). */
  startupTimeoutMs?: number;
  /** FastCGI workers (default 2). One makes a `reconfigure` visible to every request once it is seen. */
  workers?: number;
  /** Top-level keys merged over the generated global configuration (e.g. the SAML issuer's, lemonldap-saml.ts). */
  extraConfig?: Record<string, unknown>;
}

export interface LemonLdap {
  issuer: string;
  port: number;
  client: { clientId: string; clientSecret: string };
  probeClient: { clientId: string; clientSecret: string };
  users: typeof LEMONLDAP_USERS;
  redirectUris: string[];
  /** The portal's log so far (FastCGI server and portal, stdout and stderr). */
  portalLog(): Promise<string>;
  /**
   * Saves the next configuration version (as LemonLDAP's manager does on save): `change` edits a copy of the
   * current one. Each worker loads it at its next request once `checkTime` (1 s) has passed since its last
   * check; the caller waits for a sign of it. Resolves with the new version number.
   */
  reconfigure(change: (conf: Record<string, unknown>) => void): Promise<number>;
  /** Stops nginx and the FastCGI server (and its workers), then deletes the temporary directory. */
  close(): Promise<void>;
}

const optionsSchema = z.object({
  redirectUris: z.array(z.url()).default([]),
  port: z.number().int().min(1).max(65_535).optional(),
  host: z.string().min(1).default('127.0.0.1'),
  logLevel: z.enum(['error', 'warn', 'notice', 'info', 'debug']).default('debug'),
  startupTimeoutMs: z.number().int().positive().default(60_000),
  workers: z.number().int().min(1).max(8).default(2),
  extraConfig: z.record(z.string(), z.unknown()).default({}),
});

/** True when the Debian packages the interop IdP needs are installed (binaries and portal). */
export function lemonLdapInstalled(): boolean {
  return [NGINX, FASTCGI_SERVER, PORTAL_MODULE].every((file) => existsSync(file));
}

export class LemonLdapStartError extends Error {
  override name = 'LemonLdapStartError';
}

export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function fillTemplate(name: string, values: Record<string, string>): string {
  return readFileSync(join(TEMPLATES, name), 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`template ${name}: no value for ${whole}`);
    return value;
  });
}

interface ClientSpec {
  clientId: string;
  clientSecret: string;
}

function relyingParty(client: ClientSpec, redirectUris: string[]) {
  return {
    oidcRPMetaDataOptionsClientID: client.clientId,
    oidcRPMetaDataOptionsClientSecret: client.clientSecret,
    oidcRPMetaDataOptionsDisplayName: 'Grantex SSO (interop tests)',
    oidcRPMetaDataOptionsRedirectUris: redirectUris.join(' '),
    oidcRPMetaDataOptionsIDTokenSignAlg: 'RS256',
    // email and name in the ID token itself (LemonLDAP otherwise serves them at userinfo only).
    oidcRPMetaDataOptionsIDTokenForceClaims: 1,
    oidcRPMetaDataOptionsBypassConsent: 1,
    oidcRPMetaDataOptionsUserIDAttr: 'uid',
  };
}

/** The global configuration (lmConf-1.json): Demo users, OpenID Connect issuer with one RS256 key, two RPs. */
function lmConf(dir: string, issuer: string, host: string, redirectUris: string[]) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const claims = { email: 'mail', name: 'cn', preferred_username: 'uid' };
  return {
    cfgNum: 1,
    cfgAuthor: 'Grantex interop tests',
    cfgDate: String(Math.floor(Date.now() / 1000)),
    cfgVersion: '2.16.1',
    // Demo backend: dwho/dwho, rtyler/rtyler, msmith/msmith. No password changes, no self-registration
    // (those load mail modules the suite does not install).
    authentication: 'Demo',
    userDB: 'Same',
    passwordDB: 'Null',
    registerDB: 'Null',
    demoExportedVars: { cn: 'cn', mail: 'mail', uid: 'uid' },
    whatToTrace: 'uid',
    portal: `${issuer}/`,
    domain: host,
    securedCookie: 0,
    cookieName: 'lemonldap',
    timeout: 3600,
    loginHistoryEnabled: 0,
    portalCheckLogins: 0,
    notification: 0,
    locationRules: { [host]: { default: 'accept' } },
    exportedHeaders: {},
    groups: {},
    macros: {},
    globalStorage: 'Apache::Session::File',
    globalStorageOptions: {
      Directory: join(dir, 'sessions'),
      LockDirectory: join(dir, 'sessions/lock'),
      generateModule: 'Lemonldap::NG::Common::Apache::Session::Generate::SHA256',
    },
    persistentStorage: 'Apache::Session::File',
    persistentStorageOptions: { Directory: join(dir, 'psessions'), LockDirectory: join(dir, 'psessions/lock') },
    localSessionStorage: 'Cache::FileCache',
    localSessionStorageOptions: {
      cache_root: join(dir, 'cache'),
      namespace: 'lemonldap-ng-sessions',
      default_expires_in: 600,
    },
    issuerDBOpenIDConnectActivation: 1,
    oidcServiceMetaDataIssuer: issuer,
    oidcServicePrivateKeySig: privateKey,
    oidcServicePublicKeySig: publicKey,
    oidcServiceKeyIdSig: 'interop-rs256',
    // The two clients only when there are redirect URIs to register (a SAML-only portal has none).
    oidcRPMetaDataOptions: redirectUris.length
      ? {
          grantex: relyingParty(LEMONLDAP_CLIENT, redirectUris),
          probe: relyingParty(LEMONLDAP_PROBE_CLIENT, redirectUris),
        }
      : {},
    oidcRPMetaDataExportedVars: redirectUris.length ? { grantex: claims, probe: claims } : {},
  };
}

export function tailFile(file: string, lines: number): string {
  try {
    const all = readFileSync(file, 'utf8').split('\n');
    // Debug lines drown the cause of a failed start; errors and warnings are what help. A portal that failed
    // to initialise repeats the same error at every request, so each message is kept once (its first time,
    // which names the cause, e.g. a Perl module that is not installed).
    const seen = new Set<string>();
    const useful = all.filter((line) => {
      if (!line.trim() || line.includes('[debug]')) return false;
      const message = line.replace(/^\[[^\]]*\] \[LLNG:\d+\] /, '');
      if (seen.has(message)) return false;
      seen.add(message);
      return true;
    });
    return useful.slice(-lines).join('\n') || '(empty)';
  } catch {
    return '(no log)';
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM (nginx and the FastCGI manager stop their workers), then SIGKILL after 10 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited(child);
  clearTimeout(timer);
}

/**
 * The processes an interop IdP runs from its temporary directory: `close()` stops them all (once) and deletes
 * the directory. As a last resort when the caller never closes (a crashed test run), no process outlives this one.
 */
export function ownedProcesses(dir: string): { children: ChildProcess[]; close: () => Promise<void> } {
  const children: ChildProcess[] = [];
  let closed: Promise<void> | undefined;
  const onExit = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const close = () =>
    (closed ??= (async () => {
      await Promise.all(children.map(stopProcess));
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    })());
  return { children, close };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForDiscovery(issuer: string, children: ChildProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead)
      throw new Error(`${dead.spawnfile} exited (${dead.exitCode ?? dead.signalCode}) before the portal was ready`);
    try {
      const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      const text = await res.text();
      if (res.ok && (JSON.parse(text) as { issuer?: unknown }).issuer === issuer) return;
      last = `HTTP ${res.status}: ${text
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
        .slice(0, 200)}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(250);
  }
  throw new Error(`no discovery document within ${Math.round(timeoutMs / 1000)} s (last answer: ${last})`);
}

export async function startLemonLdap(options: LemonLdapOptions): Promise<LemonLdap> {
  const opts = optionsSchema.parse(options);
  if (!lemonLdapInstalled()) throw new LemonLdapStartError(`LemonLDAP::NG is not installed. ${INSTALL_HINT}`);

  const port = opts.port ?? (await freePort(opts.host));
  const issuer = `http://${opts.host}:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'grantex-lemonldap-'));
  const logs = { portal: join(dir, 'log/lemonldap.log'), nginx: join(dir, 'log/nginx-error.log') };
  const { children, close } = ownedProcesses(dir);
  const root = process.getuid?.() === 0;
  const config: Record<string, unknown> = {
    ...lmConf(dir, issuer, opts.host, opts.redirectUris),
    ...opts.extraConfig,
  };

  try {
    for (const sub of ['conf', 'cache', 'sessions/lock', 'psessions/lock', 'run', 'log', 'nginx']) {
      mkdirSync(join(dir, sub), { recursive: true });
    }
    const values = {
      DIR: dir,
      HOST: opts.host,
      PORT: String(port),
      LOG_LEVEL: opts.logLevel,
      // nginx's workers and the FastCGI server (which refuses to run as root) drop to nobody when we are root.
      USER_DIRECTIVE: root ? 'user nobody nogroup;' : '',
    };
    writeFileSync(join(dir, 'nginx.conf'), fillTemplate('nginx.conf', values));
    writeFileSync(join(dir, 'lemonldap-ng.ini'), fillTemplate('lemonldap-ng.ini', values));
    writeFileSync(join(dir, 'conf/lmConf-1.json'), JSON.stringify(config, null, 1), { mode: 0o600 });
    if (root) execFileSync('chown', ['-R', 'nobody:nogroup', dir]);

    // Our own nginx and FastCGI server; both stay in our process group so they die with it.
    const nginxOut = openSync(join(dir, 'log/nginx.out'), 'a');
    children.push(
      spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', logs.nginx], {
        stdio: ['ignore', nginxOut, nginxOut],
      }),
    );
    closeSync(nginxOut);
    const portalOut = openSync(logs.portal, 'a');
    const fastcgiArgs = [
      '--foreground',
      '-n',
      String(opts.workers),
      '-s',
      join(dir, 'run/llng-fastcgi.sock'),
      '-p',
      join(dir, 'run/llng-fastcgi.pid'),
    ];
    if (root) fastcgiArgs.push('-u', 'nobody', '-g', 'nogroup');
    children.push(
      spawn(FASTCGI_SERVER, fastcgiArgs, {
        stdio: ['ignore', portalOut, portalOut],
        // A clean environment: the server reads USER, GROUP, PID, SOCKET, NPROC… from it.
        // (Next's types make NODE_ENV mandatory in ProcessEnv; this child has none.)
        env: {
          PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
          LANG: 'C.UTF-8',
          HOME: dir,
          LLNG_DEFAULTCONFFILE: join(dir, 'lemonldap-ng.ini'),
          LLNG_DEFAULTLOGGER: 'Lemonldap::NG::Common::Logger::Std',
        } as Record<string, string> as NodeJS.ProcessEnv,
      }),
    );
    closeSync(portalOut);
    for (const child of children) child.on('error', () => undefined);

    await waitForDiscovery(issuer, children, opts.startupTimeoutMs);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message =
      `LemonLDAP::NG did not start at ${issuer}: ${reason}\n` +
      `--- portal log (last lines) ---\n${tailFile(logs.portal, 25)}\n` +
      `--- nginx error log (last lines) ---\n${tailFile(logs.nginx, 10)}\n` +
      `If a Perl module is missing, run \`sudo bash scripts/interop/install-lemonldap.sh\`.`;
    await close().catch(() => undefined);
    throw new LemonLdapStartError(message);
  }

  return {
    issuer,
    port,
    client: { ...LEMONLDAP_CLIENT },
    probeClient: { ...LEMONLDAP_PROBE_CLIENT },
    users: LEMONLDAP_USERS,
    redirectUris: [...opts.redirectUris],
    portalLog: () => readFile(logs.portal, 'utf8').catch(() => ''),
    reconfigure: async (change) => {
      const next = structuredClone(config);
      change(next);
      const cfgNum = Number(config.cfgNum) + 1;
      Object.assign(next, { cfgNum, cfgDate: String(Math.floor(Date.now() / 1000)) });
      const file = join(dir, `conf/lmConf-${cfgNum}.json`);
      await writeFile(`${file}.partial`, JSON.stringify(next, null, 1), { mode: 0o600 });
      if (root) execFileSync('chown', ['nobody:nogroup', `${file}.partial`]);
      await rename(`${file}.partial`, file);
      // The workers read the configuration from their local cache without asking the backend (the manager
      // tells them to reload instead); without the cache they read the backend's newest version.
      rmSync(join(dir, 'cache/lemonldap-ng-config'), { recursive: true, force: true });
      for (const key of Object.keys(config)) delete config[key];
      Object.assign(config, next);
      return cfgNum;
    },
    close,
  };
}

// ------------------------------------------------------------------ command line

const cliSchema = z.object({
  'redirect-uri': z.array(z.url()).min(1, 'give at least one --redirect-uri'),
  port: z.coerce.number().int().min(1).max(65_535).optional(),
  'write-env': z.string().min(1).optional(),
});

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'redirect-uri': { type: 'string', multiple: true },
      port: { type: 'string' },
      'write-env': { type: 'string' },
    },
  });
  const args = cliSchema.safeParse(values);
  if (!args.success) {
    console.error(`lemonldap: ${args.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    console.error(
      'usage: tsx scripts/interop/lemonldap.ts --redirect-uri URL [--redirect-uri URL…] [--port N] [--write-env FILE]',
    );
    process.exit(2);
  }
  const started = Date.now();
  let idp: LemonLdap;
  try {
    idp = await startLemonLdap({ redirectUris: args.data['redirect-uri'], port: args.data.port, logLevel: 'info' });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  const user = idp.users[0];
  const envFile = args.data['write-env'];
  if (envFile) {
    // Written whole, then renamed: a shell waiting for the file never sources half of it.
    await writeFile(`${envFile}.partial`, interopEnvFile({ issuer: idp.issuer, ...idp.client, user }), { mode: 0o600 });
    await rename(`${envFile}.partial`, envFile);
  }
  console.log(
    `LemonLDAP::NG ready in ${((Date.now() - started) / 1000).toFixed(1)} s: issuer ${idp.issuer} · client ${idp.client.clientId} ` +
      `· user ${user.username} / ${user.password} · redirect URIs ${idp.redirectUris.join(' ')}` +
      (envFile ? ` · details in ${envFile}` : ''),
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void idp.close().then(() => process.exit(0));
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  // A caller killed without stopping us (a shell step, a CI job) must not leave LemonLDAP running.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1_000);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
