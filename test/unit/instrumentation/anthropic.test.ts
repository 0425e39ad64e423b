import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentAnthropic, withAuditContext } from '../../../instrumentation/index.js';
import { type FakeProvider, SCENARIOS, startFakeProvider } from '../../helpers/fake-provider.js';
import { setupTracing } from '../../helpers/tracing.js';

let fake: FakeProvider;
const tracing = setupTracing();
let client: Anthropic;
let undo: () => void;

beforeAll(async () => {
  fake = await startFakeProvider();
  const baseURL = fake.url.replace(/\/v1$/, '');
  // openTelemetry: false: the SDK's own spans are off, so ours are the ones under test.
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL, maxRetries: 0, openTelemetry: false });
  undo = instrumentAnthropic(client);
});
afterAll(async () => {
  undo();
  await tracing.shutdown();
  await fake.close();
});
beforeEach(() => tracing.reset());

const messages = [{ role: 'user' as const, content: 'Bonjour?' }];
const s = SCENARIOS.anthropic;
const st = SCENARIOS.anthropicStream;

describe('Anthropic messages', () => {
  it('adds cached input to input_tokens and reports the cache parts', async () => {
    await client.messages.create({ model: s.model, max_tokens: 64, messages });
    const span = tracing.only(`chat ${s.model}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.usage.input_tokens': s.input + s.cacheRead + s.cacheWrite,
      'gen_ai.usage.cache_read.input_tokens': s.cacheRead,
      'gen_ai.usage.cache_creation.input_tokens': s.cacheWrite,
      'gen_ai.usage.output_tokens': s.output,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
  });

  it('merges message_start and message_delta usage of a stream and sees tool_use blocks', async () => {
    const stream = await client.messages.create({
      model: st.model,
      max_tokens: 64,
      messages,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types.at(-1)).toBe('message_stop');
    const span = tracing.only(`chat ${st.model}`);
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': st.input + st.cacheRead + st.cacheWrite,
      'gen_ai.usage.output_tokens': st.output,
      'gen_ai.response.finish_reasons': ['tool_use'],
      'spanledger.response.tool_call_ids': [st.toolUseId],
    });
  });

  it('instruments messages.stream() helper too', async () => {
    const final = await client.messages
      .stream({ model: st.model, max_tokens: 64, messages })
      .finalMessage();
    expect(final.usage.output_tokens).toBe(st.output);
    expect(tracing.only(`chat ${st.model}`).attributes['gen_ai.usage.output_tokens']).toBe(
      st.output,
    );
  });

  it('produces no second span when the SDK traces the call itself', async () => {
    const traced = new Anthropic({
      apiKey: 'sk-ant-test',
      baseURL: fake.url.replace(/\/v1$/, ''),
      maxRetries: 0,
    });
    await withAuditContext({ tenantId: 'acme' }, () =>
      traced.messages.create({ model: s.model, max_tokens: 64, messages }),
    );
    const spans = tracing.spans();
    expect(spans).toHaveLength(1);
    expect(spans[0]?.instrumentationScope.name).not.toBe('spanledger/instrumentation');
    // The audit-context processor still stamps who did it on the SDK's own span.
    expect(spans[0]?.attributes['spanledger.tenant_id']).toBe('acme');
    expect(spans[0]?.attributes['gen_ai.usage.input_tokens']).toBe(
      s.input + s.cacheRead + s.cacheWrite,
    );
  });
});
