import {
  breakGlassCreateRequestSchema,
  breakGlassCreatedSchema,
  breakGlassListSchema,
  type BreakGlassCreateRequest,
  type BreakGlassCreated,
  type BreakGlassCredential,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

/** Break-glass credentials (owner only; docs/ENFORCEMENT.md). */
export class SsoBreakGlass {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  async list(): Promise<BreakGlassCredential[]> {
    const res = await this.#http.send({
      method: 'GET',
      path: 'v1/sso/break-glass',
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, breakGlassListSchema).credentials;
  }

  /** The credential is in this answer only. Never retried: a repeat would make a second credential. */
  async create(input: BreakGlassCreateRequest): Promise<BreakGlassCreated> {
    const body = parseInput(breakGlassCreateRequestSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/sso/break-glass',
      body,
      authenticated: true,
      retryable: false,
    });
    return this.#http.parse(res, breakGlassCreatedSchema);
  }

  async delete(id: string): Promise<void> {
    await this.#http.send({
      method: 'DELETE',
      path: `v1/sso/break-glass/${encodeURIComponent(id)}`,
      authenticated: true,
      retryable: true,
    });
  }
}
