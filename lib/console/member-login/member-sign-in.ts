/**
 * A member's sign-in finished at Grantex. Member logins open an SSO session (`POST /sso/callback/oidc`: the
 * member's groups, scopes and session expiry come back); test sign-ins stay on the legacy `GET /sso/callback`,
 * which opens none. A Grantex without the session endpoint (its route answers 404/405 before the state is
 * read, so the state is still unused) falls back to the legacy callback.
 */
import 'server-only';
import type { ConsoleGrant } from '@/lib/contract';
import type { GrantexClient } from '@/lib/grantex';
import { isGrantexError } from '@/lib/grantex/errors';

export interface MemberSignIn {
  identity: { developerId: string; email: string | null; emailVerified?: boolean; name: string | null; sub: string };
  /** Absent when Grantex has no session endpoint. `id`: what /member re-checks with Grantex. */
  session?: { id: string; groups: string[]; mappedScopes: string[]; expiresAt: string };
  /** A console sign-in's console session (login started with `intent=console`); server-side only. */
  console?: ConsoleGrant;
}

/** The session route itself is missing (not "this org has no SSO", which the route says with its own reason code). */
function sessionRouteMissing(err: unknown): boolean {
  return isGrantexError(err) && (err.status === 404 || err.status === 405) && err.reason !== 'sso_not_configured';
}

export async function completeMemberSignIn(
  client: GrantexClient,
  code: string,
  state: string,
  iss: string | null,
  /** The callback address the IdP sent the browser to; Grantex checks it is the connection's redirect URI. */
  redirectUri?: string,
): Promise<MemberSignIn> {
  const opts = { ...(iss ? { iss } : {}), ...(redirectUri ? { redirectUri } : {}) };
  try {
    const signedIn = await client.sso.handleOidcCallback(code, state, opts);
    return {
      identity: {
        developerId: signedIn.developerId,
        email: signedIn.email,
        ...(signedIn.emailVerified !== undefined ? { emailVerified: signedIn.emailVerified } : {}),
        name: signedIn.name,
        sub: signedIn.sub,
      },
      session: {
        id: signedIn.sessionId,
        groups: signedIn.groups,
        mappedScopes: signedIn.mappedScopes,
        expiresAt: signedIn.expiresAt,
      },
      ...(signedIn.console ? { console: signedIn.console } : {}),
    };
  } catch (err) {
    if (!sessionRouteMissing(err)) throw err;
    return { identity: await client.sso.handleCallback(code, state, opts) };
  }
}
