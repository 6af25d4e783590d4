/**
 * A real HTTP receiver on loopback for webhook tests, and the verifiers every delivery goes through:
 * - Standard Webhooks, twice: the reference package's `Webhook.verify` (npm `standardwebhooks`) and a check
 *   written from the specification (https://www.standardwebhooks.com, "Verifying webhook authenticity": the
 *   signed content is `${webhook-id}.${webhook-timestamp}.${body}`, HMAC-SHA256 keyed with the base64-decoded
 *   part of the `whsec_` secret, sent base64 as `v1,<sig>`, several space-separated).
 * - Grantex's `verifyWebhook` as the official SDKs document it: `X-Grantex-Signature-V2` must equal
 *   `sha256=` + hex HMAC-SHA256(secret, `${X-Grantex-Timestamp}.${body}`), the whole secret string as the key,
 *   and the timestamp (unix seconds) within 300 seconds of now in either direction; and the older
 *   `verifyWebhookSignature` (`X-Grantex-Signature` = `sha256=` + hex HMAC-SHA256(secret, body)).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

export type Behaviour = 'ok' | 'error' | 'hang';

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** What the next requests get (default 'ok'). */
  behave: Behaviour;
  /** Stops listening (connections are refused) until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      received.push({ headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      if (receiver.behave === 'hang') {
        hanging.push(res);
        return;
      }
      res.statusCode = receiver.behave === 'ok' ? 200 : 503;
      res.end(receiver.behave === 'ok' ? 'ok' : 'down for maintenance');
    });
  });
  const listen = (p: number) =>
    new Promise<number>((resolve) =>
      server.listen(p, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
    );
  const actualPort = await listen(port);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging.splice(0)) res.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const receiver: Receiver = {
    url: `http://127.0.0.1:${actualPort}/hooks`,
    port: actualPort,
    received,
    behave: 'ok',
    stop,
    async start() {
      await listen(actualPort);
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
  return receiver;
}

/** The Standard Webhooks reference implementation; throws when the delivery does not verify. */
export function verifyWithPackage(secret: string, r: Received): unknown {
  return new Webhook(secret).verify(r.body, {
    'webhook-id': r.headers['webhook-id'] ?? '',
    'webhook-timestamp': r.headers['webhook-timestamp'] ?? '',
    'webhook-signature': r.headers['webhook-signature'] ?? '',
  });
}

/** The specification's check, written out: any `v1,` signature matching, and a timestamp within 5 minutes. */
export function verifyStandardBySpec(secret: string, r: Received, nowSec = Date.now() / 1000): boolean {
  const id = r.headers['webhook-id'];
  const ts = r.headers['webhook-timestamp'];
  const header = r.headers['webhook-signature'];
  if (!id || !ts || !header || !/^\d+$/.test(ts) || Math.abs(nowSec - Number(ts)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest();
  return header.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** The official SDK's `verifyWebhook({ payload, signature, timestamp, secret, toleranceSeconds: 300 })`. */
export function grantexVerifyWebhook(opts: {
  payload: string;
  signature: string;
  timestamp: string;
  secret: string;
  toleranceSeconds?: number;
  nowSec?: number;
}): boolean {
  const tolerance = opts.toleranceSeconds ?? 300;
  if (!/^\d+$/.test(opts.timestamp)) return false;
  const now = opts.nowSec ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(opts.timestamp)) > tolerance) return false;
  const expected =
    'sha256=' + createHmac('sha256', opts.secret).update(`${opts.timestamp}.${opts.payload}`).digest('hex');
  const a = Buffer.from(opts.signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The official SDK's older `verifyWebhookSignature(payload, signature, secret)`. */
export function grantexVerifySignature(payload: string, signature: string, secret: string): boolean {
  const expected = 'sha256=' + createHmac('sha256', secret).update(payload).digest('hex');
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Every verifier on one delivery, with one secret. */
export function verifyAll(
  secret: string,
  r: Received,
): { standardPackage: boolean; standardSpec: boolean; grantex: boolean; grantexLegacy: boolean } {
  let standardPackage = true;
  try {
    verifyWithPackage(secret, r);
  } catch {
    standardPackage = false;
  }
  return {
    standardPackage,
    standardSpec: verifyStandardBySpec(secret, r),
    grantex: grantexVerifyWebhook({
      payload: r.body,
      signature: r.headers['x-grantex-signature-v2'] ?? '',
      timestamp: r.headers['x-grantex-timestamp'] ?? '',
      secret,
    }),
    grantexLegacy: grantexVerifySignature(r.body, r.headers['x-grantex-signature'] ?? '', secret),
  };
}

export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
