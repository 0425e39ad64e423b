import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanLike } from '../../../exporters/index.js';
import { DIGEST_PREFIX, hmacHex } from '../../../exporters/postgres/digest.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/database.js';
import { createTestExporter, ExportResultCode } from '../../helpers/exporter.js';
import { otelChat } from '../../unit/exporters/postgres/fixtures.js';
import {
  CHANNELS,
  json,
  longText,
  MARKER,
  openInference,
  SECRET_MESSAGE,
  SECRETS,
} from '../../unit/exporters/postgres/privacy-channels.js';

const HASH_KEY = 'privacy-test-key';
const OFF_TRACE = '0af7651916cd43dd8448eb211c80319c';
const ON_TRACE = '1bf7651916cd43dd8448eb211c80319d';

let nextSpan = 1;
function withIds(span: SpanLike, traceId: string): SpanLike {
  const spanId = (0xa000_0000_0000_0000n + BigInt(nextSpan++)).toString(16);
  return { ...span, traceId, spanId, parentSpanId: undefined };
}

/** Every channel, a free-text span name and a status message full of secrets. */
function hostileSpans(traceId: string): SpanLike[] {
  return [
    ...CHANNELS.map(([, extra]) => withIds(openInference(extra), traceId)),
    withIds({ ...otelChat(), name: `Summarise ${MARKER} for me please` }, traceId),
    withIds(
      { ...otelChat({ 'error.type': '401' }), status: { code: 2, message: SECRET_MESSAGE } },
      traceId,
    ),
    withIds(
      openInference({ 'llm.invocation_parameters': json({ model: 'm', system: MARKER }) }),
      traceId,
    ),
  ];
}

describe('PgSpanExporter into Postgres: privacy by allowlist', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    for (const [traceId, captureContent] of [
      [OFF_TRACE, false],
      [ON_TRACE, true],
    ] as const) {
      const { exporter, cleanup } = await createTestExporter(db.url, {
        transform: { hashKey: HASH_KEY, captureContent },
      });
      try {
        const outcome = await exporter.exportSpans(hostileSpans(traceId));
        expect(outcome.code).toBe(ExportResultCode.SUCCESS);
        expect(outcome.rejected).toEqual([]);
      } finally {
        await cleanup();
      }
    }
  });
  afterAll(async () => db.drop());

  /** The stored rows of one trace, each as its whole text. */
  async function storedText(traceId: string): Promise<string[]> {
    const { rows } = await db.pool.query<{ text: string }>(
      `SELECT a::text AS text FROM spanledger.audit_log a WHERE trace_id = $1
       UNION ALL SELECT u::text FROM spanledger.llm_usage u WHERE trace_id = $1`,
      [traceId],
    );
    return rows.map((r) => r.text);
  }

  it('stores none of the text with capture off, in any column of any table', async () => {
    const texts = await storedText(OFF_TRACE);
    expect(texts.length).toBeGreaterThanOrEqual(CHANNELS.length + 3);
    for (const text of texts) {
      expect(text).not.toContain(MARKER);
      for (const secret of SECRETS) expect(text).not.toContain(secret);
    }
    const { rows } = await db.pool.query(
      `SELECT u::text AS text FROM spanledger.usage_daily u UNION ALL
       SELECT d::text FROM spanledger.dead_letter d`,
    );
    for (const { text } of rows) expect(text).not.toContain(MARKER);
  });

  it('stores a digest where the text was', async () => {
    const { rows } = await db.pool.query(
      `SELECT attributes, input_hash, output_hash, span_name, flags
         FROM spanledger.audit_log WHERE trace_id = $1 ORDER BY span_id`,
      [OFF_TRACE],
    );
    const digestOf = (text: string) => DIGEST_PREFIX + hmacHex(HASH_KEY, text);
    CHANNELS.forEach(([name, extra, where], i) => {
      const row = rows[i];
      if (where === 'digest') {
        const [key, value] = Object.entries(extra).find(([, v]) => json(v).includes(MARKER))!;
        expect(row.attributes[key], name).toBe(
          digestOf(typeof value === 'string' ? value : json(value)),
        );
        expect(row.flags, name).toContain('digested');
      } else {
        expect(row[where], name).toMatch(/^v2:[0-9a-f]{64}$/);
      }
    });
    expect(rows[CHANNELS.length].span_name).toBe(digestOf(`Summarise ${MARKER} for me please`));
  });

  it('stores the content with capture on, secrets still redacted', async () => {
    const texts = await storedText(ON_TRACE);
    expect(texts.some((t) => t.includes(MARKER))).toBe(true);
    for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
    const { rows } = await db.pool.query(
      `SELECT input_content FROM spanledger.audit_log
        WHERE trace_id = $1 AND input_content = $2`,
      [ON_TRACE, longText],
    );
    expect(rows.length).toBeGreaterThan(0);
  });
});
