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

export const memberIdentitySchema = z.object({
  developerId: z.string().max(400),
  email: z.string().max(400).nullable(),
  name: z.string().max(400).nullable(),
  sub: z.string().max(400),
});
export type MemberIdentity = z.infer<typeof memberIdentitySchema>;

/** Caps every IdP-provided value before it goes into a cookie (a 100 KB name must not break it). */
export function normalizeIdentity(identity: {
  developerId: string;
  email: string | null;
  name: string | null;
  sub: string;
}): MemberIdentity {
  return {
    developerId: storedText(identity.developerId) ?? '',
    email: storedText(identity.email),
    name: storedText(identity.name),
    sub: storedText(identity.sub) ?? '',
  };
}

export function sealMemberSession(identity: MemberIdentity, secret: string): Promise<string> {
  return seal({ ...identity }, { secret, purpose: 'member-session', ttlSeconds: MEMBER_TTL_SECONDS });
}

export function readMemberSession(value: string | undefined, secret: string): Promise<MemberIdentity | null> {
  return unseal(value, { secret, purpose: 'member-session', schema: memberIdentitySchema });
}
