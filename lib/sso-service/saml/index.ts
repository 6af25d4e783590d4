/** The SAML 2.0 service provider (see README.md). */
export { SAML_REASONS, SamlError, isSamlError, type SamlReason } from './errors';
export {
  certificateInfo,
  normalizeCertificatePem,
  CERTIFICATE_WARNING_DAYS,
  type CertificateInfo,
  type CertificateStatus,
} from './certificates';
export { parseIdpMetadata, MAX_METADATA_BYTES, type IdpMetadata } from './idp-metadata';
export {
  DEFAULT_ATTRIBUTE_NAMES,
  DEFAULT_CLOCK_SKEW_SECONDS,
  samlConnectionSettingsSchema,
  type ParsedSamlSettings,
  type SamlAttributeNames,
  type SamlConnectionSettings,
  type SpSigningKey,
} from './settings';
export {
  buildLoginUrl,
  parseSamlSettings,
  spMetadataXml,
  SP_ENCRYPTION_METHODS,
  validatePostResponse,
  UNSOLICITED_MAX_AGE_MS,
  type ClaimAssertionId,
  type LoginUrlInput,
  type PostResponseInput,
  type SamlIdentity,
  type SpMetadataKeys,
} from './service-provider';
export { DEFAULT_MAX_RESPONSE_BASE64 } from './xml-guard';
