import { NEW_IDP_TEXT } from '@/lib/console/messages';
import { CONFIRM_NEW_IDP_FIELD } from '@/lib/validations/connection-fields';

/**
 * The warning shown while a connection is about to name another identity provider than the saved one (OIDC: the
 * issuer; SAML: the entity ID), with the box the action requires ticked before it saves (members start over: see
 * docs/EMAIL-TRUST.md). Shared by both connection forms.
 */
export function NewIdpConfirm({
  idPrefix,
  checked,
  error,
}: {
  idPrefix: string;
  checked: boolean;
  error: string | undefined;
}) {
  const id = `${idPrefix}-confirmNewIdp`;
  return (
    <div className="rounded-md border border-amber-200 bg-amber-50 p-3" role="group" aria-labelledby={`${id}-warning`}>
      <p id={`${id}-warning`} className="text-sm text-amber-900">
        {NEW_IDP_TEXT.warning}
      </p>
      <div className="mt-2 flex items-start gap-2">
        <input
          id={id}
          name={CONFIRM_NEW_IDP_FIELD}
          type="checkbox"
          defaultChecked={checked}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : `${id}-warning`}
          className="mt-0.5 h-4 w-4 rounded border-gray-300"
        />
        <label htmlFor={id} className="text-sm font-medium text-gray-900">
          {NEW_IDP_TEXT.confirmLabel}
        </label>
      </div>
      {error ? (
        <p id={`${id}-error`} className="mt-1 pl-6 text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
