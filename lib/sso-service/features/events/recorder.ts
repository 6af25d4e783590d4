/**
 * The service's two event streams, both written through a BatchBuffer (off the request path): sign-in events
 * (capture.ts) and audit events (`ctx.audit.record(...)` from the admin routes).
 */
import type { FastifyRequest } from 'fastify';
import type { AuditAction, AuditActorKind, AuditTargetType } from '@/lib/contract';
import { timeOrderedId } from '../../crypto/random-id';
import { apiKeyHashFrom, type Actor } from '../../http/auth';
import { clientAddress } from '../../http/client-address';
import { describeError } from '../../http/describe-error';
import type { ServiceLogger } from '../../http/logger';
import { asStoreError } from '../../storage/errors';
import type { AuditEventRecord, EventStore, SignInEventRecord } from '../../storage/events-types';
import { auditWebhookEvent, signInWebhookEvent } from '../webhooks/events';
import type { ConsoleSession } from '../console-access/store';
import type { LazyWebhookOutbox, WebhookOutboxEvent } from '../webhooks/store';
import { BatchBuffer } from './buffer';

export const EVENT_FLUSH_MS = 250;
const MAX_BATCH = 500;
const MAX_QUEUED = 20_000;

/**
 * Rows per write on SQLite, where a write holds the event loop: 100 audit rows with their outbox read take about
 * a millisecond (500 took 7–10 ms), so a request queued behind a flush waits about that long. Smaller chunks hold
 * it less but cost more per row (each is a commit, and a commit writes the touched index pages again: 25-row
 * chunks cost ~50 % more CPU per event than 100). PostgreSQL writes asynchronously and takes a whole batch per
 * round trip.
 */
export const SQLITE_EVENT_WRITE_CHUNK = 100;

export interface EventBufferOptions {
  flushMs?: number;
  maxBatch?: number;
  /** Hears of each sign-in as it is queued (the service's metrics); must not throw or block. */
  onSignIn?: (event: SignInEventRecord) => void;
  /** Rows per write (BatchBuffer's writeChunk); default: the whole batch. */
  writeChunk?: number;
  /** Events kept in memory while a write is slow or failing; the oldest past this are dropped, counted. */
  maxQueued?: number;
}

export interface SignInEventRecorder {
  /** Queues one sign-in event (written within one flush interval). */
  record(event: Omit<SignInEventRecord, 'id' | 'createdAt'>): void;
  readonly stats: BatchBuffer<SignInEventRecord>['stats'];
}

export interface AuditActor {
  kind: AuditActorKind;
  id: string | null;
  label: string | null;
  /**
   * The address the request came from (the one the console names with its secret, else the connection's behind
   * the trusted proxies: http/client-address.ts); only the SIEM export formats send it.
   */
  ip?: string | null;
}

export interface AuditEntry {
  developerId: string;
  actor: AuditActor;
  action: AuditAction;
  target: { type: AuditTargetType; id: string | null };
  /** Names of changed fields, never their values (a secret field is named, e.g. "clientSecret"). */
  changedFields?: readonly string[];
}

export interface AuditRecorder {
  /** Queues one audit event; never throws, never waits. */
  record(entry: AuditEntry): void;
}

/** A person's console session as an audit actor: the session's id, labelled by their email (or subject). */
export function consoleSessionActor(session: ConsoleSession, request?: FastifyRequest): AuditActor {
  return {
    kind: 'console_session',
    id: session.id,
    label: session.via === 'break_glass' ? `break-glass: ${session.label ?? ''}` : (session.email ?? session.subject),
    ...(request ? { ip: clientAddress(request) } : {}),
  };
}

/**
 * The actor of a request `authenticate` let in: a console session (see consoleSessionActor), or the API key,
 * named by a short prefix of the key's hash.
 */
export function apiKeyActor(request: FastifyRequest): AuditActor {
  if (request.consoleSession) return consoleSessionActor(request.consoleSession, request);
  return {
    kind: 'api_key',
    id: `key_${apiKeyHashFrom(request).slice(0, 12)}`,
    label: null,
    ip: clientAddress(request),
  };
}

/** The audit actor of a request authenticated by `authenticateActor`: its API key, console session or setup link. */
export function auditActorOf(request: FastifyRequest, actor: Actor): AuditActor {
  // A setup session names the person who redeemed the link (their email stays in the link's uses).
  if (actor.kind === 'setup_link') {
    return { kind: 'setup_link', id: actor.linkId, label: actor.name, ip: clientAddress(request) };
  }
  if (actor.kind === 'console_session') return consoleSessionActor(actor.session, request);
  return apiKeyActor(request);
}

export interface EventRecorders {
  signIns: SignInEventRecorder;
  audit: AuditRecorder;
  /** Writes everything queued (tests, shutdown). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** A batch's webhook events, built only for the orgs with an enabled endpoint (webhooks/store.ts). */
function lazyOutbox<T extends { developerId: string }>(
  batch: readonly T[],
  toEvent: (record: T) => WebhookOutboxEvent,
): LazyWebhookOutbox {
  return {
    developerIds: [...new Set(batch.map((e) => e.developerId))],
    eventsOf: (orgs) => batch.filter((e) => orgs.has(e.developerId)).map(toEvent),
  };
}

export function createEventRecorders(
  store: EventStore,
  logger: ServiceLogger,
  now: () => number,
  opts: EventBufferOptions = {},
): EventRecorders {
  const bufferOptions = (stream: string) => ({
    flushMs: opts.flushMs ?? EVENT_FLUSH_MS,
    maxBatch: opts.maxBatch ?? MAX_BATCH,
    ...(opts.writeChunk ? { writeChunk: opts.writeChunk } : {}),
    maxQueued: opts.maxQueued ?? MAX_QUEUED,
    onDrop: (count: number, err: unknown) =>
      logger.log('warn', { msg: `${stream} events dropped`, count, err: describeError(err) }),
    // Busy or unreachable: item by item would fail too. Anything else: one row was refused, keep the rest.
    isTransient: (err: unknown) => asStoreError(err)?.transient ?? true,
  });
  // Each batch is written with its webhook events (the outbox rows, for the orgs with endpoints that want them)
  // in one transaction: an event stored is an event delivered at least once (features/webhooks/store.ts).
  const signIns = new BatchBuffer<SignInEventRecord>(
    (batch) => store.insertSignInEvents(batch, lazyOutbox(batch, signInWebhookEvent)),
    bufferOptions('sign-in'),
  );
  const audits = new BatchBuffer<AuditEventRecord>(
    (batch) => store.insertAuditEvents(batch, lazyOutbox(batch, auditWebhookEvent)),
    bufferOptions('audit'),
  );
  // Event ids begin with the time (crypto/random-id.ts): the tables' id index then grows at its end.

  return {
    signIns: {
      record(event) {
        const at = now();
        const record = { ...event, id: timeOrderedId('evt', at), createdAt: new Date(at).toISOString() };
        signIns.push(record);
        opts.onSignIn?.(record);
      },
      stats: signIns.stats,
    },
    audit: {
      record(entry) {
        const at = now();
        audits.push({
          id: timeOrderedId('aud', at),
          developerId: entry.developerId,
          actorKind: entry.actor.kind,
          actorId: entry.actor.id,
          actorLabel: entry.actor.label,
          action: entry.action,
          targetType: entry.target.type,
          targetId: entry.target.id,
          changedFields: [...(entry.changedFields ?? [])],
          actorIp: entry.actor.ip ?? null,
          createdAt: new Date(at).toISOString(),
        });
      },
    },
    async flush() {
      await Promise.all([signIns.flush(), audits.flush()]);
    },
    async close() {
      await Promise.all([signIns.close(), audits.close()]);
    },
  };
}
