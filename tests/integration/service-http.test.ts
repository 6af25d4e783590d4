import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, MESSAGES } from '@/lib/contract';
import { authed, json, saveConfig, signup, startTestService, VALID_CONFIG, type TestService } from './service-harness';

let svc: TestService;
beforeAll(async () => {
  svc = await startTestService();
});
afterAll(async () => {
  await svc?.close();
});

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

function expectHardened(res: Response) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
  expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{8,64}$/);
}

describe('cross-cutting HTTP behaviour', () => {
  it('GET /health', async () => {
    const res = await fetch(`${svc.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expectHardened(res);
  });

  it('every response, success or error, carries the security headers and a request id', async () => {
    const responses = await Promise.all([
      fetch(`${svc.url}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"h"}',
      }),
      fetch(`${svc.url}/v1/me`),
      fetch(`${svc.url}/nowhere`),
      fetch(`${svc.url}/sso/login`),
    ]);
    for (const res of responses) expectHardened(res);
    const ids = responses.map((r) => r.headers.get('x-request-id'));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('errors carry the same id as the header; a safe incoming id is reused, an unsafe one replaced', async () => {
    const own = await fetch(`${svc.url}/v1/me`, { headers: { 'x-request-id': 'client-trace.0001' } });
    expect(own.headers.get('x-request-id')).toBe('client-trace.0001');
    expect((await json(own)).requestId).toBe('client-trace.0001');

    for (const unsafe of ['short', 'has space in it', 'x'.repeat(65), '<script>alert(1)</script>']) {
      const res = await fetch(`${svc.url}/v1/me`, { headers: { 'x-request-id': unsafe } });
      const id = res.headers.get('x-request-id');
      expect(id).not.toBe(unsafe);
      expect((await json(res)).requestId).toBe(id);
    }
  });

  it('unknown routes are a 404 NOT_FOUND error body', async () => {
    const res = await fetch(`${svc.url}/v2/whatever?secret=1`);
    expect(res.status).toBe(404);
    const body = errorBodySchema.parse(await res.json());
    expect(body.code).toBe('NOT_FOUND');
    expect(body.message).not.toContain('secret');
  });

  it('malformed URLs and malformed HTTP still get the error shape and headers', async () => {
    const port = Number(new URL(svc.url).port);
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
        let out = '';
        socket.on('data', (d: Buffer) => (out += d.toString('utf8')));
        socket.on('close', () => resolve(out));
        socket.on('error', reject);
      });
    for (const request of [
      'GET /sso/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'NOT-HTTP\r\n\r\n',
      'POST /v1/signup HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
    ]) {
      const response = await raw(request);
      const [head = '', body = ''] = response.split('\r\n\r\n');
      expect(head).toMatch(/^HTTP\/1\.1 400 /);
      expect(head.toLowerCase()).toContain("content-security-policy: default-src 'none'; frame-ancestors 'none'");
      const id = /x-request-id: (\S+)/i.exec(head)?.[1];
      expect(JSON.parse(body)).toMatchObject({ code: 'BAD_REQUEST', requestId: id });
    }
  });

  it('invalid JSON is a 400 with a clear message', async () => {
    const res = await fetch(`${svc.url}/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ code: 'BAD_REQUEST', message: 'Request body is not valid JSON' });
  });

  it('a body over 16 KiB is a 413 BAD_REQUEST', async () => {
    const res = await fetch(`${svc.url}/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', pad: 'y'.repeat(17 * 1024) }),
    });
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe('BAD_REQUEST');
  });

  it('a non-JSON content type is a 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await fetch(`${svc.url}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': type },
        body: 'name=x',
      });
      expect(res.status).toBe(415);
      expect((await json(res)).code).toBe('BAD_REQUEST');
    }
  });

  it('a DELETE with a JSON content type and no body is fine', async () => {
    const dev = await signup(svc.url);
    await saveConfig(svc.url, dev.apiKey);
    const res = await fetch(
      `${svc.url}/v1/sso/config`,
      authed(dev.apiKey, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json' },
      }),
    );
    expect(res.status).toBe(204);
  });

  it('logs one JSON line per request, without query strings, keys, secrets or states', async () => {
    const dev = await signup(svc.url, { name: 'Logged', email: 'logged@acme.test' });
    await saveConfig(svc.url, dev.apiKey);
    const login = await fetch(`${svc.url}/sso/login?org=${dev.developerId}`);
    const state =
      new URL(((await login.json()) as { authorizeUrl: string }).authorizeUrl).searchParams.get('state') ?? '';
    await fetch(`${svc.url}/sso/callback?code=SECRET-CODE-123&state=${state}`, {
      headers: { 'x-request-id': 'trace-log-test-1' },
    });
    svc.rp.authorizeError = new Error(`internal detail ${VALID_CONFIG.clientSecret}`);
    await fetch(`${svc.url}/sso/login?org=${dev.developerId}`);
    svc.rp.authorizeError = null;

    const all = svc.lines.join('\n');
    for (const forbidden of [
      dev.apiKey,
      VALID_CONFIG.clientSecret,
      'SECRET-CODE-123',
      state,
      'org=',
      'logged@acme.test',
    ]) {
      expect(all).not.toContain(forbidden);
    }
    const entries = svc.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const cb = entries.find((e) => e.reqId === 'trace-log-test-1');
    expect(cb).toMatchObject({ level: 'info', method: 'GET', path: '/sso/callback', status: 200 });
    expect(typeof cb?.durationMs).toBe('number');
    expect(typeof cb?.time).toBe('string');
    expect(entries.some((e) => e.level === 'error' && e.msg === 'unhandled error')).toBe(true);
  });
});

describe('request log lines', () => {
  const requestLines = (svc: TestService, reqId: string) =>
    svc.lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.reqId === reqId);
  const get = (svc: TestService, path: string, reqId: string, apiKey?: string) =>
    fetch(`${svc.url}${path}`, {
      headers: { 'x-request-id': reqId, ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    });

  it('at info: writes and failures get a line, successful reads only at debug (the hot GETs write no log)', async () => {
    const dev = await signup(svc.url);
    await saveConfig(svc.url, dev.apiKey);
    expect((await get(svc, '/v1/sso/config', 'read-ok-00001', dev.apiKey)).status).toBe(200);
    expect((await get(svc, `/sso/login?org=${dev.developerId}`, 'read-ok-00002')).status).toBe(200);
    expect((await get(svc, '/v1/sso/config', 'read-bad-0001', 'gx_wrong_key_0123456789')).status).toBe(401);
    const saved = await fetch(`${svc.url}/v1/sso/config`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${dev.apiKey}`,
        'content-type': 'application/json',
        'x-request-id': 'write-00001',
      },
      body: JSON.stringify(VALID_CONFIG),
    });
    expect(saved.status).toBe(201);
    expect(requestLines(svc, 'read-ok-00001')).toEqual([]);
    expect(requestLines(svc, 'read-ok-00002')).toEqual([]);
    expect(requestLines(svc, 'read-bad-0001')).toMatchObject([{ level: 'info', status: 401 }]);
    expect(requestLines(svc, 'write-00001')).toMatchObject([{ level: 'info', method: 'POST', status: 201 }]);
  });

  it('LOG_SUCCESSFUL_READS logs successful reads at info; LOG_LEVEL=debug logs them at debug', async () => {
    const reads = await startTestService({ logSuccessfulReads: true });
    const debug = await startTestService({ logLevel: 'debug' });
    try {
      for (const [s, id, level] of [
        [reads, 'reads-at-info1', 'info'],
        [debug, 'reads-at-debug', 'debug'],
      ] as const) {
        const dev = await signup(s.url);
        await saveConfig(s.url, dev.apiKey);
        expect((await get(s, '/v1/sso/config', id, dev.apiKey)).status).toBe(200);
        expect(requestLines(s, id)).toMatchObject([{ level, method: 'GET', path: '/v1/sso/config', status: 200 }]);
      }
    } finally {
      await reads.close();
      await debug.close();
    }
  });
});

describe('rate limits', () => {
  let limited: TestService;
  beforeAll(async () => {
    limited = await startTestService({
      rateLimit: { enabled: true, signupPerMin: 2, loginPerMin: 3, callbackPerMin: 2 },
    });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After once a route limit is reached, per route', async () => {
    const signupOnce = () =>
      fetch(`${limited.url}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"r"}',
      });
    const first = await signupOnce();
    expect(first.status).toBe(201);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    const dev = (await first.json()) as { apiKey: string; developerId: string };
    expect((await signupOnce()).status).toBe(201);

    const over = await signupOnce();
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expectHardened(over);
    const body = errorBodySchema.parse(await over.json());
    expect(body).toMatchObject({ code: 'RATE_LIMITED', message: MESSAGES.rateLimited });
    expect(body.requestId).toBe(over.headers.get('x-request-id'));

    // Authenticated API routes and other public routes have their own budgets.
    expect((await fetch(`${limited.url}/v1/me`, authed(dev.apiKey))).status).toBe(200);
    for (let i = 0; i < 2; i++) expect((await fetch(`${limited.url}/sso/callback`)).status).toBe(400);
    expect((await fetch(`${limited.url}/sso/callback`)).status).toBe(429);
    expect((await fetch(`${limited.url}/sso/login?org=${dev.developerId}`)).status).toBe(404);
  });

  it('one org flooding /sso/login from an address does not lock other orgs out behind the same address', async () => {
    const login = (org: string) => fetch(`${limited.url}/sso/login?org=${org}`).then((r) => r.status);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(await login('dev_flooded'));
    expect(statuses).toEqual([404, 404, 404, 429]);
    expect(await login('dev_neighbour')).toBe(404);
  });

  it('X-Forwarded-For is ignored when no proxy is trusted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${limited.url}/sso/login?org=nobody`, {
        headers: { 'x-forwarded-for': `203.0.113.${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
  });

  it('X-Forwarded-For from a trusted proxy gives each client its own budget', async () => {
    const proxied = await startTestService({
      trustedProxies: ['127.0.0.1'],
      rateLimit: { enabled: true, signupPerMin: 1, loginPerMin: 1, callbackPerMin: 1 },
    });
    try {
      const login = (ip: string) =>
        fetch(`${proxied.url}/sso/login?org=nobody`, { headers: { 'x-forwarded-for': ip } }).then((r) => r.status);
      expect(await login('198.51.100.1')).toBe(404);
      expect(await login('198.51.100.1')).toBe(429);
      expect(await login('198.51.100.2')).toBe(404);
    } finally {
      await proxied.close();
    }
  });
});
