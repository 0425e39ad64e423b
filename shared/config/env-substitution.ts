// ${env:VAR} and ${env:VAR:-default}, as the OpenTelemetry Collector's config resolver does.
// "$$" escapes a literal "$".
const PATTERN = /\$\$|\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

const REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g;

/**
 * The variables `template` (a value as written in the config file, before substitution) refers
 * to without a default that are unset or empty in `env`: why its value came out empty.
 */
export function unsetEnvReferences(template: unknown, env: NodeJS.ProcessEnv): string[] {
  if (typeof template !== 'string') return [];
  const names: string[] = [];
  for (const m of template.matchAll(REFERENCE)) {
    const name = m[1]!;
    if (m[2] === undefined && (env[name] === undefined || env[name] === '')) names.push(name);
  }
  return names;
}

/** Replaces environment references in raw config text; unset variables without a default become "". */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    return fallback ?? '';
  });
}
