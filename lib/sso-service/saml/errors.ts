/**
 * Every refusal of the SAML service provider is one SamlError with a stable reason code and a message that is
 * safe to show: it names what was wrong and never echoes the XML (or any value read from it).
 */
export const SAML_REASONS = {
  response_too_large: 'The SAML response is larger than this service accepts.',
  malformed_response: 'The SAML response is not well-formed base64-encoded XML.',
  doctype_refused: 'The SAML document contains a DOCTYPE or entity declaration, which this service refuses.',
  weak_algorithm:
    'The SAML signature uses SHA-1 or another algorithm this service refuses; configure the IdP to sign with RSA-SHA256.',
  encrypted_assertion_unsupported:
    'The SAML assertion is encrypted, but this connection has no SP encryption key. Add one on the connection (its certificate is then in the SP metadata), or turn off assertion encryption for this application in the IdP.',
  decryption_failed:
    "The encrypted SAML assertion could not be decrypted and verified with this connection's SP encryption keys. Check that the IdP encrypts to a certificate from the current SP metadata and signs the assertion or the response.",
  weak_encryption:
    'The SAML assertion is encrypted with RSA PKCS#1 v1.5 key transport or 3DES, which this service refuses; configure the IdP to use RSA-OAEP and AES-GCM.',
  unsupported_encryption:
    'The SAML assertion is encrypted in a way this service does not decrypt; configure the IdP to use AES-GCM (or AES-CBC) with RSA-OAEP key transport and one encrypted key.',
  cbc_unsigned_response:
    'The SAML assertion is encrypted with AES-CBC in an unsigned response; configure the IdP to use AES-GCM, or to sign the whole response.',
  invalid_signature: 'The SAML response or assertion is not signed by a configured IdP certificate.',
  unsigned_assertion:
    'Neither the SAML response nor its assertion is signed; configure the IdP to sign the response or the assertion.',
  wrong_issuer: 'The SAML assertion was issued by a different IdP entity ID than the one configured.',
  wrong_audience: "The SAML assertion's Audience is not this service provider's entity ID.",
  wrong_recipient: "The SAML assertion's Recipient is not this connection's ACS URL.",
  wrong_destination: "The SAML response's Destination is not this connection's ACS URL.",
  not_yet_valid: 'The SAML assertion is not valid yet (NotBefore is in the future); check the IdP clock.',
  expired: 'The SAML assertion has expired (NotOnOrAfter is in the past); sign in again or check the IdP clock.',
  in_response_to_mismatch: 'The SAML response answers a different sign-in request; start the sign-in again.',
  in_response_to_missing:
    'The SAML response does not say which sign-in request it answers (IdP-initiated sign-in is not accepted).',
  assertion_replayed: 'This SAML assertion was already used; start the sign-in again.',
  idp_status_error: 'The IdP answered with an error instead of an assertion.',
  missing_subject: 'The SAML assertion has no usable subject (NameID).',
  certificate_expired: 'Every configured IdP certificate has expired; add the IdP’s current signing certificate.',
  invalid_metadata:
    'The IdP metadata could not be read: it must be one SAML EntityDescriptor with an IDPSSODescriptor.',
  metadata_too_large: 'The IdP metadata is larger than this service accepts.',
  invalid_certificate: 'The certificate is not a valid PEM or base64 X.509 certificate.',
  certificate_missing:
    'The text holds no signing certificate (no X.509 certificate, or only CA certificates); paste the IdP’s signing certificate.',
  certificate_ambiguous:
    'The pasted certificates hold more than one signing certificate that did not issue the others; paste only the IdP’s signing certificate.',
  invalid_settings: 'The SAML settings are incomplete or invalid.',
  idp_initiated_disabled:
    'This SAML response answers no sign-in request (IdP-initiated sign-in), which this connection does not accept; start the sign-in from the application, or ask the administrator to allow IdP-initiated sign-in.',
  unsolicited_too_old:
    'This IdP-initiated SAML assertion was issued more than five minutes ago (or in the future); start the sign-in again from the IdP and check its clock.',
  metadata_fetch_failed: 'The IdP metadata URL could not be fetched.',
  transient_subject:
    'The SAML assertion identifies the member only by a transient NameID, which changes at every sign-in. Configure the IdP to send a persistent NameID, or to release a stable identifier attribute: subject-id (urn:oasis:names:tc:SAML:attribute:subject-id), pairwise-id (urn:oasis:names:tc:SAML:attribute:pairwise-id), eduPersonUniqueId (urn:oid:1.3.6.1.4.1.5923.1.1.1.13) or eduPersonPrincipalName (urn:oid:1.3.6.1.4.1.5923.1.1.1.6).',
  idp_session_ended:
    "The identity provider's session for this sign-in has already ended (SessionNotOnOrAfter is in the past); sign in again at the identity provider, or check its clock.",
} as const;

export type SamlReason = keyof typeof SAML_REASONS;

export class SamlError extends Error {
  override readonly name = 'SamlError';
  constructor(
    readonly reason: SamlReason,
    /** Optional extra safe detail (never XML, never a value from the document). */
    detail?: string,
  ) {
    super(detail ? `${SAML_REASONS[reason]} ${detail}` : SAML_REASONS[reason]);
  }
}

export function isSamlError(err: unknown): err is SamlError {
  return err instanceof SamlError;
}
