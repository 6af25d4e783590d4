/**
 * IdP metadata XML (pasted by the admin, or fetched through the outbound guard by the caller) into the settings
 * a connection needs. Only reads; never fetches. DOCTYPEs are refused and the size is capped, as for responses.
 */
import { normalizeCertificatePem } from './certificates';
import { SamlError } from './errors';
import { childElements, descendants, DSIG_NS, MD_NS, parseStrict, utf8Xml } from './xml-guard';

export const MAX_METADATA_BYTES = 1024 * 1024;
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpMetadata {
  entityId: string;
  /** The HTTP-Redirect SingleSignOnService location. */
  ssoRedirectUrl: string;
  /** Signing certificates as PEM (the first two are what a connection keeps). */
  certificates: string[];
  /** The HTTP-Redirect SingleLogoutService location; null when the IdP lists none. */
  sloRedirectUrl: string | null;
}

function entityDescriptor(root: Element): Element {
  if (root.namespaceURI !== MD_NS) throw new SamlError('invalid_metadata');
  if (root.localName === 'EntityDescriptor') return root;
  if (root.localName === 'EntitiesDescriptor') {
    const withIdp = descendants(root, MD_NS, 'EntityDescriptor').filter(
      (e) => childElements(e, MD_NS, 'IDPSSODescriptor').length > 0,
    );
    if (withIdp.length === 1) return withIdp[0]!;
  }
  throw new SamlError('invalid_metadata');
}

export function parseIdpMetadata(xml: string | Buffer): IdpMetadata {
  const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
  if (bytes.length > MAX_METADATA_BYTES) throw new SamlError('metadata_too_large');
  const doc = parseStrict(utf8Xml(bytes), 'invalid_metadata');
  const entity = entityDescriptor(doc.documentElement!);
  const entityId = entity.getAttribute('entityID');
  const idp = childElements(entity, MD_NS, 'IDPSSODescriptor')[0];
  if (!entityId || !idp) throw new SamlError('invalid_metadata');

  const sso = childElements(idp, MD_NS, 'SingleSignOnService').find(
    (s) => s.getAttribute('Binding') === REDIRECT_BINDING,
  );
  const location = sso?.getAttribute('Location') ?? '';
  if (!URL.canParse(location) || !/^https?:$/.test(new URL(location).protocol)) {
    throw new SamlError('invalid_metadata', 'It has no HTTP-Redirect SingleSignOnService.');
  }

  const certificates: string[] = [];
  for (const key of childElements(idp, MD_NS, 'KeyDescriptor')) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const cert of descendants(key, DSIG_NS, 'X509Certificate')) {
      const pem = normalizeCertificatePem(cert.textContent ?? '');
      if (!certificates.includes(pem)) certificates.push(pem);
    }
  }
  if (certificates.length === 0) throw new SamlError('invalid_metadata', 'It has no signing certificate.');
  const slo = childElements(idp, MD_NS, 'SingleLogoutService')
    .find((e) => e.getAttribute('Binding') === REDIRECT_BINDING)
    ?.getAttribute('Location');
  const sloRedirectUrl = slo && URL.canParse(slo) && /^https?:$/.test(new URL(slo).protocol) ? slo : null;
  return { entityId, ssoRedirectUrl: location, certificates, sloRedirectUrl };
}
