/** The host part of a host:port endpoint, without IPv6 brackets. */
export function endpointHost(endpoint: string): string {
  const idx = endpoint.lastIndexOf(':');
  return endpoint.slice(0, idx).replace(/^\[|\]$/g, '');
}

/**
 * True for addresses only this machine can reach: 127.0.0.0/8, ::1 and localhost. Anything else
 * (0.0.0.0, a LAN address, a DNS name) may be reachable from other hosts.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
