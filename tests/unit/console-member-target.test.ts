/** Where a member's login goes, read from the /login forms (email, or org + chosen connection). */
import { describe, expect, it } from 'vitest';
import { emailDomainOf } from '@/lib/contract';
import { readMemberTarget } from '@/lib/console/member-login/member-target';

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) data.set(k, v);
  return data;
};

describe('emailDomainOf', () => {
  it('takes the lower-cased domain after the last @, or null', () => {
    expect(emailDomainOf(' Alice@Acme.COM ')).toBe('acme.com');
    expect(emailDomainOf('"a@b"@eu.acme.com')).toBe('eu.acme.com');
    for (const bad of ['', 'alice', '@acme.com', 'alice@', 'alice@localhost', 'alice@acme..com', 'alice@-acme.com']) {
      expect(emailDomainOf(bad), bad).toBeNull();
    }
  });
});

describe('readMemberTarget', () => {
  it('an email form routes by its domain; a malformed email is sent back with what was typed', () => {
    expect(readMemberTarget(form({ mode: 'member', email: ' Bob@Beta.example ' }))).toEqual({
      kind: 'email',
      email: 'Bob@Beta.example',
      domain: 'beta.example',
    });
    expect(readMemberTarget(form({ email: 'bob' }))).toEqual({ problem: 'email_invalid', email: 'bob' });
    expect(readMemberTarget(form({ email: 'x'.repeat(400) }))).toMatchObject({ problem: 'email_invalid' });
  });

  it('an org form starts the default connection, or the chosen one; a bad org or connection id is refused or dropped', () => {
    expect(readMemberTarget(form({ org: 'dev_abc' }))).toEqual({ kind: 'org', org: 'dev_abc', connection: null });
    expect(readMemberTarget(form({ org: 'dev_abc', connection: 'sso_x-1' }))).toEqual({
      kind: 'org',
      org: 'dev_abc',
      connection: 'sso_x-1',
    });
    expect(readMemberTarget(form({ org: 'dev_abc', connection: '../v1/me' }))).toEqual({
      kind: 'org',
      org: 'dev_abc',
      connection: null,
    });
    expect(readMemberTarget(form({ org: '<script>' }))).toEqual({ problem: 'org' });
    expect(readMemberTarget(form({}))).toEqual({ problem: 'org' });
  });
});
