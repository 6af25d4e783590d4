import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type IdpEndpoint = 'discovery' | 'jwks' | 'token' | 'userinfo' | 'other';

export interface IdpCounts {
  discovery: number;
  jwks: number;
  token: number;
  userinfo: number;
  other: number;
}

export interface CountingProxy {
  url: string;
  port: number;
  /** Teach the proxy the IdP's endpoint paths (from its discovery document). */
  learn(discovery: { jwks_uri?: string; token_endpoint?: string; userinfo_endpoint?: string }): void;
  setTarget(port: number): void;
  snapshot(): IdpCounts;
  /** Upstream time (request in → response fully sent) of every `kind` request so far, ms. */
  durations(kind: IdpEndpoint): readonly number[];
  /** Counts since `before` (a snapshot). */
  since(before: IdpCounts): IdpCounts;
  close(): Promise<void>;
}

const zero = (): IdpCounts => ({ discovery: 0, jwks: 0, token: 0, userinfo: 0, other: 0 });

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message, so a proxy must not pass them
 * on. Passed on, the dev IdP's `Keep-Alive: timeout=1` would make the service's HTTP client reconnect for every
 * token request, and the bench would count that as the service's own time.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
function endToEnd(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const listed = new Set(
    String(headers.connection ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase()),
  );
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k) && !listed.has(k)));
}

/**
 * A loopback reverse proxy in front of the dev IdP, which is started with its issuer set to the
 * proxy's URL. Every URL the IdP publishes therefore points here, so each request the SERVICE
 * makes (discovery, JWKS, token) is counted without touching the IdP's code. The login driver's
 * own requests (authorize, interaction pages) land in `other`.
 */
export async function startCountingProxy(): Promise<CountingProxy> {
  const counts = zero();
  const durations: Record<IdpEndpoint, number[]> = { discovery: [], jwks: [], token: [], userinfo: [], other: [] };
  const paths = new Map<string, IdpEndpoint>([['/.well-known/openid-configuration', 'discovery']]);
  let targetPort = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const kind = paths.get(pathname) ?? 'other';
    counts[kind]++;
    const t0 = performance.now();
    res.once('finish', () => durations[kind].push(performance.now() - t0));
    const upstream = http.request(
      { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: endToEnd(req.headers), agent },
      (up) => {
        res.writeHead(up.statusCode ?? 502, endToEnd(up.headers));
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    learn(d) {
      const add = (u: string | undefined, kind: IdpEndpoint) => {
        if (u) paths.set(new URL(u).pathname, kind);
      };
      add(d.jwks_uri, 'jwks');
      add(d.token_endpoint, 'token');
      add(d.userinfo_endpoint, 'userinfo');
    },
    setTarget(p) {
      targetPort = p;
    },
    snapshot: () => ({ ...counts }),
    durations: (kind) => durations[kind],
    since(before) {
      const out = zero();
      for (const k of Object.keys(out) as IdpEndpoint[]) out[k] = counts[k] - before[k];
      return out;
    },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Requests the service made to the IdP (the login driver never calls these endpoints). */
export function serviceRequests(c: IdpCounts): number {
  return c.discovery + c.jwks + c.token + c.userinfo;
}
