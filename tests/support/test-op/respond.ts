import type { ServerResponse } from 'node:http';
import type { EndpointMode } from './behaviour';

const DEFAULT_HUGE_BYTES = 50 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x20);

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendText(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Writes padding while the client keeps reading; stops as soon as it goes away or `remaining` hits 0. */
function pump(res: ServerResponse, remaining: number | undefined): void {
  const write = (): void => {
    while (!res.destroyed) {
      if (remaining !== undefined && remaining <= 0) {
        res.end();
        return;
      }
      const chunk = remaining !== undefined && remaining < CHUNK.length ? CHUNK.subarray(0, remaining) : CHUNK;
      if (remaining !== undefined) remaining -= chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', write);
        return;
      }
    }
  };
  write();
}

/**
 * Answers according to a misbehaving mode. Returns false for `normal`, so the caller runs its real handler.
 * Hanging requests are simply left open: the server destroys their sockets on close().
 */
export function applyMode(res: ServerResponse, mode: EndpointMode): boolean {
  switch (mode.kind) {
    case 'normal':
      return false;
    case 'hang':
      return true;
    case 'huge': {
      const bytes = mode.bytes ?? DEFAULT_HUGE_BYTES;
      const prefix = Buffer.from('{"padding":"');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes });
      res.write(prefix);
      pump(res, Math.max(0, bytes - prefix.length));
      return true;
    }
    case 'endless':
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"padding":"');
      pump(res, undefined);
      return true;
    case 'raw':
      sendText(res, mode.status ?? 200, mode.body, mode.contentType ?? 'text/html; charset=utf-8');
      return true;
    case 'json':
      sendJson(res, mode.status ?? 200, mode.body);
      return true;
    case 'redirect':
      res.writeHead(mode.status ?? 302, { location: mode.location, 'content-length': 0 });
      res.end();
      return true;
  }
}
