/**
 * What a console role cannot use is shown disabled, with the reason next to it. A native `<fieldset disabled>`
 * disables every control inside it without JavaScript; the actions refuse the role anyway (lib/auth/permissions.ts),
 * so this only saves the person a refused click.
 */
import type { ReactNode } from 'react';
import { useId } from 'react';
import { allows, neededRole, type PermissionName } from '@/lib/auth/permissions';
import type { ConsoleRole } from '@/lib/auth/roles';
import { roleNeededHint } from '@/lib/console/messages';

/** The sentence that says which role a control needs. */
export function RoleHint({ permission, id }: { permission: PermissionName; id?: string }) {
  const needed = neededRole(permission);
  if (!needed) return null;
  return (
    <p id={id} className="text-sm text-gray-600" data-role-hint={needed}>
      {roleNeededHint(needed)}
    </p>
  );
}

/**
 * Its children, usable only when `role` may call `permission` (null role: a setup-link user); otherwise disabled
 * and described by the hint.
 */
export function RoleGate({
  permission,
  role,
  children,
}: {
  permission: PermissionName;
  role: ConsoleRole | null;
  children?: ReactNode;
}) {
  const hintId = useId();
  if (allows(permission, role)) return <>{children}</>;
  return (
    <fieldset disabled aria-describedby={hintId} className="min-w-0 space-y-2">
      <RoleHint permission={permission} id={hintId} />
      {children}
    </fieldset>
  );
}
