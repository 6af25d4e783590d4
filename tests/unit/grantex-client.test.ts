/**
 * GrantexClient against small real HTTP servers serving crafted answers: the real service cannot be
 * made to answer HTML 502s, hang, or send the wrong shape, and those are what the client must survive.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { GrantexClient, GrantexError, type GrantexErrorKind } from '@/lib/grantex';
import { failure } from '@/tests/support/grantex-failure';

const API_KEY = 'gx_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const NOW = '2026-11-27T04:23:44.312Z';
const CONFIG = {
  issuerUrl: 'https://idp.example.com',
  clientId: 'client-1',
  redirectUri: 'https://console.example.com/sso/callback',
  createdAt: NOW,
  updatedAt: NOW,
};
const ME = { developerId: 'dev_1', name: 'Acme', email: null, mode: 'sandbox', plan: 'free', createdAt: NOW };

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}
type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

interface ScriptedServer {
  url: string;
  requests: Recorded[];
  connections: number;
}

const servers: Array<{ close(): Promise<void> }> = [];

/** Serves `handlers` in order; the last one keeps answering once the script runs out. */
async function scripted(...handlers: Handler[]): Promise<ScriptedServer> {
  const state: ScriptedServer = { url: '', requests: [], connections: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
      const handler = handlers[Math.min(state.requests.length - 1, handlers.length - 1)]!;
      handler(req, res, body);
    });
  });
  server.on('connection', () => {
    state.connections += 1;
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return state;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A URL on which nothing listens: bind port 0, note the port, close. */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}
function text(status: number, body: string, contentType = 'text/html'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}
const noContent: Handler = (_req, res) => {
  res.writeHead(204);
  res.end();
};
const hang: Handler = () => {
  /* never answers */
};
const destroy: Handler = (req) => {
  req.socket.destroy();
};
function errorBody(status: number, code: string, message: string, requestId = 'req_server'): Handler {
  return json(status, { message, code, requestId });
}

function client(url: string, extra: Partial<ConstructorParameters<typeof GrantexClient>[0]> = {}): GrantexClient {
  return new GrantexClient({ baseUrl: url, apiKey: API_KEY, ...extra });
}

function expectNoKey(error: GrantexError): void {
  for (const rendering of [error.message, String(error), JSON.stringify(error), inspect(error), error.stack ?? '']) {
    expect(rendering).not.toContain(API_KEY);
  }
}

describe('GrantexClient requests', () => {
  it('sends the bearer key, accept, user-agent and request id, and parses /v1/me', async () => {
    const srv = await scripted(json(200, { ...ME, extraField: 1 }));
    const me = await client(srv.url, { requestId: 'req_console_1' }).orgs.me();
    expect(me.developerId).toBe('dev_1');
    const [req] = srv.requests;
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe('/v1/me');
    expect(req?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req?.headers.accept).toBe('application/json');
    expect(req?.headers['user-agent']).toMatch(/^grantex-sso-console\/\d+\.\d+\.\d+/);
    expect(req?.headers['x-request-id']).toBe('req_console_1');
  });

  it('reads the public chooser with or without the organization (a hosted API may not send it); sends the callback redirect_uri', async () => {
    const connections = [{ id: 'sso_1', name: 'Okta', protocol: 'oidc' }];
    const srv = await scripted(
      json(200, { connections, organization: { id: 'dev_1', name: 'Acme' } }),
      json(200, { connections }),
      json(200, { developerId: 'dev_1', email: null, name: null, sub: 's' }),
    );
    const c = client(srv.url);
    expect(await c.sso.getPublicChooser('dev_1')).toEqual({ connections, organization: { id: 'dev_1', name: 'Acme' } });
    expect(await c.sso.getPublicChooser('dev_1')).toEqual({ connections });
    await c.sso.handleCallback('the-code', 'the-state', {
      iss: 'https://idp.example',
      redirectUri: 'https://console.example/sso/callback/sso_abcdefgh',
    });
    expect(srv.requests[0]?.url).toBe('/sso/connections?org=dev_1');
    const query = new URL(srv.requests[2]?.url ?? '', 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({
      code: 'the-code',
      state: 'the-state',
      iss: 'https://idp.example',
      redirect_uri: 'https://console.example/sso/callback/sso_abcdefgh',
    });
  });

  it('keeps a base path prefix with or without a trailing slash', async () => {
    const srv = await scripted(json(200, ME));
    await client(`${srv.url}/grantex`).orgs.me();
    await client(`${srv.url}/grantex/`).orgs.me();
    await client(`${srv.url}/`).orgs.me();
    expect(srv.requests.map((r) => r.url)).toEqual(['/grantex/v1/me', '/grantex/v1/me', '/v1/me']);
  });

  it('posts the config as JSON without unknown fields and parses the answer', async () => {
    const srv = await scripted(json(201, CONFIG));
    const input = { ...CONFIG, clientSecret: 's3cret', extra: 'dropped' };
    const saved = await client(srv.url).sso.createConfig(input);
    expect(saved).toEqual(CONFIG);
    const req = srv.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/sso/config');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      issuerUrl: CONFIG.issuerUrl,
      clientId: CONFIG.clientId,
      clientSecret: 's3cret',
      redirectUri: CONFIG.redirectUri,
    });
  });

  it('does not send signup or login requests with the API key', async () => {
    const srv = await scripted(
      json(201, {
        developerId: 'dev_1',
        apiKey: 'gx_test_x',
        name: 'Acme',
        email: null,
        mode: 'sandbox',
        createdAt: NOW,
      }),
      json(200, { authorizeUrl: 'https://idp.example.com/auth?x=1', protocol: 'oidc', connectionId: 'c1' }),
    );
    await client(srv.url).orgs.signup({ name: 'Acme' });
    await client(srv.url).sso.getLoginUrl('dev_1');
    expect(srv.requests.map((r) => r.headers.authorization)).toEqual([undefined, undefined]);
  });

  it('encodes login and callback query parameters', async () => {
    const srv = await scripted(
      json(200, { authorizeUrl: 'https://idp.example.com/auth', protocol: 'oidc', connectionId: 'c1' }),
      json(200, { developerId: 'dev_1', email: 'a@example.com', name: null, sub: 'u1' }),
    );
    const c = client(srv.url);
    await c.sso.getLoginUrl('dev 1&x', { domain: 'acme.com', redirectUri: 'https://c.example/sso/callback?a=b' });
    const identity = await c.sso.handleCallback('co/de+', 'st&ate', { iss: 'https://idp.example.com' });
    expect(identity).toEqual({ developerId: 'dev_1', email: 'a@example.com', name: null, sub: 'u1' });
    const login = new URL(srv.requests[0]!.url, srv.url);
    expect(login.pathname).toBe('/sso/login');
    expect(Object.fromEntries(login.searchParams)).toEqual({
      org: 'dev 1&x',
      domain: 'acme.com',
      redirect_uri: 'https://c.example/sso/callback?a=b',
    });
    const callback = new URL(srv.requests[1]!.url, srv.url);
    expect(callback.pathname).toBe('/sso/callback');
    expect(Object.fromEntries(callback.searchParams)).toEqual({
      code: 'co/de+',
      state: 'st&ate',
      iss: 'https://idp.example.com',
    });
  });

  it('deleteConfig resolves on 204', async () => {
    const srv = await scripted(noContent);
    await expect(client(srv.url).sso.deleteConfig()).resolves.toBeUndefined();
    expect(srv.requests[0]?.method).toBe('DELETE');
  });

  it('getConfig answers null for the contract 404, and the config otherwise', async () => {
    const srv = await scripted(errorBody(404, 'NOT_FOUND', 'SSO config not found'), json(200, CONFIG));
    const c = client(srv.url);
    await expect(c.sso.getConfig()).resolves.toBeNull();
    await expect(c.sso.getConfig()).resolves.toEqual(CONFIG);
  });

  it('getConfig still throws for a 404 that is not the contract body (wrong base URL)', async () => {
    const srv = await scripted(
      json(404, { message: 'Route GET:/v1/sso/config not found', error: 'Not Found', statusCode: 404 }),
    );
    const error = await failure(client(srv.url).sso.getConfig());
    expect(error.kind).toBe('not_found');
    expect(error.code).not.toBe('NOT_FOUND');
  });

  it('refuses invalid input locally without sending it or echoing the secret', async () => {
    const srv = await scripted(json(201, CONFIG));
    const bad = { issuerUrl: 'https://idp.example.com', clientId: 'x', clientSecret: 'very-secret-value' } as never;
    const error = await failure(client(srv.url).sso.createConfig(bad));
    expect(error.kind).toBe('validation');
    expect(error.message).toContain('redirectUri');
    // Built from zod's issues, not parsed back out of the message.
    expect(error.fieldErrors).toEqual({ redirectUri: expect.any(String) });
    expect(JSON.stringify(error)).not.toContain('very-secret-value');
    expect(srv.requests).toHaveLength(0);
  });
});

describe('GrantexClient error mapping', () => {
  const cases: Array<[string, Handler, GrantexErrorKind, number, string]> = [
    ['401', errorBody(401, 'UNAUTHORIZED', 'Invalid API key'), 'unauthorized', 401, 'UNAUTHORIZED'],
    ['400', errorBody(400, 'BAD_REQUEST', 'issuerUrl: must use https'), 'validation', 400, 'BAD_REQUEST'],
    ['404', errorBody(404, 'NOT_FOUND', 'SSO not configured for this org'), 'not_found', 404, 'NOT_FOUND'],
    ['409', errorBody(409, 'CONFLICT', 'Email already registered'), 'conflict', 409, 'CONFLICT'],
    ['500', errorBody(500, 'INTERNAL_ERROR', 'Internal server error'), 'server', 500, 'INTERNAL_ERROR'],
  ];
  for (const [label, handler, kind, status, code] of cases) {
    it(`maps a ${label} error body to kind ${kind}, keeping message and request id`, async () => {
      const srv = await scripted(handler);
      const error = await failure(client(srv.url, { retries: 0 }).orgs.me());
      expect(error).toBeInstanceOf(GrantexError);
      expect(error.kind).toBe(kind);
      expect(error.status).toBe(status);
      expect(error.code).toBe(code);
      expect(error.requestId).toBe('req_server');
      expect(error.message.length).toBeGreaterThan(0);
      expectNoKey(error);
    });
  }

  it('maps SSO_ERROR bodies to kind sso, keeping the server message', async () => {
    const srv = await scripted(errorBody(502, 'SSO_ERROR', 'Token exchange failed'));
    const error = await failure(client(srv.url).sso.handleCallback('c', 's'));
    expect(error.kind).toBe('sso');
    expect(error.status).toBe(502);
    expect(error.message).toBe('Token exchange failed');
  });

  it('maps 429 to rate_limited with Retry-After seconds', async () => {
    const srv = await scripted(json(429, { message: 'Too many', code: 'RATE_LIMITED' }, { 'retry-after': '42' }));
    const error = await failure(client(srv.url).orgs.signup({ name: 'Acme' }));
    expect(error.kind).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(42);
  });

  it('reads the request id from the x-request-id header when the body has none', async () => {
    const srv = await scripted(json(400, { message: 'bad', code: 'BAD_REQUEST' }, { 'x-request-id': 'req_hdr' }));
    const error = await failure(client(srv.url).orgs.signup({ name: 'Acme' }));
    expect(error.requestId).toBe('req_hdr');
  });

  it('turns an HTML 502 into kind server with a generic message, never the body', async () => {
    const html = '<html><body><h1>502 Bad Gateway</h1><pre>upstream secret-stacktrace</pre></body></html>';
    const srv = await scripted(text(502, html));
    const error = await failure(client(srv.url, { retries: 0 }).orgs.me());
    expect(error.kind).toBe('server');
    expect(error.status).toBe(502);
    expect(error.message).not.toMatch(/<|stacktrace|Bad Gateway/);
    expect(error.message).toMatch(/Grantex/);
  });

  it('turns a non-JSON 4xx into its kind with a generic message', async () => {
    const srv = await scripted(text(401, 'nope', 'text/plain'));
    const error = await failure(client(srv.url).orgs.me());
    expect(error.kind).toBe('unauthorized');
    expect(error.message).not.toContain('nope');
  });

  it('reports malformed JSON on success as invalid_response', async () => {
    const srv = await scripted(text(200, '{"developerId": "dev_1",', 'application/json'));
    const error = await failure(client(srv.url).orgs.me());
    expect(error.kind).toBe('invalid_response');
    expect(error.status).toBe(200);
  });

  it('reports a wrong shape as invalid_response (missing updatedAt, timestamp without ms)', async () => {
    const { updatedAt: _omit, ...withoutUpdatedAt } = CONFIG;
    void _omit;
    const srv = await scripted(
      json(201, withoutUpdatedAt),
      json(200, { ...CONFIG, createdAt: '2026-11-27T04:23:44Z' }),
    );
    const c = client(srv.url);
    expect((await failure(c.sso.createConfig({ ...CONFIG, clientSecret: 's' }))).kind).toBe('invalid_response');
    expect((await failure(c.sso.getConfig())).kind).toBe('invalid_response');
  });

  it('reports a login answer without authorizeUrl as invalid_response', async () => {
    const srv = await scripted(json(200, { protocol: 'oidc', connectionId: 'c1' }));
    expect((await failure(client(srv.url).sso.getLoginUrl('dev_1'))).kind).toBe('invalid_response');
  });

  it('does not follow redirects (the bearer key must not travel elsewhere)', async () => {
    const target = await scripted(json(200, ME));
    const srv = await scripted((_req, res) => {
      res.writeHead(302, { location: `${target.url}/v1/me` });
      res.end();
    });
    const error = await failure(client(srv.url).orgs.me());
    expect(error.kind).toBe('invalid_response');
    expect(target.requests).toHaveLength(0);
  });

  it('refuses an oversized body as invalid_response', async () => {
    const srv = await scripted(json(200, { ...ME, padding: 'x'.repeat(2 * 1024 * 1024) }));
    expect((await failure(client(srv.url).orgs.me())).kind).toBe('invalid_response');
  });

  it('reports a refused connection as network, without the key', async () => {
    const url = await closedPortUrl();
    const error = await failure(client(url, { retries: 0 }).orgs.me());
    expect(error.kind).toBe('network');
    expect(error.status).toBeNull();
    expect(error.message).toMatch(/could not be reached/);
    expectNoKey(error);
  });

  it('never puts the key into a message, even when the server echoes it', async () => {
    const srv = await scripted(errorBody(401, 'UNAUTHORIZED', `Invalid API key ${API_KEY}`));
    const error = await failure(client(srv.url).orgs.me());
    expect(error.message).toContain('[redacted]');
    expectNoKey(error);
  });

  it('refuses a key with inner whitespace or control characters locally, without quoting it', async () => {
    const srv = await scripted(json(200, ME));
    for (const badKey of [`${API_KEY}\nx-injected: 1`, `gx_test_ ${API_KEY}`, `${API_KEY}\u00e9`]) {
      const error = await failure(new GrantexClient({ baseUrl: srv.url, apiKey: badKey }).orgs.me());
      expect(error.kind).toBe('unauthorized');
      expect(error.message).not.toContain(API_KEY);
      expect(JSON.stringify(error)).not.toContain(API_KEY);
    }
    expect(srv.requests).toHaveLength(0);
  });

  it('trims a pasted key and drops an unusable request id instead of failing', async () => {
    const srv = await scripted(json(200, ME));
    await new GrantexClient({ baseUrl: srv.url, apiKey: ` ${API_KEY}\n`, requestId: 'bad\nid' }).orgs.me();
    expect(srv.requests[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(srv.requests[0]?.headers['x-request-id']).toBeUndefined();
  });

  it('does not expose the key when the client itself is logged', async () => {
    const c = client('http://127.0.0.1:9');
    expect(JSON.stringify(c)).not.toContain(API_KEY);
    expect(inspect(c)).not.toContain(API_KEY);
  });
});

describe('GrantexClient timeouts', () => {
  it('aborts a request that never answers with kind timeout, without retrying it', async () => {
    const srv = await scripted(hang);
    const error = await failure(client(srv.url, { timeoutMs: 300 }).sso.getConfig());
    expect(error.kind).toBe('timeout');
    expect(srv.requests).toHaveLength(1);
    expectNoKey(error);
  });

  it('aborts a body that never finishes with kind timeout', async () => {
    const srv = await scripted((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"developerId":');
    });
    const error = await failure(client(srv.url, { timeoutMs: 300 }).orgs.me());
    expect(error.kind).toBe('timeout');
  });
});

describe('GrantexClient retries', () => {
  it('retries a GET on 503 and then succeeds', async () => {
    const srv = await scripted(errorBody(503, 'INTERNAL_ERROR', 'Service unavailable'), json(200, ME));
    await expect(client(srv.url).orgs.me()).resolves.toMatchObject({ developerId: 'dev_1' });
    expect(srv.requests).toHaveLength(2);
  });

  it('gives up after retries + 1 attempts and reports the last error', async () => {
    const srv = await scripted(text(502, '<html>bad gateway</html>'));
    const error = await failure(client(srv.url, { retries: 1 }).sso.getLoginUrl('dev_1'));
    expect(error.kind).toBe('server');
    expect(srv.requests).toHaveLength(2);
  });

  it('retries the idempotent config upsert on 503 with the same body', async () => {
    const srv = await scripted(text(503, 'unavailable', 'text/plain'), json(201, CONFIG));
    await client(srv.url).sso.createConfig({ ...CONFIG, clientSecret: 's' });
    expect(srv.requests).toHaveLength(2);
    expect(srv.requests[1]?.body).toBe(srv.requests[0]?.body);
  });

  it('retries network failures for idempotent calls', async () => {
    const srv = await scripted(destroy, json(200, ME));
    await expect(client(srv.url).orgs.me()).resolves.toMatchObject({ developerId: 'dev_1' });
    expect(srv.requests).toHaveLength(2);
  });

  it('never retries signup, even on 503', async () => {
    const srv = await scripted(text(503, 'unavailable', 'text/plain'), json(201, {}));
    const error = await failure(client(srv.url).orgs.signup({ name: 'Acme' }));
    expect(error.kind).toBe('server');
    expect(srv.requests).toHaveLength(1);
  });

  it('never retries signup after a network failure', async () => {
    const srv = await scripted(destroy, json(201, {}));
    expect((await failure(client(srv.url).orgs.signup({ name: 'Acme' }))).kind).toBe('network');
    expect(srv.requests).toHaveLength(1);
  });

  it('never retries the callback, even on 503 (the state is single-use)', async () => {
    const srv = await scripted(text(503, 'unavailable', 'text/plain'), json(200, {}));
    const error = await failure(client(srv.url).sso.handleCallback('code', 'state'));
    expect(error.kind).toBe('server');
    expect(srv.requests).toHaveLength(1);
  });

  it('does not retry an SSO_ERROR 503 (Grantex already waited on the IdP)', async () => {
    const srv = await scripted(errorBody(503, 'SSO_ERROR', 'The identity provider is unavailable'), json(200, {}));
    const error = await failure(client(srv.url).sso.getLoginUrl('dev_1'));
    expect(error.kind).toBe('sso');
    expect(error.message).toBe('The identity provider is unavailable');
    expect(srv.requests).toHaveLength(1);
  });

  it('does not retry a JSON 500 (not a transient status)', async () => {
    const srv = await scripted(errorBody(500, 'INTERNAL_ERROR', 'Internal server error'));
    await failure(client(srv.url).orgs.me());
    expect(srv.requests).toHaveLength(1);
  });

  it('honours Retry-After before the next attempt', async () => {
    const srv = await scripted(
      json(429, { message: 'Too many requests; try again later', code: 'RATE_LIMITED' }, { 'retry-after': '1' }),
      json(200, ME),
    );
    await client(srv.url).orgs.me();
    expect(srv.requests).toHaveLength(2);
    // A lower bound, not a performance assertion: the default back-off alone would be ≤ 625 ms.
    expect(srv.requests[1]!.at - srv.requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('does not wait for a Retry-After beyond the time budget; reports it instead', async () => {
    const srv = await scripted(
      json(429, { message: 'Too many requests; try again later', code: 'RATE_LIMITED' }, { 'retry-after': '5' }),
      json(200, ME),
    );
    const error = await failure(client(srv.url, { timeoutMs: 2_000 }).orgs.me());
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterSeconds).toBe(5);
    expect(srv.requests).toHaveLength(1);
  });

  it('retries: 0 disables retries', async () => {
    const srv = await scripted(text(503, 'x', 'text/plain'), json(200, ME));
    await failure(client(srv.url, { retries: 0 }).orgs.me());
    expect(srv.requests).toHaveLength(1);
  });

  it('treats a 404 on a retried DELETE after a lost connection as done', async () => {
    const srv = await scripted(destroy, errorBody(404, 'NOT_FOUND', 'SSO config not found'));
    await expect(client(srv.url).sso.deleteConfig()).resolves.toBeUndefined();
    expect(srv.requests).toHaveLength(2);
  });

  it('still reports 404 for a DELETE whose first attempt was answered', async () => {
    const srv = await scripted(errorBody(404, 'NOT_FOUND', 'SSO config not found'));
    expect((await failure(client(srv.url).sso.deleteConfig())).kind).toBe('not_found');
  });
});

describe('public-call transport headers (the console naming a member address)', () => {
  const publicHeaders = {
    'x-grantex-client-address': '203.0.113.7',
    'x-grantex-console-secret': 'console-secret-value-0123456789abcdef',
  };

  it('are sent on public calls only, never with an API key, and never show when the client is printed', async () => {
    const server = await scripted(json(200, ME));
    const withKey = new GrantexClient({ baseUrl: server.url, apiKey: API_KEY, retries: 0, publicHeaders });
    await withKey.orgs.me();
    expect(server.requests[0]!.headers['x-grantex-console-secret']).toBeUndefined();
    expect(server.requests[0]!.headers['x-grantex-client-address']).toBeUndefined();
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);

    const pub = await scripted(json(200, { connections: [] }));
    const anonymous = new GrantexClient({ baseUrl: pub.url, retries: 0, publicHeaders });
    await anonymous.sso.listPublicConnections('dev_1').catch(() => undefined);
    expect(pub.requests[0]!.headers['x-grantex-client-address']).toBe('203.0.113.7');
    expect(pub.requests[0]!.headers['x-grantex-console-secret']).toBe(publicHeaders['x-grantex-console-secret']);
    expect(pub.requests[0]!.headers.authorization).toBeUndefined();
    expect(inspect(anonymous)).not.toContain(publicHeaders['x-grantex-console-secret']);
    expect(JSON.stringify(anonymous)).not.toContain(publicHeaders['x-grantex-console-secret']);
  });

  it('drops values that are not plain header text instead of failing the call', async () => {
    const server = await scripted(json(200, { connections: [] }));
    await new GrantexClient({
      baseUrl: server.url,
      retries: 0,
      publicHeaders: { 'x-grantex-client-address': 'a\r\nb' },
    }).sso
      .listPublicConnections('dev_1')
      .catch(() => undefined);
    expect(server.requests[0]!.headers['x-grantex-client-address']).toBeUndefined();
  });
});
