/** What the callbacks answer: the legacy identity, the member's session, or a SAML test sign-in's identity. */
import type { SsoCallbackResponse, SsoSamlTestCallbackResponse, SsoSessionCallbackResponse } from '@/lib/contract';
import type { SsoIdentity } from '../../protocols';
import type { SsoConnection, SsoSession } from '../../storage/types';

/** `GET /sso/callback`: who the IdP vouched for (legacy contract); nulls where the IdP said nothing. */
export function toWireIdentity(connection: SsoConnection, identity: SsoIdentity): SsoCallbackResponse {
  return {
    developerId: connection.developerId,
    email: identity.email ?? null,
    emailVerified: identity.emailVerified,
    name: identity.name ?? null,
    sub: identity.sub,
  };
}

/** A member sign-in: the session opened for them. */
export function toWireSessionSignIn(session: SsoSession): SsoSessionCallbackResponse {
  return {
    sessionId: session.id,
    email: session.email,
    emailVerified: session.emailVerified,
    name: session.name,
    sub: session.idpSubject,
    groups: session.groups,
    mappedScopes: session.mappedScopes,
    principalId: session.principalId,
    developerId: session.developerId,
    expiresAt: session.expiresAt,
  };
}

/** A test sign-in finished at the SAML ACS: who the IdP vouched for, and no session. */
export function toWireSamlTest(connection: SsoConnection, identity: SsoIdentity): SsoSamlTestCallbackResponse {
  return {
    developerId: connection.developerId,
    connectionId: connection.id,
    email: identity.email,
    emailVerified: identity.emailVerified,
    name: identity.name,
    sub: identity.sub,
    groups: identity.groups,
    test: true,
  };
}
