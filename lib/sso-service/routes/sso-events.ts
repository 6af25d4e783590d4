/**
 * The sign-in log and the audit trail: `GET /v1/sso/events` and `GET /v1/sso/audit` (Bearer key, the key's org
 * only). Newest first, cursor-paged by (createdAt, id); the cursor is opaque to clients.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  auditEventQuerySchema,
  EVENT_LIMITS,
  signInEventQuerySchema,
  type AuditEvent,
  type AuditEventList,
  type SignInEvent,
  type SignInEventList,
} from '@/lib/contract';
import type { ServiceContext } from '../context';
import { badRequest } from '../http/api-error';
import { authenticate } from '../http/auth';
import { invalidRequest } from '../http/describe-issues';
import type { AuditEventRecord, PageAfter, SignInEventRecord } from '../storage/events-types';

const cursorSchema = z.tuple([z.iso.datetime({ precision: 3 }), z.string().min(1).max(EVENT_LIMITS.idFilterMax)]);

export function encodeCursor(after: PageAfter): string {
  return Buffer.from(JSON.stringify([after.createdAt, after.id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): PageAfter | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [createdAt, id] = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt, id };
  } catch {
    throw badRequest('cursor is not valid; start again from the first page (no cursor)');
  }
}

function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw invalidRequest(parsed.error.issues);
  return parsed.data;
}

/** One page: asks for one row more than `limit` to know whether another page follows. */
async function page<R extends { createdAt: string; id: string }>(
  limit: number | undefined,
  list: (limit: number) => Promise<R[]>,
): Promise<{ rows: R[]; nextCursor: string | null }> {
  const size = limit ?? EVENT_LIMITS.pageDefault;
  const rows = await list(size + 1);
  if (rows.length <= size) return { rows, nextCursor: null };
  const kept = rows.slice(0, size);
  const last = kept[kept.length - 1] as R;
  return { rows: kept, nextCursor: encodeCursor(last) };
}

function toWireSignIn(e: SignInEventRecord): SignInEvent {
  return { ...e };
}

function toWireAudit(e: AuditEventRecord): AuditEvent {
  return {
    id: e.id,
    developerId: e.developerId,
    actor: { kind: e.actorKind, id: e.actorId, label: e.actorLabel },
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    changedFields: e.changedFields,
    createdAt: e.createdAt,
  };
}

export function registerSsoEventRoutes(app: FastifyInstance, ctx: ServiceContext) {
  app.get('/v1/sso/events', async (request) => {
    const dev = await authenticate(ctx.store, request);
    const q = parseQuery(signInEventQuerySchema, request.query);
    const after = decodeCursor(q.cursor);
    const { rows, nextCursor } = await page(q.limit, (limit) =>
      ctx.store.events.listSignInEvents({
        developerId: dev.id,
        connectionId: q.connectionId,
        outcome: q.outcome,
        email: q.email,
        from: q.from,
        to: q.to,
        after,
        limit,
      }),
    );
    const body: SignInEventList = { events: rows.map(toWireSignIn), nextCursor };
    return body;
  });

  app.get('/v1/sso/audit', async (request) => {
    const dev = await authenticate(ctx.store, request);
    const q = parseQuery(auditEventQuerySchema, request.query);
    const after = decodeCursor(q.cursor);
    const { rows, nextCursor } = await page(q.limit, (limit) =>
      ctx.store.events.listAuditEvents({ developerId: dev.id, targetId: q.targetId, action: q.action, from: q.from, to: q.to, after, limit }),
    );
    const body: AuditEventList = { events: rows.map(toWireAudit), nextCursor };
    return body;
  });
}
