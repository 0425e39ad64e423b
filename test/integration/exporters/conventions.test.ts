import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRow } from '../../../exporters/index.js';
import { caseSpans } from '../../fixtures/conventions/fixture-types.js';
import { loadConventionFixtures } from '../../fixtures/conventions/load-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode } from '../../helpers/exporter.js';
import { EXPECTATIONS } from '../../unit/exporters/postgres/convention-expectations.js';

/** Columns audit_log stores as the transform produced them (staging-only ones excluded). */
const STORED: ReadonlyArray<keyof SpanRow> = [
  'event_type',
  'operation',
  'provider',
  'request_model',
  'response_model',
  'mcp_method',
  'tool_name',
  'status',
  'error_type',
  'error_message',
  'input_tokens',
  'output_tokens',
  'cache_read_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'usage_source',
  'price_ref',
];

function storedPart(row: Partial<SpanRow>): Record<string, unknown> {
  const part: Record<string, unknown> = {};
  for (const column of STORED) if (column in row) part[column] = row[column];
  return part;
}

describe('convention fixtures replayed through PgSpanExporter into Postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  it('stores every fixture span with the expected columns and bills the leaf calls', async () => {
    const fixtures = loadConventionFixtures();
    const { exporter, cleanup } = await createTestExporter(db.url);
    try {
      for (const fixture of fixtures.values()) {
        const spans = fixture.cases.flatMap((c) => c.spans);
        const outcome = await exporter.exportSpans(spans);
        expect(outcome.code, fixture.name).toBe(ExportResultCode.SUCCESS);
        expect(outcome.rejected, fixture.name).toEqual([]);
      }
      for (const expectation of EXPECTATIONS) {
        const fixture = fixtures.get(expectation.fixture)!;
        const span = caseSpans(fixture, expectation.case).find((s) => s.name === expectation.span)!;
        const { rows } = await db.pool.query(
          `SELECT *, input_tokens::int AS input_tokens, output_tokens::int AS output_tokens,
                  cache_read_tokens::int AS cache_read_tokens,
                  cache_write_tokens::int AS cache_write_tokens,
                  reasoning_tokens::int AS reasoning_tokens
             FROM spanledger.audit_log WHERE trace_id = $1 AND span_id = $2`,
          [span.traceId, span.spanId],
        );
        const label = `${expectation.fixture} ${expectation.case} ${expectation.span}`;
        if (expectation.row === 'ignored') {
          expect(rows, label).toEqual([]);
          continue;
        }
        expect(rows, label).toHaveLength(1);
        expect(rows[0], label).toMatchObject(storedPart(expectation.row));
      }
      const { rows: billed } = await db.pool.query<{ model: string; reasoning: number }>(
        `SELECT model, reasoning_tokens::int AS reasoning FROM spanledger.llm_usage
          WHERE trace_id = $1`,
        [caseSpans(fixtures.get('openllmetry-python-openai')!, 'chat_reasoning')[0]!.traceId],
      );
      expect(billed).toEqual([{ model: expect.stringContaining('o4-mini'), reasoning: 24 }]);
    } finally {
      await cleanup();
    }
  });
});
