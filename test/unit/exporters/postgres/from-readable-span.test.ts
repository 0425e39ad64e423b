import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { spanLikeFromReadable } from '../../../../exporters/postgres/from-readable-span.js';
import { transformSpan } from '../../../../exporters/postgres/transform.js';
import { OPTIONS } from './fixtures.js';

describe('spanLikeFromReadable', () => {
  it('adapts an SDK v2 ReadableSpan, parent, scope, times and events included', () => {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'svc' }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer('my-instrumentation', '2.1.0');
    const start = Date.UTC(2025, 9, 1, 12, 0, 0) + 0.5;
    const parent = tracer.startSpan('invoke_agent planner', { startTime: start });
    const child = tracer.startSpan(
      'chat gpt-4o',
      {
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' },
        startTime: start + 1,
      },
      trace.setSpan(context.active(), parent),
    );
    child.recordException({ name: 'RateLimitError', message: 'slow down' }, start + 2);
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'slow down' });
    child.end(start + 101.25);
    parent.end(start + 200);

    const readable = memory.getFinishedSpans().find((s) => s.name === 'chat gpt-4o')!;
    const like = spanLikeFromReadable(readable);
    expect(like).toMatchObject({
      traceId: parent.spanContext().traceId,
      spanId: child.spanContext().spanId,
      parentSpanId: parent.spanContext().spanId,
      name: 'chat gpt-4o',
      kind: 0,
      attributes: { 'gen_ai.operation.name': 'chat' },
      status: { code: 2, message: 'slow down' },
      resource: { 'service.name': 'svc' },
      scope: { name: 'my-instrumentation', version: '2.1.0' },
    });
    expect(like.startTimeMs).toBeCloseTo(start + 1, 3);
    expect(like.endTimeMs - like.startTimeMs).toBeCloseTo(100.25, 3);
    expect(like.events).toEqual([
      expect.objectContaining({
        name: 'exception',
        attributes: expect.objectContaining({ 'exception.type': 'RateLimitError' }),
      }),
    ]);

    const result = transformSpan(like, OPTIONS);
    expect(result).toMatchObject({
      kind: 'row',
      row: {
        status: 'error',
        error_type: 'RateLimitError',
        parent_span_id: parent.spanContext().spanId,
      },
    });
  });
});
