/**
 * Directory sync through the service over HTTP (in this process, SQLite in a temp dir, keep-alive client), the
 * way an IdP's provisioning run drives it: user creates, PATCH updates (Entra's `Replace active`), and the
 * lookups IdPs make before every create, measured once the directory holds `directorySize` users. Creates and
 * PATCHes run sequentially (latency) and with `concurrency` requests in flight (throughput).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalSsoService } from '../../tests/support/stack';
import { http, json } from '../lib/http';
import { progress } from '../lib/log';
import { summarize, type Summary } from '../lib/stats';

export interface ScimResult {
  directorySize: number;
  createMs: Summary;
  createPerSec: number;
  patchMs: Summary;
  patchPerSec: number;
  /** `filter=userName eq "…"` among directorySize users (indexed, SQL). */
  lookupMs: Summary;
  /** `filter=emails.value eq "…"` among directorySize users (tested in memory over the documents). */
  emailLookupMs: Summary;
  errors: number;
}

const userBody = (i: number) =>
  JSON.stringify({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    externalId: `ext-${i}`,
    userName: `user${i}@bench.example`,
    active: true,
    displayName: `Bench User ${i}`,
    emails: [{ primary: true, type: 'work', value: `user${i}@bench.example` }],
    name: { givenName: 'Bench', familyName: `User ${i}` },
  });

export async function measureScim(directorySize: number, n: number, concurrency: number): Promise<ScimResult> {
  progress(`SCIM: ${directorySize} users, ${n} timed creates/PATCHes/lookups each, ${concurrency} in flight`);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gx-bench-scim-'));
  const service = await startLocalSsoService(dataDir);
  let errors = 0;
  try {
    const org = await json<{ developerId: string; apiKey: string }>(`${service.url}/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'SCIM bench' }),
    });
    const { token } = await json<{ token: string }>(`${service.url}/v1/scim/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.apiKey}` },
      body: JSON.stringify({ label: 'bench' }),
    });
    const headers = { 'content-type': 'application/scim+json', authorization: `Bearer ${token}` };
    const scim = async (method: string, urlPath: string, body?: string, expected = 200) => {
      const res = await http(`${service.url}/scim/v2${urlPath}`, { method, headers, ...(body ? { body } : {}) });
      if (res.status !== expected) {
        errors++;
        if (errors <= 3) progress(`SCIM ${method} ${urlPath.split('?')[0]} → ${res.status}: ${res.text.slice(0, 200)}`);
      }
      return res;
    };

    // Sequential creates (latency), then the rest of the directory with `concurrency` in flight (throughput).
    const createSamples: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const res = await scim('POST', '/Users', userBody(i), 201);
      createSamples.push(performance.now() - t0);
      ids.push((JSON.parse(res.text) as { id: string }).id);
    }
    let next = n;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < directorySize) await scim('POST', '/Users', userBody(next++), 201);
      }),
    );
    const createPerSec = (directorySize - n) / ((performance.now() - t0) / 1000);

    const patch = (active: boolean) =>
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'Replace', path: 'active', value: active ? 'True' : 'False' }],
      });
    const patchSamples: number[] = [];
    for (const [i, id] of ids.entries()) {
      const s0 = performance.now();
      await scim('PATCH', `/Users/${id}`, patch(i % 2 === 1));
      patchSamples.push(performance.now() - s0);
    }
    let p = 0;
    const p0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (p < ids.length * 4) {
          const i = p++;
          await scim('PATCH', `/Users/${ids[i % ids.length]}`, patch(i % 2 === 0));
        }
      }),
    );
    const patchPerSec = (ids.length * 4) / ((performance.now() - p0) / 1000);

    const lookup = async (filter: string, count: number) => {
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const target = Math.floor((i * 7919) % directorySize);
        const s0 = performance.now();
        const res = await scim('GET', `/Users?filter=${encodeURIComponent(filter.replace('{n}', String(target)))}`);
        samples.push(performance.now() - s0);
        if ((JSON.parse(res.text) as { totalResults: number }).totalResults !== 1) errors++;
      }
      return summarize(samples);
    };
    const lookupMs = await lookup('userName eq "user{n}@bench.example"', n);
    // Each reads the whole directory: a handful is enough for the figure.
    const emailLookupMs = await lookup('emails.value eq "user{n}@bench.example"', Math.max(5, Math.floor(n / 20)));
    return {
      directorySize,
      createMs: summarize(createSamples),
      createPerSec,
      patchMs: summarize(patchSamples),
      patchPerSec,
      lookupMs,
      emailLookupMs,
      errors,
    };
  } finally {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
