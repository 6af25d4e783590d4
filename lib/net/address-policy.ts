/**
 * Which resolved addresses an outbound request may connect to. The classification itself lives
 * in the shared contract (it also unwraps IPv4-mapped IPv6); this module adds the loopback switch
 * and a DNS lookup that applies the rule to every address a name resolves to.
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { classifyAddress } from '@/lib/contract';
import { OutboundError } from './outbound-error';

export function isAddressAllowed(address: string, allowLoopback: boolean): boolean {
  const cls = classifyAddress(address);
  return cls === 'public' || (cls === 'loopback' && allowLoopback);
}

/** Strips IPv6 brackets; returns the literal address when `hostname` is an IP, else null. */
export function literalAddress(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(host) ? host : null;
}

export function blockedAddressError(host: string): OutboundError {
  return new OutboundError(
    'blocked_address',
    `Refusing to connect to ${host}: it resolves to a private, loopback, link-local or otherwise non-public address`,
  );
}

/**
 * Resolves all addresses and refuses the connection if ANY of them is not allowed — checking
 * after resolution is what defeats DNS names that point at internal addresses, and checking all
 * of them stops a name that mixes a public and a private address.
 */
export function guardedLookup(allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints }, (err, addresses) => {
      if (err) {
        callback(err, '', 0);
        return;
      }
      const first = addresses[0];
      if (!first || addresses.some((a) => !isAddressAllowed(a.address, allowLoopback))) {
        callback(blockedAddressError(hostname), '', 0);
        return;
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** Resolves a host name (or takes a literal) and tells whether every address is allowed. */
export async function hostResolvesToAllowed(hostname: string, allowLoopback: boolean): Promise<boolean> {
  const literal = literalAddress(hostname);
  if (literal) return isAddressAllowed(literal, allowLoopback);
  const addresses = await dns.promises.lookup(hostname, { all: true });
  return addresses.length > 0 && addresses.every((a) => isAddressAllowed(a.address, allowLoopback));
}
