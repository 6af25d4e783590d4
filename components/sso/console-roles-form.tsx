'use client';
/**
 * A connection's console roles: IdP group → owner/admin/viewer rows (the saved ones plus blank rows to add).
 * Plain fields posted as `group_<n>`/`role_<n>`, so it works without JavaScript; the typed values come back
 * after an error, each row's error next to it.
 */
import { useActionState } from 'react';
import { Alert, Button, Input } from '@/components/ui';
import { initialFormState, type FormState } from '@/lib/auth/form-state';
import { CONSOLE_ROLES } from '@/lib/auth/roles';
import { CONSOLE_ROLE_LABELS } from '@/lib/console/messages';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';

type Values = Record<string, string>;
type State = FormState<Values>;
export type SaveConsoleRolesAction = (prev: State, formData: FormData) => Promise<State>;

const SELECT_CLASSES =
  'block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500';

function rowCount(values: Values, blank: number): number {
  let filled = 0;
  for (const key of Object.keys(values)) {
    const m = /^group_(\d+)$/.exec(key);
    if (m) filled = Math.max(filled, Number(m[1]) + 1);
  }
  return filled + blank;
}

export function ConsoleRolesForm({
  action,
  connectionId,
  initial,
  blankRows,
}: {
  action: SaveConsoleRolesAction;
  connectionId: string;
  initial: Values;
  blankRows: number;
}) {
  const [state, formAction, pending] = useActionState<State, FormData>(action, initialFormState(initial));
  const values: Values = state.ok || state.formError ? (state.values as Values) : initial;
  const rows = rowCount(values, blankRows);
  const errors = state.fieldErrors as Record<string, string | undefined>;
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="Console roles">
      <input type="hidden" name={CONNECTION_ID_FIELD} value={connectionId} />
      <div aria-live="polite">
        {state.ok && state.message ? <Alert tone="success">{state.message}</Alert> : null}
        {!state.ok && state.formError ? <Alert tone="error">{state.formError}</Alert> : null}
      </div>
      <table className="w-full text-left text-sm" key={JSON.stringify(values)}>
        <thead className="text-gray-600">
          <tr>
            <th scope="col" className="pb-2 pr-4 font-medium">
              IdP group
            </th>
            <th scope="col" className="pb-2 font-medium">
              Console role
            </th>
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: rows }, (_, i) => {
            const groupError = errors[`group_${i}`];
            const roleError = errors[`role_${i}`];
            return (
              <tr key={i} className="align-top">
                <td className="py-1 pr-4">
                  <label htmlFor={`console-role-group-${i}`} className="sr-only">
                    IdP group, row {i + 1}
                  </label>
                  <Input
                    id={`console-role-group-${i}`}
                    name={`group_${i}`}
                    maxLength={256}
                    defaultValue={values[`group_${i}`] ?? ''}
                    aria-invalid={groupError ? true : undefined}
                    aria-describedby={groupError ? `console-role-group-${i}-error` : undefined}
                  />
                  {groupError ? (
                    <p id={`console-role-group-${i}-error`} className="mt-1 text-sm font-medium text-red-700">
                      {groupError}
                    </p>
                  ) : null}
                </td>
                <td className="py-1">
                  <label htmlFor={`console-role-role-${i}`} className="sr-only">
                    Console role, row {i + 1}
                  </label>
                  <select
                    id={`console-role-role-${i}`}
                    name={`role_${i}`}
                    defaultValue={values[`role_${i}`] ?? ''}
                    className={SELECT_CLASSES}
                    aria-invalid={roleError ? true : undefined}
                    aria-describedby={roleError ? `console-role-role-${i}-error` : undefined}
                  >
                    <option value="">No role</option>
                    {CONSOLE_ROLES.map((role) => (
                      <option key={role} value={role}>
                        {CONSOLE_ROLE_LABELS[role]}
                      </option>
                    ))}
                  </select>
                  {roleError ? (
                    <p id={`console-role-role-${i}-error`} className="mt-1 text-sm font-medium text-red-700">
                      {roleError}
                    </p>
                  ) : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Button type="submit" variant="secondary" pending={pending} pendingLabel="saving">
        Save console roles
      </Button>
    </form>
  );
}
