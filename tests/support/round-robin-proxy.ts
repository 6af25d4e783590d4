/**
 * A small round-robin HTTP load balancer for tests: each request goes to the next backend in turn. A backend
 * that refuses the connection (a stopped process) is skipped for that request, as a load balancer's health
 * check would; a backend that dies mid-request gives the client a 502. Records which backend served what.
 */
import { request as httpRequest, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** Backend index that answered each request, in order (path without query). */
  served: { backend: number; method: string; path: string; status: number }[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startRoundRobinProxy(backends: () => readonly string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const served: RoundRobinProxy['served'] = [];
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const targets = backends();
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      for (let attempt = 0; attempt < targets.length; attempt++) {
        const index = next++ % targets.length;
        const target = new URL(req.url ?? '/', targets[index]);
        const outcome = await new Promise<'refused' | 'done'>((resolve) => {
          const upstream = httpRequest(
            target,
            { method: req.method, headers: { ...req.headers, host: target.host, connection: 'close' } },
            (up) => {
              res.writeHead(up.statusCode ?? 502, up.headers);
              up.pipe(res);
              up.on('end', () => {
                served.push({ backend: index, method: req.method ?? '', path, status: up.statusCode ?? 0 });
                resolve('done');
              });
              up.on('error', () => {
                res.destroy();
                resolve('done');
              });
            },
          );
          upstream.on('error', (err: NodeJS.ErrnoException) => {
            if (err.code === 'ECONNREFUSED') return resolve('refused');
            // The backend died with the request in flight: what a load balancer answers then.
            if (!res.headersSent)
              res
                .writeHead(502, { 'content-type': 'application/json' })
                .end('{"message":"Bad gateway","code":"BAD_GATEWAY"}');
            else res.destroy();
            served.push({ backend: index, method: req.method ?? '', path, status: 502 });
            resolve('done');
          });
          upstream.end(body);
        });
        if (outcome === 'done') return;
      }
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end('{"message":"No backend available","code":"NO_BACKEND"}');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
