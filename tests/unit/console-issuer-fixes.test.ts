import { describe, expect, it } from 'vitest';
import { trimPastedDiscoveryUrl } from '@/lib/console/settings/issuer-fixes';

function form(issuerUrl: string): FormData {
  const data = new FormData();
  data.set('issuerUrl', issuerUrl);
  data.set('clientId', 'c');
  return data;
}

describe('trimPastedDiscoveryUrl', () => {
  it('trims a pasted discovery document address to the issuer and says so', () => {
    const data = form('https://idp.example.com/realms/acme/.well-known/openid-configuration');
    const { note } = trimPastedDiscoveryUrl(data);
    expect(data.get('issuerUrl')).toBe('https://idp.example.com/realms/acme');
    expect(note).toContain('trimmed to the issuer: “https://idp.example.com/realms/acme”');
    expect(data.get('clientId')).toBe('c');
  });

  it('leaves an issuer alone, with no note', () => {
    const data = form('https://tenant.auth0.com/');
    expect(trimPastedDiscoveryUrl(data)).toEqual({});
    expect(data.get('issuerUrl')).toBe('https://tenant.auth0.com/');
  });
});
