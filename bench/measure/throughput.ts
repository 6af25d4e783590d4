import path from 'node:path';
import autocannon from 'autocannon';
import { serviceRequests } from '../lib/counting-proxy';
import { progress } from '../lib/log';
import { pickOrg, type Org } from '../lib/orgs';
import { ROOT, freePort, readCpuMs, readMemory, sampleMemory, spawnNode, stop, waitForHttp } from '../lib/procs';
import type { Idp, Service } from '../lib/stack';
import { percentile } from '../lib/stats';

export type EndpointName = 'GET /v1/sso/config' | 'POST /v1/sso/config' | 'GET /sso/login';
/** Every org once at 10k; the list costs ~3 MB of pre-encoded requests per run. */
const MAX_DISTINCT_REQUESTS = 10_000;

export const ENDPOINTS: EndpointName[] = ['GET /v1/sso/config', 'POST /v1/sso/config', 'GET /sso/login'];

export interface ThroughputRun {
  endpoint: EndpointName;
  connections: number;
  reqPerSec: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  idpRequests: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  rssMaxSampledMiB: number;
  /** The service's CPU time (all threads) per successful request, in microseconds. */
  cpuUsPerRequest: number;
}

/** The bare node:http hello world at one connection count: measured before and after the service's runs. */
export interface BareRun {
  connections: number;
  /** Mean of the runs before and after. */
  reqPerSec: number;
  runsReqPerSec: number[];
  p50Ms: number;
  p99Ms: number;
  /** Its CPU time per request (all threads), in microseconds: steadier than req/s on a shared machine. */
  cpuUsPerRequest: number;
}

export interface ThroughputResult {
  runs: ThroughputRun[];
  bare: BareRun[];
  memory: {
    rssBeforeMiB: number;
    rssAfterFirstRunMiB: number;
    rssAfterMiB: number;
    peakHwmMiB: number;
    /** RSS growth from the end of the first run to the end of the last, in %: leaks show here, warm-up does not. */
    growthAfterFirstRunPct: number;
  };
}

interface Spec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function specFor(endpoint: EndpointName, org: Org): Spec {
  switch (endpoint) {
    case 'GET /v1/sso/config':
      return { method: 'GET', path: '/v1/sso/config', headers: { authorization: `Bearer ${org.apiKey}` } };
    case 'POST /v1/sso/config':
      return {
        method: 'POST',
        path: '/v1/sso/config',
        headers: { authorization: `Bearer ${org.apiKey}`, 'content-type': 'application/json' },
        body: org.configJson,
      };
    case 'GET /sso/login':
      return { method: 'GET', path: `/sso/login?org=${encodeURIComponent(org.developerId)}`, headers: {} };
  }
}

async function fire(
  service: Service,
  idp: Idp,
  endpoint: EndpointName,
  orgs: readonly Org[],
  connections: number,
  seconds: number,
  collect: boolean,
): Promise<{ result: autocannon.Result; latencies: number[] }> {
  const base = specFor(endpoint, orgs[0]!);
  // Every request goes to the next org (scattered), so row look-ups and caches see realistic spread.
  // The requests are listed up front (autocannon pre-encodes a list, but re-encodes on every call of a
  // setupRequest hook): the load generator shares the 2 cores with the service, so it must stay cheap
  // and cost the same at both scales, or the 1-org vs 10k delta would measure autocannon.
  const requests: autocannon.RequestSpec[] = Array.from(
    { length: Math.min(orgs.length, MAX_DISTINCT_REQUESTS) },
    (_, i) => specFor(endpoint, pickOrg(orgs, i)),
  );
  const instance = autocannon({
    // autocannon takes the path from the URL (there is no `path` option).
    url: service.url + base.path,
    connections,
    duration: seconds,
    timeout: 10,
    method: base.method,
    headers: base.headers,
    body: base.body,
    requests,
  });
  const latencies: number[] = [];
  if (collect) {
    // autocannon's histogram stores whole milliseconds; keep the exact times for sub-ms percentiles.
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300) latencies.push(responseTime);
    });
  }
  const result = await instance;
  return { result, latencies };
}

/** One closed-loop run against a bare node:http server (exact p50/p99 from the per-response times). */
async function fireBare(url: string, connections: number, seconds: number) {
  const latencies: number[] = [];
  const instance = autocannon({ url, connections, duration: seconds, timeout: 10 });
  instance.on('response', (_client, status, _bytes, responseTime) => {
    if (status >= 200 && status < 300) latencies.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  return {
    reqPerSec: result['2xx'] / result.duration,
    requests: result['2xx'],
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/**
 * The reference: a bare node:http hello world in its own process (bench/entries/bare-http.mjs), same load
 * generator, same connection counts, once before and once after the service's runs (the machine is shared: the
 * two bracket the service's figures). The load generator shares the 2 cores, so bare Node is held down by it
 * more than the service is: the ratios are, if anything, flattering to the service.
 */
export async function startBare(verbose: boolean): Promise<{
  measure(connectionsList: number[], durationS: number, warmupS: number): Promise<void>;
  results(): BareRun[];
  stop(): Promise<void>;
}> {
  const port = await freePort();
  const child = spawnNode('bare-http', {
    env: { BARE_PORT: String(port) },
    args: [path.join(ROOT, 'bench/entries/bare-http.mjs')],
    verbose,
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(url, child);
  const runs = new Map<number, { reqPerSec: number; p50Ms: number; p99Ms: number; cpuUsPerRequest: number }[]>();
  return {
    async measure(connectionsList, durationS, warmupS) {
      for (const connections of connectionsList) {
        progress(`throughput: bare node:http with ${connections} connections (${warmupS} s warm-up + ${durationS} s)`);
        if (warmupS > 0) await fireBare(url, connections, warmupS);
        const cpuBefore = readCpuMs(child.pid);
        const fired = await fireBare(url, connections, durationS);
        const r = { ...fired, cpuUsPerRequest: ((readCpuMs(child.pid) - cpuBefore) * 1000) / fired.requests };
        progress(
          `  ${Math.round(r.reqPerSec)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, CPU ${r.cpuUsPerRequest.toFixed(0)} µs/req`,
        );
        runs.set(connections, [...(runs.get(connections) ?? []), r]);
      }
    },
    results() {
      return [...runs.entries()].map(([connections, rs]) => ({
        connections,
        reqPerSec: rs.reduce((a, r) => a + r.reqPerSec, 0) / rs.length,
        runsReqPerSec: rs.map((r) => r.reqPerSec),
        p50Ms: rs.reduce((a, r) => a + r.p50Ms, 0) / rs.length,
        p99Ms: rs.reduce((a, r) => a + r.p99Ms, 0) / rs.length,
        cpuUsPerRequest: rs.reduce((a, r) => a + r.cpuUsPerRequest, 0) / rs.length,
      }));
    },
    stop: () => stop(child),
  };
}

/** Measurement 3: closed-loop load with autocannon, `warmupS` discarded, then `durationS` measured. */
export async function measureThroughput(
  service: Service,
  idp: Idp,
  orgs: readonly Org[],
  connectionsList: number[],
  durationS: number,
  warmupS: number,
  endpoints: readonly EndpointName[] = ENDPOINTS,
  withBare = false,
  verbose = false,
): Promise<ThroughputResult> {
  const runs: ThroughputRun[] = [];
  const bare = withBare ? await startBare(verbose) : undefined;
  try {
    await bare?.measure(connectionsList, durationS, warmupS);
    const result = await serviceRuns(service, idp, orgs, connectionsList, durationS, warmupS, endpoints, runs);
    await bare?.measure(connectionsList, durationS, warmupS);
    return { ...result, bare: bare?.results() ?? [] };
  } finally {
    await bare?.stop();
  }
}

async function serviceRuns(
  service: Service,
  idp: Idp,
  orgs: readonly Org[],
  connectionsList: number[],
  durationS: number,
  warmupS: number,
  endpoints: readonly EndpointName[],
  runs: ThroughputRun[],
): Promise<Omit<ThroughputResult, 'bare'>> {
  const rssBefore = service.memory()?.rssMiB ?? Number.NaN;
  let rssAfterFirst = Number.NaN;
  for (const endpoint of endpoints) {
    for (const connections of connectionsList) {
      progress(`throughput: ${endpoint} with ${connections} connections (${warmupS} s warm-up + ${durationS} s)`);
      if (warmupS > 0) {
        const w = await fire(service, idp, endpoint, orgs, connections, warmupS, false);
        if (w.result.non2xx > 0) {
          progress(`  warm-up saw ${w.result.non2xx} non-2xx: ${JSON.stringify(statusCounts(w.result))}`);
        }
      }
      const memBefore = readMemory(service.child.pid);
      const sampler = sampleMemory(service.child.pid);
      const idpBefore = idp.proxy.snapshot();
      const cpuBefore = readCpuMs(service.child.pid);
      const { result, latencies } = await fire(service, idp, endpoint, orgs, connections, durationS, true);
      const cpuMs = readCpuMs(service.child.pid) - cpuBefore;
      const samples = sampler.stop();
      const memAfter = readMemory(service.child.pid);
      latencies.sort((a, b) => a - b);
      const run: ThroughputRun = {
        endpoint,
        connections,
        reqPerSec: result['2xx'] / result.duration,
        requests: result.requests.total,
        p50Ms: percentile(latencies, 50),
        p99Ms: percentile(latencies, 99),
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes: statusCounts(result),
        idpRequests: serviceRequests(idp.proxy.since(idpBefore)),
        rssBeforeMiB: memBefore?.rssMiB ?? Number.NaN,
        rssAfterMiB: memAfter?.rssMiB ?? Number.NaN,
        rssMaxSampledMiB: samples.length ? Math.max(...samples) : Number.NaN,
        cpuUsPerRequest: (cpuMs * 1000) / result['2xx'],
      };
      runs.push(run);
      if (Number.isNaN(rssAfterFirst)) rssAfterFirst = run.rssAfterMiB;
      progress(
        `  ${Math.round(run.reqPerSec)} req/s, p50 ${run.p50Ms.toFixed(2)} ms, p99 ${run.p99Ms.toFixed(2)} ms, ` +
          `CPU ${run.cpuUsPerRequest.toFixed(0)} µs/req, non-2xx ${run.non2xx}, errors ${run.errors}, RSS ${run.rssBeforeMiB.toFixed(0)}→${run.rssAfterMiB.toFixed(0)} MiB`,
      );
      if (run.non2xx > 0) progress(`  status codes: ${JSON.stringify(run.statusCodes)}`);
    }
  }
  const end = service.memory();
  const rssAfter = end?.rssMiB ?? Number.NaN;
  return {
    runs,
    memory: {
      rssBeforeMiB: rssBefore,
      rssAfterFirstRunMiB: rssAfterFirst,
      rssAfterMiB: rssAfter,
      peakHwmMiB: end?.hwmMiB ?? Number.NaN,
      growthAfterFirstRunPct: ((rssAfter - rssAfterFirst) / rssAfterFirst) * 100,
    },
  };
}

function statusCounts(result: autocannon.Result): Record<string, number> {
  return Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, Number(v.count)]));
}
