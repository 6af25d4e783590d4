/**
 * The SSO configuration form: ONE schema used by the client form (instant feedback on blur and
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
import { SECRET_REQUIRED, SECRET_REQUIRED_AGAIN, SSO_FIELD_LABELS, type SsoConfigField } from './sso-config-fields';

export {
  SSO_FIELD_LABELS,
  SECRET_REQUIRED,
  SECRET_REQUIRED_AGAIN,
  HAS_SAVED_SECRET_FIELD,
  type SsoConfigField,
} from './sso-config-fields';

function ssoUrl(kind: 'issuerUrl' | 'redirectUri', devMode: boolean) {
  return z.string({ error: `${SSO_FIELD_LABELS[kind]} is required` }).check(
    z.trim(),
    z.superRefine((value, ctx) => {
      const why = checkSsoUrl(value, kind, { devMode });
      if (why) ctx.addIssue({ code: 'custom', message: `${SSO_FIELD_LABELS[kind]} ${why}` });
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
 * `hasSavedSecret` (a configuration, and so a secret, already exists) only chooses the wording of
 * the missing-secret message: on a first save the secret is simply required; afterwards the admin
 * is told why a field they never emptied is empty (the saved secret is write-only).
 */
export interface SsoConfigSchemaOptions {
  devMode: boolean;
  hasSavedSecret?: boolean;
}

export function buildSsoConfigSchema({ devMode, hasSavedSecret = false }: SsoConfigSchemaOptions) {
  const secretRequired = hasSavedSecret ? SECRET_REQUIRED_AGAIN : SECRET_REQUIRED;
  return z.object({
    issuerUrl: ssoUrl('issuerUrl', devMode),
    clientId: z
      .string({ error: 'Client ID is required' })
      .check(
        z.trim(),
        z.minLength(1, 'Client ID is required'),
        z.maxLength(LIMITS.clientIdMax, `Client ID must be at most ${LIMITS.clientIdMax} characters`),
      ),
    // Not trimmed: a secret may legitimately contain spaces (row 1 uses ":%+ "). Only an
    // all-blank value is treated as missing.
    clientSecret: z
      .string({ error: secretRequired })
      .check(
        z.maxLength(LIMITS.clientSecretMax, `Client secret must be at most ${LIMITS.clientSecretMax} characters`),
        z.refine((v) => v.trim().length > 0, secretRequired),
      ),
    redirectUri: ssoUrl('redirectUri', devMode),
    /** "Save without checking the issuer": the admin's deliberate override after a reachability failure. */
    skipIssuerCheck: checkbox,
  });
}

export type SsoConfigSchema = ReturnType<typeof buildSsoConfigSchema>;
export type SsoConfigInput = z.input<SsoConfigSchema>;
export type SsoConfigValues = z.output<SsoConfigSchema>;

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
export function validateSsoField(schema: SsoConfigSchema, field: SsoConfigField, value: string): string | null {
  const result = schema.shape[field].safeParse(value);
  return result.success ? null : (result.error.issues[0]?.message ?? 'Invalid value');
}
