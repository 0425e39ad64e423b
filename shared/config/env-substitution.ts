// ${env:VAR} and ${env:VAR:-default}, as the OpenTelemetry Collector's config resolver does.
// "$$" escapes a literal "$".
const PATTERN = /\$\$|\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces environment references in raw config text; unset variables without a default become "". */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    return fallback ?? '';
  });
}
