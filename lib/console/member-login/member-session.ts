/**
 * The hosted member session: who signed in through SSO. A separate cookie, key and audience from
 * the admin's next-auth session, so being a member never grants anything in the admin console.
 *
 * It is re-checked with Grantex (member-recheck.ts): the cookie records when Grantex last confirmed the SSO
 * session (`verifiedAt`) and when the console last asked (`checkedAt`), so most page views make no call, and
 * re-sealing keeps the first seal's end (`endsAt`), so a re-check never extends a session.
 */
import 'server-only';
import { z } from 'zod';
import { seal, unseal } from './sealing';
import { storedText } from '../utils/display-text';

export const MEMBER_COOKIE = 'gx_member';
/** Only /member (the page, its re-check and its sign-out route) ever receives the cookie. */
export const MEMBER_COOKIE_PATH = '/member';
export const MEMBER_TTL_SECONDS = 8 * 60 * 60;

/** Groups and scopes kept in the cookie (it must stay well under 4 KB): the first few, each capped. */
export const MEMBER_LIST_MAX = 20;
const MEMBER_LIST_ITEM_MAX = 100;

const memberListSchema = z.array(z.string().max(400)).max(MEMBER_LIST_MAX);
const epochMs = z.number().int().nonnegative();

export const memberIdentitySchema = z.object({
  developerId: z.string().max(400),
  email: z.string().max(400).nullable(),
  /** Absent when Grantex does not say (and in cookies sealed before it did). */
  emailVerified: z.boolean().optional(),
  name: z.string().max(400).nullable(),
  sub: z.string().max(400),
  /** The SSO session Grantex opened (absent for a Grantex without sessions, and in cookies sealed before them). */
  session: z
    .object({
      /** `ssn_…`: what the page re-checks with Grantex (absent in cookies sealed before re-checks: not re-checked). */
      id: z.string().max(200).optional(),
      groups: memberListSchema,
      mappedScopes: memberListSchema,
      expiresAt: z.string().max(40),
    })
    .optional(),
  /** When Grantex last confirmed the SSO session is active (the sign-in counts), epoch ms. */
  verifiedAt: epochMs.optional(),
  /** When the console last asked Grantex, whatever the outcome, epoch ms: no new call before the interval. */
  checkedAt: epochMs.optional(),
  /** When this member session ends at the latest, epoch ms: fixed at sign-in, kept by every re-seal. */
  endsAt: epochMs.optional(),
});
export type MemberIdentity = z.infer<typeof memberIdentitySchema>;

/** Caps every IdP-provided value before it goes into a cookie (a 100 KB name must not break it). */
export function normalizeIdentity(
  identity: {
    developerId: string;
    email: string | null;
    emailVerified?: boolean;
    name: string | null;
    sub: string;
  },
  session?: { id?: string; groups: string[]; mappedScopes: string[]; expiresAt: string },
): MemberIdentity {
  const list = (values: string[]) =>
    values.slice(0, MEMBER_LIST_MAX).map((v) => storedText(v)?.slice(0, MEMBER_LIST_ITEM_MAX) ?? '');
  return {
    developerId: storedText(identity.developerId) ?? '',
    email: storedText(identity.email),
    ...(typeof identity.emailVerified === 'boolean' ? { emailVerified: identity.emailVerified } : {}),
    name: storedText(identity.name),
    sub: storedText(identity.sub) ?? '',
    ...(session
      ? {
          session: {
            ...(session.id ? { id: session.id.slice(0, 200) } : {}),
            groups: list(session.groups),
            mappedScopes: list(session.mappedScopes),
            expiresAt: session.expiresAt.slice(0, 40),
          },
        }
      : {}),
  };
}

/** The identity as it will be sealed at `nowMs`: a fresh sign-in counts as a check, its end is fixed now. */
function withTimes(identity: MemberIdentity, nowMs: number): MemberIdentity & { endsAt: number } {
  return {
    ...identity,
    verifiedAt: identity.verifiedAt ?? nowMs,
    checkedAt: identity.checkedAt ?? nowMs,
    endsAt: identity.endsAt ?? nowMs + MEMBER_TTL_SECONDS * 1000,
  };
}

/** Seconds the cookie (and its seal) may still live: until `endsAt`, at least 1. */
export function memberCookieMaxAge(identity: MemberIdentity, nowMs = Date.now()): number {
  return Math.max(1, Math.ceil((withTimes(identity, nowMs).endsAt - nowMs) / 1000));
}

export function sealMemberSession(identity: MemberIdentity, secret: string, nowMs = Date.now()): Promise<string> {
  const sealed = withTimes(identity, nowMs);
  return seal({ ...sealed }, { secret, purpose: 'member-session', ttlSeconds: memberCookieMaxAge(sealed, nowMs) });
}

export function readMemberSession(value: string | undefined, secret: string): Promise<MemberIdentity | null> {
  return unseal(value, { secret, purpose: 'member-session', schema: memberIdentitySchema });
}
