import { lookup as dnsLookup, LookupAddress, LookupOptions } from 'node:dns';
import * as ipaddr from 'ipaddr.js';

/** Raised when a destination resolves to an address the operator has not allowed. */
export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  readonly code = 'destination_refused';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Refuses loopback, private, link-local (cloud metadata included) and other non-public addresses,
 * checked on the resolved address so DNS rebinding cannot get through, unless the address lies in
 * a range the operator allowed (HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS).
 */
export class DestinationGuard {
  private readonly allowed: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(allowedRanges: readonly string[]) {
    this.allowed = allowedRanges.map((range) => ipaddr.parseCIDR(range));
  }

  isAllowed(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address); // IPv4-mapped IPv6 becomes IPv4
    if (this.allowed.some(([network, bits]) => network.kind() === parsed.kind() && parsed.match(network, bits))) return true;
    return parsed.range() === 'unicast';
  }

  /** Throws {@link DestinationRefusedError} when a URL's host is an IP literal that is not allowed. */
  assertLiteralHostAllowed(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host) && !this.isAllowed(host)) throw refusal(url.hostname, host);
  }

  /** A `dns.lookup` replacement for the HTTP client's connections. */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const refused = addresses.find((entry) => !this.isAllowed(entry.address));
      if (refused) return callback(refusal(hostname, refused.address), []);
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      return callback(null, first?.address ?? '', first?.family);
    });
  };
}

function refusal(host: string, address: string): DestinationRefusedError {
  return new DestinationRefusedError(
    `destination ${host} resolves to ${address}, a private, loopback or link-local address; allow it with HOOKFLOW_ALLOW_PRIVATE_DESTINATIONS`,
  );
}
