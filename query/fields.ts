import { z } from 'zod';

// Query-string fields. Every value arrives as a string (or, when a parameter is repeated, an
// array): each builder turns bad input into a message that says what was expected, and
// parseParams() prefixes the parameter's name and the value it got.

const ONCE = 'must be given once';
const MAX_TEXT = 256;

/** A free-text filter (user id, model, ...): bound as a parameter, so any text is safe. */
export const text = (description: string) =>
  z
    .string({ error: ONCE })
    .min(1, { error: 'must not be empty' })
    .max(MAX_TEXT, { error: `must be at most ${MAX_TEXT} characters` })
    // Postgres text cannot hold NUL: refuse it here rather than fail in the database.
    .refine((v) => !v.includes('\u0000'), { error: 'must not contain NUL characters' })
    .meta({ description });

/** One of a fixed set of values. */
export const oneOf = <const T extends readonly [string, ...string[]]>(
  values: T,
  description: string,
) => z.enum(values, { error: `must be one of ${values.join(', ')}` }).meta({ description });

/** Lowercase hex of a fixed length (trace ids); upper case is accepted and lowered. */
export const hexId = (bytes: number, description: string) =>
  z
    .string({ error: ONCE })
    .regex(new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`), {
      error: `must be ${bytes * 2} hex characters`,
    })
    .transform((v) => v.toLowerCase())
    .meta({ description });

/** A positive integer up to `max`, `fallback` when absent. */
export const count = (max: number, fallback: number, description: string) =>
  z
    .string({ error: ONCE })
    .regex(/^\d{1,9}$/, { error: `must be an integer between 1 and ${max}` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, { error: `must be an integer between 1 and ${max}` })
        .max(max, { error: `must be an integer between 1 and ${max}` }),
    )
    .optional()
    .transform((v) => v ?? fallback)
    .meta({ description: `${description} (1-${max}, default ${fallback})` });

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(2000, m, 0)).getUTCDate(); // Feb has 29 in the leap year 2000
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && !leap ? 28 : days);
}

/** A validated point in time: Postgres-parsable text and, for ordering checks, milliseconds. */
export interface TimeBound {
  /** Text for a timestamptz parameter: RFC 3339, or "infinity" past year 9999. */
  text: string;
  ms: number;
  /** For a calendar-date input: the date (YYYY-MM-DD, the next day for an inclusive end). */
  date?: string;
}

/**
 * Parses YYYY-MM-DD or an RFC 3339 timestamp with Z or an offset; undefined when invalid. A date
 * as an inclusive end (`endOfDay`) becomes the start of the next day.
 */
export function parseTimeBound(value: string, endOfDay: boolean): TimeBound | undefined {
  const date = DATE.exec(value);
  if (date) {
    const [y, m, d] = date.slice(1, 4).map(Number) as [number, number, number];
    if (!validDate(y, m, d)) return undefined;
    const at = new Date(0);
    at.setUTCFullYear(y, m - 1, d + (endOfDay ? 1 : 0));
    if (at.getUTCFullYear() > 9999) return { text: 'infinity', ms: at.getTime(), date: 'infinity' };
    const day = at.toISOString().slice(0, 10);
    return { text: `${day}T00:00:00Z`, ms: at.getTime(), date: day };
  }
  const ts = TIMESTAMP.exec(value);
  if (!ts) return undefined;
  const [y, m, d, hh, mm, ss, oh, om] = ts.slice(1, 9).map((p) => Number(p ?? 0)) as number[];
  if (!validDate(y!, m!, d!) || hh! > 23 || mm! > 59 || ss! > 59 || oh! > 15 || om! > 59) {
    return undefined;
  }
  const ms = Date.parse(value.replace(' ', 'T').toUpperCase());
  if (Number.isNaN(ms)) return undefined;
  return { text: value, ms };
}

const TIME_MESSAGE =
  'must be a date (2026-11-01) or an RFC 3339 timestamp (2026-11-01T12:00:00Z; in a URL send "+" as %2B)';

/**
 * A time bound. `from` is inclusive; `to` is exclusive for a timestamp and, for a date, includes
 * that whole (UTC) day, so `from=2026-11-01&to=2026-11-30` is all of November.
 */
export const timeBound = (end: 'from' | 'to', description: string) =>
  z
    .string({ error: ONCE })
    .transform((value, ctx) => {
      const bound = parseTimeBound(value, end === 'to');
      if (!bound) {
        ctx.addIssue({ code: 'custom', message: TIME_MESSAGE });
        return z.NEVER;
      }
      return bound;
    })
    .meta({ description, format: 'date-time' });

/** A calendar date (YYYY-MM-DD, UTC); `to` dates are inclusive. */
export const dateBound = (end: 'from' | 'to', description: string) =>
  z
    .string({ error: ONCE })
    .transform((value, ctx) => {
      const bound = DATE.test(value) ? parseTimeBound(value, end === 'to') : undefined;
      if (!bound) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a date such as 2026-11-01 (usage is kept per UTC day)',
        });
        return z.NEVER;
      }
      return bound;
    })
    .meta({ description, format: 'date' });
