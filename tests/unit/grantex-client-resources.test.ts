/**
 * The composed GrantexClient: every method of every resource is reachable from the client (`client.orgs.*`,
 * `client.sso.*`, `client.sso.connections.*`, ...) and sends its own route, with the API key exactly on the
 * authenticated ones. The table must name every method the resources have, so a new one cannot go untested.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GrantexClient } from '@/lib/grantex';

const API_KEY = 'gx_test_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const CONNECTION = {
  name: 'Okta',
  protocol: 'oidc',
  issuerUrl: 'https://idp.example.com',
  clientId: 'c',
  clientSecret: 's',
} as const;
const CONFIG = {
  issuerUrl: 'https://idp.example.com',
  clientId: 'c',
  clientSecret: 's',
  redirectUri: 'https://console.example.com/sso/callback',
};

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

let seen: Seen[] = [];
let baseUrl = '';
const server = createServer((req, res) => {
  seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
  req.resume();
  // Every call fails the same way: this test is about where each method goes, not what it makes of the answer.
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ message: 'no', code: 'BAD_REQUEST', requestId: 'req_1' }));
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
});

type Row = [method: string, call: (c: GrantexClient) => Promise<unknown>, request: string, authenticated: boolean];

const rows: Row[] = [
  ['orgs.signup', (c) => c.orgs.signup({ name: 'Acme' }), 'POST /v1/signup', false],
  ['orgs.me', (c) => c.orgs.me(), 'GET /v1/me', true],

  ['sso.createConfig', (c) => c.sso.createConfig(CONFIG), 'POST /v1/sso/config', true],
  ['sso.getConfig', (c) => c.sso.getConfig(), 'GET /v1/sso/config', true],
  ['sso.deleteConfig', (c) => c.sso.deleteConfig(), 'DELETE /v1/sso/config', true],
  ['sso.getLoginUrl', (c) => c.sso.getLoginUrl('dev_1'), 'GET /sso/login?org=dev_1', false],
  ['sso.getLoginUrlByDomain', (c) => c.sso.getLoginUrlByDomain('acme.com'), 'GET /sso/login?domain=acme.com', false],
  [
    'sso.getLoginUrlForConnection',
    (c) => c.sso.getLoginUrlForConnection('dev_1', 'sso_1'),
    'GET /sso/login?org=dev_1&connection=sso_1',
    false,
  ],
  ['sso.getPublicChooser', (c) => c.sso.getPublicChooser('dev_1'), 'GET /sso/connections?org=dev_1', false],
  ['sso.listPublicConnections', (c) => c.sso.listPublicConnections('dev_1'), 'GET /sso/connections?org=dev_1', false],
  [
    'sso.handleCallback',
    (c) => c.sso.handleCallback('code', 'state'),
    'GET /sso/callback?code=code&state=state',
    false,
  ],
  ['sso.handleOidcCallback', (c) => c.sso.handleOidcCallback('code', 'state'), 'POST /sso/callback/oidc', false],
  [
    'sso.handleSamlCallback',
    (c) => c.sso.handleSamlCallback({ samlResponse: 'PHNhbWw+', connectionId: 'sso_1' }),
    'POST /sso/callback/saml?connection=sso_1',
    false,
  ],
  [
    'sso.reportIdpError',
    (c) => c.sso.reportIdpError('state', 'access_denied'),
    'GET /sso/callback?state=state&error=access_denied',
    false,
  ],

  ['sso.connections.list', (c) => c.sso.connections.list(), 'GET /v1/sso/connections', true],
  ['sso.connections.create', (c) => c.sso.connections.create(CONNECTION), 'POST /v1/sso/connections', true],
  ['sso.connections.get', (c) => c.sso.connections.get('sso_1'), 'GET /v1/sso/connections/sso_1', true],
  [
    'sso.connections.update',
    (c) => c.sso.connections.update('sso_1', { status: 'inactive' }),
    'PATCH /v1/sso/connections/sso_1',
    true,
  ],
  ['sso.connections.delete', (c) => c.sso.connections.delete('sso_1'), 'DELETE /v1/sso/connections/sso_1', true],
  ['sso.connections.test', (c) => c.sso.connections.test('sso_1'), 'POST /v1/sso/connections/sso_1/test', true],
  ['sso.connections.spKeys', (c) => c.sso.connections.spKeys('sso_1'), 'GET /v1/sso/connections/sso_1/sp-keys', true],
  [
    'sso.connections.rotateSpKey',
    (c) => c.sso.connections.rotateSpKey('sso_1', 'signing'),
    'POST /v1/sso/connections/sso_1/sp-keys/rotate',
    true,
  ],
  [
    'sso.connections.promoteSpKey',
    (c) => c.sso.connections.promoteSpKey('sso_1', 'encryption'),
    'POST /v1/sso/connections/sso_1/sp-keys/promote',
    true,
  ],
  [
    'sso.connections.retireSpKey',
    (c) => c.sso.connections.retireSpKey('sso_1', 'spk_1'),
    'DELETE /v1/sso/connections/sso_1/sp-keys/spk_1',
    true,
  ],
  [
    'sso.connections.startTestSignIn',
    (c) => c.sso.connections.startTestSignIn('sso_1'),
    'POST /v1/sso/connections/sso_1/test-sign-in',
    true,
  ],
  [
    'sso.connections.refreshMetadata',
    (c) => c.sso.connections.refreshMetadata('sso_1'),
    'POST /v1/sso/connections/sso_1/metadata/refresh',
    true,
  ],
  [
    'sso.connections.getSamlMetadata',
    (c) => c.sso.connections.getSamlMetadata('sso_1'),
    'GET /sso/saml/sso_1/metadata',
    false,
  ],

  ['sso.domains.list', (c) => c.sso.domains.list(), 'GET /v1/sso/domains', true],
  ['sso.domains.create', (c) => c.sso.domains.create('acme.com'), 'POST /v1/sso/domains', true],
  ['sso.domains.verify', (c) => c.sso.domains.verify('acme.com'), 'POST /v1/sso/domains/acme.com/verify', true],
  ['sso.domains.delete', (c) => c.sso.domains.delete('acme.com'), 'DELETE /v1/sso/domains/acme.com', true],

  ['sso.sessions.list', (c) => c.sso.sessions.list(), 'GET /v1/sso/sessions', true],
  ['sso.sessions.get', (c) => c.sso.sessions.get('ssn_1'), 'GET /v1/sso/sessions/ssn_1', true],
  ['sso.sessions.revoke', (c) => c.sso.sessions.revoke('ssn_1'), 'DELETE /v1/sso/sessions/ssn_1', true],
  [
    'sso.sessions.check',
    (c) => c.sso.sessions.check({ developerId: 'dev_1', sessionId: 'ssn_1' }),
    'POST /sso/sessions/check',
    false,
  ],
  [
    'sso.sessions.logout',
    (c) => c.sso.sessions.logout({ developerId: 'dev_1', sessionId: 'ssn_1' }),
    'POST /sso/sessions/logout',
    false,
  ],

  ['sso.setupLinks.create', (c) => c.sso.setupLinks.create(), 'POST /v1/sso/setup-links', true],
  ['sso.setupLinks.list', (c) => c.sso.setupLinks.list(), 'GET /v1/sso/setup-links', true],
  ['sso.setupLinks.revoke', (c) => c.sso.setupLinks.revoke('sl_1'), 'DELETE /v1/sso/setup-links/sl_1', true],
  ['sso.setupLinks.preview', (c) => c.sso.setupLinks.preview(), 'GET /v1/sso/setup-links/preview', true],
  [
    'sso.setupLinks.redeem',
    (c) => c.sso.setupLinks.redeem({ name: 'Iris IT', email: 'iris@customer.example' }),
    'POST /v1/sso/setup-links/session',
    true,
  ],
  ['sso.setupLinks.getSession', (c) => c.sso.setupLinks.getSession(), 'GET /v1/sso/setup-links/session', true],

  ['sso.events.list', (c) => c.sso.events.list({ limit: 5 }), 'GET /v1/sso/events?limit=5', true],
  ['sso.events.stats', (c) => c.sso.events.stats({ period: '7d' }), 'GET /v1/sso/stats?period=7d', true],
  ['sso.audit.list', (c) => c.sso.audit.list({ limit: 5 }), 'GET /v1/sso/audit?limit=5', true],

  ['scim.createToken', (c) => c.scim.createToken({ label: 'Okta' }), 'POST /v1/scim/tokens', true],
  ['scim.listTokens', (c) => c.scim.listTokens(), 'GET /v1/scim/tokens', true],
  ['scim.listTokensWithBaseUrl', (c) => c.scim.listTokensWithBaseUrl(), 'GET /v1/scim/tokens', true],
  ['scim.revokeToken', (c) => c.scim.revokeToken('scim_1'), 'DELETE /v1/scim/tokens/scim_1', true],
  [
    'scim.listDirectoryUsers',
    (c) => c.scim.listDirectoryUsers({ search: 'ada', state: 'inactive', startIndex: 51 }),
    'GET /v1/scim/users?search=ada&state=inactive&startIndex=51',
    true,
  ],
  ['scim.listDirectoryGroups', (c) => c.scim.listDirectoryGroups(), 'GET /v1/scim/groups', true],

  [
    'webhooks.create',
    (c) => c.webhooks.create({ url: 'https://hooks.example.com/', events: ['*'] }),
    'POST /v1/webhooks',
    true,
  ],
  ['webhooks.list', (c) => c.webhooks.list(), 'GET /v1/webhooks', true],
  ['webhooks.update', (c) => c.webhooks.update('wh_1', { enabled: false }), 'PATCH /v1/webhooks/wh_1', true],
  ['webhooks.rotateSecret', (c) => c.webhooks.rotateSecret('wh_1'), 'POST /v1/webhooks/wh_1/rotate-secret', true],
  ['webhooks.delete', (c) => c.webhooks.delete('wh_1'), 'DELETE /v1/webhooks/wh_1', true],
  ['webhooks.deliveries', (c) => c.webhooks.deliveries('wh_1'), 'GET /v1/webhooks/wh_1/deliveries', true],
  [
    'webhooks.redeliver',
    (c) => c.webhooks.redeliver('wh_1', 'whd_1'),
    'POST /v1/webhooks/wh_1/deliveries/whd_1/redeliver',
    true,
  ],
  ['sso.getEnforcement', (c) => c.sso.getEnforcement(), 'GET /v1/sso/enforcement', true],
  ['sso.setEnforcement', (c) => c.sso.setEnforcement(true), 'POST /v1/sso/enforce', true],
  ['sso.breakGlass.list', (c) => c.sso.breakGlass.list(), 'GET /v1/sso/break-glass', true],
  ['sso.breakGlass.create', (c) => c.sso.breakGlass.create({ label: 'Safe' }), 'POST /v1/sso/break-glass', true],
  ['sso.breakGlass.delete', (c) => c.sso.breakGlass.delete('bg_1'), 'DELETE /v1/sso/break-glass/bg_1', true],
  ['console.me', (c) => c.console.me(), 'GET /v1/console/me', true],
  ['console.signOut', (c) => c.console.signOut(), 'DELETE /v1/console/session', true],
  [
    'console.breakGlassSignIn',
    (c) => c.console.breakGlassSignIn('gxbg_AAAAAAAAAAAAAAAAAAAAAAAA'),
    'POST /v1/console/break-glass',
    false,
  ],
  [
    'events.list',
    (c) => c.events.list({ after: 'cur_1', limit: 10, types: ['sso.login', 'sso.domain.added'] }),
    'GET /v1/events?after=cur_1&limit=10&types=sso.login%2Csso.domain.added',
    true,
  ],
];

/** Every method reachable from the client: `orgs.me`, `sso.connections.list`, ... (walks the resource objects). */
function methodsOf(target: object, prefix = ''): string[] {
  const names: string[] = [];
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(target))) {
    if (name !== 'constructor' && typeof (target as Record<string, unknown>)[name] === 'function')
      names.push(`${prefix}${name}`);
  }
  for (const [name, value] of Object.entries(target)) {
    if (value && typeof value === 'object') names.push(...methodsOf(value, `${prefix}${name}.`));
  }
  return names;
}

describe('GrantexClient composed of resources', () => {
  const client = () => new GrantexClient({ baseUrl, apiKey: API_KEY, retries: 0 });

  it('the table names every method of every resource, once', () => {
    expect(rows.map(([method]) => method).sort()).toEqual(methodsOf(client()).sort());
  });

  it.each(rows)('%s sends %s', async (_method, call, request, authenticated) => {
    await call(client()).catch(() => undefined);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([request]);
    expect(seen[0]!.headers.authorization).toBe(authenticated ? `Bearer ${API_KEY}` : undefined);
  });

  it('shows no key when the client or any resource is printed', () => {
    const c = client();
    for (const rendering of [
      inspect(c, { depth: 10, showHidden: true }),
      JSON.stringify(c),
      inspect(c.sso.connections, { showHidden: true }),
    ]) {
      expect(rendering).not.toContain(API_KEY);
    }
  });
});
