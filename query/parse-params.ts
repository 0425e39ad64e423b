import type { z } from 'zod';
import { badRequest } from './errors.js';

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function message(issue: z.core.$ZodIssue, input: Record<string, unknown>, known: string[]) {
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `"${k}"`).join(', ');
    return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${names} (known: ${known.join(', ')})`;
  }
  const name = issue.path.map(String).join('.') || 'request';
  const value = input[String(issue.path[0])];
  return value === undefined
    ? `${name} ${issue.message}`
    : `${name} ${issue.message} (got ${describe(value)})`;
}

/**
 * Validates query-string (or path) parameters with a zod object schema. Throws a 400 whose
 * message names every bad parameter, its value and what was expected.
 */
export function parseParams<S extends z.ZodObject>(schema: S, input: unknown): z.output<S> {
  const values = (input ?? {}) as Record<string, unknown>;
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const known = Object.keys(schema.shape);
  throw badRequest(result.error.issues.map((i) => message(i, values, known)).join('; '));
}
