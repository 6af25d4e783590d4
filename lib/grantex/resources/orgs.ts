import {
  meResponseSchema,
  signupRequestSchema,
  signupResponseSchema,
  type MeResponse,
  type SignupRequest,
  type SignupResponse,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

/** The organization itself (a Grantex "developer"): signing one up, and the one an API key belongs to. */
export class Orgs {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  /** Public (no key). Never retried: a repeat after a lost answer would create a second organization. */
  async signup(input: SignupRequest): Promise<SignupResponse> {
    const body = parseInput(signupRequestSchema, input);
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/signup',
      body,
      authenticated: false,
      retryable: false,
    });
    return this.#http.parse(res, signupResponseSchema);
  }

  /** The organization the client's API key belongs to. */
  async me(): Promise<MeResponse> {
    const res = await this.#http.send({ method: 'GET', path: 'v1/me', authenticated: true, retryable: true });
    return this.#http.parse(res, meResponseSchema);
  }
}
