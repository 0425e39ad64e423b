import { z } from 'zod';
import { duration } from '../shared/index.js';

const TRACE_URL_MESSAGE =
  'must be an http(s) URL containing {trace_id}, such as http://jaeger:16686/trace/{trace_id}';

/**
 * `extensions.console` in otel-config.yaml: the web console, served on the query API's port
 * (`extensions.query_api.endpoint`). On by default: bound to loopback with no query tokens it is
 * open to the local user, as the OTLP receiver is.
 */
export const consoleSchema = z
  .strictObject({
    enabled: z.boolean({ error: 'must be true or false' }).default(true),
    /** A link from each trace to the same trace in Jaeger or Tempo; {trace_id} is replaced. */
    trace_url: z
      .string({ error: TRACE_URL_MESSAGE })
      .refine((v) => /^https?:\/\/[^\s]+$/i.test(v) && v.includes('{trace_id}'), {
        error: TRACE_URL_MESSAGE,
      })
      .optional(),
    /** How long a sign-in lasts (sessions also end when the collector restarts). */
    session_ttl: duration('12h'),
  })
  .prefault({});

/** The validated `extensions.console` (session_ttl in milliseconds). */
export type ConsoleConfig = z.output<typeof consoleSchema>;
