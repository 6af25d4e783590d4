import type { EventStreamOptions } from './features/event-stream/routes';
import type { ServiceConfig } from './config';
import type { TxtResolver } from './features/domains/dns-txt';
import type { AuditRecorder, SignInEventRecorder } from './features/events/recorder';
import type { UnattributedAttempts } from './features/events/unattributed';
import type { SecretBox } from './crypto/secret-box';
import type { StateSealer } from './crypto/login-state';
import type { RelayStates } from './features/login/relay-state';
import type { MetadataRefreshDeps } from './features/connections/metadata-refresh';
import type { ServiceStore } from './storage';
import type { ServiceLogger } from './http/logger';
import type { IssuerCheckMemo } from './features/connections/issuer-check-memo';
import type { LoginProtocols } from './protocols';
import type { RelyingPartyPort } from './relying-party-port';
import type { LogoutSigningKeyOf } from './features/logout/service';
import type { ServiceMetrics } from './features/metrics';

/** Everything a route needs, built once per service instance. */
export interface ServiceContext {
  config: ServiceConfig;
  store: ServiceStore;
  secretBox: SecretBox;
  states: StateSealer;
  /** SAML logins' sealed states under short RelayState handles (features/login/relay-state.ts). */
  relayStates: RelayStates;
  rp: RelyingPartyPort;
  /** rp.checkIssuer behind a short-lived memo of successes (see features/connections/issuer-check-memo.ts). */
  issuerChecks: IssuerCheckMemo;
  /** Each connection protocol behind the one seam routes use (start a login, complete it, check settings). */
  protocols: LoginProtocols;
  logger: ServiceLogger;
  now: () => number;
  /** Sign-in events, batched off the request path (events/). */
  signIns: SignInEventRecorder;
  /** Audit trail of admin changes: `ctx.audit.record({ developerId, actor, action, target, changedFields })`. */
  audit: AuditRecorder;
  /** Attempts naming an org they cannot prove to belong to: counted, never stored as its events. */
  unattributed: UnattributedAttempts;
  /** The SP key that signs a SAML connection's logout messages: its current SP signing key (features/sp-keys). */
  samlLogoutSigningKey: LogoutSigningKeyOf;
  /** TXT lookups for domain verification, on demand and in the daily re-check (SSO_DNS_SERVERS). */
  dns: TxtResolver;
  /**
   * The IdP metadata refresh's settings, shared by the background runs and "refresh now"
   * (features/connections/metadata-refresh.ts).
   */
  metadataRefresh: MetadataRefreshDeps;
  /** OpenTelemetry metrics (features/metrics); no-ops unless an OTLP endpoint is configured. */
  metrics: ServiceMetrics;
  /** The event stream's poll, settle, keepalive and stall intervals and stream bounds (tests shorten them). */
  eventStream?: EventStreamOptions;
  /** Set once the service is shutting down (index.ts `close()`): readiness answers 503 from then on. */
  shutdown?: { draining: boolean };
}
