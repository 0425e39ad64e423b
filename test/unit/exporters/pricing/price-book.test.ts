import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PriceEntry } from '../../../../exporters/pricing/index.js';
import {
  baseModelName,
  createPriceBook,
  defaultPriceBook,
  loadPriceBookFile,
  priceRef,
} from '../../../../exporters/pricing/index.js';

const AT = Date.UTC(2025, 10, 1);
const ref = (entry: PriceEntry | undefined) => (entry === undefined ? undefined : priceRef(entry));

function writeJson(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'spanledger-prices-')), 'prices.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('defaultPriceBook', () => {
  const book = defaultPriceBook();

  it('covers the current models of every listed provider', () => {
    const models: Array<[string, string]> = [
      ...[
        'gpt-5',
        'gpt-5-mini',
        'gpt-5-nano',
        'gpt-4.1',
        'gpt-4.1-mini',
        'gpt-4.1-nano',
        'gpt-4o',
        'gpt-4o-mini',
        'o3',
        'o3-mini',
        'o4-mini',
        'o1',
        'text-embedding-3-small',
        'text-embedding-3-large',
      ].map((m): [string, string] => ['openai', m]),
      ...[
        'claude-opus-4-1',
        'claude-opus-4',
        'claude-sonnet-4-5',
        'claude-sonnet-4',
        'claude-3-7-sonnet',
        'claude-haiku-4-5',
        'claude-3-5-haiku',
        'claude-3-haiku',
      ].map((m): [string, string] => ['anthropic', m]),
      ...['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.0-flash'].map(
        (m): [string, string] => ['google', m],
      ),
      ...['mistral-large', 'mistral-medium', 'mistral-small', 'codestral'].map(
        (m): [string, string] => ['mistral', m],
      ),
      ...['deepseek-chat', 'deepseek-reasoner'].map((m): [string, string] => ['deepseek', m]),
    ];
    for (const [provider, model] of models) {
      expect(book.lookup(provider, model, AT), `${provider}/${model}`).toMatchObject({
        provider,
        model,
      });
    }
  });

  it('has plausible prices: output at least input, cache reads cheaper than input', () => {
    for (const e of book.entries) {
      expect(Number(e.output), priceRef(e)).toBeGreaterThanOrEqual(
        e.model.startsWith('text-embedding') ? 0 : Number(e.input),
      );
      if (e.cache_read !== undefined)
        expect(Number(e.cache_read), priceRef(e)).toBeLessThan(Number(e.input));
    }
  });
});

describe('lookup', () => {
  const book = defaultPriceBook();

  it('strips dated snapshot suffixes', () => {
    expect(ref(book.lookup('openai', 'gpt-4o-2024-08-06', AT))).toBe('openai/gpt-4o@2024-08-06');
    expect(ref(book.lookup('anthropic', 'claude-sonnet-4-5-20250929', AT))).toBe(
      'anthropic/claude-sonnet-4-5@2025-09-29',
    );
    expect(ref(book.lookup('anthropic', 'claude-3-5-haiku-latest', AT))).toBe(
      'anthropic/claude-3-5-haiku@2024-10-22',
    );
    expect(ref(book.lookup('mistral', 'mistral-large-2411', AT))).toBe(
      'mistral/mistral-large@2024-11-18',
    );
    expect(ref(book.lookup('google', 'models/gemini-2.5-flash', AT))).toBe(
      'google/gemini-2.5-flash@2025-06-17',
    );
  });

  it('prefers an exact entry to a stripped one', () => {
    expect(ref(book.lookup('openai', 'gpt-4o-2024-05-13', AT))).toBe(
      'openai/gpt-4o-2024-05-13@2024-05-13',
    );
  });

  it('falls back to the longest model-name prefix within the provider', () => {
    expect(ref(book.lookup('openai', 'gpt-4o-mini-search-preview', AT))).toBe(
      'openai/gpt-4o-mini@2024-07-18',
    );
    expect(ref(book.lookup('google', 'gemini-2.5-flash-preview-09-2025', AT))).toBe(
      'google/gemini-2.5-flash@2025-06-17',
    );
    // A prefix must end at a boundary: gpt-4o is not a prefix of gpt-4oz.
    expect(book.lookup('openai', 'gpt-4oz', AT)).toBeUndefined();
  });

  it('takes the latest price in force at the call time', () => {
    expect(book.lookup('openai', 'o3', Date.UTC(2025, 4, 1))).toMatchObject({
      input: 10,
      effective_from: '2025-04-16',
    });
    expect(book.lookup('openai', 'o3', Date.UTC(2025, 6, 1))).toMatchObject({
      input: 2,
      effective_from: '2025-06-10',
    });
    expect(book.lookup('openai', 'o3', Date.UTC(2024, 0, 1))).toBeUndefined();
  });

  it('does not cross providers and returns undefined for unknown models', () => {
    expect(book.lookup('aws.bedrock', 'gpt-4o', AT)).toBeUndefined();
    expect(book.lookup('openai', 'my-finetune', AT)).toBeUndefined();
    expect(book.lookup('nobody', 'gpt-4o', AT)).toBeUndefined();
  });
});

describe('baseModelName', () => {
  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-4'],
    ['claude-sonnet-4@20250514', 'claude-sonnet-4'],
    ['anthropic.claude-3-5-haiku-20241022-v1:0', 'anthropic.claude-3-5-haiku'],
    ['publishers/google/models/gemini-2.0-flash', 'gemini-2.0-flash'],
    ['GPT-4.1', 'gpt-4.1'],
    ['o1', 'o1'],
  ])('%s → %s', (model, base) => {
    expect(baseModelName(model)).toBe(base);
  });
});

describe('createPriceBook', () => {
  it('lowercases names and lets a later entry replace an earlier one with the same date', () => {
    const book = createPriceBook([
      { provider: 'Acme', model: 'Model-X', input: 1, output: 2, effective_from: '2025-01-01' },
      { provider: 'acme', model: 'model-x', input: 3, output: 4, effective_from: '2025-01-01' },
    ]);
    expect(book.entries).toHaveLength(1);
    expect(book.lookup('acme', 'MODEL-X', AT)).toMatchObject({ input: 3 });
  });
});

describe('loadPriceBookFile', () => {
  it('merges a user file over the defaults', () => {
    const book = loadPriceBookFile(
      writeJson([
        {
          provider: 'openai',
          model: 'gpt-4o',
          input: 2,
          output: 8,
          effective_from: '2024-08-06',
          source: 'our contract',
        },
        {
          provider: 'acme',
          model: 'acme-1',
          input: '0.5',
          output: '1.5',
          effective_from: '2025-01-01',
        },
      ]),
    );
    expect(book.lookup('openai', 'gpt-4o', AT)).toMatchObject({ input: 2, source: 'our contract' });
    expect(book.lookup('acme', 'acme-1', AT)).toMatchObject({ input: '0.5' });
    expect(book.lookup('anthropic', 'claude-sonnet-4-5', AT)).toBeDefined();
    expect(book.entries.length).toBe(defaultPriceBook().entries.length + 1);
  });

  it('names the file, the entry and the field in errors', () => {
    const path = writeJson([
      { provider: 'openai', model: 'gpt-4o', input: 2, output: 8, effective_from: '2024-08-06' },
      {
        provider: 'openai',
        model: 'gpt-x',
        input: 'cheap',
        output: 8,
        effective_from: '2024-08-06',
      },
    ]);
    expect(() => loadPriceBookFile(path)).toThrow(
      `${path}: entry 1 (openai/gpt-x): input must be a non-negative number of USD per million tokens with at most 12 decimal places (got "cheap")`,
    );
  });

  it.each([
    [
      [{ provider: 'a', model: 'b', input: 1, output: 1, effective_from: '2025-13-01' }],
      'entry 0 (a/b): effective_from must be a date written YYYY-MM-DD (got "2025-13-01")',
    ],
    [
      [{ provider: 'a', model: 'b', input: -1, output: 1, effective_from: '2025-01-01' }],
      'entry 0 (a/b): input must be a non-negative number',
    ],
    [
      [{ provider: 'a', model: 'b', input: 1, effective_from: '2025-01-01' }],
      'entry 0 (a/b): output must be a non-negative number',
    ],
    [
      [{ provider: 'a', model: 'b', input: 1, output: 1, effective_from: '2025-01-01', typo: 1 }],
      'entry 0 (a/b): unknown field "typo"',
    ],
    [
      [{ provider: '', model: 'b', input: 1, output: 1, effective_from: '2025-01-01' }],
      'entry 0 (/b): provider must be a non-empty string',
    ],
    [['nope'], 'entry 0 must be an object'],
    [{ entries: [] }, 'must be a JSON array of price entries'],
  ])('rejects %j', (content, message) => {
    expect(() => loadPriceBookFile(writeJson(content))).toThrow(message);
  });

  it('reports unreadable files', () => {
    expect(() => loadPriceBookFile('/nonexistent/prices.json')).toThrow(
      '/nonexistent/prices.json: cannot read price book',
    );
  });
});
