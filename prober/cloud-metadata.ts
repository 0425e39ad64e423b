import ipaddr from 'ipaddr.js';

/**
 * Addresses of cloud metadata and platform services, refused whatever allow_private_targets
 * says: they hand out credentials to whoever can reach them. Those in 169.254.0.0/16 are
 * link-local and refused anyway; they are named here so the refusal says which service it is.
 * Where each comes from is listed in docs/mcp-health.md ("Cloud metadata addresses").
 */
const CLOUD_METADATA: ReadonlyArray<readonly [cidr: string, service: string]> = [
  [
    '169.254.169.254/32',
    'instance metadata of AWS, Google Cloud, Azure, Oracle, IBM, DigitalOcean',
  ],
  ['169.254.170.2/32', 'AWS ECS task metadata and credentials'],
  ['169.254.170.23/32', 'AWS EKS Pod Identity Agent'],
  ['169.254.42.42/32', 'Scaleway instance metadata'],
  ['168.63.129.16/32', 'Azure WireServer'],
  ['100.100.100.200/32', 'Alibaba Cloud instance metadata'],
  ['192.0.0.192/32', 'Oracle Cloud Classic instance metadata'],
  ['fd00:ec2::/32', 'AWS IPv6 instance services (IMDS, EKS Pod Identity, DNS, NTP)'],
  ['fd20:ce::254/128', 'Google Cloud instance metadata over IPv6'],
  ['fd00:c1::a9fe:a9fe/128', 'Oracle Cloud instance metadata over IPv6'],
  ['fd00:100::100:200/128', 'Alibaba Cloud instance metadata over IPv6'],
  ['fd00:42::42/128', 'Scaleway instance metadata over IPv6'],
  ['fd00:a9fe:a9fe::1/128', 'Akamai (Linode) instance metadata over IPv6'],
];

const NETWORKS = CLOUD_METADATA.map(([cidr, service]) => ({
  network: ipaddr.parseCIDR(cidr),
  service,
}));

/** The cloud metadata service at this address, if it is one. */
export function cloudMetadataService(address: ipaddr.IPv4 | ipaddr.IPv6): string | undefined {
  for (const { network, service } of NETWORKS) {
    if (network[0].kind() === address.kind() && address.match(network)) return service;
  }
  return undefined;
}
