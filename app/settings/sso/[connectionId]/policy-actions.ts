'use server';
/**
 * A connection's page's policy sections: the SAML "Attribute mapping" and the "Session" settings (both
 * protocols; the maximum authentication age is OIDC's). Each goes through `connectionsAction` (the API-key admin
 * or a setup-link user, authorized on every call), whose typed result is `{ ok, message, fieldErrors, formError,
 * values }`: the typed values are kept after an error, and every sentence comes from lib/console/messages.ts by
 * code. Grantex's per-field refusals (`attributeMapping.email.0`, `maxSessionSeconds`) come back next to the field.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { connectionsAction, type ConnectionsActor } from '@/lib/auth';
import type { ActionOutcome } from '@/lib/auth/action';
import { isGrantexError } from '@/lib/grantex/errors';
import { ATTRIBUTE_MAPPING_FIELDS, type AttributeMappingField } from '@/lib/contract/limits';
import {
  ATTRIBUTE_MAPPING_TEXT,
  SAML_TEXT,
  SESSION_POLICY_TEXT,
  type AttributeMappingErrorCode,
} from '@/lib/console/messages';
import { connectionPath } from '@/lib/console/settings/paths';
import {
  attributeNamesText,
  isSamlAttributePresetId,
  SAML_ATTRIBUTE_PRESETS,
} from '@/lib/console/settings/saml-attribute-presets';
import { logSsoEvent } from '@/lib/console/utils/log';
import {
  attributeMappingFormSchema,
  attributeMappingPatch,
  minutesToSeconds,
  secondsToMinutesText,
  sessionPolicyFormSchema,
  type AttributeMappingForm,
  type SessionPolicyForm,
} from '@/lib/validations/connection-policy';
import { isConnection, logConnectionFailure, ownConnection } from '../connection-save';

type MappingOutcome = ActionOutcome<AttributeMappingForm>;
type SessionOutcome = ActionOutcome<SessionPolicyForm>;

const MAPPING_CODES = new Set<string>(Object.keys(ATTRIBUTE_MAPPING_TEXT.errors));

/** Grantex's refusal of the mapping as field errors (`attributeMapping.<field>…` entries), worded by code. */
function mappingRejection(err: unknown): MappingOutcome {
  if (!isGrantexError(err) || err.kind !== 'validation') throw err;
  const fieldErrors: Partial<Record<AttributeMappingField, string>> = {};
  for (const entry of err.errors ?? []) {
    const field = ATTRIBUTE_MAPPING_FIELDS.find((f) => entry.field?.startsWith(`attributeMapping.${f}`));
    if (!field) continue;
    const code = MAPPING_CODES.has(entry.code) ? (entry.code as AttributeMappingErrorCode) : 'invalid';
    fieldErrors[field] ??= ATTRIBUTE_MAPPING_TEXT.errors[code];
  }
  return { fieldErrors, formError: ATTRIBUTE_MAPPING_TEXT.rejected };
}

/** The form's fields filled from a preset (the rest emptied), with what the form needs to show them. */
function presetValues(form: AttributeMappingForm): MappingOutcome {
  if (!isSamlAttributePresetId(form.preset)) {
    return { fieldErrors: { preset: ATTRIBUTE_MAPPING_TEXT.presetUnknown }, values: echo(form) };
  }
  const preset = SAML_ATTRIBUTE_PRESETS[form.preset];
  const values: Partial<Record<keyof AttributeMappingForm, string>> = { preset: form.preset };
  for (const field of ATTRIBUTE_MAPPING_FIELDS) values[field] = attributeNamesText(preset.fields[field]);
  // Subject is never part of a preset: what the admin typed there stays.
  values.subject = form.subject ?? '';
  // Not saved: `ok` true shows the status line, which says so.
  return { ok: true, message: ATTRIBUTE_MAPPING_TEXT.presetApplied(preset.label), values };
}

function echo(form: AttributeMappingForm): Partial<Record<keyof AttributeMappingForm, string>> {
  const values: Partial<Record<keyof AttributeMappingForm, string>> = {};
  for (const field of ATTRIBUTE_MAPPING_FIELDS) values[field] = form[field] ?? '';
  if (form.preset) values.preset = form.preset;
  return values;
}

/**
 * Saves a SAML connection's attribute mapping (every field: an empty one goes back to the defaults), or with
 * `intent=preset` only fills the fields from a vendor preset (the picker's path without JavaScript).
 */
export const saveAttributeMapping = connectionsAction(
  'saveAttributeMapping',
  attributeMappingFormSchema,
  async (form, actor: ConnectionsActor): Promise<MappingOutcome> => {
    if (form.intent === 'preset') return presetValues(form);
    const id = form.connectionId;
    const requestId = randomUUID();
    const current = await ownConnection(actor, id, requestId);
    if (!isConnection(current)) return current;
    if (current.protocol !== 'saml') return { formError: SAML_TEXT.samlFormOnly };
    try {
      await actor.grantex({ requestId }).sso.connections.update(id, { attributeMapping: attributeMappingPatch(form) });
    } catch (err) {
      logConnectionFailure('save_attribute_mapping', requestId, actor, err, id);
      return mappingRejection(err);
    }
    logSsoEvent('save_attribute_mapping', { requestId, org: actor.developerId, connection: id, outcome: 'saved' });
    revalidatePath(connectionPath(id));
    return { ok: true, message: ATTRIBUTE_MAPPING_TEXT.saved, values: echo(form) };
  },
);

/** Saves a connection's session bound and (OIDC) maximum authentication age; an empty field clears the setting. */
export const saveSessionPolicy = connectionsAction(
  'saveSessionPolicy',
  sessionPolicyFormSchema,
  async (form, actor: ConnectionsActor): Promise<SessionOutcome> => {
    const id = form.connectionId;
    const requestId = randomUUID();
    const current = await ownConnection(actor, id, requestId);
    if (!isConnection(current)) return current;
    // The schema refused anything else already; these turn the minutes into the API's seconds.
    const session = minutesToSeconds(form.maxSessionMinutes, 5, 'session_range');
    const authAge = minutesToSeconds(form.maxAuthAgeMinutes, 0, 'auth_age_range');
    if ('problem' in session)
      return { fieldErrors: { maxSessionMinutes: SESSION_POLICY_TEXT.errors[session.problem] } };
    if ('problem' in authAge)
      return { fieldErrors: { maxAuthAgeMinutes: SESSION_POLICY_TEXT.errors[authAge.problem] } };
    const patch =
      current.protocol === 'oidc'
        ? { maxSessionSeconds: session.seconds, maxAuthAgeSeconds: authAge.seconds }
        : { maxSessionSeconds: session.seconds };
    let saved;
    try {
      saved = await actor.grantex({ requestId }).sso.connections.update(id, patch);
    } catch (err) {
      logConnectionFailure('save_session_policy', requestId, actor, err, id);
      if (!isGrantexError(err) || err.kind !== 'validation') throw err;
      const fields = new Set((err.errors ?? []).map((e) => e.field));
      return {
        fieldErrors: {
          ...(fields.has('maxSessionSeconds') ? { maxSessionMinutes: SESSION_POLICY_TEXT.errors.session_range } : {}),
          ...(fields.has('maxAuthAgeSeconds') ? { maxAuthAgeMinutes: SESSION_POLICY_TEXT.errors.auth_age_range } : {}),
        },
        formError: SESSION_POLICY_TEXT.rejected,
      };
    }
    logSsoEvent('save_session_policy', { requestId, org: actor.developerId, connection: id, outcome: 'saved' });
    revalidatePath(connectionPath(id));
    return {
      ok: true,
      message: SESSION_POLICY_TEXT.saved,
      values: {
        maxSessionMinutes: secondsToMinutesText(saved.maxSessionSeconds),
        ...(saved.protocol === 'oidc' ? { maxAuthAgeMinutes: secondsToMinutesText(saved.maxAuthAgeSeconds) } : {}),
      },
    };
  },
);
