/**
 * `GET /v1/events` (pages of the org's events, oldest first) and `GET /v1/events/stream` (the same events as
 * Server-Sent Events), Bearer key, the key's org only.
 *
 * The stream is Grantex's shape (each event one `data: <json>` line and a blank line, `: keepalive` comments) plus
 * an `id:` line (the event's cursor) and `event: <type>`. It starts after `Last-Event-ID` (or `?after=`), first
 * replaying what is stored after it, then continues live; without one it starts at the present. Live delivery
 * is each stream polling storage (`pollMs`): the store is the only shared state, so a stream sees every
 * process's events on PostgreSQL without a pub/sub channel, and the bounded number of streams bounds the
 * queries (an indexed range read per stream and poll).
 *
 * The credential is asked again every `recheckMs` (30 s): a stream opened with a console session ends when that
 * session does (sign-out, revocation, expiry), one opened with an API key when the key is gone.
 *
 * A slow reader: while the socket's buffer is full nothing more is read; if it stays full past `stallMs` the
 * stream ends with a final comment, and the client resumes with its Last-Event-ID. Closing the service ends every
 * stream first (Fastify's preClose), so `close()` never waits on an open stream.
 */
import type { ServerResponse } from 'node:http';
import {
  eventListRequestQuerySchema,
  eventStreamRequestQuerySchema,
  EVENT_STREAM_LIMITS,
  type EventList,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { ApiError } from '../../http/api-error';
import { credentialStillValid, developerOf, requireDeveloper } from '../../http/auth';
import { describeError } from '../../http/describe-error';
import type { ServiceApp } from '../../http/validation';
import type { PageAfter } from '../../storage/events-types';
import { decodeEventCursor, DEFAULT_SETTLE_MS, filterOf, readEvents, type EventFilter } from './source';

export interface EventStreamOptions {
  /** How often a live stream reads storage (default 1 s). */
  pollMs?: number;
  /** How old an event must be before it is read (default 2 s; see source.ts). */
  settleMs?: number;
  /** Comment interval (default 15 s). */
  keepaliveMs?: number;
  /** How long the socket's buffer may stay full before the stream is closed (default 30 s). */
  stallMs?: number;
  streamsPerOrg?: number;
  streamsTotal?: number;
  /** How often a stream checks that the credential it was opened with still holds (default 30 s). */
  recheckMs?: number;
}

/** Events read per storage query while replaying or catching up. */
const BATCH = 200;

interface OpenStream {
  developerId: string;
  end(comment: string): void;
}

export function registerEventStreamRoutes(app: ServiceApp, ctx: ServiceContext, opts: EventStreamOptions = {}) {
  const preValidation = requireDeveloper(ctx);
  const pollMs = opts.pollMs ?? 1_000;
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const keepaliveMs = opts.keepaliveMs ?? 15_000;
  const stallMs = opts.stallMs ?? 30_000;
  const recheckMs = opts.recheckMs ?? 30_000;
  const perOrg = opts.streamsPerOrg ?? EVENT_STREAM_LIMITS.streamsPerOrg;
  const total = opts.streamsTotal ?? EVENT_STREAM_LIMITS.streamsTotal;

  const open = new Set<OpenStream>();
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    for (const s of [...open]) s.end('server closing');
    done();
  });

  app.get('/v1/events', { preValidation, schema: { querystring: eventListRequestQuerySchema } }, async (request) => {
    const q = request.query;
    const limit = q.limit ?? EVENT_STREAM_LIMITS.pageDefault;
    const read = await readEvents(ctx.store.events, {
      developerId: developerOf(request).id,
      after: q.after === undefined ? undefined : decodeEventCursor(q.after),
      filter: filterOf(q.types),
      limit: limit + 1,
      nowMs: ctx.now(),
      settleMs,
    });
    const kept = read.slice(0, limit);
    const body: EventList = {
      events: kept.map((r) => r.event),
      nextCursor: kept.at(-1)?.cursor ?? q.after ?? null,
      hasMore: read.length > limit,
    };
    return body;
  });

  app.get(
    '/v1/events/stream',
    { preValidation, schema: { querystring: eventStreamRequestQuerySchema } },
    async (request, reply) => {
      const developerId = developerOf(request).id;
      const lastEventId = request.headers['last-event-id'];
      const resumeFrom = typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : request.query.after;
      // A fresh stream starts at the present: what is not yet readable (younger than settleMs) is still to come.
      let after: PageAfter =
        resumeFrom === undefined
          ? { createdAt: new Date(ctx.now() - settleMs).toISOString(), id: '\u{10FFFF}' }
          : decodeEventCursor(resumeFrom);
      const filter: EventFilter = filterOf(request.query.types);
      const stillValid = credentialStillValid(ctx, request);
      if (closing) throw new ApiError(503, 'INTERNAL_ERROR', 'the service is shutting down');
      if (open.size >= total || [...open].filter((s) => s.developerId === developerId).length >= perOrg) {
        throw new ApiError(429, 'RATE_LIMITED', 'too many open event streams; close one or retry later');
      }

      reply.hijack();
      const res: ServerResponse = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        // A hijacked reply skips the app's onSend hooks, so the one security header that matters here is set directly.
        'x-content-type-options': 'nosniff',
        'x-request-id': request.id,
      });
      res.flushHeaders();

      let ended = false;
      let stalledSince: number | null = null;
      let wake: (() => void) | null = null;
      const sleep = (ms: number) =>
        new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            wake = null;
            resolve();
          }, ms);
          wake = () => {
            clearTimeout(t);
            wake = null;
            resolve();
          };
        });
      const keepalive = setInterval(() => write(': keepalive\n\n'), keepaliveMs);
      const stream: OpenStream = {
        developerId,
        end(comment) {
          if (ended) return;
          ended = true;
          open.delete(stream);
          clearInterval(keepalive);
          wake?.();
          if (!res.destroyed) {
            res.end(`: ${comment}\n\n`);
            // A reader that does not drain its socket would keep it (and close()) waiting: drop it soon after.
            setTimeout(() => res.destroy(), 1_000).unref();
          }
        },
      };
      open.add(stream);
      res.on('close', () => stream.end('closed'));
      res.on('drain', () => {
        stalledSince = null;
        wake?.();
      });

      function write(chunk: string): void {
        if (ended) return;
        if (!res.write(chunk) && stalledSince === null) stalledSince = ctx.now();
      }

      let checkedAt = ctx.now();
      try {
        while (!ended) {
          // A revoked console session (sign-out, a role change, the member's logout) or a removed key ends the
          // stream within recheckMs: the events it carries are read with the credential's authority.
          if (ctx.now() - checkedAt >= recheckMs) {
            checkedAt = ctx.now();
            if (!(await stillValid())) {
              stream.end('credential no longer valid; authenticate again');
              break;
            }
          }
          if (stalledSince !== null) {
            if (ctx.now() - stalledSince >= stallMs) {
              stream.end('slow reader; reconnect with Last-Event-ID');
              break;
            }
            await sleep(Math.min(pollMs, stallMs));
            continue;
          }
          const batch = await readEvents(ctx.store.events, {
            developerId,
            after,
            filter,
            limit: BATCH,
            nowMs: ctx.now(),
            settleMs,
          });
          for (const { position, cursor, event } of batch) {
            write(`id: ${cursor}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
            after = position;
          }
          // A full batch: more are stored now (catching up); else wait for the next poll.
          if (batch.length < BATCH) await sleep(pollMs);
        }
      } catch (err) {
        ctx.logger.log('warn', { msg: 'event stream ended by an error', err: describeError(err) });
        stream.end('error; reconnect with Last-Event-ID');
      }
    },
  );
}
