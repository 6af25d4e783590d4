/**
 * The sign-in log and the audit trail: `GET /v1/sso/events` and `GET /v1/sso/audit` (Bearer key, the key's org
 * only). Newest first, cursor-paged by (createdAt, id).
 */
import {
  auditEventRequestQuerySchema,
  signInEventRequestQuerySchema,
  type AuditEventList,
  type SignInEventList,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { developerOf, requireDeveloper } from '../../http/auth';
import type { ServiceApp } from '../../http/validation';
import { decodeCursor, page } from './paging';
import { toWireAudit, toWireSignIn } from './wire';

export function registerEventRoutes(app: ServiceApp, ctx: ServiceContext) {
  const preValidation = requireDeveloper(ctx);

  app.get(
    '/v1/sso/events',
    { preValidation, schema: { querystring: signInEventRequestQuerySchema } },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor);
      const { rows, nextCursor } = await page(q.limit, (limit) =>
        ctx.store.events.listSignInEvents({
          developerId: developerOf(request).id,
          connectionId: q.connectionId,
          outcome: q.outcome,
          reason: q.reason,
          email: q.email,
          from: q.from,
          to: q.to,
          after,
          limit,
        }),
      );
      const body: SignInEventList = { events: rows.map(toWireSignIn), nextCursor };
      return body;
    },
  );

  app.get(
    '/v1/sso/audit',
    { preValidation, schema: { querystring: auditEventRequestQuerySchema } },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor);
      const { rows, nextCursor } = await page(q.limit, (limit) =>
        ctx.store.events.listAuditEvents({
          developerId: developerOf(request).id,
          targetId: q.targetId,
          action: q.action,
          from: q.from,
          to: q.to,
          after,
          limit,
        }),
      );
      const body: AuditEventList = { events: rows.map(toWireAudit), nextCursor };
      return body;
    },
  );
}
