import { CONNECTION_STATUS_TEXT } from '@/lib/console/messages';
import {
  CONNECTION_FIELD_LABELS,
  CONNECTION_STATUS_VALUES,
  type ConnectionStatusValue,
} from '@/lib/validations/connection-fields';

export function isConnectionStatus(value: unknown): value is ConnectionStatusValue {
  return CONNECTION_STATUS_VALUES.some((s) => s === value);
}

/**
 * The three statuses as a radio group, each with its one-line explanation (used by both "new" connection forms and
 * by the connection page's status form). Works without JavaScript.
 */
export function StatusChoice({
  name,
  idPrefix,
  value,
  hint,
  error,
}: {
  name: string;
  idPrefix: string;
  value: ConnectionStatusValue;
  hint?: string;
  error?: string;
}) {
  const hintId = hint ? `${idPrefix}-hint` : undefined;
  const errorId = error ? `${idPrefix}-error` : undefined;
  return (
    <fieldset className="space-y-2" aria-describedby={[errorId, hintId].filter(Boolean).join(' ') || undefined}>
      <legend className="text-sm font-medium text-gray-900">{CONNECTION_FIELD_LABELS.status}</legend>
      {CONNECTION_STATUS_VALUES.map((status) => (
        <div key={status} className="flex items-start gap-2">
          <input
            id={`${idPrefix}-${status}`}
            type="radio"
            name={name}
            value={status}
            defaultChecked={status === value}
            aria-describedby={`${idPrefix}-${status}-text`}
            className="mt-0.5 h-4 w-4 border-gray-300"
          />
          <div className="text-sm">
            <label htmlFor={`${idPrefix}-${status}`} className="font-medium text-gray-900">
              {CONNECTION_STATUS_TEXT[status].label}
            </label>
            <p id={`${idPrefix}-${status}-text`} className="text-gray-600">
              {CONNECTION_STATUS_TEXT[status].explanation}
            </p>
          </div>
        </div>
      ))}
      {hint ? (
        <p id={hintId} className="text-sm text-gray-600">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-sm font-medium text-red-700">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
