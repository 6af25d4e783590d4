/**
 * The form schemas of a connection's "Attribute mapping" (SAML) and "Session" sections: what the admin typed into
 * the API's `attributeMapping` and `maxSessionSeconds` / `maxAuthAgeSeconds`. zod/mini, and messages chosen by code
 * from lib/console/messages.ts, so the rules match the contract's without loading it.
 */
import * as z from 'zod/mini';
import {
  ATTRIBUTE_MAPPING_FIELDS,
  ATTRIBUTE_MAPPING_LIMITS,
  SESSION_POLICY_LIMITS,
  type AttributeMappingField,
} from '@/lib/contract/limits';
import {
  ATTRIBUTE_MAPPING_TEXT,
  SESSION_POLICY_TEXT,
  type AttributeMappingErrorCode,
  type SessionPolicyErrorCode,
} from '@/lib/console/messages';
import { CONNECTION_ID_FIELD } from './connection-fields';

/** The same characters the service refuses in stored text (control, zero-width, text-direction). */
const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

/** One field's names as typed: separated by commas or new lines, blanks dropped, duplicates once. */
export function splitAttributeNames(text: string): string[] {
  const names = text
    .split(/[,\n]/)
    .map((n) => n.trim())
    .filter((n) => n !== '');
  return [...new Set(names)];
}

/** Why a field's names are refused (a code of ATTRIBUTE_MAPPING_TEXT.errors), or null. */
export function attributeNamesProblem(names: readonly string[]): AttributeMappingErrorCode | null {
  if (names.length > ATTRIBUTE_MAPPING_LIMITS.namesMax) return 'too_many';
  if (names.some((n) => n.length > ATTRIBUTE_MAPPING_LIMITS.nameMax)) return 'too_long';
  if (names.some((n) => UNSAFE_TEXT.test(n))) return 'unsafe_text';
  return null;
}

/** The message of a field's first problem (the refine below only says whether there is one). */
const mappingProblemText = (input: unknown) =>
  ATTRIBUTE_MAPPING_TEXT.errors[attributeNamesProblem(splitAttributeNames(String(input ?? ''))) ?? 'invalid'];

// The typed text before it is split: room for five long names and their separators.
const mappingField = z.optional(
  z.string().check(
    z.maxLength(ATTRIBUTE_MAPPING_LIMITS.namesMax * (ATTRIBUTE_MAPPING_LIMITS.nameMax + 4), {
      error: ATTRIBUTE_MAPPING_TEXT.errors.too_long,
    }),
    z.refine((v) => attributeNamesProblem(splitAttributeNames(v)) === null, {
      error: (issue) => mappingProblemText(issue.input),
    }),
  ),
);

export const attributeMappingFormSchema = z.object({
  [CONNECTION_ID_FIELD]: z.string().check(z.minLength(1), z.maxLength(200)),
  /** "save" (default) or "preset": fill the fields from `preset` without saving (the no-JavaScript path). */
  intent: z.optional(z.enum(['save', 'preset'])),
  preset: z.optional(z.string().check(z.maxLength(40))),
  email: mappingField,
  name: mappingField,
  givenName: mappingField,
  familyName: mappingField,
  subject: mappingField,
  groups: mappingField,
});
export type AttributeMappingForm = z.infer<typeof attributeMappingFormSchema>;

/** The API's `attributeMapping` of a valid form: every field sent, an empty one as null (back to the defaults). */
export function attributeMappingPatch(form: AttributeMappingForm): Record<AttributeMappingField, string[] | null> {
  const out = {} as Record<AttributeMappingField, string[] | null>;
  for (const field of ATTRIBUTE_MAPPING_FIELDS) {
    const names = splitAttributeNames(form[field] ?? '');
    out[field] = names.length === 0 ? null : names;
  }
  return out;
}

// ─── session policy ─────────────────────────────────────────────────────────────────────────────

const MAX_MINUTES = SESSION_POLICY_LIMITS.maxSessionSecondsMax / 60;

/** Minutes as typed ("" = not set) → seconds, or the problem's code. */
export function minutesToSeconds(
  text: string | undefined,
  minMinutes: number,
  rangeCode: SessionPolicyErrorCode,
): { seconds: number | null } | { problem: SessionPolicyErrorCode } {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') return { seconds: null };
  if (!/^\d{1,6}$/.test(trimmed)) return { problem: 'not_a_number' };
  const minutes = Number(trimmed);
  if (minutes < minMinutes || minutes > MAX_MINUTES) return { problem: rangeCode };
  return { seconds: minutes * 60 };
}

/** Seconds as the form shows them, in whole minutes ("" = not set). */
export function secondsToMinutesText(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? '' : String(Math.round(seconds / 60));
}

const minutesField = (minMinutes: number, rangeCode: SessionPolicyErrorCode) =>
  z.optional(z.string().check(z.maxLength(20))).check(
    z.refine((v) => !('problem' in minutesToSeconds(v, minMinutes, rangeCode)), {
      error: (issue) => {
        const result = minutesToSeconds(String(issue.input ?? ''), minMinutes, rangeCode);
        return SESSION_POLICY_TEXT.errors['problem' in result ? result.problem : 'not_a_number'];
      },
    }),
  );

export const sessionPolicyFormSchema = z.object({
  [CONNECTION_ID_FIELD]: z.string().check(z.minLength(1), z.maxLength(200)),
  maxSessionMinutes: minutesField(SESSION_POLICY_LIMITS.maxSessionSecondsMin / 60, 'session_range'),
  /** OIDC only (the form shows it only there). */
  maxAuthAgeMinutes: minutesField(SESSION_POLICY_LIMITS.maxAuthAgeSecondsMin / 60, 'auth_age_range'),
});
export type SessionPolicyForm = z.infer<typeof sessionPolicyFormSchema>;
