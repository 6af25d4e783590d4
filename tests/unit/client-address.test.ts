import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { normalizeAddress } from '@/lib/sso-service/http/client-address';

describe('normalizeAddress', () => {
  it('spells every address as ipaddr.js normalises it, the plain IPv4 shortcut included', () => {
    const inputs = [
      '127.0.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '10.0.0.10',
      '010.0.0.1',
      '0x7f.0.0.1',
      '127.1',
      '1.2.3',
      ' 192.168.1.1 ',
      '::ffff:127.0.0.1',
      '::1',
      '2001:DB8::1',
    ];
    for (const raw of inputs) {
      const value = raw.trim();
      const expected = ipaddr.isValid(value) ? ipaddr.process(value).toNormalizedString() : null;
      expect(normalizeAddress(raw), raw).toBe(expected);
    }
    for (const bad of ['256.1.1.1', 'example.com', '', '1.2.3.4.5']) expect(normalizeAddress(bad)).toBeNull();
  });
});
