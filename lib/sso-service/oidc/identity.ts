/**
 * The signed-in identity: `sub`, `email` and `name` from the verified ID token; the userinfo endpoint
 * is asked only when the ID token omits `email` or `name` (so a warm login whose ID token has both makes
 * exactly one IdP request, the token request). The userinfo call is openid-client's fetchUserInfo on the
 * set-up's Configuration, so it goes through the same guarded fetch (address checks, size cap, timeout)
 * as every other IdP request, and openid-client refuses an answer whose `sub` is not the ID token's.
 *
 * Email, in order: the ID token's `email`, userinfo's `email`, then `preferred_username` only if it
 * looks like an email address. Microsoft Entra ID leaves `email` out of ID tokens for most work
 * accounts unless the optional claim is configured, while `preferred_username` holds the sign-in name
 * (usually the UPN, `user@tenant-domain`); Entra documents that value as mutable and not for
 * authorization. It is used only as the contact address shown for the identity, never to identify
 * it (that is `sub`), and only when it has an email's shape, so a bare user name (Keycloak) or a phone
 * number is never presented as an email. Such an address is never `emailVerified`.
 *
 * `emailVerified` is read from the same claims as the email (ID token, or userinfo when the email came from
 * there): true for `email_verified: true` and for the string "true" (AWS Cognito and some custom claim mappings
 * send strings; OIDC Core says boolean, and the string is the same IdP saying the same thing), false otherwise,
 * including when the IdP leaves it out (Microsoft Entra ID does). An ID token that has `email` but no
 * `email_verified` (Okta's org authorization server puts the flag in userinfo only) sends the login to userinfo
 * for it only when the caller wants it (`wantEmailVerified`: the connection accepts only verified emails), and
 * its answer counts only for the same address: other logins keep their single IdP request. See docs/EMAIL-TRUST.md.
 */
import { fetchUserInfo, type Configuration } from 'openid-client';
import type { JWTPayload } from 'jose';
import { mapUserInfoError } from './token-errors';
import type { RpIdentity } from './types';

const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const EMAIL_MAX = 254;

function claimString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export function emailShaped(value: unknown): string | null {
  return typeof value === 'string' && value.length <= EMAIL_MAX && EMAIL_SHAPE.test(value) ? value : null;
}

/** `email_verified` as the IdP sent it: boolean true or the exact string "true"; anything else is not verified. */
export function claimsEmailVerified(value: unknown): boolean {
  return value === true || value === 'true';
}

export interface UserInfoSource {
  configuration: Configuration;
  /** Absent when the IdP does not advertise one: then the ID token is all there is. */
  userinfoEndpoint: string | undefined;
  accessToken: string | undefined;
  timeoutMs: number;
  /** Ask userinfo for `email_verified` when the ID token has an email without it. */
  wantEmailVerified?: boolean;
}

export async function resolveIdentity(claims: JWTPayload, source: UserInfoSource): Promise<RpIdentity> {
  const sub = claims.sub as string;
  let email = claimString(claims.email);
  let emailVerified = email !== null && claimsEmailVerified(claims.email_verified);
  let name = claimString(claims.name);
  let username = claims.preferred_username;
  // Only claims the ID token leaves out are looked up; one it carries in a wrong shape stays null.
  const verificationOmitted =
    source.wantEmailVerified === true && email !== null && claims.email_verified === undefined;
  const omitted = claims.email === undefined || claims.name === undefined || verificationOmitted;
  if (omitted && source.userinfoEndpoint && source.accessToken) {
    let info: Record<string, unknown>;
    try {
      info = await fetchUserInfo(source.configuration, source.accessToken, sub);
    } catch (err) {
      throw mapUserInfoError(err, source.timeoutMs);
    }
    if (claims.email === undefined) {
      email = claimString(info.email);
      emailVerified = email !== null && claimsEmailVerified(info.email_verified);
    }
    if (claims.name === undefined) name = claimString(info.name);
    // Userinfo vouches for the address it names: its flag counts only for the ID token's own email.
    if (verificationOmitted && claimString(info.email) === email)
      emailVerified = claimsEmailVerified(info.email_verified);
    username ??= info.preferred_username;
  }
  // A sign-in name shaped like an email is shown as one, never as verified: nobody proved it is a mailbox.
  if (email === null) return { sub, email: emailShaped(username), emailVerified: false, name };
  return { sub, email, emailVerified, name };
}
