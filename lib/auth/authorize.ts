import 'server-only';
import { NextResponse } from 'next/server';
import { randomUUID } from 'node:crypto';
import { ROLE_REQUIRED, roleRequiredText, SETUP_LINK_TEXT } from '@/lib/console/messages';
import { getConnectionsActor, SETUP_LINK_ENDED, type ConnectionsActor } from './connections-actor';
import { decide, type Caller, type PermissionName } from './permissions';
import type { ConsoleRole } from './roles';
import { getAdmin, hasSetupSession, type Admin } from './session';

/**
 * The permission check of every action and route handler (the table is lib/auth/permissions.ts). The caller is
 * read from the session cookie alone, so a refusal costs no call to Grantex and nothing reaches it.
 */

/** A refusal because the caller's console role is too low: typed and coded, its text names the role needed. */
export class RoleRequiredError extends Error {
  readonly code = ROLE_REQUIRED;
  constructor(
    readonly permission: PermissionName,
    readonly needed: ConsoleRole,
    readonly current: ConsoleRole,
  ) {
    super(roleRequiredText(needed, current));
    this.name = 'RoleRequiredError';
  }
}

export type Check =
  | { ok: true; admin: Admin | null }
  | { ok: false; reason: 'signed_out' | 'setup_link' }
  | { ok: false; reason: 'role'; error: RoleRequiredError };

/** Who is calling, from the cookie (a setup-link session is checked with Grantex later, when it is used). */
async function currentCaller(): Promise<{ caller: Caller; admin: Admin | null }> {
  const admin = await getAdmin();
  if (admin) return { caller: { kind: 'admin', role: admin.role }, admin };
  if (await hasSetupSession()) return { caller: { kind: 'setup_link' }, admin: null };
  return { caller: null, admin: null };
}

export async function checkPermission(name: PermissionName): Promise<Check> {
  const { caller, admin } = await currentCaller();
  const decision = decide(name, caller);
  if (decision.ok) return { ok: true, admin };
  if (decision.reason === 'role' && caller?.kind === 'admin') {
    return { ok: false, reason: 'role', error: new RoleRequiredError(name, decision.needed, caller.role) };
  }
  return { ok: false, reason: decision.reason === 'role' ? 'signed_out' : decision.reason };
}

const NO_STORE = { 'Cache-Control': 'no-store' };

/** The wire shape of a refused route call: `{message, code, requestId}` (401 signed out, 403 otherwise). */
export function refusalResponse(check: Exclude<Check, { ok: true }>): NextResponse {
  const requestId = randomUUID();
  if (check.reason === 'role') {
    return NextResponse.json(
      { message: check.error.message, code: check.error.code, requestId },
      { status: 403, headers: NO_STORE },
    );
  }
  if (check.reason === 'setup_link') {
    return NextResponse.json(
      { message: SETUP_LINK_TEXT.not_allowed, code: 'SETUP_LINK_NOT_ALLOWED', requestId },
      { status: 403, headers: NO_STORE },
    );
  }
  return NextResponse.json(
    { message: 'Sign in to the console first.', code: 'UNAUTHORIZED', requestId },
    { status: 401, headers: NO_STORE },
  );
}

/**
 * For route handlers: the connections actor when `name` allows the caller, otherwise the response to return.
 * A setup link that has ended answers like no session (401).
 */
export async function authorizeRoute(
  name: PermissionName,
): Promise<{ ok: true; actor: ConnectionsActor } | { ok: false; response: NextResponse }> {
  const check = await checkPermission(name);
  if (!check.ok) return { ok: false, response: refusalResponse(check) };
  const actor = await getConnectionsActor();
  if (!actor || actor === SETUP_LINK_ENDED) {
    return { ok: false, response: refusalResponse({ ok: false, reason: 'signed_out' }) };
  }
  return { ok: true, actor };
}
