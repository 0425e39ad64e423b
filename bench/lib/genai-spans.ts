import { randomBytes } from 'node:crypto';
import type { SpanLike } from '../../exporters/index.js';

const MODELS = [
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-haiku-4-5'],
  ['google', 'gemini-2.5-flash'],
] as const;

const RESOURCE = {
  'service.name': 'checkout-assistant',
  'service.version': '2.14.1',
  'deployment.environment.name': 'production',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.version': '2.0.0',
  'host.name': 'ip-10-0-3-17',
};

let seq = 0;

/**
 * A realistic GenAI chat span: ~30 attributes (request params, usage incl. cache and reasoning,
 * identity, HTTP details, digests), distinct ids, times spread over the current day.
 */
export function genaiSpan(now = Date.now()): SpanLike {
  const i = seq++;
  const [provider, model] = MODELS[i % MODELS.length]!;
  const input = 200 + (i % 5000);
  const start = now - (i % 86_400) * 1000;
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    parentSpanId: randomBytes(8).toString('hex'),
    name: `chat ${model}`,
    kind: 2,
    startTimeMs: start + 0.123,
    endTimeMs: start + 850.456,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': provider,
      'gen_ai.request.model': model,
      'gen_ai.response.model': model,
      'gen_ai.response.id': `resp_${i.toString(36)}_${randomBytes(6).toString('hex')}`,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 1024,
      'gen_ai.request.top_p': 1,
      'gen_ai.usage.input_tokens': input,
      'gen_ai.usage.output_tokens': 50 + (i % 700),
      'gen_ai.usage.cache_read.input_tokens': i % 3 === 0 ? Math.floor(input / 2) : 0,
      'gen_ai.usage.reasoning.output_tokens': i % 4 === 0 ? 20 : 0,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.conversation.id': `conv-${i % 10_000}`,
      'spanledger.tenant_id': `tenant-${i % 100}`,
      'enduser.id': `user-${i % 5_000}`,
      'spanledger.request_id': `req-${i}`,
      'spanledger.input_hash': randomBytes(32).toString('hex'),
      'spanledger.output_hash': randomBytes(32).toString('hex'),
      'server.address': `api.${provider}.com`,
      'server.port': 443,
      'http.response.status_code': 200,
      'url.path': '/v1/chat/completions',
      'gen_ai.openai.request.service_tier': 'default',
      'gen_ai.openai.response.system_fingerprint': 'fp_44709d6fcb',
      'app.feature': 'cart-summary',
      'app.experiment': i % 2 === 0 ? 'control' : 'variant-b',
      'app.region': 'eu-west-1',
      'thread.id': 1,
      'code.function.name': 'summarizeCart',
    },
    status: { code: 0 },
    resource: RESOURCE,
    scope: { name: 'spanledger/instrumentation-openai', version: '0.1.0' },
  };
}
