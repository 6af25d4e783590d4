/**
 * `npm run dev`: the whole product on one machine — dev IdP, embedded Grantex service (unless GRANTEX_URL
 * points elsewhere) and `next dev`, with prefixed output and one Ctrl-C to stop them all.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadStackConfig, type StackConfig } from './lib/config';
import { ensureDevSecrets } from './lib/secrets';
import { runStack, type RunningStack } from './lib/stack-runner';
import { bold, log, red, warn } from './lib/supervisor';
import { startDevDns } from './lib/dev-dns';

const ROOT = join(import.meta.dirname, '..');

const DEV_DNS_FILE = '.data/dev-dns.txt';

function banner(config: StackConfig, { idp, consoleUrl, grantexUrl }: RunningStack, devDns: string | null): string {
  const row = (k: string, v: string) => `    ${k.padEnd(15)}${bold(v)}`;
  const users = idp.users.map(
    (u) => `    ${`${u.username} / ${u.password}`.padEnd(28)}${[u.email, u.name].filter(Boolean).join(', ')}`,
  );
  const hostedWarning = config.embeddedService
    ? []
    : [
        '',
        `  Note: GRANTEX_URL=${grantexUrl} is not the embedded service. A hosted Grantex API cannot reach the`,
        '  dev IdP on this machine; configure an IdP it can reach (Okta, Entra ID, Google…) instead.',
      ];
  return [
    '',
    bold('  Grantex SSO Console is running'),
    '',
    row('Console', consoleUrl),
    row('Grantex API', `${grantexUrl}${config.embeddedService ? '  (embedded service, dev mode)' : '  (external)'}`),
    row('Dev IdP', idp.issuer),
    '',
    `  1. Open ${bold(`${consoleUrl}/signin`)} and choose "Create a demo organization" (or paste an API key).`,
    `  2. On ${bold(`${consoleUrl}/settings/sso`)} choose "Add connection" and enter the dev IdP's values:`,
    row('Issuer URL', idp.issuer),
    row('Client ID', idp.client.clientId),
    row('Client secret', idp.client.clientSecret),
    row('Redirect URI', `the one the form proposes (${consoleUrl}/sso/callback/<key>; the dev IdP accepts them all)`),
    '     then "Create connection" and "Test sign-in".',
    `  3. Members sign in at ${bold(`${consoleUrl}/login?org=<your developer ID>`)} (the settings page shows the link).`,
    '',
    ...(devDns
      ? [
          `  4. Email domains: a connection's page shows a TXT record to publish. Here, add it as one line`,
          `     "<name> <value>" to ${bold(DEV_DNS_FILE)} (dev DNS on ${devDns}), then press "Verify".`,
          '',
        ]
      : []),
    '  Demo users at the dev IdP:',
    ...users,
    ...hostedWarning,
    '',
    '  Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}

// Node's loader keeps variables already set in the shell, so `PORT=3300 npm run dev` beats .env.
const dotenv = join(ROOT, '.env');
if (existsSync(dotenv)) {
  process.loadEnvFile(dotenv);
  log('Loaded .env');
}

let config: StackConfig;
try {
  config = loadStackConfig();
} catch (err) {
  warn(red(err instanceof Error ? err.message : String(err)));
  process.exit(1);
}
const secrets = ensureDevSecrets(join(ROOT, '.data'));
if (secrets.created) log(`Generated dev secrets in ${secrets.file} (kept for next time; never commit .data/).`);

// Domain verification offline: a loopback DNS server answering from .data/dev-dns.txt (scripts/lib/dev-dns.ts).
const devDns =
  config.embeddedService && !process.env.SSO_DNS_SERVERS && process.env.DEV_DNS !== 'off'
    ? await startDevDns(join(ROOT, DEV_DNS_FILE), Number(process.env.DEV_DNS_PORT) || 0)
    : null;

await runStack({
  mode: 'dev',
  config,
  consoleEnv: {
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET || secrets.NEXTAUTH_SECRET,
    CONSOLE_DEMO_SIGNUP: process.env.CONSOLE_DEMO_SIGNUP ?? 'true',
  },
  serviceEnv: { GRANTEX_DEV_MODE: process.env.GRANTEX_DEV_MODE ?? 'true', ...(devDns ? { SSO_DNS_SERVERS: devDns.address } : {}) },
  idpOptions: { logRequests: true },
  banner: (stack) => banner(config, stack, devDns?.address ?? null),
});
