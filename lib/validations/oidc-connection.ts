/**
 * The OIDC connection form: ONE schema used by the client form (instant feedback on blur and
 * submit) and by the server action (authoritative), so the rules cannot drift apart. The URL rules
 * themselves come from the shared contract, the same ones the Grantex service applies on save.
 * Browser-safe: zod and the contract only.
 *
 * Written with `zod/mini` (same package and rules, functional API) and importing the contract's
 * zod-free modules directly: the client form then loads only the validators it uses instead of
 * all of zod (first-load JS budget, bench section 5).
 */
import * as z from 'zod/mini';
import type { $ZodError } from 'zod/v4/core';
import { LIMITS } from '@/lib/contract/limits';
import { checkSsoUrl } from '@/lib/contract/url-rules';
import { CONFIRM_NEW_IDP_FIELD, CONNECTION_STATUS_VALUES, NAME_REQUIRED } from './connection-fields';
import {
  OIDC_FIELD_LABELS,
  SECRET_REQUIRED,
  SECRET_REQUIRED_NEW_ISSUER,
  type OidcConnectionField,
} from './oidc-connection-fields';
import { provisioningShape } from './provisioning';

export {
  OIDC_FIELD_LABELS,
  SECRET_REQUIRED,
  SECRET_REQUIRED_AGAIN,
  SECRET_REQUIRED_NEW_ISSUER,
  HAS_SAVED_SECRET_FIELD,
  type OidcConnectionField,
} from './oidc-connection-fields';
export {
  CONNECTION_FIELD_LABELS,
  CONNECTION_ID_FIELD,
  CONNECTION_STATUS_VALUES,
  CONFIRM_NEW_IDP_FIELD,
  VERIFIED_DOMAINS_ONLY_SHOWN_FIELD,
  type ConnectionStatusValue,
} from './connection-fields';

function oidcUrl(kind: 'issuerUrl' | 'redirectUri', devMode: boolean) {
  return z.string({ error: `${OIDC_FIELD_LABELS[kind]} is required` }).check(
    z.trim(),
    z.superRefine((value, ctx) => {
      const why = checkSsoUrl(value, kind, { devMode });
      if (why) ctx.addIssue({ code: 'custom', message: `${OIDC_FIELD_LABELS[kind]} ${why}` });
    }),
  );
}

/** HTML checkboxes post "on" when ticked and nothing otherwise. */
const checkbox = z.pipe(
  z.optional(z.union([z.literal('on'), z.literal('true'), z.literal(''), z.boolean()])),
  z.transform((v) => v === true || v === 'on' || v === 'true'),
);

/**
 * `devMode` (plain-http loopback issuers allowed) is decided on the server at run time
 * (lib/console/utils/sso-mode.ts) and handed to the client form, so a production build used against
 * the local dev IdP and the browser agree on the same rule.
 *
 * `hasSavedSecret` (the connection, and so a secret, already exists) changes the secret rule: left blank,
 * the saved secret is kept — unless the issuer changes (`savedIssuer` is the saved one), because the secret
 * would then go to another identity provider's token endpoint; it must be entered again for a new issuer.
 * Without a saved secret it is simply required.
 */
export interface OidcConnectionSchemaOptions {
  devMode: boolean;
  hasSavedSecret?: boolean;
  /** The saved issuer (with hasSavedSecret): a blank secret keeps the saved one only while the issuer stays this. */
  savedIssuer?: string;
}

/** True when a blank secret field may keep the saved secret: one is saved and the issuer is unchanged. */
export function keepsSavedSecret(
  issuerUrl: unknown,
  { hasSavedSecret = false, savedIssuer }: Omit<OidcConnectionSchemaOptions, 'devMode'>,
): boolean {
  return (
    hasSavedSecret && savedIssuer !== undefined && typeof issuerUrl === 'string' && issuerUrl.trim() === savedIssuer
  );
}

export function buildOidcConnectionSchema(options: OidcConnectionSchemaOptions) {
  const { devMode, hasSavedSecret = false } = options;
  const secretRequired = hasSavedSecret ? SECRET_REQUIRED_NEW_ISSUER : SECRET_REQUIRED;
  return z
    .object({
      name: z
        .string({ error: NAME_REQUIRED })
        .check(
          z.trim(),
          z.minLength(1, NAME_REQUIRED),
          z.maxLength(LIMITS.nameMax, `Name must be at most ${LIMITS.nameMax} characters`),
        ),
      /** Only the "new connection" form has it; the detail page changes the status with its own form. */
      status: z.optional(z.enum(CONNECTION_STATUS_VALUES, { error: 'Choose a status' })),
      issuerUrl: oidcUrl('issuerUrl', devMode),
      clientId: z
        .string({ error: 'Client ID is required' })
        .check(
          z.trim(),
          z.minLength(1, 'Client ID is required'),
          z.maxLength(LIMITS.clientIdMax, `Client ID must be at most ${LIMITS.clientIdMax} characters`),
        ),
      // Not trimmed: a secret may legitimately contain spaces (row 1 uses ":%+ "). Only an
      // all-blank value is treated as missing (whether missing is allowed is the object rule below).
      clientSecret: z.optional(
        z
          .string()
          .check(
            z.maxLength(LIMITS.clientSecretMax, `Client secret must be at most ${LIMITS.clientSecretMax} characters`),
          ),
      ),
      redirectUri: oidcUrl('redirectUri', devMode),
      /** "Save without checking the issuer": the admin's deliberate override after a reachability failure. */
      skipIssuerCheck: checkbox,
      /** Just-in-time provisioning, group claim, group → scopes, default scopes (absent: left as they are). */
      ...provisioningShape,
      /** Ticked to save a new issuer: the admin read that its members start over (the action requires it). */
      [CONFIRM_NEW_IDP_FIELD]: checkbox,
    })
    .check(
      z.refine(
        (v: { issuerUrl?: unknown; clientSecret?: unknown }) =>
          (typeof v.clientSecret === 'string' && v.clientSecret.trim().length > 0) ||
          keepsSavedSecret(v.issuerUrl, options),
        // Checked even when other fields failed, so one submission lists every problem.
        {
          message: secretRequired,
          path: ['clientSecret'],
          when: (payload) => typeof payload.value === 'object' && payload.value !== null,
        },
      ),
    );
}

export type OidcConnectionSchema = ReturnType<typeof buildOidcConnectionSchema>;
export type OidcConnectionInput = z.input<OidcConnectionSchema>;
export type OidcConnectionValues = z.output<OidcConnectionSchema>;

/** First message per field, in the shape the form renders. */
export function fieldErrorsOf(error: $ZodError): Partial<Record<string, string>> {
  const out: Partial<Record<string, string>> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '');
    if (key && !out[key]) out[key] = issue.message;
  }
  return out;
}

/** Validates a single field (on blur) with the exact same rule as the full schema. */
export function validateOidcField(
  schema: OidcConnectionSchema,
  field: OidcConnectionField | 'name',
  value: string,
): string | null {
  const result = schema.shape[field].safeParse(value);
  return result.success ? null : (result.error.issues[0]?.message ?? 'Invalid value');
}
