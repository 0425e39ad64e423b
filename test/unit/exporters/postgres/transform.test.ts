import { describe, expect, it } from 'vitest';
import type { SpanLike, SpanRow, TransformResult } from '../../../../exporters/postgres/rows.js';
import { STAGING_COLUMNS } from '../../../../exporters/postgres/rows.js';
import {
  resolveTransformOptions,
  transformSpan,
} from '../../../../exporters/postgres/transform.js';
import {
  httpSpan,
  mcpToolsCall,
  OPTIONS,
  openInferenceLlm,
  openLlmetryAnthropic,
  otelChat,
  otelDeprecatedChat,
  span,
  vercelDoGenerate,
  vercelWrapper,
} from './fixtures.js';

function row(result: TransformResult): SpanRow {
  if (result.kind !== 'row') throw new Error(`expected a row, got ${JSON.stringify(result)}`);
  return result.row;
}

describe('transformSpan', () => {
  it('maps an OTel GenAI chat span to a full, billable row', () => {
    const r = row(
      transformSpan(otelChat({ 'spanledger.tenant_id': 'acme', 'enduser.id': 'u-7' }), OPTIONS),
    );
    expect(r).toMatchObject({
      trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      parent_span_id: '00f067aa0ba902b7',
      started_at: '2025-10-01T12:00:00.000250Z',
      ended_at: '2025-10-01T12:00:01.234500Z',
      duration_ms: 1234.25,
      tenant_id: 'acme',
      user_id: 'u-7',
      service_name: 'checkout',
      service_version: '1.4.2',
      event_type: 'llm_call',
      operation: 'chat',
      span_name: 'chat gpt-4o',
      provider: 'openai',
      request_model: 'gpt-4o',
      response_model: 'gpt-4o-2024-08-06',
      status: 'ok',
      finish_reasons: ['stop'],
      termination_reason: 'completed',
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_tokens: 1000,
      cache_write_tokens: null,
      reasoning_tokens: null,
      usage_source: 'provider',
      // (1200 - 1000) × 2.50 + 1000 × 1.25 + 300 × 10.00 per million.
      cost_usd: '0.0047500000',
      price_ref: 'openai/gpt-4o@2024-08-06',
      billable: true,
      response_id: 'chatcmpl-AbC123',
      flags: [],
    });
    expect(r.attributes).toEqual({
      'gen_ai.request.temperature': 0.2,
      'server.address': 'api.openai.com',
      'server.port': 443,
      'spanledger.usage_convention': 'otel_genai',
    });
  });

  it('produces every staging column', () => {
    const r = row(transformSpan(otelChat(), OPTIONS));
    expect(Object.keys(r).sort()).toEqual(STAGING_COLUMNS.map(([c]) => c).sort());
  });

  it('reads deprecated OTel names and records the convention', () => {
    const r = row(transformSpan(otelDeprecatedChat(), OPTIONS));
    expect([r.provider, r.input_tokens, r.output_tokens]).toEqual(['openai', 50, 10]);
    expect(r.attributes['spanledger.usage_convention']).toBe('otel_genai_deprecated');
    // gpt-4o-mini: 50 × 0.15 + 10 × 0.60 per million.
    expect(r.cost_usd).toBe('0.0000135000');
  });

  it('corrects OpenLLMetry Anthropic input tokens and keeps its content out of the row', () => {
    const r = row(transformSpan(openLlmetryAnthropic(), OPTIONS));
    expect(r).toMatchObject({
      event_type: 'llm_call',
      provider: 'anthropic',
      input_tokens: 1300,
      output_tokens: 50,
      cache_read_tokens: 1000,
      cache_write_tokens: 200,
      finish_reasons: ['end_turn'],
      termination_reason: 'completed',
      price_ref: 'anthropic/claude-3-7-sonnet@2025-02-24',
      // 100 × 3 + 1000 × 0.30 + 200 × 3.75 + 50 × 15 per million.
      cost_usd: '0.0021000000',
      input_content: null,
      output_content: null,
      billable: true,
    });
    expect(r.flags).toEqual(['input_excludes_cache_corrected']);
    expect(r.attributes['spanledger.reported_input_tokens']).toBe(100);
    expect(r.attributes['spanledger.usage_convention']).toBe('openllmetry');
    expect(Object.keys(r.attributes).some((k) => k.startsWith('gen_ai.prompt.'))).toBe(false);
    expect(r.input_hash).toMatch(/^v2:[0-9a-f]{64}$/);
    expect(r.output_hash).toMatch(/^v2:[0-9a-f]{64}$/);
  });

  it('maps OpenInference LLM spans', () => {
    const r = row(transformSpan(openInferenceLlm(), OPTIONS));
    expect(r).toMatchObject({
      event_type: 'llm_call',
      provider: 'openai',
      request_model: 'gpt-4.1-mini-2025-04-14',
      response_model: 'gpt-4.1-mini-2025-04-14',
      input_tokens: 2000,
      output_tokens: 400,
      cache_read_tokens: 1500,
      reasoning_tokens: 100,
      price_ref: 'openai/gpt-4.1-mini@2025-04-14',
      billable: true,
    });
    expect(r.attributes['spanledger.usage_convention']).toBe('openinference');
    expect(r.attributes).not.toHaveProperty('input.value');
    expect(r.attributes['input.mime_type']).toBe('application/json');
  });

  it('bills the AI SDK doGenerate step and not its generateText wrapper', () => {
    const wrapper = row(transformSpan(vercelWrapper(), OPTIONS));
    const step = row(transformSpan(vercelDoGenerate(), OPTIONS));
    expect(wrapper).toMatchObject({
      event_type: 'llm_call',
      billable: false,
      input_tokens: 30,
      provider: 'openai',
    });
    expect(step).toMatchObject({
      event_type: 'llm_call',
      operation: 'chat',
      billable: true,
      input_tokens: 30,
      output_tokens: 5,
      provider: 'openai',
      response_id: 'chatcmpl-vercel-1',
      response_model: 'gpt-4o-mini-2024-07-18',
    });
    expect(step.attributes['spanledger.usage_convention']).toBe('vercel_ai');
  });

  it('maps an MCP tools/call span with its tool and server', () => {
    const r = row(transformSpan(mcpToolsCall(), OPTIONS));
    expect(r).toMatchObject({
      event_type: 'mcp_call',
      operation: 'execute_tool',
      mcp_method: 'tools/call',
      mcp_server: 'weather.internal',
      tool_name: 'get_weather',
      usage_source: 'none',
      cost_usd: null,
      billable: false,
    });
    expect(r.attributes['jsonrpc.request.id']).toBe(42);
    expect(r.attributes).not.toHaveProperty('gen_ai.tool.call.arguments');
    expect(r.input_hash).toMatch(/^v2:[0-9a-f]{64}$/);
  });

  it('ignores spans that are not GenAI calls', () => {
    expect(transformSpan(httpSpan(), OPTIONS)).toEqual({ kind: 'ignored' });
  });

  it('prices unknown models as NULL, not 0, and flags them', () => {
    const r = row(
      transformSpan(
        otelChat({ 'gen_ai.request.model': 'my-finetune', 'gen_ai.response.model': 'my-finetune' }),
        OPTIONS,
      ),
    );
    expect([r.cost_usd, r.price_ref, r.billable]).toEqual([null, null, true]);
    expect(r.flags).toContain('unpriced');
  });

  it('stores content only with captureContent, redacted and capped', () => {
    const options = resolveTransformOptions({
      hashKey: 'k',
      captureContent: true,
      maxStringLength: 64,
    });
    const r = row(
      transformSpan(
        otelChat({
          'gen_ai.input.messages':
            '[{"role":"user","content":"my key is sk-proj-abcdefghijklmnopqrstuvwx"}]',
          'gen_ai.output.messages': 'x'.repeat(100),
        }),
        options,
      ),
    );
    expect(r.input_content).toBe('[{"role":"user","content":"my key is [REDACTED]"}]');
    expect(r.output_content).toBe('x'.repeat(64));
    expect(r.flags).toEqual(expect.arrayContaining(['redacted', 'truncated']));
  });

  it('records an error with its type, message and termination', () => {
    const s = otelChat({ 'error.type': 'APITimeoutError', 'http.response.status_code': 408 });
    const r = row(
      transformSpan({ ...s, status: { code: 2, message: 'Request timed out.' } }, OPTIONS),
    );
    expect(r).toMatchObject({
      status: 'error',
      error_type: 'APITimeoutError',
      error_message: 'Request timed out.',
      http_status: 408,
      termination_reason: 'timeout',
    });
  });
});

describe('transformSpan rejects spans it cannot store', () => {
  const chat = (overrides: Partial<SpanLike>) =>
    transformSpan({ ...otelChat(), ...overrides }, OPTIONS);

  it.each([
    [{ traceId: 'xyz' }, 'traceId "xyz" is not 32 hexadecimal characters'],
    [{ traceId: '0'.repeat(32) }, `traceId "${'0'.repeat(32)}" is all zeros`],
    [{ spanId: '123' }, 'spanId "123" is not 16 hexadecimal characters'],
    [{ spanId: '0'.repeat(16) }, `spanId "${'0'.repeat(16)}" is all zeros`],
    [
      { parentSpanId: 'not-hex-at-all!!' },
      'parentSpanId "not-hex-at-all!!" is not 16 hexadecimal characters',
    ],
    [{ startTimeMs: Number.NaN }, 'start time "NaN" is not a valid timestamp'],
    [{ startTimeMs: 1e20 }, 'start time "100000000000000000000" is not a valid timestamp'],
  ])('%j → invalid', (overrides, reason) => {
    expect(chat(overrides)).toMatchObject({ kind: 'invalid', reason });
  });

  it('lowercases uppercase ids and treats an all-zero parent as root', () => {
    const r = row(
      chat({ traceId: '4BF92F3577B34DA6A3CE929D0E0E4736', parentSpanId: '0'.repeat(16) }),
    );
    expect([r.trace_id, r.parent_span_id]).toEqual(['4bf92f3577b34da6a3ce929d0e0e4736', null]);
  });

  it('keeps a span whose end is bad, without end or duration', () => {
    const r = row(chat({ endTimeMs: otelChat().startTimeMs - 5 }));
    expect([r.duration_ms, r.flags]).toEqual([null, ['invalid_end_time']]);
    expect(r.ended_at).not.toBeNull();
    const r2 = row(chat({ endTimeMs: Number.POSITIVE_INFINITY }));
    expect([r2.ended_at, r2.duration_ms]).toEqual([null, null]);
  });

  it('leaves ignored spans alone even with bad ids', () => {
    expect(transformSpan({ ...httpSpan(), traceId: 'bad' }, OPTIONS)).toEqual({ kind: 'ignored' });
  });

  it('never lets a huge attribute set exceed the cap', () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < 100; i++) attributes[`app.k${i}`] = 'v'.repeat(1000);
    // Capture on, so the values are stored as they are (off, they would be 76-byte digests).
    const options = resolveTransformOptions({
      hashKey: 'k',
      maxAttributesBytes: 4096,
      captureContent: true,
    });
    const r = row(transformSpan(span({ ...otelChat().attributes, ...attributes }), options));
    expect(Buffer.byteLength(JSON.stringify(r.attributes))).toBeLessThanOrEqual(4096);
    expect(r.flags).toContain('attributes_truncated');
    expect(r.attributes['spanledger.dropped_attributes']).toBeGreaterThan(90);
  });
});
