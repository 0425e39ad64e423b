import { type Attributes, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A real SDK tracer whose finished spans are collected in memory. */
export function createTestTracer(resource: Attributes = { 'service.name': 'test-service' }) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('spanledger-test', '1.0.0');

  /** Starts and ends a span; returns the finished ReadableSpan. */
  function span(
    name: string,
    attributes: Attributes,
    options: { parent?: Span; startMs?: number; durationMs?: number; error?: string } = {},
  ): { readable: ReadableSpan; live: Span } {
    const start = options.startMs ?? Date.now();
    const ctx = options.parent ? trace.setSpan(context.active(), options.parent) : context.active();
    const live = tracer.startSpan(name, { attributes, startTime: start }, ctx);
    if (options.error) {
      live.setStatus({ code: SpanStatusCode.ERROR, message: options.error });
    }
    live.end(start + (options.durationMs ?? 100));
    const finished = memory.getFinishedSpans();
    return { readable: finished[finished.length - 1]!, live };
  }

  /** Starts a span that the caller ends (to parent others). */
  function open(name: string, attributes: Attributes, startMs = Date.now()): Span {
    return tracer.startSpan(name, { attributes, startTime: startMs });
  }

  return {
    tracer,
    span,
    open,
    finished: () => memory.getFinishedSpans(),
    reset: () => memory.reset(),
  };
}

let counter = 0;

/** Attributes of an OTel GenAI chat call with distinct, known usage numbers. */
export function chatAttributes(overrides: Attributes = {}): Attributes {
  counter++;
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.response.id': `chatcmpl-${counter}-${Math.random().toString(36).slice(2)}`,
    'gen_ai.usage.input_tokens': 100 + counter,
    'gen_ai.usage.output_tokens': 20 + counter,
    'gen_ai.response.finish_reasons': ['stop'],
    'spanledger.tenant_id': 'tenant-a',
    'enduser.id': 'user-1',
    ...overrides,
  };
}
