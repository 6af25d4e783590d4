import { request } from 'undici';
import { serviceRequests, type IdpCounts } from '../lib/counting-proxy';
import { agent } from '../lib/http';
import { progress } from '../lib/log';
import { pickOrg, type Org } from '../lib/orgs';
import type { Idp, Service } from '../lib/stack';
import { summarize, type Summary } from '../lib/stats';

export interface LoginUrlResult {
  latencyMs: Summary;
  /** Requests the service sent to the IdP during the measured (warm) requests. */
  idpRequests: IdpCounts;
  idpRequestsTotal: number;
  errors: number;
}

async function loginUrlOnce(service: Service, org: Org): Promise<number> {
  const t0 = performance.now();
  const res = await request(`${service.url}/sso/login?org=${encodeURIComponent(org.developerId)}`, {
    dispatcher: agent,
  });
  await res.body.text();
  const ms = performance.now() - t0;
  return res.statusCode === 200 ? ms : -res.statusCode;
}

/** Measurement 1: sequential GET /sso/login on one keep-alive connection. */
export async function measureLoginUrl(
  service: Service,
  idp: Idp,
  orgs: readonly Org[],
  n: number,
  warmup: number,
): Promise<LoginUrlResult> {
  progress(`login URL latency: ${warmup} warm-up + ${n} sequential requests over ${orgs.length} org(s)`);
  for (let i = 0; i < warmup; i++) {
    const ms = await loginUrlOnce(service, pickOrg(orgs, i));
    if (ms < 0) throw new Error(`GET /sso/login answered ${-ms} during warm-up`);
  }
  const before = idp.proxy.snapshot();
  const samples: number[] = [];
  let errors = 0;
  for (let i = 0; i < n; i++) {
    const ms = await loginUrlOnce(service, pickOrg(orgs, warmup + i));
    if (ms < 0) errors++;
    else samples.push(ms);
  }
  const counts = idp.proxy.since(before);
  const result = {
    latencyMs: summarize(samples),
    idpRequests: counts,
    idpRequestsTotal: serviceRequests(counts),
    errors,
  };
  progress(
    `  p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, ` +
      `IdP requests ${result.idpRequestsTotal}, errors ${errors}`,
  );
  return result;
}
