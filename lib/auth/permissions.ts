/**
 * THE permission table: every server action (exports of `app/**\/*actions.ts`) and every route handler
 * (`app/**\/route.ts`, per HTTP method) of the console, with the console roles that may call it. Browser-safe
 * data (pages read it to disable what a role cannot use); the checks are made by the action wrappers
 * (lib/auth/action.ts) and the route handlers (lib/auth/authorize.ts), and tests/unit/console-permissions.test.ts
 * fails when an action or route is missing here and walks the table with a session of every role.
 *
 * `public`: anyone may call it (sign-in, a member's SSO login, a setup link's redemption); the handler does its
 * own checks. `setupLink`: whether a setup-link session (the customer's IT admin) may call it too — its scope is
 * the organization's connections, their domains and the directory, nothing else.
 */
import { roleAtLeast, weakestRole, type ConsoleRole } from './roles';

export interface Permission {
  kind: 'action' | 'route' | 'flow';
  /** The file, relative to the project root. */
  file: string;
  /** The export's name (actions, flows) or the HTTP method (routes). */
  name: string;
  roles: 'public' | readonly ConsoleRole[];
  setupLink: boolean;
}

const OWNER = ['owner'] as const;
const ADMINS = ['owner', 'admin'] as const;
const EVERYONE = ['owner', 'admin', 'viewer'] as const;

const CONNECTION = 'app/settings/sso/[connectionId]';
const connectionWrite = (file: string, name: string): Permission => ({
  kind: 'action',
  file: `${CONNECTION}/${file}`,
  name,
  roles: ADMINS,
  setupLink: true,
});
const action = (file: string, name: string, roles: Permission['roles'], setupLink = false): Permission => ({
  kind: 'action',
  file,
  name,
  roles,
  setupLink,
});
const route = (file: string, name: string, roles: Permission['roles'], setupLink = false): Permission => ({
  kind: 'route',
  file,
  name,
  roles,
  setupLink,
});

export const PERMISSIONS = {
  // Connections (the setup link's whole purpose). Deleting one is the owner's; a setup link never could.
  createOidcConnection: action('app/settings/sso/new/actions.ts', 'createOidcConnection', ADMINS, true),
  createSamlConnection: action('app/settings/sso/new/actions.ts', 'createSamlConnection', ADMINS, true),
  updateOidcConnection: connectionWrite('actions.ts', 'updateOidcConnection'),
  setConnectionStatus: connectionWrite('actions.ts', 'setConnectionStatus'),
  deleteConnection: action(`${CONNECTION}/actions.ts`, 'deleteConnection', OWNER),
  moveToOwnRedirectUri: connectionWrite('actions.ts', 'moveToOwnRedirectUri'),
  setIdpSloUrl: connectionWrite('logout-actions.ts', 'setIdpSloUrl'),
  updateSamlConnection: connectionWrite('saml-actions.ts', 'updateSamlConnection'),
  addSamlCertificate: connectionWrite('saml-actions.ts', 'addSamlCertificate'),
  removeSamlCertificate: connectionWrite('saml-actions.ts', 'removeSamlCertificate'),
  useConsoleSamlAcs: connectionWrite('saml-actions.ts', 'useConsoleSamlAcs'),
  refreshSamlMetadata: connectionWrite('saml-actions.ts', 'refreshSamlMetadata'),
  setSignAuthnRequests: connectionWrite('saml-actions.ts', 'setSignAuthnRequests'),
  rotateSpKey: connectionWrite('saml-actions.ts', 'rotateSpKey'),
  promoteSpKey: connectionWrite('saml-actions.ts', 'promoteSpKey'),
  retireSpKey: connectionWrite('saml-actions.ts', 'retireSpKey'),
  addConnectionDomain: connectionWrite('domain-actions.ts', 'addConnectionDomain'),
  verifyConnectionDomain: connectionWrite('domain-actions.ts', 'verifyConnectionDomain'),
  removeConnectionDomain: connectionWrite('domain-actions.ts', 'removeConnectionDomain'),
  saveAttributeMapping: connectionWrite('policy-actions.ts', 'saveAttributeMapping'),
  saveSessionPolicy: connectionWrite('policy-actions.ts', 'saveSessionPolicy'),
  // Who gets which console role decides who may do all of the above: the owner's alone, never a setup link's.
  saveConsoleRoles: action(`${CONNECTION}/console-role-actions.ts`, 'saveConsoleRoles', OWNER),
  // The test sign-in (inside POST /sso/start, mode=test) runs a login with the connection as configured.
  startTestSignIn: {
    kind: 'flow',
    file: 'lib/console/member-login/start-test.ts',
    name: 'startTestSignIn',
    roles: ADMINS,
    setupLink: true,
  },

  // Directory sync (part of setting SSO up, so a setup link may too).
  createScimToken: action('app/settings/sso/directory/actions.ts', 'createScimToken', ADMINS, true),
  revokeScimToken: action('app/settings/sso/directory/actions.ts', 'revokeScimToken', ADMINS, true),
  setDirectoryUsersOnly: action('app/settings/sso/directory/actions.ts', 'setDirectoryUsersOnly', ADMINS, true),

  // The organization's own settings: admins, never a setup link.
  revokeSsoSession: action('app/settings/sso/sessions/actions.ts', 'revokeSsoSession', ADMINS),
  createSetupLink: action('app/settings/sso/setup-links/actions.ts', 'createSetupLink', ADMINS),
  revokeSetupLink: action('app/settings/sso/setup-links/actions.ts', 'revokeSetupLink', ADMINS),
  createWebhook: action('app/settings/sso/webhooks/actions.ts', 'createWebhook', ADMINS),
  setWebhookEnabled: action('app/settings/sso/webhooks/actions.ts', 'setWebhookEnabled', ADMINS),
  deleteWebhook: action('app/settings/sso/webhooks/actions.ts', 'deleteWebhook', ADMINS),
  redeliverWebhook: action('app/settings/sso/webhooks/actions.ts', 'redeliverWebhook', ADMINS),

  // Security: enforcement and break-glass credentials are the owner's.
  setEnforcement: action('app/settings/sso/security/actions.ts', 'setEnforcement', OWNER),
  createBreakGlassCredential: action('app/settings/sso/security/actions.ts', 'createBreakGlassCredential', OWNER),
  deleteBreakGlassCredential: action('app/settings/sso/security/actions.ts', 'deleteBreakGlassCredential', OWNER),

  // Signing in: anyone.
  createDemoOrganization: action('app/signin/actions.ts', 'createDemoOrganization', 'public'),
  breakGlassSignIn: action('app/signin/break-glass/actions.ts', 'breakGlassSignIn', 'public'),
  redeemSetupLink: action('app/setup/actions.ts', 'redeemSetupLink', 'public'),

  // Route handlers.
  'GET /api/auth/[...nextauth]': route('app/api/auth/[...nextauth]/route.ts', 'GET', 'public'),
  'POST /api/auth/[...nextauth]': route('app/api/auth/[...nextauth]/route.ts', 'POST', 'public'),
  'GET /api/sso/test-result': route('app/api/sso/test-result/route.ts', 'GET', ADMINS, true),
  'GET /member/check': route('app/member/check/route.ts', 'GET', 'public'),
  'POST /member/sign-out': route('app/member/sign-out/route.ts', 'POST', 'public'),
  'GET /settings/sso/[connectionId]/saml-metadata': route(
    'app/settings/sso/[connectionId]/saml-metadata/route.ts',
    'GET',
    EVERYONE,
    true,
  ),
  'GET /settings/sso/activity/export': route('app/settings/sso/activity/export/route.ts', 'GET', EVERYONE),
  'GET /sso/callback/[key]': route('app/sso/callback/[key]/route.ts', 'GET', 'public'),
  'GET /sso/callback': route('app/sso/callback/route.ts', 'GET', 'public'),
  'POST /sso/callback/saml/continue': route('app/sso/callback/saml/continue/route.ts', 'POST', 'public'),
  'POST /sso/callback/saml': route('app/sso/callback/saml/route.ts', 'POST', 'public'),
  // A member's or an admin's SSO sign-in starts here (public); its test flow is checked as startTestSignIn.
  'POST /sso/start': route('app/sso/start/route.ts', 'POST', 'public'),
} as const satisfies Record<string, Permission>;

export type PermissionName = keyof typeof PERMISSIONS;

/** Who is calling: a signed-in admin with a console role, a setup-link user, or nobody. */
export type Caller = { kind: 'admin'; role: ConsoleRole } | { kind: 'setup_link' } | null;

export type Decision =
  | { ok: true }
  | { ok: false; reason: 'signed_out' | 'setup_link' }
  | { ok: false; reason: 'role'; needed: ConsoleRole };

/** Whether `caller` may call the permission's action or route (pure: the table is the only input). */
export function decide(name: PermissionName, caller: Caller): Decision {
  const entry: Permission = PERMISSIONS[name];
  if (entry.roles === 'public') return { ok: true };
  if (!caller) return { ok: false, reason: 'signed_out' };
  if (caller.kind === 'setup_link') return entry.setupLink ? { ok: true } : { ok: false, reason: 'setup_link' };
  if (entry.roles.includes(caller.role)) return { ok: true };
  return { ok: false, reason: 'role', needed: weakestRole(entry.roles) };
}

/** For pages: may this role use the control? (null role: a setup-link user.) */
export function allows(name: PermissionName, role: ConsoleRole | null): boolean {
  return decide(name, role === null ? { kind: 'setup_link' } : { kind: 'admin', role }).ok;
}

/** The lowest role the permission needs (for the "needs the … role" text of a disabled control). */
export function neededRole(name: PermissionName): ConsoleRole | null {
  const entry: Permission = PERMISSIONS[name];
  return entry.roles === 'public' ? null : weakestRole(entry.roles);
}

export { roleAtLeast };
