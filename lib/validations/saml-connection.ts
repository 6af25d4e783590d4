/**
 * The SAML connection form's fields and rules (server side: the SAML form has no client-side rules, Grantex
 * checks the settings again and its per-field reasons come back next to the fields).
 *
 * The IdP's details come one of three ways (`idpSource`): a metadata URL Grantex fetches, pasted metadata XML,
 * or the three fields (entity ID, SSO URL, certificate). Only the chosen way's fields are sent.
 */
import { z } from 'zod';
import { checkSsoUrl, LIMITS, SAML_LIMITS } from '@/lib/contract';
import { SAML_TEXT } from '@/lib/console/messages';
import { CONNECTION_STATUS_VALUES, NAME_REQUIRED } from './connection-fields';

export const SAML_IDP_SOURCES = ['url', 'xml', 'fields'] as const;
export type SamlIdpSource = (typeof SAML_IDP_SOURCES)[number];

/** Field names of the form (also the wire's names where they exist). */
export const SAML_FIELDS = {
  name: 'name',
  status: 'status',
  source: 'idpSource',
  metadataUrl: 'idpMetadataUrl',
  metadataXml: 'idpMetadataXml',
  entityId: 'idpEntityId',
  ssoUrl: 'idpSsoUrl',
  certificate: 'idpCertificate',
  idpInitiated: 'allowIdpInitiated',
  verifiedDomainsOnly: 'verifiedDomainsOnly',
  confirmNewIdp: 'confirmNewIdp',
} as const;

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const PEM_OR_BASE64 = /^(-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----|[A-Za-z0-9+/=\s]{100,})$/;

/** One certificate as pasted (PEM or its base64 body); Grantex parses it for real. */
export const samlCertificateInput = z
  .string()
  .trim()
  .min(1, SAML_TEXT.certificateRequired)
  .max(SAML_LIMITS.certificateMax, SAML_TEXT.certificateInvalid)
  .regex(PEM_OR_BASE64, SAML_TEXT.certificateInvalid);

/** `editing`: a blank certificate keeps the saved ones; the metadata ways replace them. */
export function buildSamlConnectionSchema({ devMode, editing }: { devMode: boolean; editing: boolean }) {
  const url = (field: string, value: string | undefined, message: string, ctx: z.RefinementCtx) => {
    if (value === undefined) return ctx.addIssue({ code: 'custom', path: [field], message });
    const problem = checkSsoUrl(value, 'redirectUri', { devMode });
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: `${message.split(' (')[0]} — it ${problem}.` });
  };
  return z
    .object({
      connectionId: z.string().min(1).max(200).optional(),
      name: z
        .string()
        .trim()
        .min(1, NAME_REQUIRED)
        .max(LIMITS.nameMax, `Keep the name to ${LIMITS.nameMax} characters or fewer.`),
      status: z.enum(CONNECTION_STATUS_VALUES, { error: 'Choose a status' }).optional(),
      idpSource: z.enum(SAML_IDP_SOURCES, { error: SAML_TEXT.sourceRequired }),
      idpMetadataUrl: optionalText(LIMITS.urlMax),
      idpMetadataXml: optionalText(SAML_LIMITS.metadataXmlMax),
      idpEntityId: optionalText(SAML_LIMITS.entityIdMax),
      idpSsoUrl: optionalText(LIMITS.urlMax),
      idpCertificate: optionalText(SAML_LIMITS.certificateMax),
      allowIdpInitiated: z
        .literal('on')
        .optional()
        .transform((v) => v === 'on'),
      // The form always shows this box, so unticked (absent) is "off".
      verifiedDomainsOnly: z
        .literal('on')
        .optional()
        .transform((v) => v === 'on'),
      /** Ticked to save another IdP entity ID: the admin read that its members start over (the action requires it). */
      confirmNewIdp: z
        .literal('on')
        .optional()
        .transform((v) => v === 'on'),
    })
    .superRefine((v, ctx) => {
      if (v.idpSource === 'url') url('idpMetadataUrl', v.idpMetadataUrl, SAML_TEXT.metadataUrlRequired, ctx);
      if (v.idpSource === 'xml') {
        if (v.idpMetadataXml === undefined)
          ctx.addIssue({ code: 'custom', path: ['idpMetadataXml'], message: SAML_TEXT.metadataXmlRequired });
        else if (!v.idpMetadataXml.startsWith('<'))
          ctx.addIssue({ code: 'custom', path: ['idpMetadataXml'], message: SAML_TEXT.metadataXmlInvalid });
      }
      if (v.idpSource === 'fields') {
        if (v.idpEntityId === undefined)
          ctx.addIssue({ code: 'custom', path: ['idpEntityId'], message: SAML_TEXT.entityIdRequired });
        url('idpSsoUrl', v.idpSsoUrl, SAML_TEXT.ssoUrlRequired, ctx);
        if (v.idpCertificate === undefined && !editing) {
          ctx.addIssue({ code: 'custom', path: ['idpCertificate'], message: SAML_TEXT.certificateRequired });
        } else if (v.idpCertificate !== undefined && !samlCertificateInput.safeParse(v.idpCertificate).success) {
          ctx.addIssue({ code: 'custom', path: ['idpCertificate'], message: SAML_TEXT.certificateInvalid });
        }
      }
    });
}

export type SamlConnectionInput = z.input<ReturnType<typeof buildSamlConnectionSchema>>;
export type SamlConnectionValues = z.output<ReturnType<typeof buildSamlConnectionSchema>>;

/** The wire fields of the chosen way (only those: explicit fields would otherwise win over the metadata). */
export function samlIdpFields(v: SamlConnectionValues) {
  if (v.idpSource === 'url') return { idpMetadataUrl: v.idpMetadataUrl };
  if (v.idpSource === 'xml') return { idpMetadataXml: v.idpMetadataXml };
  return {
    idpEntityId: v.idpEntityId,
    idpSsoUrl: v.idpSsoUrl,
    ...(v.idpCertificate !== undefined ? { idpCertificate: v.idpCertificate } : {}),
  };
}
