import { describe, expect, it } from 'vitest';
import {
  chooseAuthMethod,
  clientSecretAuth,
  clientSecretBasicMinimal,
  formEncodeMinimal,
  needsFormEncoding,
} from '@/lib/sso-service/oidc/client-auth';

const AS = { issuer: 'https://idp.example' };
const BOTH = ['client_secret_basic', 'client_secret_post'];

function basicHeader(auth: ReturnType<typeof clientSecretBasicMinimal>, clientId: string) {
  const headers = new Headers();
  const body = new URLSearchParams();
  void auth(AS, { client_id: clientId }, body, headers);
  const value = headers.get('authorization') ?? '';
  return { decoded: Buffer.from(value.replace(/^Basic /, ''), 'base64').toString('utf8'), body };
}

describe('minimal form encoding of Basic credentials', () => {
  it.each([
    ['sso-test-client', 'sso-test-client'],
    ['8f14e45f-ceea-467f-a0e6-3c2b5e0f1a2d', '8f14e45f-ceea-467f-a0e6-3c2b5e0f1a2d'],
    ['1234-abc.apps.googleusercontent.com', '1234-abc.apps.googleusercontent.com'],
    ['GOCSPX-AbC_dEf-123', 'GOCSPX-AbC_dEf-123'],
    ['Xy8Q~a.B_c-d*', 'Xy8Q~a.B_c-d*'],
    ['test secret:with%special+chars', 'test+secret%3Awith%25special%2Bchars'],
    ["a!b'c(d)e/f=g&h", 'a%21b%27c%28d%29e%2Ff%3Dg%26h'],
    ['é', '%C3%A9'],
  ])('%s → %s', (raw, encoded) => {
    expect(formEncodeMinimal(raw)).toBe(encoded);
    expect(needsFormEncoding(raw)).toBe(raw !== encoded);
  });

  it('round-trips through form decoding (what a decoding IdP does)', () => {
    const secret = 'test secret:with%special+chars~é';
    expect(new URLSearchParams(`x=${formEncodeMinimal(secret)}`).get('x')).toBe(secret);
  });

  it('sends letters, digits and -._~* unchanged, unlike openid-client (which sends "-" as %2D)', () => {
    const { decoded } = basicHeader(clientSecretBasicMinimal('Xy8Q~a.B_c-d'), 'sso-test-client');
    expect(decoded).toBe('sso-test-client:Xy8Q~a.B_c-d');
  });
});

describe('auth method per credentials', () => {
  const plain = { clientId: 'sso-test-client', clientSecret: 'GOCSPX-abc' };
  const escaped = { clientId: 'sso-test-client', clientSecret: 'a b:c%d+e' };

  it('keeps Basic for credentials that need no escaping', () => {
    expect(chooseAuthMethod(BOTH, plain)).toBe('client_secret_basic');
    expect(chooseAuthMethod(undefined, plain)).toBe('client_secret_basic');
  });

  it('switches to post for credentials that need escaping when post is advertised, and only then', () => {
    expect(chooseAuthMethod(BOTH, escaped)).toBe('client_secret_post');
    expect(chooseAuthMethod(BOTH, { ...plain, clientId: 'id with space' })).toBe('client_secret_post');
    expect(chooseAuthMethod(['client_secret_basic'], escaped)).toBe('client_secret_basic');
    // An absent list advertises only the default (basic).
    expect(chooseAuthMethod(undefined, escaped)).toBe('client_secret_basic');
  });

  it('the ClientAuth reads the secret at request time and puts it where the method says', () => {
    let reads = 0;
    const auth = clientSecretAuth(BOTH, () => {
      reads += 1;
      return escaped.clientSecret;
    });
    expect(reads).toBe(0);
    const headers = new Headers();
    const body = new URLSearchParams();
    void auth(AS, { client_id: escaped.clientId }, body, headers);
    expect(reads).toBe(1);
    expect(headers.get('authorization')).toBeNull();
    expect(body.get('client_id')).toBe(escaped.clientId);
    expect(body.get('client_secret')).toBe(escaped.clientSecret);
  });
});
