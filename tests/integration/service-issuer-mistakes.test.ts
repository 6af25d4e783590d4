/**
 * The service's POST /v1/sso/config answers the admin's common issuer mistakes with a 400 that says what to use
 * (the messages come from lib/net's discovery check, shared with the console), and accepts the corrected issuer.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSsoService } from '@/lib/sso-service';
import { startStaticDiscovery, type StaticDiscovery } from '@/tests/support/static-discovery';
import { json, saveConfig, signup } from './service-harness';

let op: StaticDiscovery;
let service: { url: string; close(): Promise<void> };
let apiKey: string;

const save = (issuerUrl: string) =>
  saveConfig(service.url, apiKey, {
    issuerUrl,
    clientId: 'c1f3a9e2-5b7d-4c1e-9f0a-2d6b8e4c7a13',
    clientSecret: 'Xy8Q~abc.def_ghi-jkl',
    redirectUri: 'http://localhost:3000/sso/callback',
  });

beforeAll(async () => {
  op = await startStaticDiscovery();
  service = await startSsoService({
    host: '127.0.0.1',
    port: 0,
    devMode: true,
    dataDir: mkdtempSync(path.join(tmpdir(), 'gx-issuer-')),
    rateLimit: { enabled: false, signupPerMin: 1, loginPerMin: 1, callbackPerMin: 1 },
    logger: () => {},
  });
  ({ apiKey } = await signup(service.url, { name: 'Issuer Mistakes Co' }));
});
afterAll(async () => {
  await service.close();
  await op.close();
});

describe('POST /v1/sso/config issuer mistakes', () => {
  it('refuses a Microsoft Entra multi-tenant issuer ({tenantid} template) and shows the tenant-specific shape', async () => {
    // Microsoft's `common` metadata names its issuer "https://login.microsoftonline.com/{tenantid}/v2.0".
    const common = op.serve('/common/v2.0', () => 'https://login.microsoftonline.com/{tenantid}/v2.0');
    const res = await save(common);
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.message).toContain('multi-tenant');
    expect(body.message).toContain('"https://login.microsoftonline.com/<your tenant ID>/v2.0"');
  });

  it('refuses a discovery document address and names the issuer to enter', async () => {
    const issuer = op.serve('/pasted');
    const res = await save(`${issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(
      `Enter the issuer without /.well-known/openid-configuration: "${issuer}"`,
    );
    expect((await save(issuer)).status).toBe(201);
  });

  it('refuses a trailing-slash slip with the exact issuer to use, and accepts that issuer (Auth0 style)', async () => {
    const typed = op.serve('/tenant', (url) => `${url}/`);
    const res = await save(typed);
    expect(res.status).toBe(400);
    expect((await json(res)).message).toContain(`differ only by a trailing slash or letter case`);
    expect((await save(`${typed}/`)).status).toBe(201);
  });
});
