/**
 * The "Console roles" form of a connection's page: rows of IdP group → console role, posted as `group_<n>` and
 * `role_<n>` (plain fields, so the form works without JavaScript). A row with an empty group and no role is
 * ignored; choosing "No role" removes a group. The contract's rules: at most 50 groups, a group 1–256 characters
 * (trimmed), no control characters.
 */
import { z } from 'zod';
import { CONSOLE_ACCESS_LIMITS, LIMITS, type ConsoleRole } from '@/lib/contract';
import { CONSOLE_ROLES } from '@/lib/auth/roles';
import { CONSOLE_ROLES_TEXT } from '@/lib/console/messages';
import { CONNECTION_ID_FIELD } from './connection-fields';

/** Blank rows the form offers after the saved ones, for adding groups without JavaScript. */
export const CONSOLE_ROLE_BLANK_ROWS = 3;
/** The most rows a post may carry (the limit plus the blank ones). */
const ROWS_MAX = CONSOLE_ACCESS_LIMITS.roleMappingsMax + CONSOLE_ROLE_BLANK_ROWS;

export const consoleRolesFormSchema = z.looseObject({
  [CONNECTION_ID_FIELD]: z.string().min(1).max(128),
});
export type ConsoleRolesForm = z.infer<typeof consoleRolesFormSchema>;

export interface ConsoleRoleRow {
  group: string;
  role: ConsoleRole | '';
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The rows of a posted form, in order (at most ROWS_MAX). */
export function rowsOfForm(form: Record<string, unknown>): ConsoleRoleRow[] {
  const rows: ConsoleRoleRow[] = [];
  for (let i = 0; i < ROWS_MAX; i++) {
    const group = form[`group_${i}`];
    const role = form[`role_${i}`];
    if (group === undefined && role === undefined) continue;
    rows.push({
      group: typeof group === 'string' ? group : '',
      role:
        typeof role === 'string' && (CONSOLE_ROLES as readonly string[]).includes(role) ? (role as ConsoleRole) : '',
    });
  }
  return rows;
}

/** The mappings to save, or the errors per field (`group_<n>`, `role_<n>`, keyed by the posted row's index). */
export function consoleRolesFromForm(
  form: Record<string, unknown>,
): { mappings: Record<string, ConsoleRole>; values: Record<string, string> } | { fieldErrors: Record<string, string> } {
  const fieldErrors: Record<string, string> = {};
  const mappings: Record<string, ConsoleRole> = {};
  for (let i = 0; i < ROWS_MAX; i++) {
    const rawGroup = form[`group_${i}`];
    const rawRole = form[`role_${i}`];
    if (rawGroup === undefined && rawRole === undefined) continue;
    const group = typeof rawGroup === 'string' ? rawGroup.trim() : '';
    const role = typeof rawRole === 'string' ? rawRole : '';
    if (!group && !role) continue;
    if (role && !(CONSOLE_ROLES as readonly string[]).includes(role)) {
      fieldErrors[`role_${i}`] = CONSOLE_ROLES_TEXT.role_invalid;
      continue;
    }
    if (!group) {
      fieldErrors[`group_${i}`] = CONSOLE_ROLES_TEXT.group_required;
      continue;
    }
    if (group.length > LIMITS.tokenMax) fieldErrors[`group_${i}`] = CONSOLE_ROLES_TEXT.group_too_long;
    else if (CONTROL.test(group)) fieldErrors[`group_${i}`] = CONSOLE_ROLES_TEXT.group_invalid;
    else if (Object.hasOwn(mappings, group)) fieldErrors[`group_${i}`] = CONSOLE_ROLES_TEXT.duplicate_group;
    else if (role) mappings[group] = role as ConsoleRole;
  }
  if (Object.keys(mappings).length > CONSOLE_ACCESS_LIMITS.roleMappingsMax) {
    fieldErrors.group_0 ??= CONSOLE_ROLES_TEXT.too_many;
  }
  if (Object.keys(fieldErrors).length) return { fieldErrors };
  return { mappings, values: valuesOfMappings(mappings) };
}

/** Saved mappings as the form's values (sorted by group), for the form to show after a save. */
export function valuesOfMappings(mappings: Readonly<Record<string, ConsoleRole>>): Record<string, string> {
  const values: Record<string, string> = {};
  Object.keys(mappings)
    .sort()
    .forEach((group, i) => {
      values[`group_${i}`] = group;
      values[`role_${i}`] = mappings[group]!;
    });
  return values;
}
