import ipaddr from 'ipaddr.js';

/** An IPv4 address carried inside an IPv6 address, and the form that carries it. */
export interface EmbeddedIpv4 {
  /** The IPv4 address packets to this IPv6 address end up at. */
  ipv4: ipaddr.IPv4;
  /** The form, for messages: "an IPv4-mapped", "a 6to4 (2002::/16)" … */
  form: string;
  /** Where the form is ambiguous, the IPv4 addresses its other readings give. */
  otherReadings: ipaddr.IPv4[];
  /** The form is not globally reachable itself (NAT64 local-use): private at least. */
  atLeastPrivate: boolean;
}

interface Form {
  prefix: [ipaddr.IPv6, number];
  form: string;
  /** Byte offsets of the IPv4 address in the 16 bytes of the IPv6 address. */
  bytes: readonly number[];
  /** Teredo stores the client address inverted. */
  inverted?: boolean;
  otherReadings?: ReadonlyArray<readonly number[]>;
  atLeastPrivate?: boolean;
  /** ::/96 holds :: and ::1 too, which are IPv6's own unspecified and loopback addresses. */
  compatible?: boolean;
}

const LAST_32_BITS = [12, 13, 14, 15];

const cidr = (text: string) => ipaddr.IPv6.parseCIDR(text);

// RFC 6052 section 2.2: for prefix lengths /48, /56 and /64 the IPv4 address straddles bits
// 64-71 (the "u" octet, byte 8), which it skips.
const NAT64_LOCAL_READINGS = [
  [6, 7, 9, 10], // /48
  [7, 9, 10, 11], // /56
  [9, 10, 11, 12], // /64
];

// Order matters: ::ffff:0:0/96 and ::ffff:0:0:0/96 lie inside ::/96 (IPv4-compatible).
const FORMS: readonly Form[] = [
  { prefix: cidr('::ffff:0:0/96'), form: 'an IPv4-mapped', bytes: LAST_32_BITS },
  {
    prefix: cidr('::ffff:0:0:0/96'),
    form: 'an IPv4-translated (RFC 6145)',
    bytes: LAST_32_BITS,
  },
  { prefix: cidr('64:ff9b::/96'), form: 'a NAT64 (64:ff9b::/96)', bytes: LAST_32_BITS },
  {
    // RFC 8215: the network chooses the prefix length inside the /48, and the range is not
    // globally reachable. Read as /96 (the usual choice); the other lengths are checked too.
    prefix: cidr('64:ff9b:1::/48'),
    form: 'a NAT64 local-use (64:ff9b:1::/48)',
    bytes: LAST_32_BITS,
    otherReadings: NAT64_LOCAL_READINGS,
    atLeastPrivate: true,
  },
  { prefix: cidr('2002::/16'), form: 'a 6to4 (2002::/16)', bytes: [2, 3, 4, 5] },
  {
    // RFC 4380: the client's public address, every bit inverted, in the last 32 bits.
    prefix: cidr('2001::/32'),
    form: 'a Teredo (2001::/32)',
    bytes: LAST_32_BITS,
    inverted: true,
  },
  {
    prefix: cidr('::/96'),
    form: 'an IPv4-compatible (::/96)',
    bytes: LAST_32_BITS,
    compatible: true,
  },
];

function read(bytes: number[], offsets: readonly number[], inverted = false): ipaddr.IPv4 {
  return new ipaddr.IPv4(offsets.map((at) => (inverted ? ~bytes[at]! & 0xff : bytes[at]!)));
}

/** The IPv4 address inside an IPv6 address of one of the forms that carry one, if any. */
export function embeddedIpv4(address: ipaddr.IPv6): EmbeddedIpv4 | undefined {
  const form = FORMS.find((f) => address.match(f.prefix));
  if (!form) return undefined;
  const bytes = address.toByteArray();
  if (form.compatible && bytes[12] === 0 && bytes[13] === 0 && bytes[14] === 0 && bytes[15]! <= 1) {
    return undefined;
  }
  return {
    ipv4: read(bytes, form.bytes, form.inverted),
    form: form.form,
    otherReadings: (form.otherReadings ?? []).map((offsets) => read(bytes, offsets)),
    atLeastPrivate: form.atLeastPrivate ?? false,
  };
}
