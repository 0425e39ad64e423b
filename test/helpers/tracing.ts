import { context, propagation, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { AuditContextSpanProcessor } from '../../instrumentation/index.js';

/** A globally registered tracer provider recording into memory, plus optional extra processors. */
export function setupTracing(extra: SpanProcessor[] = []) {
  trace.disable();
  context.disable();
  propagation.disable();
  const memory = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({
    spanProcessors: [new AuditContextSpanProcessor(), new SimpleSpanProcessor(memory), ...extra],
  });
  provider.register();
  return {
    provider,
    memory,
    spans: (): ReadableSpan[] => memory.getFinishedSpans(),
    /** The one finished span named `name`; throws when there is not exactly one. */
    only(name: string): ReadableSpan {
      const found = memory.getFinishedSpans().filter((s) => s.name === name);
      if (found.length !== 1) {
        throw new Error(
          `expected one span "${name}", got ${found.length}: ${memory
            .getFinishedSpans()
            .map((s) => s.name)
            .join(', ')}`,
        );
      }
      return found[0]!;
    },
    reset: () => memory.reset(),
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}
