import ipaddr from 'ipaddr.js';

/**
 * The client address behind a request, for rate limiting.
 *
 * Next.js gives handlers no socket; its server sets `X-Forwarded-For` to the peer address only
 * when the request did not carry one. So the right-most entry is the peer (or what the nearest
 * proxy saw). Entries are walked from the right while they belong to TRUSTED_PROXIES, and the
 * first untrusted one is the client: a client can prepend anything, but cannot remove what our
 * own proxies appended. Without trusted proxies only the right-most entry is used.
 */

export type TrustedProxies = ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;

/** Parses a list of addresses or CIDR ranges; invalid entries are reported, not silently ignored. */
export function parseTrustedProxies(entries: readonly string[]): TrustedProxies {
  return entries.map((entry) => {
    const value = entry.trim();
    try {
      if (value.includes('/')) return ipaddr.parseCIDR(value);
      const addr = ipaddr.parse(value);
      return [addr, addr.kind() === 'ipv4' ? 32 : 128] as [ipaddr.IPv4 | ipaddr.IPv6, number];
    } catch {
      throw new Error(`TRUSTED_PROXIES: "${value}" is not an IP address or CIDR range`);
    }
  });
}

function normalize(raw: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let value = raw.trim();
  // "[::1]:1234" and "1.2.3.4:5678" forms appear behind some proxies.
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) value = bracketed[1];
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(value)) value = value.replace(/:\d+$/, '');
  if (!ipaddr.isValid(value)) return null;
  const addr = ipaddr.parse(value);
  // One client must not get two buckets by switching between 1.2.3.4 and ::ffff:1.2.3.4.
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (addr as ipaddr.IPv6).toIPv4Address();
  }
  return addr;
}

function isTrusted(addr: ipaddr.IPv4 | ipaddr.IPv6, trusted: TrustedProxies): boolean {
  return trusted.some(([range, bits]) => addr.kind() === range.kind() && addr.match(range, bits));
}

/** Header lookup that works for both `Headers` and the plain object next-auth passes to `authorize`. */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(source: HeaderSource, name: string): string | undefined {
  if (source instanceof Headers) return source.get(name) ?? undefined;
  const value = source[name] ?? source[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

export function clientIp(headers: HeaderSource, trusted: TrustedProxies): string {
  const chain = (header(headers, 'x-forwarded-for') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (chain.length === 0) return 'unknown';
  const parsed = chain.map(normalize);
  for (let i = parsed.length - 1; i >= 0; i -= 1) {
    const addr = parsed[i];
    if (!addr) return 'invalid';
    if (trusted.length === 0 || i === 0 || !isTrusted(addr, trusted)) return addr.toNormalizedString();
  }
  return 'unknown';
}
