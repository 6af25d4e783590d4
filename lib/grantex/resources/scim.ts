import {
  scimTokenCreatedSchema,
  scimTokenCreateSchema,
  scimTokenListSchema,
  directoryGroupListSchema,
  directoryUserListSchema,
  type DirectoryGroupList,
  type DirectoryListQuery,
  type DirectoryUserList,
  type ScimToken,
  type ScimTokenCreate,
  type ScimTokenCreated,
  type ScimTokenList,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

function queryString(query: DirectoryListQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query))
    if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Directory sync tokens, named as the official SDKs name them (`scim.createToken`, `listTokens`, `revokeToken`).
 * The org's API key or a setup session manages them; the SCIM endpoints themselves take the token the directory
 * (Entra ID, Okta, …) is configured with, not this client's key.
 */
export class Scim {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** Never retried: a repeat after a lost answer would make a second token (and the token is shown once). */
  async createToken(input: ScimTokenCreate): Promise<ScimTokenCreated> {
    const body = parseInput(scimTokenCreateSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/scim/tokens',
      body,
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, scimTokenCreatedSchema);
  }

  async listTokens(): Promise<ScimToken[]> {
    return (await this.listTokensWithBaseUrl()).tokens;
  }

  /** The tokens and the SCIM base URL to paste into the IdP beside one (ours; absent from upstream's answer). */
  async listTokensWithBaseUrl(): Promise<ScimTokenList> {
    const res = await this.#http.send({ method: 'GET', path: 'v1/scim/tokens', authenticated: true, retryable: true });
    return this.#http.parse(res, scimTokenListSchema);
  }

  /** The org's provisioned people, every directory (ours): search, state and paging as the console offers them. */
  async listDirectoryUsers(query: DirectoryListQuery = {}): Promise<DirectoryUserList> {
    const res = await this.#http.send({
      method: 'GET',
      path: `v1/scim/users${queryString(query)}`,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, directoryUserListSchema);
  }

  async listDirectoryGroups(query: Omit<DirectoryListQuery, 'state'> = {}): Promise<DirectoryGroupList> {
    const res = await this.#http.send({
      method: 'GET',
      path: `v1/scim/groups${queryString(query)}`,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, directoryGroupListSchema);
  }

  /** A revoked token is refused at once by every process of the service. */
  async revokeToken(id: string): Promise<void> {
    await this.#http.send({
      method: 'DELETE',
      path: `v1/scim/tokens/${encodeURIComponent(id)}`,
      authenticated: true,
      retryable: true,
    });
  }
}
