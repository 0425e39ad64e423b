import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { getTracer, INSTRUMENTATION_SCOPE } from '../../../instrumentation/tracer.js';

function provider() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { exporter, tracerProvider };
}

describe('getTracer (cached per registered provider)', () => {
  afterEach(() => trace.disable());

  it('follows the provider registered now, also after a swap', () => {
    const first = provider();
    trace.setGlobalTracerProvider(first.tracerProvider);
    getTracer().startSpan('one').end();
    getTracer().startSpan('two').end();

    trace.disable();
    const second = provider();
    trace.setGlobalTracerProvider(second.tracerProvider);
    getTracer().startSpan('three').end();

    expect(first.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['one', 'two']);
    expect(second.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['three']);
    expect(second.exporter.getFinishedSpans()[0]?.instrumentationScope.name).toBe(
      INSTRUMENTATION_SCOPE,
    );
  });

  it('uses a provider registered after the first call', () => {
    getTracer().startSpan('before any provider').end();
    const late = provider();
    trace.setGlobalTracerProvider(late.tracerProvider);
    getTracer().startSpan('after').end();
    expect(late.exporter.getFinishedSpans().map((s) => s.name)).toEqual(['after']);
  });
});
