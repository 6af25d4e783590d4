'use server';
/**
 * Saves a connection's console roles (IdP group → owner/admin/viewer): who may sign in to this console through
 * the connection, and with which role. The owner's alone (lib/auth/permissions.ts): mapping a group to a role is
 * granting that role, so an admin could otherwise make themselves an owner.
 */
import { randomUUID } from 'node:crypto';
import { revalidatePath } from 'next/cache';
import { connectionsAction } from '@/lib/auth';
import { CONNECTION_ID_FIELD } from '@/lib/validations/connection-fields';
import { consoleRolesFormSchema, consoleRolesFromForm } from '@/lib/validations/console-roles';
import { CONSOLE_ROLES_TEXT } from '@/lib/console/messages';
import { connectionPath } from '@/lib/console/settings/paths';
import { logSsoEvent } from '@/lib/console/utils/log';
import { isConnection, logConnectionFailure, ownConnection } from '../connection-save';

export const saveConsoleRoles = connectionsAction('saveConsoleRoles', consoleRolesFormSchema, async (form, actor) => {
  const parsed = consoleRolesFromForm(form);
  if ('fieldErrors' in parsed) return { fieldErrors: parsed.fieldErrors };
  const id = form[CONNECTION_ID_FIELD];
  const requestId = randomUUID();
  const current = await ownConnection(actor, id, requestId);
  if (!isConnection(current)) return current;
  try {
    await actor.grantex({ requestId }).sso.connections.update(id, { consoleRoleMappings: parsed.mappings });
  } catch (err) {
    logConnectionFailure('save_console_roles', requestId, actor, err, id);
    throw err;
  }
  logSsoEvent('save_console_roles', {
    requestId,
    org: actor.developerId,
    connection: id,
    outcome: 'saved',
    groups: Object.keys(parsed.mappings).length,
  });
  revalidatePath(connectionPath(id));
  return { ok: true, message: CONSOLE_ROLES_TEXT.saved, values: parsed.values };
});
