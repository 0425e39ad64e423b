/**
 * Config fields that hold secrets, so that an error about them names the field and the rule but
 * never quotes the value. Paths are dotted, `*` stands for any one segment (an exporter name, a
 * list index). A field's whole subtree counts: a token pasted where a tenant belongs, or a
 * string given where the list of tokens belongs, is still a token.
 */
const SECRET_FIELDS: ReadonlyArray<readonly [path: string, kind: 'secret' | 'url']> = [
  ['receivers.otlp.protocols.http.auth', 'secret'],
  ['exporters.postgres.url', 'url'],
  ['exporters.postgres.hash_key', 'secret'],
  ['exporters.*.headers', 'secret'],
  ['exporters.*.endpoint', 'url'],
  ['extensions.query_api.auth', 'secret'],
  ['extensions.mcp_health.servers.*.url', 'url'],
  ['extensions.mcp_health.servers.*.headers', 'secret'],
  ['extensions.mcp_health.servers.*.env', 'secret'],
  ['extensions.mcp_health.servers.*.args', 'secret'],
  ['extensions.mcp_health.servers.*.command', 'secret'],
];

const PATTERNS = SECRET_FIELDS.map(([path, kind]) => [path.split('.'), kind] as const);

function segmentMatches(pattern: string, segment: string): boolean {
  return pattern === '*' || pattern === segment;
}

/** How `path` relates to the secret fields: inside one (and which kind), above one, or neither. */
function secretRelation(path: readonly string[]): 'secret' | 'url' | 'above' | undefined {
  let above = false;
  for (const [pattern, kind] of PATTERNS) {
    const shared = Math.min(pattern.length, path.length);
    let matches = true;
    for (let i = 0; i < shared && matches; i++) matches = segmentMatches(pattern[i]!, path[i]!);
    if (!matches) continue;
    if (path.length >= pattern.length) return kind;
    above = true;
  }
  return above ? 'above' : undefined;
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * A URL with its user info (a token is often passed as the user name), query and fragment
 * masked, or undefined when the value does not
 * parse as a URL (then it is not quoted at all: it may be a password pasted in the wrong place).
 */
function maskedUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  // Nothing to mask: quote the value as written (the URL parser would normalise it).
  if (!url.username && !url.password && !url.search && !url.hash) return quoted(value);
  if (url.username) url.username = '****';
  if (url.password) url.password = '****';
  if (url.search) url.search = '?****';
  if (url.hash) url.hash = '#****';
  return quoted(url.href);
}

function quoted(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * What an error message may say about the value at `path`: the value itself (cut to 80
 * characters) for ordinary fields; for secret fields only its kind ("a string of 9
 * characters"); for URL fields the URL with user info, query and fragment masked; for a section
 * that contains secret fields, numbers and booleans as they are, anything else by its kind.
 */
export function describeConfigValue(path: readonly PropertyKey[], value: unknown): string {
  if (value === undefined) return 'nothing';
  // An unset ${env:TOKEN} arrives as null: there is nothing to hide, and saying so helps.
  if (value === null) return 'null';
  const relation = secretRelation(path.map(String));
  if (relation === undefined) return quoted(value);
  if (relation !== 'secret') {
    // A section given as a string may be a connection string put one level too high.
    const masked = maskedUrl(value);
    if (masked !== undefined) return masked;
  }
  const scalar = typeof value === 'number' || typeof value === 'boolean';
  if (relation === 'above' && scalar) return quoted(value);
  return `${kindOf(value)}, not shown: the field may hold a secret`;
}
