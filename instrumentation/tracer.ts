import { type Tracer, trace } from '@opentelemetry/api';

/** Instrumentation scope of every span spanledger's instrumentation creates. */
export const INSTRUMENTATION_SCOPE = 'spanledger/instrumentation';
const VERSION = '0.1.0';

/**
 * The tracer, looked up per call rather than cached so that a provider registered after the
 * app imported us (initTelemetry in another module, tests swapping providers) is used.
 */
export function getTracer(): Tracer {
  return trace.getTracer(INSTRUMENTATION_SCOPE, VERSION);
}
