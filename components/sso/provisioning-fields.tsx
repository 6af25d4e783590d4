/**
 * The connection form's provisioning section: just-in-time provisioning (two radios, each saying what it means),
 * the group claim, group → scopes mappings (one `group: scope1 scope2` per line) and default scopes. Plain
 * fields inside the connection form, so they work without JavaScript; parsing lives in lib/validations/provisioning.
 */
import { Field, Input, Textarea } from '@/components/ui';
import {
  PROVISIONING_FIELD_LABELS,
  VERIFIED_DOMAINS_ONLY_SHOWN_FIELD,
  type ProvisioningField,
} from '@/lib/validations/connection-fields';
import { PROVISIONING_TEXT } from '@/lib/console/messages';

export type ProvisioningValues = Partial<Record<ProvisioningField, string>>;

export function ProvisioningFields({
  values,
  errors,
}: {
  values: ProvisioningValues;
  errors: Partial<Record<ProvisioningField, string | undefined>>;
}) {
  const jit = values.jitProvisioning === 'off' ? 'off' : 'on';
  const jitError = errors.jitProvisioning;
  return (
    <fieldset className="space-y-5 rounded-md border border-gray-200 p-4">
      <legend className="px-1 text-sm font-semibold text-gray-900">Provisioning</legend>
      <fieldset className="space-y-2" aria-describedby={jitError ? 'sso-jitProvisioning-error' : undefined}>
        <legend className="text-sm font-medium text-gray-900">{PROVISIONING_FIELD_LABELS.jitProvisioning}</legend>
        {(['on', 'off'] as const).map((value) => (
          <div key={value} className="flex items-start gap-2">
            <input
              id={`sso-jitProvisioning-${value}`}
              type="radio"
              name="jitProvisioning"
              value={value}
              defaultChecked={jit === value}
              aria-describedby={`sso-jitProvisioning-${value}-text`}
              className="mt-0.5 h-4 w-4 border-gray-300"
            />
            <div className="text-sm">
              <label htmlFor={`sso-jitProvisioning-${value}`} className="font-medium text-gray-900">
                {PROVISIONING_TEXT.jit[value].label}
              </label>
              <p id={`sso-jitProvisioning-${value}-text`} className="text-gray-600">
                {PROVISIONING_TEXT.jit[value].explanation}
              </p>
            </div>
          </div>
        ))}
        {jitError ? (
          <p id="sso-jitProvisioning-error" className="text-sm font-medium text-red-700">
            {jitError}
          </p>
        ) : null}
      </fieldset>
      <Field
        id="sso-groupAttribute"
        label={PROVISIONING_FIELD_LABELS.groupAttribute}
        hint={PROVISIONING_TEXT.groupAttributeHint}
        error={errors.groupAttribute}
      >
        <Input
          name="groupAttribute"
          defaultValue={values.groupAttribute ?? ''}
          placeholder="groups"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <Field
        id="sso-groupMappings"
        label={PROVISIONING_FIELD_LABELS.groupMappings}
        hint={PROVISIONING_TEXT.groupMappingsHint}
        error={errors.groupMappings}
      >
        <Textarea
          name="groupMappings"
          defaultValue={values.groupMappings ?? ''}
          placeholder={'engineering: repo:read deploy\nadmins: admin'}
          rows={4}
          autoComplete="off"
          spellCheck={false}
          className="font-mono"
        />
      </Field>
      <Field
        id="sso-defaultScopes"
        label={PROVISIONING_FIELD_LABELS.defaultScopes}
        hint={PROVISIONING_TEXT.defaultScopesHint}
        error={errors.defaultScopes}
      >
        <Input
          name="defaultScopes"
          defaultValue={values.defaultScopes ?? ''}
          placeholder="profile:read"
          autoComplete="off"
          spellCheck={false}
        />
      </Field>
      <VerifiedDomainsOnlyField idPrefix="sso" checked={values.verifiedDomainsOnly === 'on'} />
    </fieldset>
  );
}

/**
 * "Accept only emails in this organization's verified domains": a checkbox (unticked sends nothing) with the
 * hidden marker that says the form showed it, so unticking it turns the setting off. Shared by both forms.
 */
export function VerifiedDomainsOnlyField({ idPrefix, checked }: { idPrefix: string; checked: boolean }) {
  const id = `${idPrefix}-verifiedDomainsOnly`;
  return (
    <div>
      <input type="hidden" name={VERIFIED_DOMAINS_ONLY_SHOWN_FIELD} value="1" />
      <div className="flex items-start gap-2">
        <input
          id={id}
          name="verifiedDomainsOnly"
          type="checkbox"
          defaultChecked={checked}
          aria-describedby={`${id}-hint`}
          className="mt-0.5 h-4 w-4 rounded border-gray-300"
        />
        <label htmlFor={id} className="text-sm font-medium text-gray-900">
          {PROVISIONING_FIELD_LABELS.verifiedDomainsOnly}
        </label>
      </div>
      <p id={`${id}-hint`} className="mt-1 pl-6 text-sm text-gray-600">
        {PROVISIONING_TEXT.verifiedDomainsOnlyHint}
      </p>
    </div>
  );
}
