'use client';
/**
 * A SAML connection's attribute mapping form: a vendor preset picker that fills the six fields (the admin can
 * edit them before saving) and the fields themselves. The picker's button fills the fields in the browser; without
 * JavaScript it submits `intent=preset` and the server answers with the filled fields, nothing saved.
 */
import { useActionState, useState, type MouseEvent } from 'react';
import { Alert, Button, Field, Input } from '@/components/ui';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { ATTRIBUTE_MAPPING_FIELDS, type AttributeMappingField } from '@/lib/contract/limits';
import { ATTRIBUTE_MAPPING_TEXT } from '@/lib/console/messages';
import {
  attributeNamesText,
  isSamlAttributePresetId,
  SAML_ATTRIBUTE_PRESET_IDS,
  SAML_ATTRIBUTE_PRESETS,
} from '@/lib/console/settings/saml-attribute-presets';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';

type Values = Partial<Record<AttributeMappingField | 'preset' | 'intent' | 'connectionId', string>>;
type State = FormState<Values>;
export type SaveAttributeMappingAction = (prev: State, formData: FormData) => Promise<State>;

const HINTS: Partial<Record<AttributeMappingField, string>> = {
  subject: ATTRIBUTE_MAPPING_TEXT.subjectHint,
  groups: ATTRIBUTE_MAPPING_TEXT.groupsHint,
};

function MappingFields({ values, errors }: { values: Values; errors: State['fieldErrors'] }) {
  const [fields, setFields] = useState<Partial<Record<AttributeMappingField, string>>>(() =>
    Object.fromEntries(ATTRIBUTE_MAPPING_FIELDS.map((f) => [f, values[f] ?? ''])),
  );
  const [preset, setPreset] = useState(values.preset ?? '');
  const [filled, setFilled] = useState<string | null>(null);
  const chosen = isSamlAttributePresetId(preset) ? SAML_ATTRIBUTE_PRESETS[preset] : null;

  function applyPreset(event: MouseEvent<HTMLButtonElement>) {
    // With JavaScript the fields are filled here; the submit (intent=preset) is the path without it.
    event.preventDefault();
    if (!chosen) return;
    setFields((current) => ({
      ...Object.fromEntries(ATTRIBUTE_MAPPING_FIELDS.map((f) => [f, attributeNamesText(chosen.fields[f])])),
      // A preset never sets the subject (it would start the members over): what was typed stays.
      subject: current.subject ?? '',
    }));
    setFilled(ATTRIBUTE_MAPPING_TEXT.presetApplied(chosen.label));
  }

  return (
    <>
      {filled ? <Alert tone="success">{filled}</Alert> : null}
      <div className="flex flex-wrap items-end gap-3">
        <Field
          id="attribute-mapping-preset"
          label={ATTRIBUTE_MAPPING_TEXT.presetLabel}
          hint={chosen?.note}
          error={errors.preset}
          className="min-w-64 flex-1"
        >
          <select
            name="preset"
            value={preset}
            onChange={(e) => {
              setPreset(e.target.value);
              setFilled(null);
            }}
            className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm"
          >
            <option value="">{ATTRIBUTE_MAPPING_TEXT.presetNone}</option>
            {SAML_ATTRIBUTE_PRESET_IDS.map((id) => (
              <option key={id} value={id}>
                {SAML_ATTRIBUTE_PRESETS[id].label}
              </option>
            ))}
          </select>
        </Field>
        <Button type="submit" name="intent" value="preset" variant="secondary" onClick={applyPreset}>
          {ATTRIBUTE_MAPPING_TEXT.presetApply}
        </Button>
      </div>
      {ATTRIBUTE_MAPPING_FIELDS.map((field) => (
        <Field
          key={field}
          id={`attribute-mapping-${field}`}
          label={ATTRIBUTE_MAPPING_TEXT.labels[field]}
          hint={HINTS[field] ?? ATTRIBUTE_MAPPING_TEXT.fieldHint}
          error={errors[field]}
        >
          <Input
            name={field}
            value={fields[field] ?? ''}
            onChange={(e) => setFields((current) => ({ ...current, [field]: e.target.value }))}
            autoComplete="off"
            spellCheck={false}
            className="font-mono"
          />
        </Field>
      ))}
    </>
  );
}

export function SamlAttributeMappingForm({
  action,
  connectionId,
  initial,
}: {
  action: SaveAttributeMappingAction;
  connectionId: string;
  initial: Values;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState(initial));
  const values = { ...initial, ...state.values };
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      {state.ok && state.message ? <Alert tone="success">{state.message}</Alert> : null}
      {!state.ok && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      <fieldset className="space-y-4">
        <legend className="sr-only">Attribute mapping</legend>
        {/* Re-keyed per answer, so the fields show what the server sent back (a preset, the saved values). */}
        <MappingFields key={JSON.stringify(values)} values={values} errors={state.fieldErrors} />
      </fieldset>
      <Button type="submit" name="intent" value="save" pending={pending} pendingLabel="saving">
        {ATTRIBUTE_MAPPING_TEXT.save}
      </Button>
    </form>
  );
}
