/**
 * The console's Grantex client: the only code that knows Grantex URLs and JSON.
 *
 * Works unchanged against the embedded service and the hosted API. Grouped by resource as the official Grantex
 * SDKs are (`client.sso.connections.list()`, `client.sso.getConfig()`, `client.orgs.me()`); every resource shares
 * one transport (lib/grantex/transport.ts), which parses every answer with the shared contract schemas and turns
 * every failure into a GrantexError. No `server-only` import here so tests, scripts and benchmarks can use it; the
 * console reaches it through lib/grantex/server.ts.
 */
import { Console } from './resources/console';
import { Events } from './resources/events';
import { Orgs } from './resources/orgs';
import { Scim } from './resources/scim';
import { Sso } from './resources/sso';
import { Webhooks } from './resources/webhooks';
import { GrantexTransport, type GrantexClientOptions } from './transport';

export class GrantexClient {
  /** Signing an organization up, and the one the API key belongs to. */
  readonly orgs: Orgs;
  /** Enterprise SSO: config, member login and callbacks, and its connections, domains, sessions, setup links, events, audit. */
  readonly sso: Sso;
  /** Directory sync: the SCIM tokens an org's directory provisions with. */
  readonly scim: Scim;
  /** Webhook endpoints: where the org's events are delivered, signed. */
  readonly webhooks: Webhooks;
  /** The org's events read back, oldest first with a resumable cursor. */
  readonly events: Events;
  /** Console access: who the bearer is, signing a console session out, the break-glass sign-in. */
  readonly console: Console;

  constructor(opts: GrantexClientOptions) {
    // One transport holds the key; the resources keep it in #private fields, which console.log and JSON.stringify skip.
    const http = new GrantexTransport(opts);
    this.orgs = new Orgs(http);
    this.sso = new Sso(http);
    this.scim = new Scim(http);
    this.webhooks = new Webhooks(http);
    this.events = new Events(http);
    this.console = new Console(http);
  }
}

export {
  CLIENT_VERSION,
  DEFAULT_USER_AGENT,
  parseRetryAfter,
  retryDelayMs,
  type GrantexClientOptions,
} from './transport';
export type { EventsPage } from './resources/sso-events';
export { Console } from './resources/console';
export { Events } from './resources/events';
export { Orgs } from './resources/orgs';
export { Scim } from './resources/scim';
export { Sso } from './resources/sso';
export { SsoBreakGlass } from './resources/sso-break-glass';
export { SsoConnections } from './resources/sso-connections';
export { SsoDomains } from './resources/sso-domains';
export { SsoAudit, SsoEvents } from './resources/sso-events';
export { SsoSessions } from './resources/sso-sessions';
export { SsoSetupLinks } from './resources/sso-setup-links';
export { Webhooks } from './resources/webhooks';
