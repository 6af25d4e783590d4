import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  discoveryUrlFor,
  fetchDiscovery,
  isNearMissIssuer,
  issuerFromDiscoveryUrl,
  type DiscoveryResult,
} from '@/lib/net';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let base: string;
const routes = new Map<string, Handler>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const handler = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
    if (handler) handler(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<h1>Not found</h1>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Serves a discovery document for the issuer `${base}${prefix}`; `patch` alters the valid one. */
function serveIssuer(prefix: string, patch: (doc: Record<string, unknown>) => unknown = (d) => d): string {
  const issuer = `${base}${prefix}`;
  const doc = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
  const body = JSON.stringify(patch(doc));
  routes.set(`${prefix}/.well-known/openid-configuration`, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  return issuer;
}

function route(path: string, handler: Handler): string {
  routes.set(`${path}/.well-known/openid-configuration`, handler);
  return `${base}${path}`;
}

const dev = { allowLoopback: true, timeoutMs: 2000 } as const;

function expectFailure(result: DiscoveryResult, reason: string) {
  expect(result.ok).toBe(false);
  if (result.ok) throw new Error('unreachable');
  expect(result.reason).toBe(reason);
  expect(result.message.length).toBeGreaterThan(10);
  return result;
}

describe('discoveryUrlFor', () => {
  it('appends the well-known suffix after the issuer path (Discovery §4)', () => {
    expect(discoveryUrlFor('https://idp.example.com')).toBe('https://idp.example.com/.well-known/openid-configuration');
    expect(discoveryUrlFor('https://idp.example.com/tenant/a')).toBe(
      'https://idp.example.com/tenant/a/.well-known/openid-configuration',
    );
    expect(discoveryUrlFor('https://idp.example.com/tenant/')).toBe(
      'https://idp.example.com/tenant/.well-known/openid-configuration',
    );
  });
});

describe('issuer shape helpers', () => {
  it('finds the issuer in a discovery document address', () => {
    expect(issuerFromDiscoveryUrl('https://idp.example.com/.well-known/openid-configuration')).toBe(
      'https://idp.example.com',
    );
    expect(issuerFromDiscoveryUrl(' https://idp.example.com/realms/a/.well-known/openid-configuration/ ')).toBe(
      'https://idp.example.com/realms/a',
    );
    expect(issuerFromDiscoveryUrl('https://idp.example.com/realms/a')).toBeNull();
    expect(issuerFromDiscoveryUrl('https://idp.example.com/.well-known/oauth-authorization-server')).toBeNull();
  });
  it('calls only slash and case differences a near miss', () => {
    expect(isNearMissIssuer('https://t.auth0.com/', 'https://t.auth0.com')).toBe(true);
    expect(isNearMissIssuer('https://idp/realms/A', 'https://idp/realms/a/')).toBe(true);
    expect(isNearMissIssuer('https://t.auth0.com/', 'https://t.auth0.com/')).toBe(false);
    expect(isNearMissIssuer('https://idp/a', 'https://idp/b')).toBe(false);
    expect(isNearMissIssuer('https://idp/a/b', 'https://idp/a')).toBe(false);
  });
});

describe('fetchDiscovery', () => {
  it('accepts a valid document whose issuer matches exactly (issuer with a path)', async () => {
    const issuer = serveIssuer('/tenants/acme');
    const result = await fetchDiscovery(issuer, dev);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.metadata.token_endpoint).toBe(`${issuer}/token`);
      expect(result.metadata.response_types_supported).toEqual(['code']);
    }
  });

  it('reports a trailing-slash difference as issuer_mismatch, showing both values and suggesting the declared one', async () => {
    serveIssuer('/slash', (d) => ({ ...d, issuer: `${base}/slash/` }));
    const result = expectFailure(await fetchDiscovery(`${base}/slash`, dev), 'issuer_mismatch');
    expect(result.expected).toBe(`${base}/slash/`);
    expect(result.actual).toBe(`${base}/slash`);
    expect(result.suggestedIssuer).toBe(`${base}/slash/`);
    expect(result.message).toBe(
      `The issuer's discovery document says its issuer is "${base}/slash/", but you entered "${base}/slash". They differ only by a trailing slash or letter case, but must match exactly. Use exactly "${base}/slash/".`,
    );
  });

  it('suggests the declared issuer when the entered one has a slash too many (Okta, Keycloak style)', async () => {
    const issuer = serveIssuer('/realms/acme');
    const result = expectFailure(await fetchDiscovery(`${issuer}/`, dev), 'issuer_mismatch');
    expect(result.suggestedIssuer).toBe(issuer);
  });

  it('suggests the declared issuer when it differs only by letter case', async () => {
    serveIssuer('/Case', (d) => ({ ...d, issuer: `${base}/case` }));
    const result = expectFailure(await fetchDiscovery(`${base}/Case`, dev), 'issuer_mismatch');
    expect(result.suggestedIssuer).toBe(`${base}/case`);
  });

  it('reports an entirely different issuer as issuer_mismatch, with nothing to apply in one click', async () => {
    serveIssuer('/other', (d) => ({ ...d, issuer: 'https://attacker.example' }));
    const result = expectFailure(await fetchDiscovery(`${base}/other`, dev), 'issuer_mismatch');
    expect(result.suggestedIssuer).toBeUndefined();
    expect(result.message).not.toContain('differ only');
    // A longer path is another issuer, not a slip.
    serveIssuer('/deeper', (d) => ({ ...d, issuer: `${base}/deeper/x` }));
    expect(
      expectFailure(await fetchDiscovery(`${base}/deeper`, dev), 'issuer_mismatch').suggestedIssuer,
    ).toBeUndefined();
  });

  it('refuses a {tenantid} issuer (Microsoft Entra common/organizations) and shows the tenant-specific shape', async () => {
    // Shape of Microsoft's documented multi-tenant metadata: the issuer is a template with a literal {tenantid}.
    serveIssuer('/common/v2.0', (d) => ({ ...d, issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0' }));
    const result = expectFailure(await fetchDiscovery(`${base}/common/v2.0`, dev), 'tenant_placeholder');
    expect(result.expected).toBe('https://login.microsoftonline.com/<your tenant ID>/v2.0');
    expect(result.suggestedIssuer).toBeUndefined();
    expect(result.message).toContain('"https://login.microsoftonline.com/<your tenant ID>/v2.0"');
    expect(result.message).toContain('Overview page of the Microsoft Entra admin center');
  });

  it('refuses a discovery document address entered as the issuer, naming the issuer to use, without fetching', async () => {
    let fetched = false;
    routes.set('/pasted/.well-known/openid-configuration/.well-known/openid-configuration', (_req, res) => {
      fetched = true;
      res.end('{}');
    });
    const issuer = serveIssuer('/pasted');
    for (const entered of [
      `${issuer}/.well-known/openid-configuration`,
      `${issuer}/.well-known/openid-configuration/`,
    ]) {
      const result = expectFailure(await fetchDiscovery(entered, dev), 'discovery_url_as_issuer');
      expect(result.suggestedIssuer).toBe(issuer);
      expect(result.message).toContain(`"${issuer}"`);
    }
    expect(fetched).toBe(false);
  });

  it('reports missing endpoints by name', async () => {
    const issuer = serveIssuer('/nojwks', (d) => ({ ...d, jwks_uri: undefined }));
    const result = expectFailure(await fetchDiscovery(issuer, dev), 'missing_endpoints');
    expect(result.message).toContain('jwks_uri');
  });

  it('reports a document that is JSON but not metadata as invalid_metadata', async () => {
    const issuer = serveIssuer('/array', () => [1, 2, 3]);
    expectFailure(await fetchDiscovery(issuer, dev), 'invalid_metadata');
    const issuer2 = serveIssuer('/numissuer', (d) => ({ ...d, issuer: 42 }));
    expectFailure(await fetchDiscovery(issuer2, dev), 'invalid_metadata');
  });

  it('reports HTML as not_json', async () => {
    const issuer = route('/html', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    });
    expectFailure(await fetchDiscovery(issuer, dev), 'not_json');
  });

  it('reports a 404 as http_status', async () => {
    const result = expectFailure(await fetchDiscovery(`${base}/nothing-here`, dev), 'http_status');
    expect(result.message).toContain('404');
  });

  it('does not follow a redirect, even to a valid document', async () => {
    const target = serveIssuer('/target');
    let followed = false;
    routes.set('/target/.well-known/openid-configuration', (_req, res) => {
      followed = true;
      res.end('{}');
    });
    const issuer = route('/moved', (_req, res) => {
      res.writeHead(301, { location: `${target}/.well-known/openid-configuration` });
      res.end();
    });
    expectFailure(await fetchDiscovery(issuer, dev), 'redirect');
    expect(followed).toBe(false);
  });

  it('reports an oversized document as too_large', async () => {
    const issuer = route('/huge', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"issuer":"x","pad":"${'a'.repeat(2 * 1024 * 1024)}"}`);
    });
    expectFailure(await fetchDiscovery(issuer, dev), 'too_large');
  });

  it('reports a hanging issuer as timeout', async () => {
    const issuer = route('/hang', () => undefined);
    expectFailure(await fetchDiscovery(issuer, { allowLoopback: true, timeoutMs: 300 }), 'timeout');
  });

  it('reports a closed port as unreachable', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    expectFailure(await fetchDiscovery(`http://127.0.0.1:${port}`, dev), 'unreachable');
  });

  it('blocks a loopback issuer outside development', async () => {
    const issuer = serveIssuer('/prod');
    expectFailure(await fetchDiscovery(issuer, { allowLoopback: false }), 'blocked_address');
  });

  it.each([
    ['https://169.254.169.254'],
    ['https://10.0.0.1'],
    ['https://[::ffff:127.0.0.1]'],
    ['https://[::ffff:a9fe:a9fe]'],
  ])('blocks the issuer %s', async (issuer) => {
    expectFailure(await fetchDiscovery(issuer, { allowLoopback: false, timeoutMs: 1000 }), 'blocked_address');
  });

  it.each([
    ['token_endpoint', 'http://169.254.169.254/token'],
    ['jwks_uri', 'https://10.0.0.1/jwks'],
    ['userinfo_endpoint', 'https://[::ffff:169.254.169.254]/me'],
    ['authorization_endpoint', 'https://192.168.1.1/auth'],
  ])('blocks a discovered %s on a non-public address', async (key, value) => {
    const issuer = serveIssuer(`/bad-${key}`, (d) => ({ ...d, [key]: value }));
    const result = expectFailure(await fetchDiscovery(issuer, dev), 'blocked_address');
    expect(result.message).toContain(key);
  });

  it('requires https for non-loopback endpoints even in development', async () => {
    const issuer = serveIssuer('/plainhttp', (d) => ({ ...d, token_endpoint: 'http://idp.example.com/token' }));
    const result = expectFailure(await fetchDiscovery(issuer, dev), 'blocked_address');
    expect(result.message).toContain('https');
  });
});
