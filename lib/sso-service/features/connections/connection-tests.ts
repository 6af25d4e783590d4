/**
 * Connection checks (the org's key or a setup session):
 * - `POST /v1/sso/connections/:id/test`: the protocol's settings test (OIDC: a fresh discovery through the
 *   outbound guard), 200 with the endpoints or 422 with the reason.
 * - `POST /v1/sso/connections/:id/test-sign-in`: starts a test sign-in (state marked `tst`) on any status; it
 *   finishes at `GET /sso/callback` (SAML: `POST /sso/callback/saml`, answering `test: true`) and opens no session.
 */
import { SESSION_MESSAGES, type SsoTestSignInResponse } from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { badRequest } from '../../http/api-error';
import { redirectUriMismatch, type SsoConnection } from '../../storage/types';

export function testConnection(ctx: ServiceContext, connection: SsoConnection) {
  return ctx.protocols[connection.protocol].testSettings(connection);
}

export async function startTestSignIn(
  ctx: ServiceContext,
  connection: SsoConnection,
  redirectUri: string | undefined,
): Promise<SsoTestSignInResponse> {
  if (redirectUriMismatch(connection, redirectUri)) throw badRequest(SESSION_MESSAGES.redirectUriMismatch);
  const login = ctx.states.issue(connection.developerId, connection.id, { test: true });
  const authorizeUrl = await ctx.protocols[connection.protocol].startLogin(connection, login);
  return { authorizeUrl, protocol: connection.protocol, connectionId: connection.id };
}
