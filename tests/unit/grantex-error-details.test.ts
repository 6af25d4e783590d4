/**
 * The client reads the error body's structured `errors` (and only without them falls back to the legacy message),
 * and the console's login failure classification decides by the reason code. Through the real client parsing a
 * real HTTP response from a local server.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MESSAGES } from '@/lib/contract';
import { GrantexClient } from '@/lib/grantex';
import { fieldReasonsOf } from '@/lib/grantex/field-errors';
import { classifyGrantexFailure } from '@/lib/console/member-login/grantex-failure';
import { completeMemberSignIn } from '@/lib/console/member-login/member-sign-in';
import { failure } from '@/tests/support/grantex-failure';

const CONFIG = {
  issuerUrl: 'https://idp.example.com',
  clientId: 'client-1',
  clientSecret: 'secret-1',
  redirectUri: 'https://console.example.com/sso/callback',
};
const apiKey = `gx_test_${'A'.repeat(43)}`;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

let requests: string[] = [];

async function answering(status: number, body: unknown): Promise<GrantexClient> {
  requests = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url?.split('?')[0]}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return new GrantexClient({
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey,
    retries: 0,
  });
}

describe('GrantexError.errors and fieldErrors', () => {
  it('builds fieldErrors from errors when the body has them (not from the message)', async () => {
    const client = await answering(400, {
      message: 'a sentence no parser reads',
      code: 'BAD_REQUEST',
      requestId: 'r1',
      errors: [
        { field: 'issuerUrl', code: 'https_required', message: 'must use https' },
        { field: 'redirectUri', code: 'invalid_url', message: `must not echo ${apiKey}` },
      ],
    });
    const error = await failure(client.sso.createConfig(CONFIG));
    expect(error.kind).toBe('validation');
    expect(error.message).toBe('a sentence no parser reads');
    expect(error.errors).toEqual([
      { field: 'issuerUrl', code: 'https_required', message: 'must use https' },
      { field: 'redirectUri', code: 'invalid_url', message: 'must not echo [redacted]' },
    ]);
    expect(error.fieldErrors).toEqual({ issuerUrl: 'must use https', redirectUri: 'must not echo [redacted]' });
    expect(error.reason).toBeNull();
  });

  it('with errors present, a joined message is not parsed: an entry naming no config field keeps the sentence whole', async () => {
    const client = await answering(400, {
      message: 'issuerUrl: must use https',
      code: 'BAD_REQUEST',
      errors: [{ field: 'name', code: 'required', message: 'is required' }],
    });
    const error = await failure(client.sso.createConfig(CONFIG));
    expect(error.fieldErrors).toBeNull();
    expect(error.errors).toHaveLength(1);
  });

  it('falls back to the legacy message when the body has no errors (a hosted API)', async () => {
    const client = await answering(400, {
      message: 'issuerUrl: must use https; redirectUri: must be absolute',
      code: 'BAD_REQUEST',
      requestId: 'r1',
    });
    const error = await failure(client.sso.createConfig(CONFIG));
    expect(error.errors).toBeNull();
    expect(error.fieldErrors).toEqual({ issuerUrl: 'must use https', redirectUri: 'must be absolute' });
  });

  it('a malformed errors value does not cost the message (it is ignored)', async () => {
    const client = await answering(400, { message: 'issuerUrl: must use https', code: 'BAD_REQUEST', errors: 'nope' });
    const error = await failure(client.sso.createConfig(CONFIG));
    expect(error.message).toBe('issuerUrl: must use https');
    expect(error.errors).toBeNull();
    expect(error.fieldErrors).toEqual({ issuerUrl: 'must use https' });
  });

  it('fieldReasonsOf (the SAML form) reads errors first, the legacy message only without them', () => {
    const fields = ['idpSsoUrl', 'idpCertificate'] as const;
    const structured = {
      message: 'anything',
      errors: [{ field: 'idpSsoUrl', code: 'https_required', message: 'must use https' }],
    };
    expect(fieldReasonsOf(structured, fields)).toEqual({ idpSsoUrl: 'must use https' });
    expect(
      fieldReasonsOf({ message: 'x', errors: [{ field: 'issuerUrl', code: 'invalid', message: 'no' }] }, fields),
    ).toBeNull();
    expect(fieldReasonsOf({ message: 'idpCertificate: has expired', errors: null }, fields)).toEqual({
      idpCertificate: 'has expired',
    });
  });
});

describe('login failure classification by reason code', () => {
  const callbackFailing = async (body: unknown) =>
    failure((await answering(400, body)).sso.handleCallback('code', 'state'));

  it('decides by the code in errors, whatever the message says', async () => {
    const expired = await callbackFailing({
      message: 'Your login took too long',
      code: 'BAD_REQUEST',
      errors: [{ code: 'state_expired_or_used', message: 'x' }],
    });
    expect(expired.reason).toBe('state_expired_or_used');
    expect(classifyGrantexFailure(expired).code).toBe('expired');
    const invalid = await callbackFailing({
      message: 'whatever',
      code: 'BAD_REQUEST',
      errors: [{ field: 'state', code: 'invalid_state', message: 'x' }],
    });
    expect(classifyGrantexFailure(invalid).code).toBe('expired');
    const missing = await callbackFailing({
      message: 'whatever',
      code: 'BAD_REQUEST',
      errors: [{ code: 'code_and_state_required', message: 'x' }],
    });
    expect(classifyGrantexFailure(missing).code).toBe('bad_request');
  });

  it('tells a member the directory deactivated them, or never provisioned them', async () => {
    const refused = (code: string) =>
      failure(
        answering(403, { message: 'whatever', code: 'SSO_ERROR', errors: [{ code, message: 'x' }] }).then((c) =>
          c.sso.handleCallback('code', 'state'),
        ),
      );
    expect(classifyGrantexFailure(await refused('directory_user_inactive')).code).toBe('directory_inactive');
    expect(classifyGrantexFailure(await refused('directory_user_unknown')).code).toBe('not_in_directory');
  });

  it('with errors present, a message that reads like a known one decides nothing', async () => {
    const error = await callbackFailing({ message: MESSAGES.stateExpiredOrUsed, code: 'BAD_REQUEST', errors: [] });
    expect(error.reason).toBeNull();
    expect(classifyGrantexFailure(error).code).toBe('sso_failed');
  });

  it('without errors (the legacy contract) falls back to the exact legacy message', async () => {
    const expired = await callbackFailing({ message: MESSAGES.stateExpiredOrUsed, code: 'BAD_REQUEST' });
    expect(expired.errors).toBeNull();
    expect(expired.reason).toBe('state_expired_or_used');
    expect(classifyGrantexFailure(expired).code).toBe('expired');
    expect(
      classifyGrantexFailure(await callbackFailing({ message: MESSAGES.invalidState, code: 'BAD_REQUEST' })).code,
    ).toBe('expired');
    expect(
      classifyGrantexFailure(await callbackFailing({ message: MESSAGES.codeAndStateRequired, code: 'BAD_REQUEST' }))
        .code,
    ).toBe('bad_request');
    expect(classifyGrantexFailure(await callbackFailing({ message: 'Something else', code: 'BAD_REQUEST' })).code).toBe(
      'sso_failed',
    );
  });
});

describe('member sign-in: "no SSO for this org" versus "no session route", by reason code', () => {
  it('a 404 with the sso_not_configured code is passed on, not taken for a missing session route', async () => {
    const client = await answering(404, {
      message: 'No SSO here',
      code: 'NOT_FOUND',
      errors: [{ code: 'sso_not_configured', message: 'x' }],
    });
    const error = await failure(completeMemberSignIn(client, 'code', 'state', null));
    expect(error.reason).toBe('sso_not_configured');
    expect(requests).toHaveLength(1);
  });
  it('a 404 whose errors carry no such code means the route is missing: the legacy callback is tried', async () => {
    const client = await answering(404, { message: MESSAGES.ssoNotConfigured, code: 'NOT_FOUND', errors: [] });
    await failure(completeMemberSignIn(client, 'code', 'state', null));
    expect(requests).toHaveLength(2);
  });
  it('without errors (the legacy contract) the exact legacy message still tells them apart', async () => {
    const notConfigured = await answering(404, { message: MESSAGES.ssoNotConfigured, code: 'NOT_FOUND' });
    await failure(completeMemberSignIn(notConfigured, 'code', 'state', null));
    expect(requests).toHaveLength(1);
    const missingRoute = await answering(404, { message: 'Not found', code: 'NOT_FOUND' });
    await failure(completeMemberSignIn(missingRoute, 'code', 'state', null));
    expect(requests).toHaveLength(2);
  });
});
