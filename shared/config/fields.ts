import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

/** A duration ("500ms", "1s", "5m" or milliseconds), output in milliseconds. */
export const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a duration such as "500ms", "1s" or "5m"',
        });
        return z.NEVER;
      }
      return ms;
    });

/** Longest timeout a Node timer holds exactly (larger values fire at once). */
const MAX_TIMEOUT_MS = 24 * 3_600_000;

/** A timeout: a duration between 1ms and 24h, output in milliseconds. */
export const timeout = (fallback: string) =>
  duration(fallback).pipe(
    z
      .number()
      .min(1, { error: 'must be a duration between 1ms and 24h' })
      .max(MAX_TIMEOUT_MS, { error: 'must be a duration between 1ms and 24h' }),
  );

/** A size ("512KiB", "20MiB", "1GiB" or bytes), output in bytes. */
export const size = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((v, ctx) => {
      const bytes = parseSize(v);
      if (bytes === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a size such as "512KiB", "20MiB" or "1GiB"',
        });
        return z.NEVER;
      }
      return bytes;
    });

/** An integer in [min, max] with one message for every way of getting it wrong. */
export const intBetween = (min: number, max: number, fallback: number) =>
  z
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int({ error: `must be an integer between ${min} and ${max}` })
    .min(min, { error: `must be an integer between ${min} and ${max}` })
    .max(max, { error: `must be an integer between ${min} and ${max}` })
    .default(fallback);

/** An optional integer in [min, max]; the caller derives the default. */
export const optionalIntBetween = (min: number, max: number) =>
  z
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int({ error: `must be an integer between ${min} and ${max}` })
    .min(min, { error: `must be an integer between ${min} and ${max}` })
    .max(max, { error: `must be an integer between ${min} and ${max}` })
    .optional();

/** host:port, with IPv6 hosts in brackets. */
export const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, {
  error: 'must be host:port, such as "127.0.0.1:4318"',
});

/** `key: ${env:UNSET:-}` parses as YAML null: treat it as "not set". */
export const optionalString = z
  .string()
  .nullable()
  .default('')
  .transform((v) => v ?? '');
