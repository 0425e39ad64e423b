import { describe, expect, it } from 'vitest';
import { classifyKey, KeyKind } from '../../../../exporters/postgres/attribute-keys.js';
import { DIGEST_PREFIX } from '../../../../exporters/postgres/digest.js';
import { transformSpan } from '../../../../exporters/postgres/transform.js';
import { caseSpans } from '../../../fixtures/conventions/fixture-types.js';
import { loadConventionFixtures } from '../../../fixtures/conventions/load-fixtures.js';
import { EMPTY, EXPECTATIONS } from './convention-expectations.js';
import { OPTIONS } from './fixtures.js';

const fixtures = loadConventionFixtures();

function fixture(name: string) {
  const found = fixtures.get(name);
  if (found === undefined) throw new Error(`no fixture ${name}.json`);
  return found;
}

describe('convention fixtures replayed through transformSpan', () => {
  it.each(EXPECTATIONS.map((x) => [`${x.fixture} ${x.case} "${x.span}"`, x] as const))(
    '%s',
    (_, expectation) => {
      const spans = caseSpans(fixture(expectation.fixture), expectation.case).filter(
        (s) => s.name === expectation.span,
      );
      expect(spans).toHaveLength(1);
      const result = transformSpan(spans[0]!, OPTIONS);
      if (expectation.row === 'ignored') {
        expect(result.kind).toBe('ignored');
        return;
      }
      expect(result.kind).toBe('row');
      if (result.kind === 'row') expect(result.row).toMatchObject(expectation.row);
    },
  );

  it.each(EMPTY)('%s %s exports no span (the instrumentation never ends it)', (name, scenario) => {
    expect(caseSpans(fixture(name), scenario)).toEqual([]);
  });

  it('has an expectation for every captured span', () => {
    const expected = new Set(EXPECTATIONS.map((x) => `${x.fixture}/${x.case}/${x.span}`));
    const captured: string[] = [];
    for (const [name, f] of fixtures) {
      for (const c of f.cases)
        for (const s of c.spans) captured.push(`${name}/${c.case}/${s.name}`);
    }
    expect(captured.filter((key) => !expected.has(key))).toEqual([]);
    expect([...expected].filter((key) => !captured.includes(key))).toEqual([]);
  });

  it('records where every fixture came from and the versions that made it', () => {
    expect(fixtures.size).toBe(14);
    for (const f of fixtures.values()) {
      expect(['generated', 'from-source']).toContain(f.source);
      expect(Object.keys(f.versions).length).toBeGreaterThan(0);
      expect(f.notes.length).toBeGreaterThan(0);
    }
  });
});

/** Content texts long enough not to turn up in a row by coincidence ("Hello" would). */
function contentTexts(attributes: Record<string, unknown>): string[] {
  const texts: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    const kind = classifyKey(key);
    if (kind !== KeyKind.InputContent && kind !== KeyKind.OutputContent) continue;
    for (const text of Array.isArray(value) ? value : [value]) {
      if (typeof text === 'string' && text.length >= 12) texts.push(text);
    }
  }
  return texts;
}

describe('convention fixtures with capture off', () => {
  const rows = [...fixtures.values()].flatMap((f) =>
    f.cases.flatMap((c) =>
      c.spans.map((s) => ({ fixture: f.name, span: s, result: transformSpan(s, OPTIONS) })),
    ),
  );

  it('stores no prompt, completion, document or tool text of any instrumentation', () => {
    const leaks: string[] = [];
    for (const { fixture: name, span, result } of rows) {
      if (result.kind !== 'row') continue;
      const stored = JSON.stringify(result.row);
      for (const text of contentTexts(span.attributes)) {
        if (stored.includes(JSON.stringify(text).slice(1, -1))) leaks.push(`${name}: ${text}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('digests only what was reviewed: no metadata an instrumentation sends is lost', () => {
    const digested = new Set<string>();
    for (const { fixture: name, result } of rows) {
      if (result.kind !== 'row') continue;
      for (const [key, value] of Object.entries(result.row.attributes)) {
        if (typeof value === 'string' && value.startsWith(DIGEST_PREFIX)) {
          digested.add(`${name} ${key}`);
        }
      }
      if (result.row.span_name?.startsWith(DIGEST_PREFIX)) digested.add(`${name} span_name`);
    }
    // The AI SDK's provider metadata holds Google's grounding metadata (search queries).
    expect([...digested]).toEqual(['vercel-ai ai.response.providerMetadata']);
  });
});
