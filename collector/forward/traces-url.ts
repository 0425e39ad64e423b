/**
 * The URL spans are POSTed to: the endpoint plus /v1/traces, as the OTel Collector's otlphttp
 * exporter does, unless the endpoint already names that path.
 */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (!url.pathname.endsWith('/v1/traces')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/v1/traces`;
  }
  return url.toString();
}
