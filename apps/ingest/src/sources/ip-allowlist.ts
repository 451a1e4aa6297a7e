import * as ipaddr from 'ipaddr.js';

/**
 * A source's `allowIps` (addresses or CIDRs, IPv4 and IPv6) as a matcher of client addresses.
 * IPv4-mapped IPv6 clients (::ffff:203.0.113.7) match IPv4 ranges. Throws on an invalid entry.
 */
export function compileIpAllowlist(entries: readonly string[]): (clientIp: string) => boolean {
  const ranges = entries.map((entry) =>
    entry.includes('/') ? ipaddr.parseCIDR(entry) : ([ipaddr.parse(entry), entry.includes(':') ? 128 : 32] as const),
  );
  return (clientIp) => {
    if (!ipaddr.isValid(clientIp)) return false;
    const address = ipaddr.process(clientIp);
    return ranges.some(([network, bits]) => network.kind() === address.kind() && address.match(network, bits));
  };
}
