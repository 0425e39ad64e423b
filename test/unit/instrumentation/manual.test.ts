import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  configureInstrumentation,
  digest,
  redactValue,
  traceLlmCall,
  traceLlmStream,
  traceToolCall,
  withAuditContext,
} from '../../../instrumentation/index.js';
import { setupTracing } from '../../helpers/tracing.js';

const tracing = setupTracing();
afterAll(() => tracing.shutdown());
beforeEach(() => {
  tracing.reset();
  configureInstrumentation({ hashKey: 'k1' });
});

const meta = { provider: 'acme-llm', model: 'm1', input: 'hello there' };

describe('traceLlmCall', () => {
  it('records the outcome and the audit context across awaits and nested tool calls', async () => {
    await withAuditContext({ tenantId: 't1', userId: 'u1' }, async () => {
      await new Promise((r) => setTimeout(r, 1));
      await withAuditContext({ sessionId: 's1' }, () =>
        traceLlmCall(meta, async (call) => {
          await traceToolCall(
            { name: 'lookup', callId: 'c1', arguments: { q: 1 } },
            async () => 42,
          );
          call.record({ usage: { inputTokens: 3, outputTokens: 4 }, output: 'hi' });
          return 'ok';
        }),
      );
    });
    const llm = tracing.only('chat m1');
    const tool = tracing.only('execute_tool lookup');
    expect(tool.parentSpanContext?.spanId).toBe(llm.spanContext().spanId);
    for (const span of [llm, tool]) {
      expect(span.attributes).toMatchObject({
        'spanledger.tenant_id': 't1',
        'spanledger.user_id': 'u1',
        'spanledger.session_id': 's1',
      });
    }
    expect(llm.attributes['spanledger.input_hash']).toBe(digest('hello there', 'k1'));
    expect(llm.attributes['spanledger.output_hash']).toBe(digest('hi', 'k1'));
    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup',
      'gen_ai.tool.call.id': 'c1',
    });
    expect(tool.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
  });

  it('re-throws the same error object and marks the span failed', async () => {
    const boom = new TypeError('boom');
    await expect(traceLlmCall(meta, () => Promise.reject(boom))).rejects.toBe(boom);
    const span = tracing.only('chat m1');
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('TypeError');
  });

  it('never throws into the app when tracing itself fails', async () => {
    const broken = {
      getTracer: () => {
        throw new Error('tracer broke');
      },
    };
    const spy = trace.getTracerProvider();
    trace.disable();
    trace.setGlobalTracerProvider(broken as never);
    try {
      await expect(traceLlmCall(meta, async () => 'still works')).resolves.toBe('still works');
      await expect(traceToolCall({ name: 'x' }, () => 1)).resolves.toBe(1);
    } finally {
      trace.disable();
      trace.setGlobalTracerProvider(spy);
    }
  });

  it('puts redacted content on spans only when capture is on', async () => {
    configureInstrumentation({ hashKey: 'k1', captureMessageContent: true });
    await traceToolCall(
      {
        name: 'login',
        arguments: { user: 'ann', password: 'hunter2', note: 'Bearer abcdefghijkl' },
      },
      () => 'done',
    );
    const args = String(
      tracing.only('execute_tool login').attributes['gen_ai.tool.call.arguments'],
    );
    expect(args).toContain('ann');
    expect(args).not.toContain('hunter2');
    expect(args).not.toContain('abcdefghijkl');
  });
});

describe('traceLlmStream', () => {
  async function* source() {
    yield { text: 'a', usage: undefined };
    yield { text: 'b', usage: { inputTokens: 5, outputTokens: 2 } };
  }

  it('yields the same chunks and ends with the usage seen', async () => {
    const stream = await traceLlmStream(
      meta,
      () => source(),
      (chunk, call) => {
        call.appendOutputText(chunk.text);
        call.record({ usage: chunk.usage });
      },
    );
    const texts = [];
    for await (const chunk of stream) texts.push(chunk.text);
    expect(texts).toEqual(['a', 'b']);
    expect(tracing.only('chat m1').attributes['gen_ai.usage.input_tokens']).toBe(5);
  });

  it('ends as aborted when the consumer stops', async () => {
    const stream = await traceLlmStream(meta, () => source());
    for await (const _ of stream) break;
    expect(tracing.only('chat m1').attributes['spanledger.termination_reason']).toBe('aborted');
    expect(context.active()).toBeDefined();
  });
});

describe('redactValue', () => {
  it('redacts secret keys and credential-looking values, keeps token counts', () => {
    expect(
      redactValue({
        apiKey: 'x',
        nested: { Authorization: 'y', input_tokens: 5 },
        text: 'use sk-abcdefghijklmnop and postgres://u:pw@h/db',
      }),
    ).toEqual({
      apiKey: '[REDACTED]',
      nested: { Authorization: '[REDACTED]', input_tokens: 5 },
      text: 'use [REDACTED] and postgres://u:[REDACTED]@h/db',
    });
  });
});
