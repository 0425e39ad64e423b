import ipaddr from 'ipaddr.js';
import { cloudMetadataService } from './cloud-metadata.js';
import { type EmbeddedIpv4, embeddedIpv4 } from './embedded-ipv4.js';

/**
 * What the SSRF guard does with an address: never probe it, probe it only with
 * allow_private_targets, or probe it.
 */
export type AddressKind = 'forbidden' | 'private' | 'public';

/** An address's kind and why, in words for the refusal message. */
export interface AddressClass {
  kind: AddressKind;
  reason: string;
}

const PUBLIC: AddressClass = { kind: 'public', reason: 'a public address' };

// ipaddr.js range names that allow_private_targets opens. 'unicast' is public (IPv6: inside
// 2000::/3 only); every other range ipaddr.js knows, now or in a later version, is forbidden.
const PRIVATE_RANGES: Readonly<Record<string, string>> = {
  loopback: 'a loopback address',
  private: 'a private address (RFC 1918)',
  carrierGradeNat: 'a shared address space address (100.64.0.0/10, CGNAT)',
  uniqueLocal: 'a unique local address (fc00::/7)',
};

const FORBIDDEN_RANGES: Readonly<Record<string, string>> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  reserved: 'a reserved address (documentation, benchmarking, IETF or future use)',
  benchmarking: 'a benchmarking address',
  deprecatedSiteLocal: 'a site-local address (fec0::/10)',
  discard: 'a discard-only address (100::/64)',
  as112: 'an AS112 DNS sink address',
  as112v6: 'an AS112 DNS sink address',
  amt: 'an AMT relay address',
};

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
const STRICTNESS: Readonly<Record<AddressKind, number>> = { public: 0, private: 1, forbidden: 2 };

function forbidden(reason: string): AddressClass {
  return { kind: 'forbidden', reason };
}

function byRange(range: string): AddressClass {
  if (range === 'unicast') return PUBLIC;
  const privateReason = PRIVATE_RANGES[range];
  if (privateReason) return { kind: 'private', reason: privateReason };
  return forbidden(FORBIDDEN_RANGES[range] ?? `a special-purpose address (${range})`);
}

function classifyIpv4(address: ipaddr.IPv4): AddressClass {
  const service = cloudMetadataService(address);
  if (service) return forbidden(`a cloud metadata address (${service})`);
  return byRange(address.range());
}

/** What must never be reached, even when only one reading of an ambiguous form names it. */
function neverReachable(address: ipaddr.IPv4): boolean {
  return address.range() === 'linkLocal' || cloudMetadataService(address) !== undefined;
}

/**
 * An IPv6 address that carries an IPv4 address is judged as that IPv4 address. Other readings
 * of an ambiguous form (NAT64 local-use prefixes of unknown length) count only when they name
 * what must never be reached; a form that is not globally reachable is private at least.
 */
function classifyEmbedded(embedded: EmbeddedIpv4): AddressClass {
  let ipv4 = embedded.ipv4;
  let inner = classifyIpv4(ipv4);
  for (const other of embedded.otherReadings.filter(neverReachable)) {
    const reading = classifyIpv4(other);
    if (STRICTNESS[reading.kind] >= STRICTNESS[inner.kind]) [ipv4, inner] = [other, reading];
  }
  if (inner.kind === 'public' && embedded.atLeastPrivate) {
    return { kind: 'private', reason: `${embedded.form} address, not globally reachable` };
  }
  return { kind: inner.kind, reason: `${inner.reason} (${ipv4} inside ${embedded.form} address)` };
}

function classifyIpv6(address: ipaddr.IPv6): AddressClass {
  const service = cloudMetadataService(address);
  if (service) return forbidden(`a cloud metadata address (${service})`);
  const embedded = embeddedIpv4(address);
  if (embedded) return classifyEmbedded(embedded);
  const range = address.range();
  if (range === 'unicast' && !address.match(GLOBAL_UNICAST)) {
    return forbidden('an address outside global unicast (2000::/3), unassigned by IANA');
  }
  return byRange(range);
}

/**
 * Classifies an IP address for the prober's SSRF guard. IPv4 addresses carried inside IPv6
 * (mapped, translated, compatible, NAT64, 6to4, Teredo) are judged as the IPv4 address they
 * reach. Anything that does not parse is forbidden.
 */
export function classifyAddress(address: string): AddressClass {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return forbidden('not an IP address');
  }
  return parsed.kind() === 'ipv4'
    ? classifyIpv4(parsed as ipaddr.IPv4)
    : classifyIpv6(parsed as ipaddr.IPv6);
}
