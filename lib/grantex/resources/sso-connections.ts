import {
  samlSpKeyListSchema,
  samlSpKeyUseRequestSchema,
  type SamlSpKey,
  type SpKeyUse,
  ssoConnectionCreateSchema,
  ssoConnectionListSchema,
  ssoConnectionPatchInputSchema,
  ssoConnectionSchema,
  ssoConnectionTestSchema,
  ssoMetadataRefreshResponseSchema,
  ssoTestSignInRequestSchema,
  ssoTestSignInResponseSchema,
  type SsoConnection,
  type SsoConnectionCreate,
  type SsoConnectionPatch,
  type SsoConnectionTest,
  type SsoMetadataRefreshResponse,
  type SsoTestSignInResponse,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

const connectionPath = (id: string) => `v1/sso/connections/${encodeURIComponent(id)}`;

/**
 * The org's SSO connections (OIDC and SAML). Another org's connection id is a not_found GrantexError, like an
 * unknown one.
 */
export class SsoConnections {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  async list(): Promise<SsoConnection[]> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'v1/sso/connections',
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoConnectionListSchema).connections;
  }

  /** Never retried: a repeat after a lost answer would create a second connection. */
  async create(input: SsoConnectionCreate): Promise<SsoConnection> {
    const body = parseInput(ssoConnectionCreateSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/sso/connections',
      body,
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, ssoConnectionSchema);
  }

  async get(id: string): Promise<SsoConnection> {
    const res = await this.#http.send({
      method: 'GET',
      path: connectionPath(id),
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoConnectionSchema);
  }

  /** Sets the given fields; repeating it sets the same values, so it is safe to retry. */
  async update(id: string, patch: SsoConnectionPatch): Promise<SsoConnection> {
    const body = parseInput(ssoConnectionPatchInputSchema, patch);
    const res = await this.#http.send({
      method: 'PATCH',
      path: connectionPath(id),
      body,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoConnectionSchema);
  }

  /** A SAML connection's SP keys (public certificates and states; the private keys never leave Grantex). */
  async spKeys(id: string): Promise<SamlSpKey[]> {
    const res = await this.#http.send({
      method: 'GET',
      path: `${connectionPath(id)}/sp-keys`,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, samlSpKeyListSchema).keys;
  }

  /** The first key of a use, else a `next` key published beside the current one. Never retried (a repeat is a 409). */
  async rotateSpKey(id: string, use: SpKeyUse): Promise<SamlSpKey[]> {
    const res = await this.#http.send({
      method: 'POST',
      path: `${connectionPath(id)}/sp-keys/rotate`,
      body: parseInput(samlSpKeyUseRequestSchema, { use }),
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, samlSpKeyListSchema).keys;
  }

  /** The `next` key of a use becomes `current`. Never retried (a repeat would promote again). */
  async promoteSpKey(id: string, use: SpKeyUse): Promise<SamlSpKey[]> {
    const res = await this.#http.send({
      method: 'POST',
      path: `${connectionPath(id)}/sp-keys/promote`,
      body: parseInput(samlSpKeyUseRequestSchema, { use }),
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, samlSpKeyListSchema).keys;
  }

  /** Removes a previous or next key (or the only key of a use, when it is not in use). */
  async retireSpKey(id: string, keyId: string): Promise<SamlSpKey[]> {
    const res = await this.#http.send({
      method: 'DELETE',
      path: `${connectionPath(id)}/sp-keys/${encodeURIComponent(keyId)}`,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, samlSpKeyListSchema).keys;
  }

  async delete(id: string): Promise<void> {
    await this.#http.send({ method: 'DELETE', path: connectionPath(id), authenticated: true, retryable: true });
  }

  /** Checks a connection's settings against its IdP now: success, or why not (the 422 answer). */
  async test(id: string): Promise<SsoConnectionTest> {
    const res = await this.#http.send({
      method: 'POST',
      path: `${connectionPath(id)}/test`,
      authenticated: true,
      retryable: true,
      answerStatuses: [422],
    });
    return this.#http.parse(res, ssoConnectionTestSchema);
  }

  /** Starts a test sign-in on a connection of any status; it finishes at `sso.handleCallback` and opens no session. */
  async startTestSignIn(id: string, opts: { redirectUri?: string } = {}): Promise<SsoTestSignInResponse> {
    const body = parseInput(ssoTestSignInRequestSchema, { redirect_uri: opts.redirectUri });
    const res = await this.#http.send({
      method: 'POST',
      path: `${connectionPath(id)}/test-sign-in`,
      body,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoTestSignInResponseSchema);
  }

  /**
   * Fetches a SAML connection's IdP metadata again from its URL now and applies it as the scheduled refresh does
   * (new certificates added, an entity ID change only warned about). Not retried: a refresh is not idempotent.
   */
  async refreshMetadata(id: string): Promise<SsoMetadataRefreshResponse> {
    const res = await this.#http.send({
      method: 'POST',
      path: `${connectionPath(id)}/metadata/refresh`,
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, ssoMetadataRefreshResponseSchema);
  }

  /** A SAML connection's SP metadata XML (public at Grantex), for the console's download link. */
  async getSamlMetadata(id: string): Promise<string> {
    const res = await this.#http.send({
      method: 'GET',
      path: `sso/saml/${encodeURIComponent(id)}/metadata`,
      authenticated: false,
      retryable: true,
    });
    return res.text;
  }
}
