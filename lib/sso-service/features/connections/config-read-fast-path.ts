/**
 * `GET /v1/sso/config` with an API key, answered without Fastify. It is the most frequent call an integrating
 * application makes (read on every sign-in page of some SDK set-ups), and it is a key hash and one indexed read:
 * Fastify's request and reply objects, routing and hooks cost about as much again as the work itself (see
 * bench/RESULTS.md). So the HTTP server offers each request here first (app.ts, `serverFactory`).
 *
 * It answers only what the Fastify route would answer with 200 and nothing else to do: a plain `GET` of this
 * exact path, no body, an API key (no console or setup credential), the org's default OIDC connection found, the
 * service not draining, and no log line due for a successful read (LOG_SUCCESSFUL_READS). Everything else (a
 * wrong key, no config, a query string, a storage error, HEAD) goes to Fastify, untouched, and gets its ordinary
 * answer there. The response is the route's, byte for byte apart from the date and request id: the same body
 * (toWireConfig), the same security headers and x-request-id (tests/integration/service-config-read-fast-path).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceContext } from '../../context';
import { hashApiKey } from '../../crypto/api-keys';
import { plainApiKeyBearer } from '../../http/auth';
import { requestIdFor } from '../../http/request-id';
import type { LegacyConfig } from '../../storage/types';
import { legacyConfigWire } from './wire';

export const CONFIG_READ_PATH = '/v1/sso/config';

/** The body per config: on SQLite an unchanged row reads as the same (frozen) config (storage/rows.ts). */
const bodies = new WeakMap<LegacyConfig, string>();
function bodyOf(config: LegacyConfig): string {
  let body = bodies.get(config);
  if (body === undefined) {
    body = JSON.stringify(legacyConfigWire(config));
    bodies.set(config, body);
  }
  return body;
}

/** Requests answered here (tests check the path is taken). */
export const configReadFastPathStats = { served: 0 };

/**
 * Returns a function that takes a request (true: it answers it, or hands it to `fallback` itself) or declines it
 * (false: the caller hands it to Fastify).
 */
export function configReadFastPath(
  ctx: Pick<ServiceContext, 'store' | 'shutdown'>,
  headers: Readonly<Record<string, string>>,
  enabled: boolean,
  fallback: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const fixed = Object.entries({ ...headers, 'content-type': 'application/json; charset=utf-8' }).flat();
  return (req, res) => {
    if (!enabled || req.method !== 'GET' || req.url !== CONFIG_READ_PATH || ctx.shutdown?.draining) return false;
    if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) return false;
    const key = plainApiKeyBearer(req.headers.authorization);
    if (key === null) return false;
    ctx.store.findLegacyConfigByKey(hashApiKey(key)).then(
      (found) => {
        if (!found?.config) return fallback(req, res);
        const body = bodyOf(found.config);
        configReadFastPathStats.served++;
        res.writeHead(200, [
          ...fixed,
          'x-request-id',
          requestIdFor(req),
          'content-length',
          String(Buffer.byteLength(body)),
        ]);
        res.end(body);
      },
      () => fallback(req, res),
    );
    return true;
  };
}
