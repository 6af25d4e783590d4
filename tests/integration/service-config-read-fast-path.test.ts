/**
 * `GET /v1/sso/config` with an API key is answered before Fastify (features/connections/config-read-fast-path.ts).
 * These prove it answers exactly what the Fastify route answers (same status, headers in the same order, body),
 * that it is really taken (its counter), and that everything it must not answer reaches the route: a wrong key, no
 * config, a console or setup credential, a query string, and a service that logs successful reads.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETUP_LINK_TOKEN_PREFIX } from '@/lib/contract';
import { configReadFastPathStats } from '@/lib/sso-service/features/connections/config-read-fast-path';
import { saveConfig, signup, startTestService, type TestService } from './service-harness';

interface Raw {
  status: number;
  headers: [string, string][];
  body: string;
}

/** One request over a fresh connection, with the response's headers as sent (name, value, in order). */
function get(base: string, pathAndQuery: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${pathAndQuery}`, { headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        const pairs: [string, string][] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) pairs.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
        resolve({ status: res.statusCode ?? 0, headers: pairs, body });
      });
    });
    req.on('error', reject);
  });
}

/** The headers that differ between any two responses (the date, the generated request id). */
const comparable = (r: Raw) => r.headers.filter(([name]) => !['date', 'x-request-id'].includes(name.toLowerCase()));

const served = () => configReadFastPathStats.served;

let svc: TestService;
let apiKey: string;

beforeAll(async () => {
  svc = await startTestService();
  apiKey = (await signup(svc.url)).apiKey;
  await saveConfig(svc.url, apiKey);
});
afterAll(async () => {
  await svc.close();
});

describe('the config read answered before Fastify', () => {
  it('answers what the Fastify route answers, byte for byte apart from the date and request id', async () => {
    const before = served();
    const fast = await get(svc.url, '/v1/sso/config', { authorization: `Bearer ${apiKey}` });
    expect(served()).toBe(before + 1);
    // A query string is not the fast path's: the same route answers it through Fastify.
    const routed = await get(svc.url, '/v1/sso/config?via=fastify', { authorization: `Bearer ${apiKey}` });
    expect(served()).toBe(before + 1);

    expect(fast.status).toBe(200);
    expect(routed.status).toBe(200);
    expect(fast.body).toBe(routed.body);
    expect(JSON.parse(fast.body)).toMatchObject({ issuerUrl: expect.any(String), clientId: expect.any(String) });
    expect(comparable(fast)).toEqual(comparable(routed));
    expect(fast.headers.map(([n]) => n.toLowerCase())).toContain('x-request-id');
    // No log line for a successful read at this level, on either path.
    expect(svc.lines.some((l) => l.includes('"path":"/v1/sso/config"') && l.includes('"method":"GET"'))).toBe(false);
  });

  it('keeps a safe x-request-id from the caller and replaces an unsafe one, as the route does', async () => {
    const own = await get(svc.url, '/v1/sso/config', {
      authorization: `Bearer ${apiKey}`,
      'x-request-id': 'client-trace.0001',
    });
    expect(own.headers.find(([n]) => n === 'x-request-id')?.[1]).toBe('client-trace.0001');
    const unsafe = await get(svc.url, '/v1/sso/config', {
      authorization: `Bearer ${apiKey}`,
      'x-request-id': 'bad id\twith tab',
    });
    expect(unsafe.headers.find(([n]) => n === 'x-request-id')?.[1]).toMatch(/^req_[0-9a-f-]{36}$/);
  });

  it('leaves every other answer to the route: wrong key, no key, no config, console and setup credentials', async () => {
    const before = served();
    const wrong = await get(svc.url, '/v1/sso/config', { authorization: `Bearer gx_${'x'.repeat(40)}` });
    expect(wrong.status).toBe(401);
    expect(JSON.parse(wrong.body)).toMatchObject({ code: 'UNAUTHORIZED', requestId: expect.any(String) });
    expect((await get(svc.url, '/v1/sso/config')).status).toBe(401);
    const other = (await signup(svc.url, { name: 'No Config Co' })).apiKey;
    const none = await get(svc.url, '/v1/sso/config', { authorization: `Bearer ${other}` });
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body)).toMatchObject({ code: 'NOT_FOUND' });
    const consoleToken = await get(svc.url, '/v1/sso/config', { authorization: `Bearer gxc_${'a'.repeat(43)}` });
    expect(consoleToken.status).toBe(401);
    // A setup link's token: the route's own answer (403, it says what the token is for), never a lookup.
    const linkToken = await get(svc.url, '/v1/sso/config', {
      authorization: `Bearer ${SETUP_LINK_TOKEN_PREFIX}${'a'.repeat(43)}`,
    });
    expect(linkToken.status).toBe(403);
    expect(served()).toBe(before);
  });
});

describe('with successful reads logged (LOG_SUCCESSFUL_READS)', () => {
  it('every read goes through the route, which writes its log line', async () => {
    const logged = await startTestService({ logSuccessfulReads: true });
    try {
      const key = (await signup(logged.url)).apiKey;
      await saveConfig(logged.url, key);
      const before = served();
      const res = await get(logged.url, '/v1/sso/config', { authorization: `Bearer ${key}` });
      expect(res.status).toBe(200);
      expect(served()).toBe(before);
      expect(logged.lines.some((l) => l.includes('"path":"/v1/sso/config"') && l.includes('"status":200'))).toBe(true);
    } finally {
      await logged.close();
    }
  });
});
