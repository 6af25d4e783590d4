/** Member sessions of an org: list, read, revoke, and the console's public re-check. */
import { ID_MAX, SESSION_MESSAGES, SESSIONS_LIST_MAX, type SsoSessionCheckResponse } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { notFound } from '../../http/api-error';
import type { SsoSession } from '../../storage/types';

const nowIso = (ctx: ServiceContext) => new Date(ctx.now()).toISOString();
const sessionNotFound = () => notFound(SESSION_MESSAGES.sessionNotFound);

export function listSessions(ctx: ServiceContext, developerId: string): Promise<SsoSession[]> {
  return ctx.store.listActiveSessions(developerId, nowIso(ctx), SESSIONS_LIST_MAX);
}

/** One active session of the org; another org's, a revoked, an expired or an unknown id is the same 404. */
export async function getSession(ctx: ServiceContext, developerId: string, id: string): Promise<SsoSession> {
  const session = id.length <= ID_MAX ? await ctx.store.getActiveSession(developerId, id, nowIso(ctx)) : undefined;
  if (!session) throw sessionNotFound();
  return session;
}

export async function revokeSession(ctx: ServiceContext, developerId: string, id: string): Promise<void> {
  if (!(id.length <= ID_MAX && (await ctx.store.revokeSession(developerId, id, nowIso(ctx))))) throw sessionNotFound();
}

/** Revoked, expired, unknown and another org's ids all answer `{active: false, expiresAt: null}`. */
export async function checkSession(
  ctx: ServiceContext,
  developerId: string,
  sessionId: string,
): Promise<SsoSessionCheckResponse> {
  const session = await ctx.store.getActiveSession(developerId, sessionId, nowIso(ctx));
  return session ? { active: true, expiresAt: session.expiresAt } : { active: false, expiresAt: null };
}
