import { describe, expect, it } from 'vitest';
import { chooseAuthMethod } from '@/lib/sso-service/oidc/client-auth';
import { buildClientSetup } from '@/lib/sso-service/oidc/client-configuration';
import { allowedIdTokenAlgs } from '@/lib/sso-service/oidc/id-token';
import type { DiscoveryMetadata } from '@/lib/net';

const base: DiscoveryMetadata = {
  issuer: 'https://idp.example',
  authorization_endpoint: 'https://idp.example/auth',
  token_endpoint: 'https://idp.example/token',
  jwks_uri: 'https://idp.example/jwks',
};

describe('client authentication choice', () => {
  it('defaults to client_secret_basic when the IdP lists nothing (spec default)', () => {
    expect(chooseAuthMethod(undefined)).toBe('client_secret_basic');
  });
  it('prefers basic when both are listed, uses post when only post is', () => {
    expect(chooseAuthMethod(['client_secret_post', 'client_secret_basic'])).toBe('client_secret_basic');
    expect(chooseAuthMethod(['client_secret_post', 'private_key_jwt'])).toBe('client_secret_post');
  });
  it('has no answer when neither secret method is supported', () => {
    expect(chooseAuthMethod(['private_key_jwt', 'tls_client_auth'])).toBeNull();
    expect(chooseAuthMethod([])).toBeNull();
  });
});

describe('PKCE', () => {
  it('asks for S256 on every login, whatever the IdP lists (none, plain only, both)', () => {
    const cfg = {
      issuerUrl: base.issuer,
      clientId: 'c',
      redirectUri: 'https://console.example/sso/callback/sso_abcdefgh',
    };
    const o = {
      devMode: false,
      guard: { allowLoopback: false, timeoutMs: 1000, maxBytes: 1024 },
      clockSkewSec: 0,
      clockToleranceSec: 30,
      clientSecret: () => 's',
    };
    for (const methods of [undefined, ['plain'], ['plain', 'S256']]) {
      const metadata = methods === undefined ? base : { ...base, code_challenge_methods_supported: methods };
      const prefix = new URL(buildClientSetup(metadata, cfg, o).authorizationUrlPrefix);
      expect(prefix.searchParams.get('code_challenge_method'), String(methods)).toBe('S256');
    }
  });
});

describe('ID token algorithm allow-list', () => {
  it('never allows none or HS*, even when advertised', () => {
    expect(allowedIdTokenAlgs(['none', 'HS256', 'RS256'])).toEqual(['RS256']);
    expect(allowedIdTokenAlgs(['none', 'HS256'])).toEqual([]);
  });
  it('allows the asymmetric algorithms when discovery lists none', () => {
    const algs = allowedIdTokenAlgs(undefined);
    expect(algs).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA']));
    expect(algs.some((a) => a.startsWith('HS') || a === 'none')).toBe(false);
  });
  it('intersects with what the IdP advertises', () => {
    expect(allowedIdTokenAlgs(['ES256', 'ES384'])).toEqual(['ES256', 'ES384']);
  });
});
