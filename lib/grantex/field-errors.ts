/**
 * Per-field reasons of a rejected SSO configuration, kept structured on the GrantexError
 * (`fieldErrors`) so nobody else has to read them back out of a sentence.
 *
 * The service sends them as data, `errors: [{ field, code, message }]`, and these are read first. The legacy
 * contract (a hosted API) sends only a message joining them, `"issuerUrl: <why>; redirectUri: <why>"`: this module
 * is the ONE place that parses that message into fields (a legacy message's known situation is read in
 * ./errors, reasonOf). The client's own input check builds the same shape from zod's issues.
 */
import { ssoConfigRequestSchema, type ErrorDetail, type SsoConfigRequest } from '@/lib/contract';

export type ConfigField = keyof SsoConfigRequest;
/** The reason only ("must use https"), without the field's name or label. */
export type FieldErrors = Partial<Record<ConfigField, string>>;

const CONFIG_FIELDS: readonly string[] = ssoConfigRequestSchema.keyof().options;

function isConfigField(value: unknown): value is ConfigField {
  return typeof value === 'string' && CONFIG_FIELDS.includes(value);
}

/** Collects `[field, reason]` pairs; null unless every pair names a config field (the first reason per field wins). */
function collect(pairs: readonly (readonly [unknown, string] | null)[]): FieldErrors | null {
  const out: FieldErrors = {};
  for (const pair of pairs) {
    if (!pair || !isConfigField(pair[0]) || !pair[1]) return null;
    out[pair[0]] ??= pair[1];
  }
  return Object.keys(out).length ? out : null;
}

/**
 * `"issuerUrl: must use https; redirectUri: must be absolute"` → `{ issuerUrl: 'must use https', … }`.
 * Null when any part is not `<config field>: <why>` (e.g. "issuerUrl, clientId, … are required"):
 * such a message stays one form-level sentence.
 */
export function parseFieldErrors(message: string): FieldErrors | null {
  return collect(
    message.split(';').map((part) => {
      const match = /^\s*([A-Za-z]+)\s*:\s*(\S.*?)\s*$/.exec(part);
      return match ? ([match[1], match[2]!] as const) : null;
    }),
  );
}

/** The same shape from the client's own zod check of a config (its issues name one top-level field each). */
export function fieldErrorsFromIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldErrors | null {
  return collect(issues.map((issue) => (issue.path.length === 1 ? ([issue.path[0], issue.message] as const) : null)));
}

/**
 * The same `"<field>: <why>; …"` reading for another form's fields (the SAML connection form): null unless every
 * part names one of `fields`.
 */
export function parseFieldReasons<F extends string>(
  message: string,
  fields: readonly F[],
): Partial<Record<F, string>> | null {
  const out: Partial<Record<F, string>> = {};
  // A reason may itself contain "; " (e.g. "has expired (…); use …"): split only before the next "<field>:".
  for (const part of message.split(/;(?=\s*[A-Za-z]+\s*:)/)) {
    const match = /^\s*([A-Za-z]+)\s*:\s*(\S.*?)\s*$/.exec(part);
    const field = fields.find((f) => f === match?.[1]);
    if (!match || !field) return null;
    out[field] ??= match[2]!;
  }
  return Object.keys(out).length ? out : null;
}

/** Field errors from the body's structured `errors`: null unless every entry names a config field. */
export function fieldErrorsFromDetails(errors: readonly ErrorDetail[]): FieldErrors | null {
  return collect(errors.map((e) => (e.field ? ([e.field, e.message] as const) : null)));
}

/**
 * A rejection's reasons for the fields of one form: from `errors` when the server sent them, else parsed from the
 * legacy message. Null unless every reason names one of `fields`.
 */
export function fieldReasonsOf<F extends string>(
  err: { message: string; errors: readonly ErrorDetail[] | null },
  fields: readonly F[],
): Partial<Record<F, string>> | null {
  if (!err.errors) return parseFieldReasons(err.message, fields);
  const out: Partial<Record<F, string>> = {};
  for (const entry of err.errors) {
    const field = fields.find((f) => f === entry.field);
    if (!field || !entry.message) return null;
    out[field] ??= entry.message;
  }
  return Object.keys(out).length ? out : null;
}
