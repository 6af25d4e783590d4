/**
 * The small rules behind the SAML identity defaults: which `unspecified` NameIDs count as an email, and how the
 * IdP's SessionNotOnOrAfter bounds a session. The vendors' assertions end to end are in
 * tests/integration/saml-vendor-defaults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { sessionExpiry } from '@/lib/sso-service/features/login/completion';
import { isEmailShaped } from '@/lib/sso-service/saml/assertion';
import { DEFAULT_ATTRIBUTE_NAMES } from '@/lib/sso-service/saml/settings';

describe('isEmailShaped (an unspecified NameID read as the email)', () => {
  it('accepts plain addresses', () => {
    for (const value of ['bob@acme.example', 'first.last+tag@mail.example-school.example', 'x@a.io']) {
      expect(isEmailShaped(value), value).toBe(true);
    }
  });

  it('refuses login names, DOMAIN\\user, quoted or spaced local parts, single-label domains and overlong values', () => {
    for (const value of [
      'frank',
      'ACME\\frank',
      'frank@localhost',
      'frank @acme.example',
      '"frank"@acme.example',
      'a@b@acme.example',
      'frank@acme..example',
      'frank@-acme.example',
      '<frank@acme.example>',
      `${'a'.repeat(250)}@acme.example`,
    ]) {
      expect(isEmailShaped(value), value).toBe(false);
    }
  });
});

describe('DEFAULT_ATTRIBUTE_NAMES', () => {
  it('reads the UPN claims last: after every email attribute, and `…/claims/name` only as a fallback name', () => {
    expect(DEFAULT_ATTRIBUTE_NAMES.email.at(-1)).toBe('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn');
    expect(DEFAULT_ATTRIBUTE_NAMES.name).not.toContain('http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name');
    expect(DEFAULT_ATTRIBUTE_NAMES.nameFallback).toEqual([
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    ]);
  });

  it('orders the stable subjects: subject-id, pairwise-id, eduPersonUniqueId, eduPersonPrincipalName, objectidentifier, uid', () => {
    expect(DEFAULT_ATTRIBUTE_NAMES.sub.slice(0, 5)).toEqual([
      'urn:oasis:names:tc:SAML:attribute:subject-id',
      'urn:oasis:names:tc:SAML:attribute:pairwise-id',
      'urn:oid:1.3.6.1.4.1.5923.1.1.1.13',
      'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
      'http://schemas.microsoft.com/identity/claims/objectidentifier',
    ]);
  });
});

describe('sessionExpiry', () => {
  const now = Date.UTC(2026, 0, 1, 12);
  const ttl = 8 * 3600;

  it('is the configured TTL when the IdP sets no session end', () => {
    expect(sessionExpiry(now, ttl, undefined)).toBe(now + ttl * 1000);
  });

  it('is the IdP’s session end when it comes first, the TTL otherwise', () => {
    expect(sessionExpiry(now, ttl, new Date(now + 30 * 60_000))).toBe(now + 30 * 60_000);
    expect(sessionExpiry(now, ttl, new Date(now + 10 * 3600_000))).toBe(now + ttl * 1000);
  });

  it('is null (no session) when the IdP’s session has ended or its end is unreadable', () => {
    expect(sessionExpiry(now, ttl, new Date(now))).toBeNull();
    expect(sessionExpiry(now, ttl, new Date(now - 1))).toBeNull();
    expect(sessionExpiry(now, ttl, new Date(Number.NaN))).toBeNull();
  });
});
