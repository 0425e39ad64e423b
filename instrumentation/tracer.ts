import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';

/** Instrumentation scope of every span spanledger's instrumentation creates. */
export const INSTRUMENTATION_SCOPE = 'spanledger/instrumentation';
const VERSION = '0.1.0';

let cached: { provider: TracerProvider; delegate: TracerProvider; tracer: Tracer } | undefined;

/**
 * The tracer of the provider registered now. A provider registered after the app imported us
 * (initTelemetry in another module, tests swapping providers) is picked up on the next call: the
 * cache is keyed on the global provider and its delegate. Cached because the SDK's getTracer
 * builds a key string and looks it up on every call (~2 µs, on the hot path of every LLM call).
 */
export function getTracer(): Tracer {
  const provider = trace.getTracerProvider();
  const delegate = (provider as { getDelegate?: () => TracerProvider }).getDelegate?.() ?? provider;
  if (cached?.provider === provider && cached.delegate === delegate) return cached.tracer;
  const tracer = delegate.getTracer(INSTRUMENTATION_SCOPE, VERSION);
  cached = { provider, delegate, tracer };
  return tracer;
}
