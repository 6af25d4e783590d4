import {
  ssoSessionCheckRequestSchema,
  ssoSessionCheckResponseSchema,
  ssoSessionListSchema,
  ssoSessionSchema,
  ssoSessionLogoutRequestSchema,
  ssoSessionLogoutResponseSchema,
  type SsoSession,
  type SsoSessionLogoutRequest,
  type SsoSessionLogoutResponse,
  type SsoSessionCheckRequest,
  type SsoSessionCheckResponse,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

const sessionPath = (id: string) => `v1/sso/sessions/${encodeURIComponent(id)}`;

/** Members' SSO sessions, opened by `sso.handleOidcCallback` / `sso.handleSamlCallback`. */
export class SsoSessions {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** The org's active SSO sessions, newest first. */
  async list(): Promise<SsoSession[]> {
    const res = await this.#http.send({ method: 'GET', path: 'v1/sso/sessions', authenticated: true, retryable: true });
    return this.#http.parse(res, ssoSessionListSchema).sessions;
  }

  /** One active session; a revoked, expired, unknown or another org's id is a not_found GrantexError. */
  async get(id: string): Promise<SsoSession> {
    const res = await this.#http.send({ method: 'GET', path: sessionPath(id), authenticated: true, retryable: true });
    return this.#http.parse(res, ssoSessionSchema);
  }

  async revoke(id: string): Promise<void> {
    await this.#http.send({ method: 'DELETE', path: sessionPath(id), authenticated: true, retryable: true });
  }

  /**
   * Public (no key): whether a member's SSO session is still active; any inactive case answers `{active: false}`.
   * A read, so retried like one.
   */
  async check(input: SsoSessionCheckRequest): Promise<SsoSessionCheckResponse> {
    const body = parseInput(ssoSessionCheckRequestSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'sso/sessions/check',
      body,
      authenticated: false,
      retryable: true,
    });
    return this.#http.parse(res, ssoSessionCheckResponseSchema);
  }

  /**
   * Public (no key, ours): ends a member's SSO session (the same credential as `check`) and returns the IdP's
   * logout URL to send the browser to, when the connection's IdP has one. Not retried: a second try after a
   * lost answer finds the session ended and returns no URL.
   */
  async logout(input: SsoSessionLogoutRequest): Promise<SsoSessionLogoutResponse> {
    const body = parseInput(ssoSessionLogoutRequestSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'sso/sessions/logout',
      body,
      authenticated: false,
      retryable: false,
    });
    return this.#http.parse(res, ssoSessionLogoutResponseSchema);
  }
}
