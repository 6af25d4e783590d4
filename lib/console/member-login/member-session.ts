/**
 * The hosted member session: who signed in through SSO. A separate cookie, key and audience from
 * the admin's next-auth session, so being a member never grants anything in the admin console.
 */
import 'server-only';
import { z } from 'zod';
import { seal, unseal } from './sealing';
import { storedText } from '../utils/display-text';

export const MEMBER_COOKIE = 'gx_member';
/** Only /member (the page and its sign-out route) ever receives the cookie. */
export const MEMBER_COOKIE_PATH = '/member';
export const MEMBER_TTL_SECONDS = 8 * 60 * 60;

/** Groups and scopes kept in the cookie (it must stay well under 4 KB): the first few, each capped. */
export const MEMBER_LIST_MAX = 20;
const MEMBER_LIST_ITEM_MAX = 100;

const memberListSchema = z.array(z.string().max(400)).max(MEMBER_LIST_MAX);

export const memberIdentitySchema = z.object({
  developerId: z.string().max(400),
  email: z.string().max(400).nullable(),
  /** Absent when Grantex does not say (and in cookies sealed before it did). */
  emailVerified: z.boolean().optional(),
  name: z.string().max(400).nullable(),
  sub: z.string().max(400),
  /** The SSO session Grantex opened (absent for a Grantex without sessions, and in cookies sealed before them). */
  session: z
    .object({ groups: memberListSchema, mappedScopes: memberListSchema, expiresAt: z.string().max(40) })
    .optional(),
});
export type MemberIdentity = z.infer<typeof memberIdentitySchema>;

/** Caps every IdP-provided value before it goes into a cookie (a 100 KB name must not break it). */
export function normalizeIdentity(identity: {
  developerId: string;
  email: string | null;
  emailVerified?: boolean;
  name: string | null;
  sub: string;
}, session?: { groups: string[]; mappedScopes: string[]; expiresAt: string }): MemberIdentity {
  const list = (values: string[]) => values.slice(0, MEMBER_LIST_MAX).map((v) => storedText(v)?.slice(0, MEMBER_LIST_ITEM_MAX) ?? '');
  return {
    developerId: storedText(identity.developerId) ?? '',
    email: storedText(identity.email),
    ...(typeof identity.emailVerified === 'boolean' ? { emailVerified: identity.emailVerified } : {}),
    name: storedText(identity.name),
    sub: storedText(identity.sub) ?? '',
    ...(session
      ? { session: { groups: list(session.groups), mappedScopes: list(session.mappedScopes), expiresAt: session.expiresAt.slice(0, 40) } }
      : {}),
  };
}

export function sealMemberSession(identity: MemberIdentity, secret: string): Promise<string> {
  return seal({ ...identity }, { secret, purpose: 'member-session', ttlSeconds: MEMBER_TTL_SECONDS });
}

export function readMemberSession(value: string | undefined, secret: string): Promise<MemberIdentity | null> {
  return unseal(value, { secret, purpose: 'member-session', schema: memberIdentitySchema });
}
