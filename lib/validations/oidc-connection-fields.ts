/**
 * The OIDC connection form's field names, labels and fixed messages: plain constants (no zod), so the client
 * form can render before it has loaded the validation rules (./oidc-connection, fetched on first use).
 * Re-exported by ./oidc-connection.
 */
export const OIDC_FIELD_LABELS = {
  issuerUrl: 'Issuer URL',
  clientId: 'Client ID',
  clientSecret: 'Client secret',
  redirectUri: 'Redirect URI',
} as const;
export type OidcConnectionField = keyof typeof OIDC_FIELD_LABELS;

export const SECRET_REQUIRED = 'Client secret is required';
export const SECRET_REQUIRED_AGAIN = 'Client secret is required — enter it again to save';
/** A saved secret is kept when the field is left blank, except when the issuer changes (see ./oidc-connection). */
export const SECRET_REQUIRED_NEW_ISSUER = 'Client secret is required — enter it again to save a new issuer';
/** Hidden form field ("1" when a connection is saved): chooses between the secret messages above, nothing else. */
export const HAS_SAVED_SECRET_FIELD = 'hasSavedSecret';
