import type { SignupResponse, SsoConfigRequest } from '@/lib/contract';
import { serviceRequests } from './counting-proxy';
import { json } from './http';
import { progress } from './log';
import type { Idp } from './stack';

export interface Org {
  developerId: string;
  apiKey: string;
  /** The org's saved config, JSON: re-posted as is by the POST throughput run ("same body each time"). */
  configJson: string;
  /** Holds the dev IdP's real client credentials, so a login can complete. */
  canLogin: boolean;
}

/**
 * Real tenants each have their own client at their IdP. Only the dev IdP's one client can complete a
 * login, so in large seeds most orgs get a distinct (fake) client secret: the service then holds one
 * client set-up per org, as it would in production, while every `loginEvery`-th org can still log in.
 */
export function configBody(
  idp: Idp,
  distinctClient = false,
  i = 0,
  redirectUri = idp.redirectUris[0]!,
): SsoConfigRequest {
  return {
    issuerUrl: idp.issuer,
    clientId: idp.clientId,
    clientSecret: distinctClient ? `${idp.clientSecret}-tenant-${i}` : idp.clientSecret,
    redirectUri,
  };
}

export interface OrgTiming {
  signupMs: number;
  configMs: number;
}

export async function createOrg(
  serviceUrl: string,
  idp: Idp,
  i: number,
  timing?: OrgTiming,
  distinctClient = false,
  redirectUri?: string,
): Promise<Org> {
  const configJson = JSON.stringify(configBody(idp, distinctClient, i, redirectUri));
  const t0 = performance.now();
  const signup = await json<SignupResponse>(
    `${serviceUrl}/v1/signup`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Bench org ${i}`, email: `bench-${i}-${Date.now()}@example.com` }),
    },
    201,
  );
  const t1 = performance.now();
  await json(
    `${serviceUrl}/v1/sso/config`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${signup.apiKey}` },
      body: configJson,
    },
    201,
  );
  if (timing) {
    timing.signupMs += t1 - t0;
    timing.configMs += performance.now() - t1;
  }
  return { developerId: signup.developerId, apiKey: signup.apiKey, configJson, canLogin: !distinctClient };
}

/**
 * Seeds organizations through the public API (signup + config each), `concurrency` at a time,
 * so the figure includes everything a real tenant costs (key hashing, secret encryption, URL checks).
 */
export async function seedOrgs(
  serviceUrl: string,
  idp: Idp,
  count: number,
  concurrency = 32,
  loginEvery = 50,
): Promise<{ orgs: Org[]; seconds: number; meanSignupMs: number; meanConfigMs: number; idpRequests: number }> {
  const orgs: Org[] = new Array<Org>(count);
  let next = 0;
  let done = 0;
  const t0 = performance.now();
  let lastReport = t0;
  const timing: OrgTiming = { signupMs: 0, configMs: 0 };
  const idpBefore = idp.proxy.snapshot();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      orgs[i] = await createOrg(serviceUrl, idp, i, timing, i % loginEvery !== 0);
      done++;
      const now = performance.now();
      if (now - lastReport > 5_000) {
        lastReport = now;
        progress(`  seeded ${done}/${count} orgs (${Math.round(done / ((now - t0) / 1000))}/s)`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return {
    orgs,
    seconds: (performance.now() - t0) / 1000,
    meanSignupMs: timing.signupMs / count,
    meanConfigMs: timing.configMs / count,
    idpRequests: serviceRequests(idp.proxy.since(idpBefore)),
  };
}

/** Deterministic spread over the stored orgs, so 10k-org runs touch cold rows too. */
export function pickOrg(orgs: readonly Org[], i: number): Org {
  // Multiplying by a large prime walks the array in a scattered but repeatable order.
  return orgs[(i * 7919) % orgs.length]!;
}
