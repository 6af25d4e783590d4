/** The logout keys a sign-in stores beside its session (migration 17); the ID token only sealed. */
import type { ServiceContext } from '../../context';
import type { SsoIdentity } from '../../protocols';
import type { MemberSignIn } from '../../storage/types';

/** Longest IdP session id / NameID kept (longer ones are not stored, so such a session ends only locally). */
const KEY_MAX = 1024;
/** Longest ID token kept for `id_token_hint` (a larger one is dropped: the logout then sends `client_id` only). */
const ID_TOKEN_MAX = 8192;

const bounded = (value: string | undefined, max = KEY_MAX) =>
  value !== undefined && value.length > 0 && value.length <= max ? value : null;

/**
 * `{ logout }` for MemberSignIn, or nothing when the IdP gave no key. The ID token is sealed with the org's
 * secret box (AES-256-GCM, associated data = the org id), like client secrets.
 */
export function logoutKeysOf(
  ctx: Pick<ServiceContext, 'secretBox'>,
  developerId: string,
  identity: Pick<SsoIdentity, 'logout'>,
): Pick<MemberSignIn, 'logout'> {
  const keys = identity.logout;
  if (!keys) return {};
  const idToken = bounded(keys.idToken, ID_TOKEN_MAX);
  const logout = {
    idpSessionId: bounded(keys.idpSessionId),
    samlNameId: bounded(keys.samlNameId),
    samlNameIdFormat: bounded(keys.samlNameIdFormat),
    idTokenSealed: idToken === null ? null : ctx.secretBox.seal(idToken, developerId),
  };
  return Object.values(logout).some((v) => v !== null) ? { logout } : {};
}
