import { describe, expect, it } from 'vitest';
import { EncryptJWT } from 'jose';
import {
  bindingCookieName,
  createBinding,
  stateFromAuthorizeUrl,
  verifyBinding,
} from '@/lib/console/member-login/login-binding';
import { readMemberSession, sealMemberSession } from '@/lib/console/member-login/member-session';
import { readTestResult, sealTestResult } from '@/lib/console/member-login/test-result';
import { deriveKey } from '@/lib/console/member-login/sealing';

const secret = 'test-secret-0123456789-abcdefghijklmnop';

describe('login binding (row 27)', () => {
  it('verifies the state it was created for and carries org and mode', async () => {
    const b = await createBinding('state-A', { org: 'dev_1', mode: 'member' }, secret);
    expect(b.name).toBe(bindingCookieName('state-A'));
    expect(b.value).not.toContain('state-A');
    const check = await verifyBinding('state-A', b.value, secret);
    expect(check).toEqual({ ok: true, binding: { org: 'dev_1', mode: 'member' } });
  });

  it('refuses a missing cookie, another state, another secret and a tampered value', async () => {
    const b = await createBinding('state-A', { org: 'dev_1', mode: 'member' }, secret);
    expect(await verifyBinding('state-A', undefined, secret)).toEqual({ ok: false, reason: 'missing' });
    expect(await verifyBinding('state-B', b.value, secret)).toEqual({ ok: false, reason: 'mismatch' });
    expect(await verifyBinding('state-A', b.value, 'another-secret-0123456789-abcdefgh')).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const tampered = b.value.slice(0, -4) + (b.value.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await verifyBinding('state-A', tampered, secret)).ok).toBe(false);
  });

  it('gives concurrent logins different cookie names', () => {
    expect(bindingCookieName('one')).not.toBe(bindingCookieName('two'));
    expect(bindingCookieName('one')).toMatch(/^gx_sso_bind_[A-Za-z0-9_-]{16}$/);
  });

  it('test mode requires and returns the admin', async () => {
    await expect(createBinding('s', { org: 'dev_1', mode: 'test' }, secret)).rejects.toThrow();
    const b = await createBinding('s', { org: 'dev_1', mode: 'test', adminDeveloperId: 'dev_1' }, secret);
    expect(await verifyBinding('s', b.value, secret)).toEqual({
      ok: true,
      binding: { org: 'dev_1', mode: 'test', adminDeveloperId: 'dev_1' },
    });
  });

  it('refuses an expired binding', async () => {
    const expired = await new EncryptJWT({ sh: 'x', org: 'dev_1', mode: 'member' })
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
      .setAudience('login-binding')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 700)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 100)
      .encrypt(deriveKey(secret, 'login-binding'));
    expect(await verifyBinding('x', expired, secret)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('a value sealed for one purpose is useless for another', async () => {
    const member = await sealMemberSession({ developerId: 'dev_1', email: null, name: null, sub: 's' }, secret);
    expect(await verifyBinding('s', member, secret)).toEqual({ ok: false, reason: 'invalid' });
    const b = await createBinding('s', { org: 'dev_1', mode: 'member' }, secret);
    expect(await readMemberSession(b.value, secret)).toBeNull();
  });

  it('extracts the state from the authorize URL', () => {
    expect(stateFromAuthorizeUrl('https://idp/authorize?client_id=a&state=abc.def')).toBe('abc.def');
    expect(stateFromAuthorizeUrl('https://idp/authorize?client_id=a')).toBeNull();
    expect(stateFromAuthorizeUrl('not a url')).toBeNull();
  });

  it('takes a SAML redirect URL’s RelayState (never an IdP URL’s own state parameter)', () => {
    expect(stateFromAuthorizeUrl('https://idp/sso?SAMLRequest=x&RelayState=abc.def')).toBe('abc.def');
    expect(stateFromAuthorizeUrl('https://idp/sso?state=theirs&SAMLRequest=x&RelayState=ours')).toBe('ours');
    expect(stateFromAuthorizeUrl('https://idp/sso?SAMLRequest=x')).toBeNull();
  });
});

describe('test result cookie', () => {
  it('is only returned to the admin it belongs to', async () => {
    const now = new Date().toISOString();
    const v = await sealTestResult({ status: 'pending', developerId: 'dev_1', startedAt: now }, secret);
    expect(await readTestResult(v, 'dev_1', secret)).toMatchObject({ status: 'pending' });
    expect(await readTestResult(v, 'dev_2', secret)).toBeNull();
  });

  it('turns an abandoned pending test into a failure at the IdP stage', async () => {
    const old = new Date(Date.now() - 11 * 60 * 1000).toISOString();
    const v = await sealTestResult({ status: 'pending', developerId: 'dev_1', startedAt: old }, secret);
    expect(await readTestResult(v, 'dev_1', secret)).toMatchObject({ status: 'failure', stage: 'idp' });
  });
});
