import { describe, expect, it } from 'vitest';
import {
  resolveTransformOptions,
  TRANSFORM_DEFAULTS,
} from '../../../../exporters/postgres/transform.js';
import { createPriceBook } from '../../../../exporters/pricing/index.js';

describe('resolveTransformOptions', () => {
  it('applies defaults and freezes the result', () => {
    const options = resolveTransformOptions({ hashKey: 'k' });
    expect(options).toMatchObject({
      captureContent: false,
      hashKey: 'k',
      maxAttributesBytes: 16384,
      maxStringLength: 8192,
    });
    expect(TRANSFORM_DEFAULTS).toEqual({
      captureContent: false,
      maxAttributesBytes: 16384,
      maxStringLength: 8192,
    });
    expect(Object.isFrozen(options)).toBe(true);
    expect(options.priceBook.lookup('openai', 'gpt-4o', Date.UTC(2025, 0, 1))).toBeDefined();
  });

  it('uses one random hash key per process when none is given', () => {
    const a = resolveTransformOptions();
    const b = resolveTransformOptions({});
    expect(a.hashKey).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hashKey).toBe(a.hashKey);
  });

  it('keeps a given price book', () => {
    const priceBook = createPriceBook([]);
    expect(resolveTransformOptions({ priceBook }).priceBook).toBe(priceBook);
  });

  it.each([
    [
      { maxStringLength: 10 },
      'transform options: maxStringLength must be an integer between 64 and 16777216 (got 10)',
    ],
    [
      { maxAttributesBytes: 1.5 },
      'transform options: maxAttributesBytes must be an integer between 1024 and 67108864 (got 1.5)',
    ],
    [
      { hashKey: '' },
      'transform options: hashKey must be a non-empty string (got a string of 0 characters)',
    ],
    [
      { hashKey: 12345678 as unknown as string },
      'transform options: hashKey must be a non-empty string (got a number)',
    ],
    [
      { allowedAttributes: 'app.feature' as unknown as string[] },
      'transform options: allowedAttributes must be a list of non-empty attribute keys',
    ],
    [
      { allowedAttributes: ['app.feature', ''] },
      'transform options: allowedAttributes must be a list of non-empty attribute keys',
    ],
    [
      { captureContent: 'yes' as unknown as boolean },
      'transform options: captureContent must be true or false (got "yes")',
    ],
  ])('rejects %j with a clear error', (input, message) => {
    expect(() => resolveTransformOptions(input)).toThrow(message);
  });
});
