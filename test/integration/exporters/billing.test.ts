import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, exportVia } from '../../helpers/exporter.js';
import { chatAttributes, createTestTracer } from '../../helpers/spans.js';

describe('leaf-only billing', () => {
  let db: TestDatabase;
  let exporterHandle: Awaited<ReturnType<typeof createTestExporter>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    exporterHandle = await createTestExporter(db.url);
  });
  afterAll(async () => {
    await exporterHandle.cleanup();
    await db.drop();
  });

  async function billedSpans(traceId: string): Promise<string[]> {
    const { rows } = await db.pool.query<{ span_id: string }>(
      'SELECT span_id FROM spanledger.llm_usage WHERE trace_id = $1 ORDER BY span_id',
      [traceId],
    );
    return rows.map((r) => r.span_id);
  }

  async function auditCount(traceId: string): Promise<number> {
    const { rows } = await db.pool.query(
      'SELECT count(*) n FROM spanledger.audit_log WHERE trace_id = $1',
      [traceId],
    );
    return Number(rows[0].n);
  }

  it('an agent span whose usage sums its children is audited but not billed', async () => {
    const t = createTestTracer();
    const start = Date.now();
    const agent = t.open(
      'invoke_agent planner',
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'planner',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 300,
        'gen_ai.usage.output_tokens': 50,
      },
      start,
    );
    const c1 = t.span(
      'chat',
      chatAttributes({ 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 20 }),
      { parent: agent, startMs: start + 1 },
    );
    const c2 = t.span(
      'chat',
      chatAttributes({ 'gen_ai.usage.input_tokens': 200, 'gen_ai.usage.output_tokens': 30 }),
      { parent: agent, startMs: start + 200 },
    );
    agent.end(start + 500);
    const all = t.finished();
    await exportVia(exporterHandle.exporter, all);
    const traceId = agent.spanContext().traceId;
    expect(await auditCount(traceId)).toBe(3);
    expect(await billedSpans(traceId)).toEqual(
      [c1.readable.spanContext().spanId, c2.readable.spanContext().spanId].sort(),
    );
  });

  it('a Vercel ai.generateText wrapper is not billed; its doGenerate child is', async () => {
    const t = createTestTracer();
    const start = Date.now();
    const wrapper = t.open(
      'ai.generateText',
      {
        'ai.operationId': 'ai.generateText',
        'operation.name': 'ai.generateText',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.usage.promptTokens': 40,
        'ai.usage.completionTokens': 8,
      },
      start,
    );
    const leaf = t.span(
      'ai.generateText.doGenerate',
      {
        'ai.operationId': 'ai.generateText.doGenerate',
        'operation.name': 'ai.generateText.doGenerate',
        'ai.model.id': 'gpt-4o-mini',
        'ai.model.provider': 'openai.chat',
        'ai.usage.promptTokens': 40,
        'ai.usage.completionTokens': 8,
        'gen_ai.system': 'openai.chat',
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 40,
        'gen_ai.usage.output_tokens': 8,
      },
      { parent: wrapper, startMs: start + 5 },
    );
    wrapper.end(start + 300);
    await exportVia(exporterHandle.exporter, t.finished());
    const traceId = wrapper.spanContext().traceId;
    expect(await auditCount(traceId)).toBe(2);
    expect(await billedSpans(traceId)).toEqual([leaf.readable.spanContext().spanId]);
  });

  it('two instrumentations tracing one provider call (same response id) bill once', async () => {
    const t = createTestTracer();
    const start = Date.now();
    const parent = t.open('handle request', {}, start);
    const attrs = chatAttributes({ 'gen_ai.response.id': 'chatcmpl-shared-1' });
    t.span('chat', attrs, { parent, startMs: start + 10, durationMs: 100 });
    t.span('openai.chat', attrs, { parent, startMs: start + 11, durationMs: 98 });
    parent.end(start + 200);
    await exportVia(exporterHandle.exporter, t.finished());
    expect(await billedSpans(parent.spanContext().traceId)).toHaveLength(1);
  });

  it('duplicates without response ids but overlapping in time bill once; sequential identical calls bill twice', async () => {
    const t = createTestTracer();
    const start = Date.now();
    const parent = t.open('handle request', {}, start);
    const same = {
      'gen_ai.response.id': '',
      'gen_ai.usage.input_tokens': 77,
      'gen_ai.usage.output_tokens': 7,
    };
    const a = chatAttributes(same);
    delete a['gen_ai.response.id'];
    t.span('chat', a, { parent, startMs: start + 10, durationMs: 100 });
    t.span('chat', a, { parent, startMs: start + 12, durationMs: 95 });
    // The same question asked again later: a real second call.
    t.span('chat', a, { parent, startMs: start + 500, durationMs: 100 });
    parent.end(start + 700);
    await exportVia(exporterHandle.exporter, t.finished());
    expect(await billedSpans(parent.spanContext().traceId)).toHaveLength(2);
  });

  it('the rules hold across batches: a late parent or a late duplicate is not billed', async () => {
    const t = createTestTracer();
    const start = Date.now();
    const root = t.open('handle request', {}, start);
    // An outer instrumentation's LLM span wrapping an inner one with the same usage.
    const outer = t.open(
      'chat gpt-4o-mini',
      chatAttributes({
        'gen_ai.response.id': 'resp-outer',
        'gen_ai.usage.input_tokens': 55,
        'gen_ai.usage.output_tokens': 5,
      }),
      start + 1,
    );
    const inner = t.span(
      'chat',
      chatAttributes({
        'gen_ai.response.id': 'resp-x',
        'gen_ai.usage.input_tokens': 55,
        'gen_ai.usage.output_tokens': 5,
      }),
      { parent: outer, startMs: start + 2 },
    );
    await exportVia(exporterHandle.exporter, [inner.readable]);
    outer.end(start + 150);
    const outerReadable = t.finished().at(-1)!;
    const dup = t.span(
      'chat',
      chatAttributes({
        'gen_ai.response.id': 'resp-x',
        'gen_ai.usage.input_tokens': 55,
        'gen_ai.usage.output_tokens': 5,
      }),
      { parent: outer, startMs: start + 3 },
    );
    await exportVia(exporterHandle.exporter, [outerReadable]);
    await exportVia(exporterHandle.exporter, [dup.readable]);
    root.end(start + 200);
    const traceId = outer.spanContext().traceId;
    expect(await auditCount(traceId)).toBe(3);
    expect(await billedSpans(traceId)).toEqual([inner.readable.spanContext().spanId]);
    const { rows } = await db.pool.query(
      'SELECT span_id, billed FROM spanledger.audit_log WHERE trace_id = $1 ORDER BY started_at',
      [traceId],
    );
    expect(rows.filter((r) => r.billed)).toHaveLength(1);
  });

  it('large writes split into parallel lanes keep the billing decisions of every trace intact', async () => {
    const t = createTestTracer();
    const traces: string[] = [];
    const start = Date.now();
    // 400 traces × (agent + 2 children + a duplicate of child 1) = 1,600 spans: above the size
    // at which the exporter writes in two concurrent transactions.
    for (let i = 0; i < 400; i++) {
      const agent = t.open(
        'invoke_agent',
        {
          'gen_ai.operation.name': 'invoke_agent',
          'gen_ai.provider.name': 'openai',
          'gen_ai.usage.input_tokens': 30,
          'gen_ai.usage.output_tokens': 3,
        },
        start,
      );
      const a = chatAttributes({
        'gen_ai.response.id': `lane-${i}`,
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.output_tokens': 1,
      });
      t.span('chat', a, { parent: agent, startMs: start + 1 });
      t.span('openai.chat', a, { parent: agent, startMs: start + 2 });
      t.span(
        'chat',
        chatAttributes({ 'gen_ai.usage.input_tokens': 20, 'gen_ai.usage.output_tokens': 2 }),
        { parent: agent, startMs: start + 50 },
      );
      agent.end(start + 100);
      traces.push(agent.spanContext().traceId);
    }
    const spans = t.finished();
    expect(spans.length).toBe(1600);
    await exportVia(exporterHandle.exporter, spans);
    await exportVia(exporterHandle.exporter, spans);
    const { rows } = await db.pool.query(
      `SELECT count(*)::int AS billed, sum(input_tokens)::int AS input FROM spanledger.llm_usage WHERE trace_id = ANY($1)`,
      [traces],
    );
    // Per trace: child 1 once (its duplicate not), child 2, the agent never: 2 rows, 30 tokens.
    expect(rows[0]).toEqual({ billed: 800, input: 400 * 30 });
    const audit = await db.pool.query(
      'SELECT count(*)::int AS n FROM spanledger.audit_log WHERE trace_id = ANY($1)',
      [traces],
    );
    expect(audit.rows[0].n).toBe(1600);
  });
});
