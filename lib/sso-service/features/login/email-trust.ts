/**
 * Whether a member's email can be trusted, settled once per sign-in before anything is written.
 *
 * Any org can configure any IdP, and an IdP can put any string in `email`, so an email is only a claim. It is
 * `emailVerified` when
 * - OIDC: the IdP said `email_verified: true` for it (read by the relying party from the claims that gave the
 *   email; a `preferred_username` shown as the email never is);
 * - SAML: its domain is one of the org's verified domains (SAML has no verification flag; a verified domain is
 *   one the org proved it controls through DNS).
 * With the connection's `verifiedDomainsOnly`, a sign-in is refused unless the email is present, verified by the
 * IdP (OIDC) and in one of the org's verified domains (both protocols): no principal, no session, no identity.
 * Domains match exactly (a verified `example.com` does not cover `mail.example.com`).
 */
import { emailDomainOf, SESSION_MESSAGES, type SignInReason } from '@/lib/contract';
import { ApiError } from '../../http/api-error';
import type { SsoIdentity } from '../../protocols';
import type { ServiceStore, SsoConnection } from '../../storage/types';

type EmailRefusal = Extract<SignInReason, 'email_missing' | 'email_not_verified' | 'email_domain_not_verified'>;

const REFUSAL_MESSAGES: Record<EmailRefusal, string> = {
  email_missing: SESSION_MESSAGES.emailMissing,
  email_not_verified: SESSION_MESSAGES.emailNotVerified,
  email_domain_not_verified: SESSION_MESSAGES.emailDomainNotVerified,
};

function refused(reason: EmailRefusal): ApiError {
  return new ApiError(403, 'SSO_ERROR', REFUSAL_MESSAGES[reason], reason);
}

async function inVerifiedDomain(
  store: Pick<ServiceStore, 'getDomain'>,
  developerId: string,
  email: string | null,
): Promise<boolean> {
  const domain = email === null ? null : emailDomainOf(email);
  if (domain === null) return false;
  const record = await store.getDomain(developerId, domain);
  return record?.verifiedAt != null;
}

/**
 * The identity with `emailVerified` settled for this connection, or an ApiError (403, reason `email_*`) when the
 * connection accepts only verified-domain emails and this one is not. Reads at most one domain row: SAML sign-ins
 * with an email, and OIDC ones only when the connection restricts emails.
 */
export async function settleEmailTrust(
  store: Pick<ServiceStore, 'getDomain'>,
  connection: SsoConnection,
  identity: SsoIdentity,
): Promise<SsoIdentity> {
  const restricted = connection.provisioning.verifiedDomainsOnly;
  if (connection.protocol === 'saml') {
    const emailVerified = await inVerifiedDomain(store, connection.developerId, identity.email);
    if (restricted && identity.email === null) throw refused('email_missing');
    if (restricted && !emailVerified) throw refused('email_domain_not_verified');
    return { ...identity, emailVerified };
  }
  const emailVerified = identity.email !== null && identity.emailVerified;
  if (restricted) {
    if (identity.email === null) throw refused('email_missing');
    if (!emailVerified) throw refused('email_not_verified');
    if (!(await inVerifiedDomain(store, connection.developerId, identity.email)))
      throw refused('email_domain_not_verified');
  }
  return { ...identity, emailVerified };
}
