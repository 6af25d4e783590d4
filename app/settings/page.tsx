import { redirect } from 'next/navigation';

/** SSO is the only settings page so far. */
export default function SettingsIndex() {
  redirect('/settings/sso');
}
