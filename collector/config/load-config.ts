import { readFile } from 'node:fs/promises';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import {
  ConfigError,
  describeConfigValue,
  substituteEnv,
  unsetEnvReferences,
} from '../../shared/index.js';
import { configSchema, type SpanledgerConfig } from './schema.js';

export { ConfigError };

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** The config file as written (before ${env:…} substitution), to name unset variables. */
interface Templates {
  raw: unknown;
  env: NodeJS.ProcessEnv;
}

function unsetHint(templates: Templates | undefined, path: readonly PropertyKey[]): string {
  if (!templates) return '';
  const names = unsetEnvReferences(valueAt(templates.raw, path), templates.env);
  if (names.length === 0) return '';
  return `; it comes from ${names.map((n) => `\${env:${n}}`).join(', ')}, which ${names.length > 1 ? 'are' : 'is'} not set: set ${names.join(', ')} in this shell or give a default (\${env:${names[0]}:-…})`;
}

function formatIssue(
  source: string,
  raw: unknown,
  issue: z.core.$ZodIssue,
  templates?: Templates,
): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = path ? `${path}: ` : '';
    return `${source}: ${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys
      .map((k) => `"${k}"`)
      .join(', ')}`;
  }
  const value = valueAt(raw, issue.path);
  return `${source}: ${path || '(root)'} ${issue.message} (got ${describeConfigValue(issue.path, value)})${unsetHint(templates, issue.path)}`;
}

/** Validates an already-parsed config object; throws ConfigError listing every problem. */
export function resolveConfig(
  raw: unknown,
  source = 'config',
  templates?: Templates,
): Readonly<SpanledgerConfig> {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => formatIssue(source, raw, i, templates)).join('\n'),
    );
  }
  return deepFreeze(result.data);
}

/** Reads, env-substitutes, parses and validates an otel-config.yaml file. */
export async function loadConfigFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Readonly<SpanledgerConfig>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${path}: cannot read the config file (${(err as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(substituteEnv(text, env));
  } catch (err) {
    throw new ConfigError(`${path}: not valid YAML${yamlErrorDetail(err)}`);
  }
  return resolveConfig(raw, path, { raw: parseTemplates(text), env });
}

/** The file parsed without substitution (undefined when that does not parse). */
function parseTemplates(text: string): unknown {
  try {
    return parseYaml(text);
  } catch {
    return undefined;
  }
}

/** Messages the YAML parser writes without quoting the source; others are named by code. */
const PLAIN_MESSAGE = /^[A-Za-z ,.'"()]+$/;

/**
 * Where and why the YAML did not parse, without the excerpt of the file the parser adds to its
 * message: after ${env:…} substitution, that line may hold a token or password.
 */
function yamlErrorDetail(err: unknown): string {
  if (!(err instanceof YAMLParseError)) return '';
  const where = err.linePos ? ` at line ${err.linePos[0].line}, column ${err.linePos[0].col}` : '';
  const first = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  const why = PLAIN_MESSAGE.test(first) ? `${first} (${err.code})` : err.code;
  return `${where}: ${why}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
