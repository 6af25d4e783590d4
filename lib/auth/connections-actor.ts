import 'server-only';
import { encode } from 'next-auth/jwt';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { cache } from 'react';
import type { SetupSessionCreated } from '@/lib/contract';
import { env } from '@/lib/env';
import type { GrantexClient } from '@/lib/grantex/client';
import { isGrantexError } from '@/lib/grantex/errors';
import { grantexForAdmin } from '@/lib/grantex/server';
import { SESSION_MAX_AGE_SECONDS, sessionCookieName } from './options';
import type { ConsoleRole, ConsoleVia } from './roles';
import { getAdmin, readSessionPayload } from './session';
import { setupTokenSchema, type SetupToken } from './setup-token';

/**
 * Who may work on the organization's SSO connections (and their domains): the API-key admin, or the customer's
 * IT admin holding a setup link. Connection pages and their actions use this; every other page keeps using
 * requireAdmin(), which a setup-link session never passes.
 */
export interface ConnectionsActor {
  /** A signed-in admin (API key, SSO or break-glass; see `role`), or a setup-link user. */
  kind: 'admin' | 'setup_link';
  /** The admin's console role; null for a setup-link user (its scope is in lib/auth/permissions.ts). */
  role: ConsoleRole | null;
  via: ConsoleVia | null;
  developerId: string;
  organizationName: string;
  /** The person (setup link) or the organization (API key), for the page chrome. */
  displayName: string;
  /** Setup links only: which link, until when, and the email its user gave. */
  setupLink: { linkId: string; expiresAt: string; email: string } | null;
  /**
   * Server-side only: a Grantex client authenticated with the API key or the setup session token (`requestId` joins the
   * console's log line with the service's). Never hand it to a client component.
   */
  grantex: (opts?: { requestId?: string }) => GrantexClient;
}

/** A setup session Grantex no longer accepts (it or its link expired, or the link was revoked). */
export const SETUP_LINK_ENDED = 'setup_link_ended' as const;

async function setupActor(token: SetupToken): Promise<ConnectionsActor | typeof SETUP_LINK_ENDED> {
  const grantex = (opts: { requestId?: string } = {}) => grantexForAdmin({ apiKey: token.sessionToken }, opts);
  try {
    // Asked on every request (one indexed read on the service): a revoked link ends its sessions at the next navigation.
    const session = await grantex().sso.setupLinks.getSession();
    return {
      kind: 'setup_link',
      role: null,
      via: null,
      developerId: session.developerId,
      organizationName: session.organizationName,
      displayName: token.name,
      setupLink: { linkId: session.linkId, expiresAt: session.expiresAt, email: token.email },
      grantex,
    };
  } catch (err) {
    if (isGrantexError(err) && err.kind === 'unauthorized') return SETUP_LINK_ENDED;
    throw err;
  }
}

/** The connections actor of this request, SETUP_LINK_ENDED, or null (signed out). Cached per request. */
export const getConnectionsActor = cache(async (): Promise<ConnectionsActor | typeof SETUP_LINK_ENDED | null> => {
  const admin = await getAdmin();
  if (admin) {
    return {
      kind: 'admin',
      role: admin.role,
      via: admin.via,
      developerId: admin.developerId,
      organizationName: admin.name,
      displayName: admin.person ?? admin.name,
      setupLink: null,
      grantex: (opts = {}) => grantexForAdmin(admin, opts),
    };
  }
  const setup = setupTokenSchema.safeParse(await readSessionPayload());
  return setup.success ? setupActor(setup.data) : null;
});

/** The connections actor; otherwise /signin, or /setup/ended for a link that expired or was revoked. */
export async function requireConnectionsActor(returnTo?: string): Promise<ConnectionsActor> {
  const actor = await getConnectionsActor();
  if (actor === SETUP_LINK_ENDED) redirect('/setup/ended');
  if (!actor) redirect(returnTo ? `/signin?callbackUrl=${encodeURIComponent(returnTo)}` : '/signin');
  return actor;
}

/**
 * Signs the browser into a setup-link session: the same encrypted, HttpOnly next-auth cookie an admin gets,
 * holding the setup SESSION token (the link's token is not kept), ending with that session (or after the admin
 * session's maximum, if sooner).
 */
export async function startSetupSession(
  created: SetupSessionCreated,
  who: { name: string; email: string },
): Promise<void> {
  const untilSessionEnds = Math.floor((Date.parse(created.sessionExpiresAt) - Date.now()) / 1000);
  const maxAge = Math.max(1, Math.min(SESSION_MAX_AGE_SECONDS, untilSessionEnds));
  const token: SetupToken & { sub: string } = {
    sub: created.sessionId,
    role: 'setup_link',
    developerId: created.developerId,
    organizationName: created.organizationName,
    linkId: created.linkId,
    linkExpiresAt: created.expiresAt,
    name: who.name,
    email: who.email,
    sessionToken: created.sessionToken,
  };
  const value = await encode({ token, secret: env().NEXTAUTH_SECRET, maxAge });
  (await cookies()).set(sessionCookieName(), value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: env().secureCookies,
    path: '/',
    maxAge,
  });
}
