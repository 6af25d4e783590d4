/**
 * A discovery document's address pasted as the SSO form's issuer is trimmed to the issuer before the form is
 * validated, with a note for the admin saying so (the service itself refuses such a URL, naming the issuer).
 */
import 'server-only';
import { issuerFromDiscoveryUrl } from '@/lib/net';
import { discoveryUrlTrimmedNote } from '../messages';

export function trimPastedDiscoveryUrl(formData: FormData): { note?: string } {
  const entered = formData.get('issuerUrl');
  const issuer = typeof entered === 'string' ? issuerFromDiscoveryUrl(entered) : null;
  if (!issuer) return {};
  formData.set('issuerUrl', issuer);
  return { note: discoveryUrlTrimmedNote(issuer) };
}
