import { createRequire } from 'node:module';
import { diag } from '@opentelemetry/api';

interface Encoder {
  encode(text: string): number[];
}

let encoder: Encoder | null | undefined;

/**
 * Loaded on first use, synchronously, because most calls report usage and never need it: the
 * o200k ranks are 2 MB of JavaScript that a service should not parse at start for nothing.
 */
function loadEncoder(): Encoder | null {
  if (encoder !== undefined) return encoder;
  try {
    const require = createRequire(import.meta.url);
    const { Tiktoken } = require('js-tiktoken/lite') as {
      Tiktoken: new (ranks: unknown) => Encoder;
    };
    const ranks = require('js-tiktoken/ranks/o200k_base') as { default?: unknown };
    encoder = new Tiktoken(ranks.default ?? ranks);
  } catch (error) {
    diag.warn('spanledger: js-tiktoken is not available; usage cannot be estimated', error);
    encoder = null;
  }
  return encoder;
}

/**
 * Tokens in `text` by the o200k_base encoding (GPT-4o and later). An estimate for other models
 * and providers, which is why spans using it say spanledger.usage_source = 'estimated'.
 */
export function estimateTokens(text: string): number | undefined {
  if (text === '') return 0;
  const enc = loadEncoder();
  if (!enc) return undefined;
  try {
    return enc.encode(text).length;
  } catch (error) {
    diag.debug('spanledger: token estimate failed', error);
    return undefined;
  }
}
