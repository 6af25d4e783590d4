import {
  breakGlassSignInRequestSchema,
  breakGlassSignInResponseSchema,
  consoleMeSchema,
  type BreakGlassSignInResponse,
  type ConsoleMe,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

/**
 * The console's own access (ours; docs/ENFORCEMENT.md): who the bearer is (the API key, or a console session's
 * `gxc_` token given as the client's `apiKey`), signing a console session out, and the break-glass sign-in.
 */
export class Console {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** The bearer's role and how it got in; an API key answers owner via api_key. */
  async me(): Promise<ConsoleMe> {
    const res = await this.#http.send({ method: 'GET', path: 'v1/console/me', authenticated: true, retryable: true });
    return this.#http.parse(res, consoleMeSchema);
  }

  /** Revokes the bearer console session (a repeat finds it revoked: 401, which signing out may ignore). */
  async signOut(): Promise<void> {
    await this.#http.send({ method: 'DELETE', path: 'v1/console/session', authenticated: true, retryable: false });
  }

  /**
   * Public (no key): trades a break-glass credential for a one-hour owner console session. Never retried: each
   * attempt counts against the rate limit and a success opens a session.
   */
  async breakGlassSignIn(credential: string): Promise<BreakGlassSignInResponse> {
    const body = parseInput(breakGlassSignInRequestSchema, { credential });
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/console/break-glass',
      body,
      authenticated: false,
      retryable: false,
    });
    return this.#http.parse(res, breakGlassSignInResponseSchema);
  }
}
