/**
 * Webhooks: what an org's endpoint costs its sign-ins, and how fast one process delivers.
 *
 * 1. Sign-ins with webhooks on vs off, interleaved in one service process: two orgs on the dev IdP, one with an
 *    endpoint subscribed to every event (a loopback receiver answering 200 at once), one without. Blocks of
 *    complete logins alternate ABBA round by round, so both sides see the same machine state and the same
 *    process (the worker delivering the "on" org's events runs during the "off" blocks too: that is the cost
 *    a neighbour pays). The outbox rows are written by the event buffer's flush, not by the callback, so the
 *    expectation is no difference beyond noise.
 * 2. Delivery throughput of one process: N pending deliveries are committed to the outbox in one transaction
 *    (straight into the SQLite file the service uses), then timed until the receiver has them all — once with
 *    the Grantex format (one POST per event) and once with OCSF (ndjson batches of a claim's rows).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { WebhookWithSecret } from '@/lib/contract';
import { signInEvent } from '@/lib/sso-service/features/webhooks/events';
import { ocsfSignIn } from '@/lib/sso-service/features/webhooks/siem';
import type { SignInEventRecord } from '@/lib/sso-service/storage/events-types';
import { json } from '../lib/http';
import { progress } from '../lib/log';
import type { Org } from '../lib/orgs';
import type { Idp, Service } from '../lib/stack';
import { summarize, type Summary } from '../lib/stats';
import { oneLogin } from './callback';

export interface WebhookAbSide {
  callbackMs: Summary;
  roundTripMs: Summary;
}

export interface WebhookThroughput {
  format: 'grantex' | 'ocsf';
  events: number;
  posts: number;
  seconds: number;
  perSec: number;
}

export interface WebhooksResult {
  rounds: number;
  perBlock: number;
  off: WebhookAbSide;
  on: WebhookAbSide;
  /** Events the "on" org's receiver got vs the sign-ins it should have heard of. */
  delivered: number;
  expected: number;
  throughput: WebhookThroughput[];
  throughputNote?: string;
  errors: number;
  firstError?: string;
}

interface BenchReceiver {
  url: string;
  posts: number;
  lines: number;
  reset(): void;
  close(): Promise<void>;
}

/** Answers 200 at once; counts POSTs and events (an ndjson body's lines). */
async function startBenchReceiver(): Promise<BenchReceiver> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      r.posts++;
      r.lines += req.headers['content-type'] === 'application/x-ndjson' ? body.split('\n').length - 1 : 1;
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const r: BenchReceiver = {
    url: `http://127.0.0.1:${port}/hooks`,
    posts: 0,
    lines: 0,
    reset() {
      r.posts = 0;
      r.lines = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return r;
}

async function addEndpoint(service: Service, org: Org, url: string, events: string[], format = 'grantex') {
  return json<WebhookWithSecret>(
    `${service.url}/v1/webhooks`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url, events, format }),
    },
    201,
  );
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/** A realistic sign-in record, for the bodies of the pre-filled deliveries. */
function sampleSignIn(developerId: string, i: number): SignInEventRecord {
  return {
    id: `evt_bench_${i}`,
    developerId,
    connectionId: 'conn_bench',
    protocol: 'oidc',
    startedBy: 'member',
    outcome: 'success',
    stage: 'complete',
    reason: null,
    idpError: null,
    idpErrorDescription: null,
    email: `member-${i}@example.com`,
    sub: `sub-${i}`,
    name: `Member ${i}`,
    durationMs: 7.3,
    requestId: `req-${i}`,
    trace: {} as SignInEventRecord['trace'],
    clientIp: '203.0.113.7',
    createdAt: new Date().toISOString(),
  };
}

/** N due deliveries for one endpoint, committed at once; then the time until the receiver has all of them. */
async function drain(
  dbFile: string,
  endpoint: { id: string; developerId: string },
  format: 'grantex' | 'ocsf',
  n: number,
  rx: BenchReceiver,
): Promise<WebhookThroughput> {
  const db = new Database(dbFile);
  db.pragma('busy_timeout = 10000');
  const insert = db.prepare(
    `INSERT INTO webhook_deliveries (id, endpoint_id, developer_id, event_id, event_type, body, format, status,
       attempts, next_attempt_at, lease_until, response_status, duration_ms, last_error, last_attempt_at, created_at)
     VALUES (?, ?, ?, ?, 'sso.login', ?, ?, 'pending', 0, 0, NULL, NULL, NULL, NULL, NULL, ?)`,
  );
  const rows = Array.from({ length: n }, (_, i) => {
    const record = sampleSignIn(endpoint.developerId, i);
    const body = JSON.stringify(format === 'ocsf' ? ocsfSignIn(record) : signInEvent(record));
    return [`whd_bench_${format}_${i}`, endpoint.id, endpoint.developerId, record.id, body, format, record.createdAt];
  });
  rx.reset();
  db.transaction(() => {
    for (const row of rows) insert.run(...row);
  })();
  db.close();
  const t0 = performance.now();
  const done = await until(() => rx.lines >= n, 180_000);
  const seconds = (performance.now() - t0) / 1000;
  if (!done) throw new Error(`${format}: ${rx.lines} of ${n} deliveries arrived within 180 s`);
  return { format, events: n, posts: rx.posts, seconds, perSec: n / seconds };
}

export async function measureWebhooks(
  service: Service,
  idp: Idp,
  orgs: { off: Org; on: Org; drain: Org },
  opts: { rounds: number; perBlock: number; warmup: number; drainEvents: number; sqlite: boolean },
): Promise<WebhooksResult> {
  const rx = await startBenchReceiver();
  try {
    await addEndpoint(service, orgs.on, rx.url, ['*']);
    progress(
      `webhooks: ${opts.rounds} rounds × 2 blocks × ${opts.perBlock} logins, interleaved (ABBA), endpoint on one org`,
    );
    const samples = { off: { cb: [] as number[], rt: [] as number[] }, on: { cb: [] as number[], rt: [] as number[] } };
    let errors = 0;
    let firstError: string | undefined;
    let onLogins = 0;
    const login = async (side: 'off' | 'on', record: boolean) => {
      try {
        const r = await oneLogin(service, idp, orgs[side]);
        if (side === 'on') onLogins++;
        if (record) {
          samples[side].cb.push(r.callbackMs);
          samples[side].rt.push(r.roundTripMs);
        }
      } catch (err) {
        errors++;
        firstError ??= err instanceof Error ? err.message : String(err);
      }
    };
    for (let i = 0; i < opts.warmup; i++) {
      await login('off', false);
      await login('on', false);
    }
    for (let round = 0; round < opts.rounds; round++) {
      const order: ('off' | 'on')[] = round % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      for (const side of order) for (let i = 0; i < opts.perBlock; i++) await login(side, true);
    }
    // Every sign-in of the "on" org (the endpoint's own creation is not sent to it) reaches the receiver.
    await until(() => rx.lines >= onLogins, 15_000);
    const delivered = rx.lines;
    const result: WebhooksResult = {
      rounds: opts.rounds,
      perBlock: opts.perBlock,
      off: { callbackMs: summarize(samples.off.cb), roundTripMs: summarize(samples.off.rt) },
      on: { callbackMs: summarize(samples.on.cb), roundTripMs: summarize(samples.on.rt) },
      delivered,
      expected: onLogins,
      throughput: [],
      errors,
      firstError,
    };
    progress(
      `  callback p50 off ${result.off.callbackMs.p50.toFixed(2)} ms, on ${result.on.callbackMs.p50.toFixed(2)} ms; ` +
        `delivered ${delivered} of ${onLogins}`,
    );

    if (!opts.sqlite) {
      result.throughputNote = 'delivery throughput is measured on SQLite only (the outbox is pre-filled in its file)';
    } else {
      const dbFile = path.join(service.dataDir, 'grantex.db');
      for (const format of ['grantex', 'ocsf'] as const) {
        const ep = await addEndpoint(service, orgs.drain, rx.url, ['sso.login'], format);
        // The creation's audit event goes to the other endpoints of this org: let it pass before timing.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        progress(`  draining ${opts.drainEvents} pending ${format} deliveries`);
        const t = await drain(dbFile, { id: ep.id, developerId: orgs.drain.developerId }, format, opts.drainEvents, rx);
        progress(`    ${Math.round(t.perSec)} events/s in ${t.posts} POSTs (${t.seconds.toFixed(2)} s)`);
        result.throughput.push(t);
      }
    }
    return result;
  } finally {
    await rx.close();
  }
}
