import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** A host resolved once, to the address every connection of the probe will use. */
export interface ResolvedTarget {
  host: string;
  address: string;
  family: 4 | 6;
}

/** A probe target refused before any packet was sent, with a reason a person can act on. */
export class TargetRefusedError extends Error {
  override name = 'TargetRefusedError';
}

// Always refused: link-local (cloud metadata services live here) and the AWS IPv6 metadata
// address. No configuration allows these.
const forbidden = new BlockList();
forbidden.addSubnet('169.254.0.0', 16, 'ipv4');
forbidden.addSubnet('fe80::', 10, 'ipv6');
forbidden.addAddress('fd00:ec2::254', 'ipv6');
forbidden.addAddress('0.0.0.0', 'ipv4');
forbidden.addAddress('::', 'ipv6');

// Refused unless allow_private_targets: loopback and private ranges.
const privateRanges = new BlockList();
privateRanges.addSubnet('127.0.0.0', 8, 'ipv4');
privateRanges.addSubnet('10.0.0.0', 8, 'ipv4');
privateRanges.addSubnet('172.16.0.0', 12, 'ipv4');
privateRanges.addSubnet('192.168.0.0', 16, 'ipv4');
privateRanges.addSubnet('100.64.0.0', 10, 'ipv4');
privateRanges.addAddress('::1', 'ipv6');
privateRanges.addSubnet('fc00::', 7, 'ipv6');

function classify(address: string, family: 4 | 6): 'forbidden' | 'private' | 'public' {
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return classify(mapped[1]!, 4);
  if (forbidden.check(address, type)) return 'forbidden';
  if (privateRanges.check(address, type)) return 'private';
  return 'public';
}

/**
 * Resolves the URL's host once and checks the address. The caller connects to exactly this
 * address (see pinned-fetch.ts), so a DNS answer that changes between check and connect
 * (rebinding) cannot redirect the probe.
 */
export async function resolveTarget(url: URL, allowPrivate: boolean): Promise<ResolvedTarget> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(host);
  const { address, family } = literal
    ? { address: host, family: literal as 4 | 6 }
    : await lookup(host, { verbatim: true }).then((r) => ({
        address: r.address,
        family: r.family as 4 | 6,
      }));
  const kind = classify(address, family);
  if (kind === 'forbidden') {
    throw new TargetRefusedError(
      `refused to probe ${host} (${address}): link-local and cloud metadata addresses are never probed`,
    );
  }
  if (kind === 'private' && !allowPrivate) {
    throw new TargetRefusedError(
      `refused to probe ${host} (${address}): loopback and private addresses are off by default; ` +
        'set extensions.mcp_health.allow_private_targets: true in otel-config.yaml to allow them',
    );
  }
  return { host, address, family };
}
