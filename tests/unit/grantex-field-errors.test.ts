import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GrantexClient, parseFieldErrors } from '@/lib/grantex';
import { fieldErrorsFromIssues, parseFieldReasons } from '@/lib/grantex/field-errors';
import { fieldErrorsText } from '@/lib/console/messages';
import { failure } from '@/tests/support/grantex-failure';

const CONFIG = {
  issuerUrl: 'https://idp.example.com',
  clientId: 'client-1',
  clientSecret: 'secret-1',
  redirectUri: 'https://console.example.com/sso/callback',
};

describe('parseFieldErrors: the one reader of "field: why; field: why"', () => {
  it('splits the legacy joined message into reasons per config field', () => {
    expect(parseFieldErrors('issuerUrl: must use https; redirectUri: must be absolute')).toEqual({
      issuerUrl: 'must use https',
      redirectUri: 'must be absolute',
    });
  });
  it('keeps a colon inside the reason and the first reason per field', () => {
    expect(parseFieldErrors('issuerUrl: use “https://a/”: note the slash;issuerUrl: second')).toEqual({
      issuerUrl: 'use “https://a/”: note the slash',
    });
  });
  it('gives null when any part is not a config field with a reason, so the sentence stays whole', () => {
    expect(parseFieldErrors('issuerUrl, clientId, clientSecret, and redirectUri are required')).toBeNull();
    expect(parseFieldErrors('issuerUrl: must use https; name: is required')).toBeNull();
    expect(parseFieldErrors('issuerUrl: must use https; and something else')).toBeNull();
    expect(parseFieldErrors('constructor: x')).toBeNull();
    expect(parseFieldErrors('issuerUrl:   ')).toBeNull();
    expect(parseFieldErrors('')).toBeNull();
  });
  it('builds the same shape from zod issues, refusing nested or unknown paths', () => {
    expect(fieldErrorsFromIssues([{ path: ['clientId'], message: 'is required' }])).toEqual({
      clientId: 'is required',
    });
    expect(fieldErrorsFromIssues([{ path: ['clientId', 0], message: 'x' }])).toBeNull();
    expect(fieldErrorsFromIssues([{ path: [], message: 'Request body must be a JSON object' }])).toBeNull();
  });
  it('words the reasons for the settings form with the field labels', () => {
    expect(fieldErrorsText({ issuerUrl: 'must use https', clientSecret: 'is required' })).toEqual({
      issuerUrl: 'Issuer URL must use https',
      clientSecret: 'Client secret is required',
    });
  });
});

describe('GrantexClient carries field errors on the error', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function answering(status: number, body: unknown): Promise<string> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      });
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const apiKey = `gx_test_${'A'.repeat(43)}`;

  it('reads them from a 400 config rejection', async () => {
    const url = await answering(400, {
      message: 'issuerUrl: must use https; redirectUri: must be absolute',
      code: 'BAD_REQUEST',
      requestId: 'r1',
    });
    const error = await failure(new GrantexClient({ baseUrl: url, apiKey, retries: 0 }).sso.createConfig(CONFIG));
    expect(error.kind).toBe('validation');
    expect(error.message).toBe('issuerUrl: must use https; redirectUri: must be absolute');
    expect(error.fieldErrors).toEqual({ issuerUrl: 'must use https', redirectUri: 'must be absolute' });
  });

  it('leaves them out for other failures', async () => {
    const conflict = await answering(409, { message: 'issuerUrl: taken', code: 'CONFLICT' });
    expect(
      (await failure(new GrantexClient({ baseUrl: conflict, apiKey, retries: 0 }).sso.createConfig(CONFIG)))
        .fieldErrors,
    ).toBeNull();
    const required = await answering(400, {
      message: 'issuerUrl, clientId, clientSecret, and redirectUri are required',
      code: 'BAD_REQUEST',
    });
    expect(
      (await failure(new GrantexClient({ baseUrl: required, apiKey, retries: 0 }).sso.createConfig(CONFIG)))
        .fieldErrors,
    ).toBeNull();
  });
});

describe('parseFieldReasons (another form’s fields, e.g. SAML)', () => {
  const fields = ['idpCertificate', 'idpSsoUrl'] as const;
  it('reads each named field, even when a reason itself contains "; "', () => {
    expect(
      parseFieldReasons(
        'idpSsoUrl: must use https; idpCertificate: has expired (or is not valid yet); use the current one',
        fields,
      ),
    ).toEqual({
      idpSsoUrl: 'must use https',
      idpCertificate: 'has expired (or is not valid yet); use the current one',
    });
  });
  it('is null when a part names no field of the form', () => {
    expect(parseFieldReasons('issuerUrl: must use https', fields)).toBeNull();
    expect(parseFieldReasons('Something went wrong', fields)).toBeNull();
  });
});
