/**
 * SAML connection settings on the connections API: create and PATCH input (fields, pasted IdP metadata or a
 * metadata URL fetched through the outbound guard) into stored SamlSettings, and the wire fields back
 * (certificates as fingerprint + notAfter + status; the PEM is write-only).
 *
 * Defaults: the SP entity ID is the connection's public metadata URL and the ACS is the shared
 * `POST /sso/callback/saml` with `?connection=<id>`, so an unsolicited (IdP-initiated) response names its
 * connection, while SP-initiated responses are routed by their RelayState (either URL form works for them).
 */
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  ATTRIBUTE_MAPPING_FIELDS,
  checkSsoUrlIssue,
  type samlAttributeMappingInputSchema,
  type SsoSamlConnectionCreate,
  type SsoSamlConnectionPatch,
  type SsoSamlConnection,
} from '@/lib/contract';
import type { ServiceContext } from '../../context';
import { ApiError, badRequest, fieldsRejected, type FieldProblem } from '../../http/api-error';
import { hasUnsafeText, UNSAFE_TEXT_MESSAGE } from '../../http/text-rules';
import { certificateSummaries, fetchIdpMetadata } from '../../protocols/saml';
import { certificateInfo, isSamlError, normalizeCertificatePem, parseIdpMetadata, type IdpMetadata } from '../../saml';
import type { SamlAttributeMapping, SamlConnection, SamlSettings } from '../../storage/types';

type SamlInput = Omit<SsoSamlConnectionPatch, 'name' | 'status' | 'attributeMapping'>;
/** The parsed `attributeMapping` of a request: per field a list of names, null (clear) or absent (keep). */
type MappingInput = z.output<typeof samlAttributeMappingInputSchema> | undefined;

/**
 * The stored mapping after a request's `attributeMapping`: null clears every field; per field a list replaces
 * the stored one, null clears it (the defaults apply again), absent keeps it. Creation starts from `{}`.
 */
export function applyAttributeMapping(stored: SamlAttributeMapping, input: MappingInput): SamlAttributeMapping {
  if (input === undefined) return stored;
  if (input === null) return {};
  const next: SamlAttributeMapping = { ...stored };
  for (const field of ATTRIBUTE_MAPPING_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    if (value === null) delete next[field];
    else next[field] = value;
  }
  return next;
}

/** The service's public base URL: GRANTEX_PUBLIC_URL when configured, else the request's own origin. */
export function publicBaseUrl(ctx: Pick<ServiceContext, 'config'>, request: FastifyRequest): string {
  const configured = ctx.config.publicUrl;
  return (configured ?? `${request.protocol}://${request.host}`).replace(/\/+$/, '');
}

export function spDefaults(base: string, connectionId: string) {
  const metadataUrl = `${base}/sso/saml/${encodeURIComponent(connectionId)}/metadata`;
  return {
    spEntityId: metadataUrl,
    spAcsUrl: `${base}/sso/callback/saml?connection=${encodeURIComponent(connectionId)}`,
    spMetadataUrl: metadataUrl,
  };
}

/** Fields of the other protocol are refused rather than ignored, so a typo'd PATCH never "succeeds" silently. */
const OIDC_ONLY = ['issuerUrl', 'clientId', 'clientSecret', 'redirectUri', 'maxAuthAgeSeconds'] as const;
const SAML_ONLY = [
  'idpEntityId',
  'idpSsoUrl',
  'idpCertificate',
  'idpMetadataXml',
  'idpMetadataUrl',
  'spEntityId',
  'spAcsUrl',
  'allowIdpInitiated',
  'idpSloUrl',
  'signAuthnRequests',
  'addIdpCertificate',
  'removeIdpCertificateFingerprint',
  'attributeMapping',
] as const;

export function refuseOtherProtocolFields(body: unknown, protocol: 'oidc' | 'saml'): void {
  if (typeof body !== 'object' || body === null) return;
  const foreign = (protocol === 'saml' ? OIDC_ONLY : SAML_ONLY).filter((k) => k in body);
  if (foreign.length > 0) {
    // The legacy message names them all in one part ("a, b: do not apply …"); `errors` has one entry per field.
    const why = `not apply to ${protocol === 'saml' ? 'a SAML' : 'an OIDC'} connection`;
    const message = `${foreign.join(', ')}: ${foreign.length > 1 ? 'do' : 'does'} ${why}`;
    throw new ApiError(
      400,
      'BAD_REQUEST',
      message,
      undefined,
      foreign.map((field) => ({ field, code: 'not_applicable', message: `does ${why}` })),
    );
  }
}

/** A SamlError from reading a certificate or metadata, as a 400 naming the field (a pasted bundle's own codes kept). */
function asFieldError(field: string, err: unknown): never {
  if (isSamlError(err)) {
    const code =
      err.reason === 'certificate_ambiguous' || err.reason === 'certificate_missing' ? err.reason : 'invalid';
    throw fieldsRejected([{ field, code, message: err.message }]);
  }
  throw err;
}

function certificatePem(field: string, input: string): string {
  try {
    return normalizeCertificatePem(input);
  } catch (err) {
    asFieldError(field, err);
  }
}

async function metadataOf(
  ctx: ServiceContext,
  input: SamlInput,
): Promise<(IdpMetadata & { url: string | null }) | null> {
  if (input.idpMetadataXml !== undefined && input.idpMetadataUrl !== undefined) {
    throw badRequest('Give idpMetadataXml or idpMetadataUrl, not both');
  }
  if (input.idpMetadataXml !== undefined) {
    try {
      return { ...parseIdpMetadata(input.idpMetadataXml), url: null };
    } catch (err) {
      asFieldError('idpMetadataXml', err);
    }
  }
  if (input.idpMetadataUrl !== undefined) {
    const problem = checkSsoUrlIssue(input.idpMetadataUrl, 'redirectUri', { devMode: ctx.config.devMode });
    if (problem) throw fieldsRejected([{ field: 'idpMetadataUrl', ...problem }]);
    try {
      return { ...(await fetchIdpMetadata(input.idpMetadataUrl, ctx.config.devMode)), url: input.idpMetadataUrl };
    } catch (err) {
      asFieldError('idpMetadataUrl', err);
    }
  }
  return null;
}

/** `idpSloUrl` as given: null or "" clears it. */
const sloUrlOf = (value: string | null | undefined): string | null | undefined =>
  value === undefined ? undefined : value === null || value === '' ? null : value;

/** Every field rule of the resolved settings, in one message; certificates must not all have expired. */
function checkSettings(ctx: ServiceContext, s: SamlSettings): void {
  const problems: FieldProblem[] = [];
  for (const field of ['idpSsoUrl', 'spAcsUrl'] as const) {
    const problem = checkSsoUrlIssue(s[field], 'redirectUri', { devMode: ctx.config.devMode });
    if (problem) problems.push({ field, ...problem });
  }
  if (s.idpSloUrl) {
    const problem = checkSsoUrlIssue(s.idpSloUrl, 'redirectUri', { devMode: ctx.config.devMode });
    if (problem) problems.push({ field: 'idpSloUrl', ...problem });
  }
  for (const field of ['idpEntityId', 'spEntityId'] as const) {
    if (hasUnsafeText(s[field])) problems.push({ field, code: 'unsafe_text', message: UNSAFE_TEXT_MESSAGE });
  }
  const now = new Date(ctx.now());
  if (s.idpCertificates.every((pem) => certificateInfo(pem).status(now) === 'expired')) {
    problems.push({
      field: 'idpCertificate',
      code: 'certificate_expired',
      message: 'the certificate has expired (or is not valid yet); use the IdP’s current signing certificate',
    });
  }
  if (problems.length > 0) throw fieldsRejected(problems);
}

const missing = (field: string): FieldProblem => ({
  field,
  code: 'required',
  message: 'is required (or give idpMetadataXml or idpMetadataUrl)',
});

/** POST: the stored settings of a new SAML connection. */
export async function samlSettingsForCreate(
  ctx: ServiceContext,
  input: SsoSamlConnectionCreate & { attributeMapping?: MappingInput },
  defaults: ReturnType<typeof spDefaults>,
): Promise<SamlSettings> {
  const metadata = await metadataOf(ctx, input);
  const idpEntityId = input.idpEntityId ?? metadata?.entityId;
  const idpSsoUrl = input.idpSsoUrl ?? metadata?.ssoRedirectUrl;
  const idpCertificates =
    input.idpCertificate !== undefined
      ? [certificatePem('idpCertificate', input.idpCertificate)]
      : metadata?.certificates.slice(0, 2);
  const absent = [
    idpEntityId === undefined && missing('idpEntityId'),
    idpSsoUrl === undefined && missing('idpSsoUrl'),
    idpCertificates === undefined && missing('idpCertificate'),
  ].filter((m): m is FieldProblem => typeof m === 'object');
  if (absent.length > 0 || idpEntityId === undefined || idpSsoUrl === undefined || idpCertificates === undefined)
    throw fieldsRejected(absent);
  const settings: SamlSettings = {
    idpEntityId,
    idpSsoUrl,
    idpCertificates,
    idpMetadataUrl: metadata?.url ?? null,
    spEntityId: input.spEntityId ?? defaults.spEntityId,
    spAcsUrl: input.spAcsUrl ?? defaults.spAcsUrl,
    spMetadataUrl: defaults.spMetadataUrl,
    allowIdpInitiated: input.allowIdpInitiated ?? false,
    attributeMapping: applyAttributeMapping({}, input.attributeMapping),
    idpSloUrl: sloUrlOf(input.idpSloUrl) ?? metadata?.sloRedirectUrl ?? null,
    signAuthnRequests: input.signAuthnRequests ?? false,
  };
  checkSettings(ctx, settings);
  return settings;
}

const bareFingerprint = (value: string) => value.replace(/[^0-9a-f]/gi, '').toUpperCase();

/** The certificates after `removeIdpCertificateFingerprint` then `addIdpCertificate` (rotation). */
function rotate(current: string[], patch: SamlInput, now: Date): string[] {
  let certificates = current;
  if (patch.removeIdpCertificateFingerprint !== undefined) {
    const wanted = bareFingerprint(patch.removeIdpCertificateFingerprint);
    const kept = certificates.filter((pem) => bareFingerprint(certificateInfo(pem).fingerprintSha256) !== wanted);
    if (kept.length === certificates.length)
      throw fieldsRejected([
        {
          field: 'removeIdpCertificateFingerprint',
          code: 'invalid',
          message: 'no certificate of this connection has that fingerprint',
        },
      ]);
    certificates = kept;
  }
  if (patch.addIdpCertificate !== undefined) {
    const added = certificatePem('addIdpCertificate', patch.addIdpCertificate);
    if (certificateInfo(added).status(now) === 'expired')
      throw fieldsRejected([
        { field: 'addIdpCertificate', code: 'certificate_expired', message: 'the certificate has expired' },
      ]);
    if (!certificates.includes(added)) {
      if (certificates.length >= 2)
        throw fieldsRejected([
          {
            field: 'addIdpCertificate',
            code: 'invalid',
            message:
              'a connection keeps at most two certificates; remove the old one first (removeIdpCertificateFingerprint)',
          },
        ]);
      certificates = [...certificates, added];
    }
  }
  if (certificates.length === 0)
    throw fieldsRejected([
      {
        field: 'removeIdpCertificateFingerprint',
        code: 'invalid',
        message: 'the last certificate cannot be removed; add the new one first',
      },
    ]);
  return certificates;
}

/** PATCH: the stored settings after the patch (metadata first, then explicit fields, then rotation). */
export async function samlSettingsForPatch(
  ctx: ServiceContext,
  current: SamlConnection,
  patch: SamlInput & { attributeMapping?: MappingInput },
): Promise<SamlSettings> {
  const stored = current.saml;
  const metadata = await metadataOf(ctx, patch);
  const replaced =
    patch.idpCertificate !== undefined
      ? [certificatePem('idpCertificate', patch.idpCertificate)]
      : metadata?.certificates.slice(0, 2);
  const settings: SamlSettings = {
    ...stored,
    idpEntityId: patch.idpEntityId ?? metadata?.entityId ?? stored.idpEntityId,
    idpSsoUrl: patch.idpSsoUrl ?? metadata?.ssoRedirectUrl ?? stored.idpSsoUrl,
    idpCertificates: rotate(replaced ?? stored.idpCertificates, patch, new Date(ctx.now())),
    idpMetadataUrl: metadata ? metadata.url : stored.idpMetadataUrl,
    spEntityId: patch.spEntityId ?? stored.spEntityId,
    spAcsUrl: patch.spAcsUrl ?? stored.spAcsUrl,
    allowIdpInitiated: patch.allowIdpInitiated ?? stored.allowIdpInitiated,
    attributeMapping: applyAttributeMapping(stored.attributeMapping, patch.attributeMapping),
    idpSloUrl:
      patch.idpSloUrl !== undefined
        ? sloUrlOf(patch.idpSloUrl)
        : metadata
          ? metadata.sloRedirectUrl
          : (stored.idpSloUrl ?? null),
    signAuthnRequests: patch.signAuthnRequests ?? stored.signAuthnRequests ?? false,
  };
  checkSettings(ctx, settings);
  return settings;
}

/** The SAML fields of the wire connection (certificates summarised; the PEM is never sent). */
export function samlWireFields(
  connection: SamlConnection,
  nowMs: number,
): Pick<
  SsoSamlConnection,
  | 'idpEntityId'
  | 'idpSsoUrl'
  | 'idpMetadataUrl'
  | 'idpCertificates'
  | 'spEntityId'
  | 'spAcsUrl'
  | 'spMetadataUrl'
  | 'allowIdpInitiated'
  | 'attributeMapping'
  | 'idpSloUrl'
  | 'signAuthnRequests'
> {
  const s = connection.saml;
  return {
    idpEntityId: s.idpEntityId,
    idpSsoUrl: s.idpSsoUrl,
    idpMetadataUrl: s.idpMetadataUrl,
    idpCertificates: certificateSummaries(s.idpCertificates, new Date(nowMs)),
    spEntityId: s.spEntityId,
    spAcsUrl: s.spAcsUrl,
    spMetadataUrl: s.spMetadataUrl,
    allowIdpInitiated: s.allowIdpInitiated,
    attributeMapping: s.attributeMapping,
    idpSloUrl: s.idpSloUrl ?? null,
    signAuthnRequests: s.signAuthnRequests ?? false,
  };
}
