import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  deadlineExceeded,
  guardedFetch,
  OutboundError,
  startDeadline,
  untilAborted,
} from '@/lib/net';

interface Stats {
  hits: Map<string, number>;
  bytesWritten: Map<string, number>;
  closed: Map<string, Promise<void>>;
}

const stats: Stats = { hits: new Map(), bytesWritten: new Map(), closed: new Map() };
let server: http.Server;
let base: string;

function streamForever(res: http.ServerResponse, key: string, limit: number) {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let written = 0;
  const pump = () => {
    while (written < limit && !res.destroyed) {
      written += chunk.length;
      stats.bytesWritten.set(key, written);
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (written >= limit) res.end();
  };
  pump();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    stats.hits.set(path, (stats.hits.get(path) ?? 0) + 1);
    stats.closed.set(path, new Promise((resolve) => res.on('close', () => resolve())));
    switch (path) {
      case '/ok':
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization ?? null }));
        return;
      case '/echo': {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => res.end(JSON.stringify({ body, type: req.headers['content-type'] })));
        return;
      }
      case '/redirect':
        res.writeHead(302, { location: '/ok' });
        res.end();
        return;
      case '/fifty-mb':
        res.writeHead(200, { 'content-type': 'application/json' });
        streamForever(res, path, 50 * 1024 * 1024);
        return;
      case '/endless':
        res.writeHead(200, { 'content-type': 'application/json' });
        streamForever(res, path, Number.POSITIVE_INFINITY);
        return;
      case '/declared-huge':
        res.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
        res.write('{');
        return;
      case '/hang':
        return; // never answers
      case '/hang-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":');
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function outboundError(p: Promise<unknown>): Promise<OutboundError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof OutboundError) return err;
    throw new Error(`expected OutboundError, got ${String(err)}`);
  }
  throw new Error('expected the request to fail');
}

const loopback = { allowLoopback: true } as const;

describe('guardedFetch', () => {
  it('returns a standard Response when loopback is allowed', async () => {
    const res = await guardedFetch(`${base}/ok`, { headers: { authorization: 'Basic abc' } }, loopback);
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'GET', auth: 'Basic abc' });
  });

  it('sends form bodies (URLSearchParams) like fetch does', async () => {
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: 'a b+c' });
    const res = await guardedFetch(`${base}/echo`, { method: 'POST', body }, loopback);
    const json = (await res.json()) as { body: string; type: string };
    expect(json.body).toBe('grant_type=authorization_code&code=a+b%2Bc');
    // Exactly what fetch sends for such a body.
    expect(json.type).toBe(new Request('http://x.invalid/', { method: 'POST', body }).headers.get('content-type'));
  });

  it('does not follow redirects: the 3xx comes back as-is', async () => {
    stats.hits.delete('/ok');
    const res = await guardedFetch(`${base}/redirect`, undefined, loopback);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/ok');
    expect(stats.hits.get('/ok')).toBeUndefined();
  });

  it('aborts a 50 MB body at the cap without transferring it', async () => {
    const err = await outboundError(
      guardedFetch(`${base}/fifty-mb`, undefined, { ...loopback, maxBytes: 1024 * 1024 }),
    );
    expect(err.kind).toBe('too_large');
    await stats.closed.get('/fifty-mb');
    expect(stats.bytesWritten.get('/fifty-mb')).toBeLessThan(16 * 1024 * 1024);
  });

  it('aborts an endless body at the cap', async () => {
    const err = await outboundError(guardedFetch(`${base}/endless`, undefined, { ...loopback, maxBytes: 256 * 1024 }));
    expect(err.kind).toBe('too_large');
    await stats.closed.get('/endless');
    expect(stats.bytesWritten.get('/endless')).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses a declared Content-Length beyond the cap before reading', async () => {
    const err = await outboundError(guardedFetch(`${base}/declared-huge`, undefined, loopback));
    expect(err.kind).toBe('too_large');
  });

  it('times out a server that never answers, without the query string in the message', async () => {
    const err = await outboundError(
      guardedFetch(`${base}/hang?code=SECRET-CODE&token=abc`, undefined, { ...loopback, timeoutMs: 300 }),
    );
    expect(err.kind).toBe('timeout');
    expect(err.message).not.toContain('SECRET-CODE');
    expect(err.message).not.toContain('token=');
    expect(err.message).toContain('/hang');
  });

  it('times out a body that stalls after the headers', async () => {
    const err = await outboundError(guardedFetch(`${base}/hang-body`, undefined, { ...loopback, timeoutMs: 300 }));
    expect(err.kind).toBe('timeout');
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/'],
    ['http://10.0.0.1/'],
    ['http://[::ffff:127.0.0.1]/'],
    ['http://[::ffff:a9fe:a9fe]/'],
    ['http://0.0.0.0/'],
    ['http://100.64.0.1/'],
    ['http://[fd00::1]/'],
    ['http://[fe80::1]/'],
    ['http://224.0.0.1/'],
  ])('blocks %s before connecting', async (url) => {
    const err = await outboundError(guardedFetch(url, undefined, { allowLoopback: false, timeoutMs: 2000 }));
    expect(err.kind).toBe('blocked_address');
  });

  it('blocks 127.0.0.1 unless loopback is allowed', async () => {
    stats.hits.delete('/ok');
    const err = await outboundError(guardedFetch(`${base}/ok`, undefined, { allowLoopback: false }));
    expect(err.kind).toBe('blocked_address');
    expect(stats.hits.get('/ok')).toBeUndefined();
  });

  it('blocks a host name that resolves to loopback (checked after DNS resolution)', async () => {
    stats.hits.delete('/ok');
    const port = (server.address() as AddressInfo).port;
    const err = await outboundError(guardedFetch(`http://localhost:${port}/ok`, undefined, { allowLoopback: false }));
    expect(err.kind).toBe('blocked_address');
    expect(stats.hits.get('/ok')).toBeUndefined();
  });

  it('blocks the metadata address even when loopback is allowed', async () => {
    const err = await outboundError(guardedFetch('http://169.254.169.254/', undefined, loopback));
    expect(err.kind).toBe('blocked_address');
  });

  it('rejects non-http schemes and garbage as bad_url', async () => {
    expect((await outboundError(guardedFetch('file:///etc/passwd', undefined, loopback))).kind).toBe('bad_url');
    expect((await outboundError(guardedFetch('not a url', undefined, loopback))).kind).toBe('bad_url');
  });

  it('reports a refused connection as a network error', async () => {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const err = await outboundError(guardedFetch(`http://127.0.0.1:${port}/x?secret=1`, undefined, loopback));
    expect(err.kind).toBe('network');
    expect(err.message).not.toContain('secret');
  });
});

describe('a caller signal (a sign-in deadline) beside the request timeout', () => {
  it('the deadline ends a hanging request before its own timeout, with the deadline as the reason', async () => {
    const deadline = startDeadline(200);
    const started = performance.now();
    const failed = await guardedFetch(
      `${base}/hang`,
      { signal: deadline.signal },
      { ...loopback, timeoutMs: 5000 },
    ).then(
      () => null,
      (err: unknown) => err,
    );
    expect(performance.now() - started).toBeLessThan(2000);
    expect(failed).toBeInstanceOf(DeadlineExceededError);
    expect(deadlineExceeded(deadline.signal)).toBe(failed);
    // The transfer stopped: the server saw its connection close.
    await stats.closed.get('/hang');
  });

  it('the request timeout still wins when it is the shorter one', async () => {
    const deadline = startDeadline(5000);
    const err = await outboundError(
      guardedFetch(`${base}/hang`, { signal: deadline.signal }, { ...loopback, timeoutMs: 200 }),
    );
    deadline.clear();
    expect(err.kind).toBe('timeout');
    expect(deadline.expired()).toBe(false);
  });

  it('untilAborted stops waiting at the deadline while the shared work goes on', async () => {
    const deadline = startDeadline(50);
    let finished = false;
    const work = new Promise<string>((resolve) =>
      setTimeout(() => {
        finished = true;
        resolve('loaded');
      }, 300),
    );
    await expect(untilAborted(work, deadline.signal)).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(finished).toBe(false);
    expect(await work).toBe('loaded');
    expect(await untilAborted(Promise.resolve(1), undefined)).toBe(1);
  });
});
