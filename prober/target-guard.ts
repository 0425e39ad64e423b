import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress } from './address-class.js';

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

/**
 * Resolves the URL's host once and checks the address (address-class.ts: ranges from ipaddr.js,
 * IPv4 inside IPv6 unwrapped, cloud metadata addresses always refused). The caller connects to exactly this
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
  const { kind, reason } = classifyAddress(address);
  if (kind === 'forbidden') {
    throw new TargetRefusedError(
      `refused to probe ${host} (${address}): ${reason}; such addresses are never probed, whatever allow_private_targets says`,
    );
  }
  if (kind === 'private' && !allowPrivate) {
    throw new TargetRefusedError(
      `refused to probe ${host} (${address}): ${reason}; loopback and private addresses are off by default, ` +
        'set extensions.mcp_health.allow_private_targets: true in otel-config.yaml to allow them',
    );
  }
  return { host, address, family };
}
