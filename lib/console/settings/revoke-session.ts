/**
 * Revoking an SSO session for an authorized admin: the typed result the sessions page shows. Another org's
 * or an unknown id is `not_found`, exactly as Grantex answers it.
 */
import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Admin } from '@/lib/auth';
import { grantexForAdmin } from '@/lib/grantex/server';
import { isGrantexError } from '@/lib/grantex/errors';
import type { SessionsOutcome } from '../messages';
import { logSsoEvent } from '../utils/log';

const revokeFormSchema = z.object({ sessionId: z.string().trim().min(1).max(128) });

export async function revokeSessionAs(admin: Admin, input: unknown): Promise<SessionsOutcome> {
  const parsed = revokeFormSchema.safeParse(input);
  if (!parsed.success) return 'not_found';
  const requestId = randomUUID();
  try {
    await grantexForAdmin(admin, { requestId }).sso.sessions.revoke(parsed.data.sessionId);
  } catch (err) {
    logSsoEvent('revoke_session', {
      requestId,
      org: admin.developerId,
      outcome: isGrantexError(err) ? err.kind : 'unexpected',
      grantexRequestId: isGrantexError(err) ? err.requestId : null,
    });
    return isGrantexError(err) && err.kind === 'not_found' ? 'not_found' : 'failed';
  }
  logSsoEvent('revoke_session', { requestId, org: admin.developerId, outcome: 'revoked' });
  return 'revoked';
}
