/**
 * An admin's test sign-in on one connection starts with the redirect URI the connection is registered with
 * (its own `/sso/callback/<key>`, or the shared one for a connection that has not moved): Grantex checks it is
 * that one, and the IdP sends the test back there.
 */
import 'server-only';
import type { GrantexClient } from '@/lib/grantex';

export async function testSignInUrl(client: GrantexClient, connectionId: string): Promise<string> {
  const connection = await client.sso.connections.get(connectionId);
  const redirectUri = connection.protocol === 'oidc' ? connection.redirectUri : undefined;
  return (await client.sso.connections.startTestSignIn(connectionId, redirectUri ? { redirectUri } : {})).authorizeUrl;
}
