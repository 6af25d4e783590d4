/**
 * The SSO form's field names, labels and fixed messages: plain constants (no zod), so the client
 * form can render before it has loaded the validation rules (./sso-config, fetched on first use).
 * Re-exported by ./sso-config.
 */
export const SSO_FIELD_LABELS = {
  issuerUrl: 'Issuer URL',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  redirectUri: 'Redirect URI',
} as const;
export type SsoConfigField = keyof typeof SSO_FIELD_LABELS;

export const SECRET_REQUIRED = 'Client secret is required';
export const SECRET_REQUIRED_AGAIN = 'Client secret is required — enter it again to save';
/** Hidden form field ("1" when a configuration is saved): chooses between the two messages above, nothing else. */
export const HAS_SAVED_SECRET_FIELD = 'hasSavedSecret';
