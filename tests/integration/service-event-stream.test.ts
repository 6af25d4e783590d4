/**
 * The event stream and the events pages, on the backend the run selects: a live SSE stream carries a sign-in and
 * audit events with `id:` and `event:` lines, each `data:` line alone being the event JSON (what the official SDK
 * reads); a reconnect with Last-Event-ID gets exactly the missed events; `types=`; another org's events never
 * appear; the API key is required; the per-org bound; GET /v1/events pages with a resumable cursor and the same
 * events; and closing the service ends open streams.
 */
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { eventListSchema, ssoLoginResponseSchema, webhookEventSchema, type WebhookEvent } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex/client';
import { waitFor } from '@/tests/support/webhook-receiver';

// Generous bounds: waitFor returns as soon as the condition holds, and on a loaded 2-core CI machine the events
// buffer's flush and the stream's poll can lag by seconds.
const EVENTS_ARRIVE_MS = 20_000;
import { authed, saveConfig, signup, startTestService, TEST_KEYS, type TestService } from './service-harness';
import { eventLogPathOf } from '@/lib/sso-service/storage/sqlite/event-log';

type Org = { developerId: string; apiKey: string };

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(
    cleanups
      .splice(0)
      .reverse()
      .map((c) => c()),
  );
});

/** Events flushed every 20 ms, streams polling every 30 ms, events readable 100 ms after they are stamped. */
async function service(extra: Parameters<typeof startTestService>[0] = {}): Promise<TestService> {
  const svc = await startTestService({
    logLevel: 'warn',
    ...TEST_KEYS,
    eventBuffer: { flushMs: 20 },
    eventStream: { pollMs: 30, settleMs: 100, keepaliveMs: 150, ...extra.eventStream },
    ...extra,
  });
  cleanups.push(() => svc.close());
  return svc;
}

interface Frame {
  id?: string;
  event?: string;
  data: string[];
}

interface Stream {
  status: number;
  frames: Frame[];
  comments: string[];
  ended: boolean;
  events(): WebhookEvent[];
  close(): void;
}

/**
 * Reads a text/event-stream body frame by frame (fields per the SSE specification: `field: value`). Each stream
 * has its own connection (no pool), so closing it leaves nothing open behind.
 */
async function openStream(base: string, key: string | null, path = '/v1/events/stream', headers = {}) {
  const req = http.get(`${base}${path}`, {
    agent: false,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
  });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', resolve);
    req.on('error', reject);
  });
  const stream: Stream = {
    status: res.statusCode ?? 0,
    frames: [],
    comments: [],
    ended: false,
    events() {
      return this.frames.map((f) => webhookEventSchema.parse(JSON.parse(f.data.join('\n'))));
    },
    close: () => req.destroy(),
  };
  cleanups.push(async () => req.destroy());
  let buffer = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    buffer += chunk;
    let at: number;
    while ((at = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const frame: Frame = { data: [] };
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) stream.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data.push(line.slice(6));
        else if (stream.status === 200) throw new Error(`unexpected line ${line}`);
      }
      if (frame.data.length > 0) stream.frames.push(frame);
    }
  });
  const ended = () => {
    stream.ended = true;
  };
  res.on('end', ended);
  res.on('close', ended);
  res.on('error', ended);
  return { stream, res };
}

let domainCounter = 0;
async function addDomain(base: string, org: Org): Promise<string> {
  const domain = `s${++domainCounter}-${Date.now()}.example.com`;
  const res = await fetch(
    `${base}/v1/sso/domains`,
    authed(org.apiKey, { method: 'POST', body: JSON.stringify({ domain }) }),
  );
  expect(res.status).toBe(201);
  return domain;
}

async function signIn(base: string, org: Org): Promise<void> {
  expect((await saveConfig(base, org.apiKey)).status).toBe(201);
  const login = ssoLoginResponseSchema.parse(await (await fetch(`${base}/sso/login?org=${org.developerId}`)).json());
  const state = new URL(login.authorizeUrl).searchParams.get('state') ?? '';
  expect((await fetch(`${base}/sso/callback?code=c-stream-1&state=${encodeURIComponent(state)}`)).status).toBe(200);
}

const domainsOf = (events: WebhookEvent[]) =>
  events.filter((e) => e.type === 'sso.domain.added').map((e) => (e.data as { target: { id: string } }).target.id);

describe('the event stream', () => {
  it('carries sign-in and audit events live, each with id: and event: lines and a data: line that alone is the event', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const { stream, res } = await openStream(svc.url, org.apiKey);
    expect(stream.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);

    await addDomain(svc.url, org);
    await signIn(svc.url, org);
    await waitFor(
      () => stream.frames.some((f) => f.event === 'sso.login'),
      EVENTS_ARRIVE_MS,
      'the sign-in on the stream',
    );

    const types = stream.frames.map((f) => f.event);
    expect(types).toEqual(expect.arrayContaining(['sso.domain.added', 'sso.config.saved', 'sso.login']));
    for (const f of stream.frames) {
      // The official SDK reads only `data:` lines: one per event, valid JSON of the whole event.
      expect(f.data).toHaveLength(1);
      const event = webhookEventSchema.parse(JSON.parse(f.data[0] as string));
      expect(f.event).toBe(event.type);
      expect(f.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(event.developerId).toBe(org.developerId);
    }
    expect(new Set(stream.frames.map((f) => f.id)).size).toBe(stream.frames.length);
    // Oldest first.
    const times = stream.events().map((e) => e.createdAt);
    expect(times).toEqual([...times].sort());
    await waitFor(() => stream.comments.includes('keepalive'), 2_000, 'a keepalive comment');

    // The page reads the same events, same ids and bodies, in the same order.
    const page = await fetch(`${svc.url}/v1/events`, authed(org.apiKey));
    expect(page.status).toBe(200);
    const listed = eventListSchema.parse(await page.json());
    expect(listed.events).toEqual(stream.events());
    stream.close();
  });

  it('resumes with Last-Event-ID: exactly the missed events, no duplicates, then live', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const first = (await openStream(svc.url, org.apiKey)).stream;
    const before = [await addDomain(svc.url, org), await addDomain(svc.url, org)];
    await waitFor(() => first.frames.length >= 2, EVENTS_ARRIVE_MS, 'two events');
    const lastId = first.frames.at(-1)?.id ?? '';
    first.close();

    const missed = [await addDomain(svc.url, org), await addDomain(svc.url, org)];
    await new Promise((r) => setTimeout(r, 300));
    const second = (await openStream(svc.url, org.apiKey, '/v1/events/stream', { 'last-event-id': lastId })).stream;
    await waitFor(() => second.frames.length >= 2, EVENTS_ARRIVE_MS, 'the missed events');
    const live = await addDomain(svc.url, org);
    await waitFor(() => second.frames.length >= 3, EVENTS_ARRIVE_MS, 'the live event');
    await new Promise((r) => setTimeout(r, 300));
    expect(domainsOf(first.events())).toEqual(before);
    expect(domainsOf(second.events())).toEqual([...missed, live]);
    expect(second.frames).toHaveLength(3);

    // `?after=` is the same for a client that cannot set headers; a malformed cursor is refused.
    const viaQuery = (await openStream(svc.url, org.apiKey, `/v1/events/stream?after=${encodeURIComponent(lastId)}`))
      .stream;
    await waitFor(() => viaQuery.frames.length >= 3, EVENTS_ARRIVE_MS, 'the replay');
    expect(domainsOf(viaQuery.events())).toEqual([...missed, live]);
    viaQuery.close();
    second.close();
    const bad = (await openStream(svc.url, org.apiKey, '/v1/events/stream', { 'last-event-id': 'not-a-cursor' }))
      .stream;
    expect(bad.status).toBe(400);
  });

  it('filters by types= and never shows another org’s events; requires the API key', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const other = await signup(svc.url);
    const filtered = (await openStream(svc.url, org.apiKey, '/v1/events/stream?types=sso.domain.added')).stream;
    const all = (await openStream(svc.url, org.apiKey)).stream;
    const foreign = (await openStream(svc.url, other.apiKey)).stream;

    const mine = await addDomain(svc.url, org);
    const theirs = await addDomain(svc.url, other);
    await signIn(svc.url, other);
    expect((await saveConfig(svc.url, org.apiKey)).status).toBe(201);
    await waitFor(
      () => filtered.frames.length >= 1 && all.frames.length >= 2 && foreign.frames.length >= 3,
      EVENTS_ARRIVE_MS,
      'the events',
    );
    await new Promise((r) => setTimeout(r, 300));

    expect(filtered.events().map((e) => e.type)).toEqual(['sso.domain.added']);
    expect(domainsOf(filtered.events())).toEqual([mine]);
    expect(all.events().map((e) => e.type)).toEqual(['sso.domain.added', 'sso.config.saved']);
    for (const e of all.events()) expect(e.developerId).toBe(org.developerId);
    expect(domainsOf(all.events())).not.toContain(theirs);
    expect(foreign.events().every((e) => e.developerId === other.developerId)).toBe(true);
    // The other org's stream position replayed with this org's key shows this org's events only.
    const lastForeign = foreign.frames.at(0)?.id ?? '';
    const replay = await fetch(`${svc.url}/v1/events?after=${encodeURIComponent(lastForeign)}`, authed(org.apiKey));
    const replayed = eventListSchema.parse(await replay.json()).events;
    expect(replayed.every((e) => e.developerId === org.developerId)).toBe(true);

    const unknownType = await fetch(`${svc.url}/v1/events/stream?types=sso.nope`, authed(org.apiKey));
    expect(unknownType.status).toBe(400);
    for (const p of ['/v1/events/stream', '/v1/events']) {
      const res = await fetch(`${svc.url}${p}`);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const wrong = await fetch(`${svc.url}${p}`, authed('gx_wrong_key'));
      expect(wrong.status).toBe(401);
    }
    for (const s of [filtered, all, foreign]) s.close();
  });

  it('bounds open streams per org (429) and frees the slot when a stream closes', async () => {
    const svc = await service({ eventStream: { streamsPerOrg: 2 } });
    const org = await signup(svc.url);
    const other = await signup(svc.url);
    const a = (await openStream(svc.url, org.apiKey)).stream;
    const b = (await openStream(svc.url, org.apiKey)).stream;
    const c = (await openStream(svc.url, org.apiKey)).stream;
    expect([a.status, b.status, c.status]).toEqual([200, 200, 429]);
    expect((await openStream(svc.url, other.apiKey)).stream.status).toBe(200);
    a.close();
    await waitFor(async () => (await openStream(svc.url, org.apiKey)).stream.status === 200, 3_000, 'a freed slot');
    b.close();
  });

  it('closing the service ends open streams promptly', async () => {
    const svc = await service({ eventStream: { keepaliveMs: 60_000 } });
    const org = await signup(svc.url);
    const { stream } = await openStream(svc.url, org.apiKey);
    expect(stream.status).toBe(200);
    const started = Date.now();
    await svc.close();
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(() => stream.ended, 2_000, 'the stream to end');
    expect(stream.comments).toContain('server closing');
  });
});

describe('GET /v1/events', () => {
  it('pages oldest first with a resumable cursor and hasMore', async () => {
    const svc = await service();
    const org = await signup(svc.url);
    const domains = [];
    for (let i = 0; i < 5; i++) domains.push(await addDomain(svc.url, org));
    await waitFor(
      async () => {
        const res = await fetch(`${svc.url}/v1/events?limit=10`, authed(org.apiKey));
        return eventListSchema.parse(await res.json()).events.length === 5;
      },
      EVENTS_ARRIVE_MS,
      'the five events to be readable',
    );

    const seen: WebhookEvent[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const res = await fetch(
        `${svc.url}/v1/events?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`,
        authed(org.apiKey),
      );
      expect(res.status).toBe(200);
      const page = eventListSchema.parse(await res.json());
      seen.push(...page.events);
      after = page.nextCursor;
      if (!page.hasMore) break;
    }
    // Every event once, oldest first (events stamped in the same millisecond are ordered by id, not by when
    // they were made).
    const order = domainsOf(seen);
    expect([...order].sort()).toEqual([...domains].sort());
    const stamps = seen.map((e) => e.createdAt);
    expect(stamps).toEqual([...stamps].sort());
    // The console's client reads the same pages.
    const client = new GrantexClient({ baseUrl: svc.url, apiKey: org.apiKey });
    const first = await client.events.list({ limit: 2, types: ['sso.domain.added'] });
    expect(domainsOf(first.events)).toEqual(order.slice(0, 2));
    const rest = await client.events.list({ after: first.nextCursor ?? undefined, types: ['sso.domain.added'] });
    expect(domainsOf(rest.events)).toEqual(order.slice(2));
    expect(rest.hasMore).toBe(false);
    // Caught up: the cursor stays, and the next event is read from it.
    const next = await addDomain(svc.url, org);
    const after5 = await waitFor(
      async () => {
        const res = await fetch(`${svc.url}/v1/events?after=${encodeURIComponent(after ?? '')}`, authed(org.apiKey));
        const events = eventListSchema.parse(await res.json()).events;
        return events.length > 0 && events;
      },
      EVENTS_ARRIVE_MS,
      'the next event',
    );
    expect(domainsOf(after5)).toEqual([next]);
    expect((await fetch(`${svc.url}/v1/events?after=bogus`, authed(org.apiKey))).status).toBe(400);
    expect((await fetch(`${svc.url}/v1/events?limit=0`, authed(org.apiKey))).status).toBe(400);
  });
});

describe('a slow reader', () => {
  /** `count` audit entries of the org written straight into the database (far more than socket buffers hold). */
  async function seedAuditRows(svc: TestService, developerId: string, count: number, createdAt: string) {
    const label = 'x'.repeat(2_000);
    if (svc.postgresUrl) {
      const client = new pg.Client({ connectionString: svc.postgresUrl });
      await client.connect();
      try {
        await client.query(
          `INSERT INTO audit_events (id, developer_id, actor_kind, actor_id, actor_label, action, target_type, target_id, changed_fields, created_at)
           SELECT 'aud_bp' || lpad(i::text, 6, '0'), $1, 'api_key', NULL, $2, 'domain.added', 'domain', NULL, '[]', $3
           FROM generate_series(1, $4::int) AS i`,
          [developerId, label, createdAt, count],
        );
      } finally {
        await client.end();
      }
      return;
    }
    const db = new Database(eventLogPathOf(path.join(svc.dataDir, 'grantex.db')));
    try {
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO audit_events (id, developer_id, actor_kind, actor_id, actor_label, action, target_type, target_id, changed_fields, created_at)
         SELECT 'aud_bp' || printf('%06d', i), ?, 'api_key', NULL, ?, 'domain.added', 'domain', NULL, '[]', ? FROM n`,
      ).run(count, developerId, label, createdAt);
    } finally {
      db.close();
    }
  }

  it(
    'is disconnected once its socket stays full past the bound, and its slot is freed',
    { timeout: 60_000 },
    async () => {
      const svc = await service({ eventStream: { stallMs: 300, streamsPerOrg: 1 } });
      const org = await signup(svc.url);
      const createdAt = new Date(Date.now() - 3_600_000).toISOString();
      await seedAuditRows(svc, org.developerId, 12_000, createdAt);
      // A position before the seeded rows (the cursor's documented encoding: base64url JSON [createdAt, id]).
      const from = Buffer.from(JSON.stringify([new Date(Date.now() - 7_200_000).toISOString(), 'a'])).toString(
        'base64url',
      );

      // A client that sends its request, reads until the response has begun (so it holds the org's one slot before
      // any probe below can take it), then never reads again.
      const { port, hostname } = new URL(svc.url);
      const socket = net.connect(Number(port), hostname);
      socket.on('error', () => {});
      cleanups.push(async () => socket.destroy());
      const started = new Promise<string>((resolve) => socket.once('data', (chunk) => resolve(String(chunk))));
      socket.write(
        `GET /v1/events/stream?after=${from} HTTP/1.1\r\nhost: ${hostname}\r\nauthorization: Bearer ${org.apiKey}\r\n\r\n`,
      );
      expect(await started).toMatch(/^HTTP\/1\.1 200/);
      socket.pause();
      // Its 200 means it holds the org's one slot (streamsPerOrg: 1; the 429 itself is tested above).
      // The server ends it (the slot frees) although the client never read or closed anything.
      const next = await waitFor(
        async () => {
          const s = (await openStream(svc.url, org.apiKey)).stream;
          return s.status === 200 && s;
        },
        EVENTS_ARRIVE_MS,
        'the server to drop the slow reader',
      );
      next.close();
      expect(socket.destroyed).toBe(false);
    },
  );
});
