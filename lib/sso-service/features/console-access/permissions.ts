/**
 * THE service-side role table for console sessions (defence in depth: the console checks roles too). Every
 * authenticated route a console session may call is listed by method and route pattern with the lowest role
 * that may call it; a route not listed is refused to every console session. The org's API key is an owner
 * everywhere; setup sessions keep their own allow-list (http/auth.ts). `registerConsoleRouteCheck` refuses to
 * start the service when an authenticated `/v1/` route is in neither this table nor PUBLIC_OR_KEY_ONLY_ROUTES,
 * so a new route cannot be added without deciding who may call it.
 */
import type { ConsoleRole } from '@/lib/contract';

export const CONSOLE_ROUTE_ROLES: Readonly<Record<string, ConsoleRole>> = {
  // the org
  'GET /v1/me': 'viewer',
  // console access
  'GET /v1/console/me': 'viewer',
  'DELETE /v1/console/session': 'viewer',
  'GET /v1/sso/enforcement': 'viewer',
  'POST /v1/sso/enforce': 'owner',
  'GET /v1/sso/break-glass': 'owner',
  'POST /v1/sso/break-glass': 'owner',
  'DELETE /v1/sso/break-glass/:id': 'owner',
  // connections
  'GET /v1/sso/connections': 'viewer',
  'GET /v1/sso/connections/:id': 'viewer',
  'POST /v1/sso/connections': 'admin',
  'PATCH /v1/sso/connections/:id': 'admin',
  'DELETE /v1/sso/connections/:id': 'owner',
  'POST /v1/sso/connections/:id/test': 'admin',
  'POST /v1/sso/connections/:id/test-sign-in': 'admin',
  'POST /v1/sso/connections/:id/metadata/refresh': 'admin',
  'GET /v1/sso/connections/:id/sp-keys': 'viewer',
  'POST /v1/sso/connections/:id/sp-keys/rotate': 'admin',
  'POST /v1/sso/connections/:id/sp-keys/promote': 'admin',
  'DELETE /v1/sso/connections/:id/sp-keys/:keyId': 'admin',
  // the legacy config (the default connection): deleting it deletes a connection
  'GET /v1/sso/config': 'viewer',
  'POST /v1/sso/config': 'admin',
  'DELETE /v1/sso/config': 'owner',
  // domains
  'GET /v1/sso/domains': 'viewer',
  'POST /v1/sso/domains': 'admin',
  'POST /v1/sso/domains/:domain/verify': 'admin',
  'DELETE /v1/sso/domains/:domain': 'admin',
  // members' sessions
  'GET /v1/sso/sessions': 'viewer',
  'GET /v1/sso/sessions/:id': 'viewer',
  'DELETE /v1/sso/sessions/:id': 'admin',
  // activity, audit, stats, events
  'GET /v1/sso/events': 'viewer',
  'GET /v1/sso/audit': 'viewer',
  'GET /v1/sso/stats': 'viewer',
  'GET /v1/events': 'viewer',
  'GET /v1/events/stream': 'viewer',
  // setup links
  'GET /v1/sso/setup-links': 'viewer',
  'POST /v1/sso/setup-links': 'admin',
  'DELETE /v1/sso/setup-links/:id': 'admin',
  // directory sync
  'GET /v1/scim/tokens': 'viewer',
  'POST /v1/scim/tokens': 'admin',
  'DELETE /v1/scim/tokens/:id': 'admin',
  'GET /v1/scim/users': 'viewer',
  'GET /v1/scim/groups': 'viewer',
  // webhooks
  'GET /v1/webhooks': 'viewer',
  'GET /v1/webhooks/:id': 'viewer',
  'GET /v1/webhooks/:id/deliveries': 'viewer',
  'POST /v1/webhooks': 'admin',
  'PATCH /v1/webhooks/:id': 'admin',
  'DELETE /v1/webhooks/:id': 'admin',
  'POST /v1/webhooks/:id/rotate-secret': 'admin',
  'POST /v1/webhooks/:id/deliveries/:deliveryId/redeliver': 'admin',
};

/**
 * `/v1/` routes outside the table on purpose: public ones (signup, the break-glass sign-in) and the setup link's
 * own routes (a link or setup-session token, never a console session).
 */
export const PUBLIC_OR_KEY_ONLY_ROUTES: ReadonlySet<string> = new Set([
  'POST /v1/signup',
  'POST /v1/console/break-glass',
  'GET /v1/sso/setup-links/preview',
  'POST /v1/sso/setup-links/session',
  'GET /v1/sso/setup-links/session',
]);

/** The table's key of a request's route (HEAD is GET's). */
export function routeKey(method: string, url: string | undefined): string {
  return `${method === 'HEAD' ? 'GET' : method} ${url ?? ''}`;
}

/** The lowest role that may call a route; undefined: no console session may. */
export function roleForRoute(method: string, url: string | undefined): ConsoleRole | undefined {
  const key = routeKey(method, url);
  return Object.prototype.hasOwnProperty.call(CONSOLE_ROUTE_ROLES, key) ? CONSOLE_ROUTE_ROLES[key] : undefined;
}
