import { OpenAIInstrumentation as OpenInferenceInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation as OtelContribInstrumentation } from '@opentelemetry/instrumentation-openai';
import { OpenAIInstrumentation as TraceloopInstrumentation } from '@traceloop/instrumentation-openai';
import type OpenAI from 'openai';

/** One loaded copy of the `openai` package (bench/lib/module-copies.ts). */
export interface OpenAIModule {
  OpenAI: typeof OpenAI;
}

/** Instrumentation scope names of the peers' spans, for the export-time figures. */
export const PEER_SCOPES = {
  otelContrib: '@opentelemetry/instrumentation-openai',
  openllmetry: '@traceloop/instrumentation-openai',
  openinference: '@arizeai/openinference-instrumentation-openai',
  /** OpenLLMetry with content capture off: its tracer renamed, so its spans are timed apart. */
  openllmetryNoContent: '@traceloop/instrumentation-openai (traceContent: false)',
} as const;

/**
 * The OpenTelemetry contrib instrumentation (`@opentelemetry/instrumentation-openai`, 0.21.0) on
 * one module object. It has no manual entry point, so its module definition's own `patch` is
 * applied; `registerInstrumentations` must run first (it hands the instrumentation the global
 * tracer, meter and logger providers and enables it: a disabled one passes every call straight
 * through). Defaults as documented: no message content. Its metrics and log events go to the
 * global no-op providers here, since the benchmark installs none.
 *
 * Every copy of `openai` must be loaded before this runs: the enabled instrumentation also hooks
 * `require`, and would patch a copy loaded later.
 */
export function instrumentOtelContrib(module: OpenAIModule): void {
  const instrumentation = new OtelContribInstrumentation();
  registerInstrumentations({ instrumentations: [instrumentation] });
  for (const definition of instrumentation.getModuleDefinitions()) {
    definition.patch?.(module, '6.49.0');
  }
}

/**
 * OpenLLMetry's instrumentation (`@traceloop/instrumentation-openai`) through its documented
 * `manuallyInstrument`, which takes the `OpenAI` class. `traceContent` is its own option: on by
 * default (prompts and completions on the span), off for the figure without content, whose
 * spans carry a scope name of their own so the export timing can tell the two apart.
 */
export function instrumentOpenLLMetry(module: OpenAIModule, traceContent = true): void {
  const instrumentation = new TraceloopInstrumentation({ traceContent });
  if (!traceContent) {
    // The same kind of tracer as its own (a proxy of the global provider's), only renamed.
    instrumentation.setTracerProvider({
      getTracer: (_name, version) =>
        trace.getTracerProvider().getTracer(PEER_SCOPES.openllmetryNoContent, version),
    });
  }
  instrumentation.manuallyInstrument(module.OpenAI);
}

/**
 * Arize's OpenInference instrumentation through its documented `manuallyInstrument`, which takes
 * the module. It refuses a module it has patched before (a flag on the module and a set of patched
 * classes), so it gets a copy of `openai` no other instrumentation touched.
 */
export function instrumentOpenInference(module: OpenAIModule): void {
  const instrumentation = new OpenInferenceInstrumentation();
  instrumentation.manuallyInstrument(module as never);
}
