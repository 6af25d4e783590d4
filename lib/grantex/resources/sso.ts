import {
  ssoCallbackResponseSchema,
  ssoConfigRequestSchema,
  ssoConfigSchema,
  ssoDomainLoginResponseSchema,
  ssoLoginResponseSchema,
  ssoOidcCallbackRequestSchema,
  ssoPublicConnectionListSchema,
  ssoSamlCallbackRequestSchema,
  ssoSamlSignInResultSchema,
  ssoSessionCallbackResponseSchema,
  ssoEnforceRequestSchema,
  ssoEnforceResponseSchema,
  ssoEnforcementSchema,
  type LoginIntent,
  type SsoEnforceResponse,
  type SsoEnforcement,
  type SsoCallbackResponse,
  type SsoConfig,
  type SsoConfigRequest,
  type SsoDomainLoginResponse,
  type SsoLoginResponse,
  type SsoPublicConnection,
  type SsoPublicConnectionList,
  type SsoSamlTestCallbackResponse,
  type SsoSessionCallbackResponse,
} from '@/lib/contract';
import { GrantexError } from '../errors';
import { parseInput, type GrantexTransport } from '../transport';
import { SsoBreakGlass } from './sso-break-glass';
import { SsoConnections } from './sso-connections';
import { SsoDomains } from './sso-domains';
import { SsoAudit, SsoEvents } from './sso-events';
import { SsoSessions } from './sso-sessions';
import { SsoSetupLinks } from './sso-setup-links';

/**
 * Enterprise SSO, named as the official SDK's `grantex.sso`: the legacy one-per-org config, the member login
 * (login URL, chooser, callbacks) on the resource itself, and the org's connections, domains, sessions, setup
 * links, sign-in log and audit trail as sub-resources.
 */
export class Sso {
  readonly connections: SsoConnections;
  readonly domains: SsoDomains;
  readonly sessions: SsoSessions;
  readonly setupLinks: SsoSetupLinks;
  readonly events: SsoEvents;
  readonly audit: SsoAudit;
  /** Break-glass credentials (owner only). */
  readonly breakGlass: SsoBreakGlass;
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
    this.connections = new SsoConnections(http);
    this.domains = new SsoDomains(http);
    this.sessions = new SsoSessions(http);
    this.setupLinks = new SsoSetupLinks(http);
    this.events = new SsoEvents(http);
    this.audit = new SsoAudit(http);
    this.breakGlass = new SsoBreakGlass(http);
  }

  /**
   * The org's SSO enforcement, each connection's `enforce`, and the last break-glass use; with `email`, whether
   * that person must sign in with SSO (`ssoRequired`) and the connection their verified domain routes to.
   */
  async getEnforcement(email?: string): Promise<SsoEnforcement> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'v1/sso/enforcement',
      query: { email },
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoEnforcementSchema);
  }

  /**
   * Grantex's `setEnforcement`: `POST /v1/sso/enforce {enforce}` (owner only). Switching it on needs an owner's
   * SSO console sign-in within the last hour (409 `ENFORCEMENT_NEEDS_OWNER_SSO` otherwise). Idempotent.
   */
  async setEnforcement(enforce: boolean): Promise<SsoEnforceResponse> {
    const body = parseInput(ssoEnforceRequestSchema, { enforce });
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/sso/enforce',
      body,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoEnforceResponseSchema);
  }

  /** Upsert per developer: repeating it stores the same thing, so it is safe to retry. */
  async createConfig(input: SsoConfigRequest): Promise<SsoConfig> {
    const body = parseInput(ssoConfigRequestSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/sso/config',
      body,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoConfigSchema);
  }

  /** `null` only for the contract's "SSO config not found"; a 404 from a wrong base URL still throws. */
  async getConfig(): Promise<SsoConfig | null> {
    try {
      const res = await this.#http.send({ method: 'GET', path: 'v1/sso/config', authenticated: true, retryable: true });
      return this.#http.parse(res, ssoConfigSchema);
    } catch (error) {
      if (error instanceof GrantexError && error.kind === 'not_found' && error.code === 'NOT_FOUND') return null;
      throw error;
    }
  }

  async deleteConfig(): Promise<void> {
    await this.#http.send({
      method: 'DELETE',
      path: 'v1/sso/config',
      authenticated: true,
      retryable: true,
      // handled in send(): a 404 after an attempt that may have deleted already means success
    });
  }

  // The member login: public calls (no key), made for the member's browser.

  async getLoginUrl(
    org: string,
    opts: { domain?: string; redirectUri?: string; intent?: LoginIntent } = {},
  ): Promise<SsoLoginResponse> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'sso/login',
      query: { org, domain: opts.domain, redirect_uri: opts.redirectUri, intent: opts.intent },
      authenticated: false,
      retryable: true,
    });
    return this.#http.parse(res, ssoLoginResponseSchema);
  }

  /** Starts a member login by email domain alone: only a domain verified by an org routes; says which org. */
  async getLoginUrlByDomain(
    domain: string,
    opts: { redirectUri?: string; intent?: LoginIntent } = {},
  ): Promise<SsoDomainLoginResponse> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'sso/login',
      query: { domain, redirect_uri: opts.redirectUri, intent: opts.intent },
      authenticated: false,
      retryable: true,
    });
    return this.#http.parse(res, ssoDomainLoginResponseSchema);
  }

  /** Starts a member login on one connection of the org (the chooser's choice). */
  async getLoginUrlForConnection(
    org: string,
    connection: string,
    opts: { redirectUri?: string; intent?: LoginIntent } = {},
  ): Promise<SsoLoginResponse> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'sso/login',
      query: { org, connection, redirect_uri: opts.redirectUri, intent: opts.intent },
      authenticated: false,
      retryable: true,
    });
    return this.#http.parse(res, ssoLoginResponseSchema);
  }

  /**
   * The member's chooser with the org it belongs to: `{ connections, organization?: { id, name } }`.
   * `organization` is absent when the API does not send it (a hosted API).
   */
  async getPublicChooser(org: string): Promise<SsoPublicConnectionList> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'sso/connections',
      query: { org },
      authenticated: false,
      retryable: true,
    });
    return this.#http.parse(res, ssoPublicConnectionListSchema);
  }

  /** The org's active connections (id, name, protocol) for the member's chooser. */
  async listPublicConnections(org: string): Promise<SsoPublicConnection[]> {
    return (await this.getPublicChooser(org)).connections;
  }

  /**
   * The legacy callback: the identity, no session. Never retried: the state is consumed by the first attempt, so
   * a retry could only answer "already been used" and hide the real error.
   */
  async handleCallback(
    code: string,
    state: string,
    opts: { iss?: string; redirectUri?: string } = {},
  ): Promise<SsoCallbackResponse> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'sso/callback',
      // redirect_uri: the callback URL the response arrived at; the service refuses it unless it is the one
      // registered on the connection the state names (the IdP mix-up defence).
      query: { code, state, iss: opts.iss, redirect_uri: opts.redirectUri },
      authenticated: false,
      retryable: false,
    });
    return this.#http.parse(res, ssoCallbackResponseSchema);
  }

  /**
   * A member sign-in: opens an SSO session (principal upserted when the connection provisions just in time). For
   * a login started with `intent: 'console'` the answer also carries `console` (the console session's token, role
   * and end); without a console role it is a 403 `CONSOLE_ROLE_MISSING` and nothing is opened.
   * Never retried, for the same reason as handleCallback.
   */
  async handleOidcCallback(
    code: string,
    state: string,
    opts: { iss?: string; redirectUri?: string } = {},
  ): Promise<SsoSessionCallbackResponse> {
    const body = parseInput(ssoOidcCallbackRequestSchema, {
      code,
      state,
      iss: opts.iss,
      redirect_uri: opts.redirectUri,
    });
    const res = await this.#http.send({
      method: 'POST',
      path: 'sso/callback/oidc',
      body,
      authenticated: false,
      retryable: false,
    });
    return this.#http.parse(res, ssoSessionCallbackResponseSchema);
  }

  /**
   * Forwards what the IdP posted to the console's ACS (`SAMLResponse`, `RelayState`) to the service's ACS. A
   * member sign-in answers the session (as handleOidcCallback); a test sign-in's state answers the identity with
   * `test: true` and opens no session. `connectionId`: the `?connection=` of the ACS URL the IdP posted to
   * (needed only for IdP-initiated sign-in). Never retried (single use).
   */
  async handleSamlCallback(input: {
    samlResponse: string;
    relayState?: string;
    connectionId?: string;
  }): Promise<SsoSessionCallbackResponse | SsoSamlTestCallbackResponse> {
    const body = parseInput(ssoSamlCallbackRequestSchema, {
      SAMLResponse: input.samlResponse,
      RelayState: input.relayState,
    });
    const res = await this.#http.send({
      method: 'POST',
      path: 'sso/callback/saml',
      query: { connection: input.connectionId },
      body,
      authenticated: false,
      retryable: false,
    });
    return this.#http.parse(res, ssoSamlSignInResultSchema);
  }

  /**
   * Tells the service the IdP answered the login with `error` instead of a code, so its sign-in log records it
   * (`GET /sso/callback?error=&error_description=&state=`, never retried). The report consumes the state, as a
   * callback would: true when the service recorded it; false when the state was expired or already used (nothing
   * is recorded), when the service does not know this form (the hosted API answers "code and state are
   * required"), or when it failed.
   */
  async reportIdpError(state: string, error: string, description?: string | null): Promise<boolean> {
    try {
      await this.#http.send({
        method: 'GET',
        path: 'sso/callback',
        query: { state, error, error_description: description ?? undefined },
        authenticated: false,
        retryable: false,
      });
      return false;
    } catch (err) {
      return err instanceof GrantexError && err.status === 400 && err.code === 'SSO_ERROR';
    }
  }
}
