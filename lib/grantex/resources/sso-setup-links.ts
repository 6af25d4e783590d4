import {
  setupLinkCreatedSchema,
  setupLinkCreateSchema,
  setupLinkListSchema,
  setupLinkRedeemSchema,
  setupLinkSessionSchema,
  setupSessionCreatedSchema,
  setupSessionSchema,
  type SetupLink,
  type SetupLinkCreate,
  type SetupLinkCreated,
  type SetupLinkRedeem,
  type SetupLinkSession,
  type SetupSession,
  type SetupSessionCreated,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

/**
 * Links an org hands to its IT admin to set SSO up without an account. The org's API key creates, lists and
 * revokes links. A client constructed with a setup LINK token as its `apiKey` can only preview and redeem it;
 * redeeming returns a setup SESSION token, and a client constructed with that one works on the connection (and
 * domain) routes and `getSession`. The service refuses the rest.
 */
export class SsoSetupLinks {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** Never retried: a repeat after a lost answer would create a second link (and the token is shown once). */
  async create(input: SetupLinkCreate = {}): Promise<SetupLinkCreated> {
    const body = parseInput(setupLinkCreateSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/sso/setup-links',
      body,
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, setupLinkCreatedSchema);
  }

  async list(): Promise<SetupLink[]> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'v1/sso/setup-links',
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, setupLinkListSchema).setupLinks;
  }

  /** Revoking twice keeps the first revocation, so it is safe to retry. */
  async revoke(id: string): Promise<void> {
    await this.#http.send({
      method: 'DELETE',
      path: `v1/sso/setup-links/${encodeURIComponent(id)}`,
      authenticated: true,
      retryable: true,
    });
  }

  /** With the link token as the client's key: what the link is for (nothing recorded). */
  async preview(): Promise<SetupLinkSession> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'v1/sso/setup-links/preview',
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, setupLinkSessionSchema);
  }

  /**
   * With the link token as the client's key: records who is using the link and returns their setup session
   * (with its token, sent only here). Not retried (one redeem, one recorded use).
   */
  async redeem(input: SetupLinkRedeem): Promise<SetupSessionCreated> {
    const body = parseInput(setupLinkRedeemSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/sso/setup-links/session',
      body,
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, setupSessionCreatedSchema);
  }

  /** With the session token as the client's key: the setup session, if it is still usable (nothing recorded). */
  async getSession(): Promise<SetupSession> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'v1/sso/setup-links/session',
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, setupSessionSchema);
  }
}
