/** Setup links and setup sessions on the wire (the token itself is only ever in the create/redeem answers). */
import type {
  SetupLink as WireSetupLink,
  SetupLinkSession,
  SetupLinkStatus,
  SetupSession as WireSetupSession,
} from '@/lib/contract';
import { isSetupLinkUsable } from '../../http/auth';
import type { SetupLink, SetupLinkUse, SetupLinkWithOrg, SetupSessionWithLink } from '../../storage/types';

function statusOf(link: SetupLink, nowMs: number): SetupLinkStatus {
  if (link.revokedAt !== null) return 'revoked';
  return isSetupLinkUsable(link, nowMs) ? 'active' : 'expired';
}

export function toWireLink(link: SetupLink, uses: SetupLinkUse[], nowMs: number): WireSetupLink {
  return {
    id: link.id,
    label: link.label,
    status: statusOf(link, nowMs),
    createdAt: link.createdAt,
    expiresAt: link.expiresAt,
    revokedAt: link.revokedAt,
    createdBy: link.createdBy,
    uses: uses.map((u) => ({ usedAt: u.usedAt, name: u.name, email: u.email, userAgent: u.userAgent })),
  };
}

export function toPreview(link: SetupLinkWithOrg): SetupLinkSession {
  return {
    linkId: link.id,
    developerId: link.developerId,
    organizationName: link.organizationName,
    expiresAt: link.expiresAt,
  };
}

export function toWireSetupSession({ session, link }: SetupSessionWithLink): WireSetupSession {
  return { ...toPreview(link), sessionId: session.id, sessionExpiresAt: session.expiresAt };
}
