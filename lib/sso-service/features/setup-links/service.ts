/**
 * Setup links: created and revoked by the org's API key; redeemed (the LINK token) for a setup SESSION of the IT
 * admin's own. Tokens are returned once; only their hashes are stored.
 */
import {
  ID_MAX,
  SETUP_LINK_MESSAGES,
  SETUP_SESSION_MAX_HOURS,
  type SetupLinkCreate,
  type SetupLinkCreated,
  type SetupLinkRedeem,
  type SetupSessionCreated,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { randomId } from '../../crypto/random-id';
import { generateSetupSessionToken, generateSetupToken, hashSetupToken } from '../../crypto/setup-tokens';
import { notFound, unauthorized } from '../../http/api-error';
import type { ApiKeyHash, SetupLinkWithOrg, SetupSession } from '../../storage/types';
import { toWireSetupSession } from './wire';

const HOUR_MS = 60 * 60 * 1000;
/** User agents are kept for the audit trail, cut to this many characters. */
const USER_AGENT_MAX = 200;
/** Characters of the creating key's hash kept in `createdBy`: enough to tell keys apart, useless to an attacker. */
const CREATED_BY_HASH_CHARS = 10;

const iso = (ms: number) => new Date(ms).toISOString();

export async function createSetupLink(
  ctx: ServiceContext,
  developerId: string,
  /** The API key's hash, or the console session that made it (named by its id). */
  creator: { keyHash: ApiKeyHash } | { consoleSessionId: string },
  input: Pick<SetupLinkCreate, 'label'> & { expiresInHours: number },
): Promise<SetupLinkCreated> {
  const token = generateSetupToken();
  const now = ctx.now();
  const link = await ctx.store.createSetupLink({
    id: randomId('sul'),
    developerId,
    tokenHash: hashSetupToken(token),
    label: input.label || null,
    createdBy:
      'keyHash' in creator
        ? `api_key:${creator.keyHash.slice(0, CREATED_BY_HASH_CHARS)}`
        : `console_session:${creator.consoleSessionId}`,
    createdAt: iso(now),
    expiresAt: iso(now + input.expiresInHours * HOUR_MS),
    revokedAt: null,
  });
  return { id: link.id, token, expiresAt: link.expiresAt, label: link.label, createdAt: link.createdAt };
}

export async function revokeSetupLink(ctx: ServiceContext, developerId: string, id: string): Promise<void> {
  const revoked = id.length <= ID_MAX ? await ctx.store.revokeSetupLink(developerId, id, iso(ctx.now())) : undefined;
  if (!revoked) throw notFound(SETUP_LINK_MESSAGES.notFound);
}

/**
 * The exchange: the IT admin says who they are and gets a setup session of their own (a new random token, stored
 * as its hash, with their name and email, ending with the link at the latest). The link stays a multi-use
 * invitation while it is valid: each redeem is its own use with its own session.
 */
export async function redeemSetupLink(
  ctx: ServiceContext,
  link: SetupLinkWithOrg,
  input: SetupLinkRedeem,
  userAgent: string | undefined,
): Promise<SetupSessionCreated> {
  const now = ctx.now();
  const sessionToken = generateSetupSessionToken();
  const session: SetupSession = {
    id: randomId('sus'),
    linkId: link.id,
    developerId: link.developerId,
    name: input.name,
    email: input.email,
    createdAt: iso(now),
    expiresAt: iso(Math.min(Date.parse(link.expiresAt), now + SETUP_SESSION_MAX_HOURS * HOUR_MS)),
  };
  const userAgentText = userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null;
  // Written only while the link is still usable: a revocation racing this redeem leaves nothing behind.
  if (!(await ctx.store.createSetupSession({ ...session, tokenHash: hashSetupToken(sessionToken) }, userAgentText))) {
    throw unauthorized(SETUP_LINK_MESSAGES.invalid);
  }
  // Who: the link, labelled with the name the IT admin gave (their email stays in the link's uses).
  ctx.audit.record({
    developerId: link.developerId,
    actor: { kind: 'setup_link', id: link.id, label: input.name },
    action: 'setup_link.used',
    target: { type: 'setup_link', id: link.id },
  });
  return { ...toWireSetupSession({ session, link }), sessionToken };
}
