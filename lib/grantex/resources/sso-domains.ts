import {
  ssoDomainCreateSchema,
  ssoDomainListSchema,
  ssoDomainSchema,
  ssoDomainVerifyFailureSchema,
  type SsoDomain,
  type SsoDomainVerifyResult,
} from '@/lib/contract';
import { parseInput, type GrantexTransport } from '../transport';

const domainPath = (domain: string) => `v1/sso/domains/${encodeURIComponent(domain)}`;

/** The org's email domains, proven by a DNS TXT record; a verified one routes members to the org by email alone. */
export class SsoDomains {
  readonly #http: GrantexTransport;

  constructor(http: GrantexTransport) {
    this.#http = http;
  }

  async list(): Promise<SsoDomain[]> {
    const res = await this.#http.send({ method: 'GET', path: 'v1/sso/domains', authenticated: true, retryable: true });
    return this.#http.parse(res, ssoDomainListSchema).domains;
  }

  /** Adds a domain for verification; adding it again answers the existing one, so it is safe to retry. */
  async create(domain: string): Promise<SsoDomain> {
    const body = parseInput(ssoDomainCreateSchema, { domain });
    const res = await this.#http.send({
      method: 'POST',
      path: 'v1/sso/domains',
      body,
      authenticated: true,
      retryable: true,
    });
    return this.#http.parse(res, ssoDomainSchema);
  }

  /** Checks the domain's TXT record now: the verified domain, or why not (the service's 422). */
  async verify(domain: string): Promise<SsoDomainVerifyResult> {
    const res = await this.#http.send({
      method: 'POST',
      path: `${domainPath(domain)}/verify`,
      authenticated: true,
      retryable: true,
      answerStatuses: [422],
    });
    if (res.status === 422) return this.#http.parse(res, ssoDomainVerifyFailureSchema);
    return { verified: true, domain: this.#http.parse(res, ssoDomainSchema) };
  }

  async delete(domain: string): Promise<void> {
    await this.#http.send({ method: 'DELETE', path: domainPath(domain), authenticated: true, retryable: true });
  }
}
