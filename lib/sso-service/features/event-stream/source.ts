/**
 * The org's events read back from the sign-in log and the audit trail (one stored record, one event, built by the
 * webhooks' builder so the stream, the pages and the webhooks carry the same id and body), oldest first.
 *
 * The cursor is the position `(createdAt, record id)` of the last event read, base64url-encoded JSON: opaque to
 * clients, stable (it names a position, not a row, so it survives the retention purge of that row) and resumable
 * from any process. Events are recorded through a batched buffer, so a row can be committed a moment after
 * another with a later `createdAt`; reads stop `settleMs` before now so a cursor does not pass a row still in
 * flight. A write delayed longer than that (the database refusing writes while the buffer retries) can land
 * behind a cursor a reader already holds: the stream is for reacting, webhooks are the at-least-once channel.
 */
import { z } from 'zod';
import {
  AUDIT_EVENT_TYPES,
  EVENT_STREAM_LIMITS,
  type AuditAction,
  type SignInOutcome,
  type WebhookEvent,
  type WebhookEventType,
} from '@/lib/contract';
import { badRequest } from '../../http/api-error';
import type { EventStore, PageAfter, StoredEvent } from '../../storage/events-types';
import { auditEvent, signInEvent } from '../webhooks/events';

/** Default wait before an event is readable (the buffer's flush interval plus the write, with margin). */
export const DEFAULT_SETTLE_MS = 2_000;

const cursorSchema = z.tuple([z.iso.datetime({ precision: 3 }), z.string().min(1).max(EVENT_STREAM_LIMITS.cursorMax)]);

export function encodeEventCursor(after: PageAfter): string {
  return Buffer.from(JSON.stringify([after.createdAt, after.id])).toString('base64url');
}

export function decodeEventCursor(cursor: string): PageAfter {
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt, id };
  } catch {
    throw badRequest('cursor is not valid; start from a cursor this API returned, or without one');
  }
}

export interface EventFilter {
  outcomes?: SignInOutcome[];
  actions?: AuditAction[];
}

/** `types=` as each table's filter (undefined: every type). */
export function filterOf(types: readonly WebhookEventType[] | undefined): EventFilter {
  if (types === undefined) return {};
  const wanted = new Set<string>(types);
  const outcomes: SignInOutcome[] = [];
  if (wanted.has('sso.login')) outcomes.push('success');
  if (wanted.has('sso.login.failed')) outcomes.push('failure');
  const actions = (Object.entries(AUDIT_EVENT_TYPES) as [AuditAction, string][])
    .filter(([, type]) => wanted.has(type))
    .map(([action]) => action);
  return { outcomes, actions };
}

export interface ReadEvent {
  position: PageAfter;
  cursor: string;
  event: WebhookEvent;
}

function toEvent(stored: StoredEvent): WebhookEvent {
  return stored.kind === 'sign_in' ? signInEvent(stored.record) : auditEvent(stored.record);
}

/** Up to `limit` events after `after`, oldest first, each with the cursor that resumes after it. */
export async function readEvents(
  store: EventStore,
  q: { developerId: string; after?: PageAfter; filter: EventFilter; limit: number; nowMs: number; settleMs: number },
): Promise<ReadEvent[]> {
  const rows = await store.listEventsAfter({
    developerId: q.developerId,
    after: q.after,
    until: new Date(q.nowMs - q.settleMs).toISOString(),
    outcomes: q.filter.outcomes,
    actions: q.filter.actions,
    limit: q.limit,
  });
  return rows.map((r) => {
    const position = { createdAt: r.record.createdAt, id: r.record.id };
    return { position, cursor: encodeEventCursor(position), event: toEvent(r) };
  });
}
