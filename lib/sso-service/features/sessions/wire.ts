import type { SsoSession as WireSession } from '@/lib/contract';
import type { SsoSession } from '../../storage/types';

export function toWireSession(s: SsoSession): WireSession {
  return {
    id: s.id,
    connectionId: s.connectionId,
    principalId: s.principalId,
    email: s.email,
    emailVerified: s.emailVerified,
    name: s.name,
    idpSubject: s.idpSubject,
    groups: s.groups,
    mappedScopes: s.mappedScopes,
    expiresAt: s.expiresAt,
    createdAt: s.createdAt,
  };
}
