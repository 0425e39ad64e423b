import { context, SpanKind, trace } from '@opentelemetry/api';

/** Instrumentation scope of the reference wrapper's spans. */
export const BARE_OTEL_SCOPE = 'bare-otel-reference';

interface ChatResult {
  id?: string;
  model?: string;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

interface ObservablePromise {
  responsePromise: PromiseLike<unknown>;
  parseResponse: (...args: unknown[]) => Promise<unknown>;
}

/**
 * The least an OpenTelemetry instrumentation of `chat.completions.create` can do: one span with
 * the request attributes, active during the call, four response attributes, ended when the result
 * is parsed. No audit context, digests, tool calls, streams or error details. The benchmark runs it
 * beside spanledger's instrumentation as a reference: it is what the OTel SDK itself costs per call
 * on the machine at hand, so spanledger's own share can be read off in the same run.
 */
export function instrumentBareOtel(completionsPrototype: object): void {
  const owner = completionsPrototype as { create: (...args: unknown[]) => unknown };
  const original = owner.create;
  const tracer = trace.getTracer(BARE_OTEL_SCOPE);
  owner.create = function create(this: unknown, ...args: unknown[]) {
    const body = args[0] as { model: string };
    const parent = context.active();
    const span = tracer.startSpan(
      `chat ${body.model}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': body.model,
        },
      },
      parent,
    );
    const promise = context.with(trace.setSpan(parent, span), () =>
      original.apply(this, args),
    ) as ObservablePromise;
    const parse = promise.parseResponse;
    promise.parseResponse = async (...parseArgs: unknown[]) => {
      const value = (await parse.apply(promise, parseArgs)) as ChatResult;
      if (value.model) span.setAttribute('gen_ai.response.model', value.model);
      if (value.id) span.setAttribute('gen_ai.response.id', value.id);
      span.setAttribute('gen_ai.usage.input_tokens', value.usage?.prompt_tokens ?? 0);
      span.setAttribute('gen_ai.usage.output_tokens', value.usage?.completion_tokens ?? 0);
      span.end();
      return value;
    };
    promise.responsePromise.then(undefined, () => span.end());
    return promise;
  };
}
