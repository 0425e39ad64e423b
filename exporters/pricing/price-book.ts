import { readFileSync } from 'node:fs';
import { validatePriceEntries } from './price-schema.js';
import defaultPrices from './prices.json' with { type: 'json' };
import type { PriceBook, PriceEntry } from './types.js';

/** An entry with what lookup needs precomputed. */
interface IndexedEntry {
  entry: PriceEntry;
  effectiveFromMs: number;
}

/** Dated snapshot and version suffixes, stripped (repeatedly) to find the base model. */
const SNAPSHOT_SUFFIXES = [
  /-\d{4}-\d{2}-\d{2}$/, // gpt-4o-2024-08-06
  /-\d{8}$/, // claude-sonnet-4-5-20250929
  /@\d{8}$/, // claude-sonnet-4@20250514 (Vertex AI)
  /-latest$/, // claude-3-5-haiku-latest
  /-v\d+(?::\d+)?$/, // anthropic.claude-...-v1:0 (Bedrock)
  /-\d{4}$/, // mistral-large-2411, gpt-3.5-turbo-0125
];

/** Characters after which a longer model name is a variant of a shorter one (gpt-4o → gpt-4o-mini). */
const PREFIX_BOUNDARY = new Set(['-', '.', '_', ':', '@', '/']);

/** Lookups repeat per model; cap the memo so hostile model names cannot grow it without bound. */
const MEMO_LIMIT = 10_000;

/** The model name without a path ("models/gemini-2.5-pro", "openai/gpt-4o") or snapshot suffix. */
export function baseModelName(model: string): string {
  let name = model.toLowerCase();
  name = name.slice(name.lastIndexOf('/') + 1);
  let previous: string;
  do {
    previous = name;
    for (const suffix of SNAPSHOT_SUFFIXES) name = name.replace(suffix, '');
  } while (name !== previous && name.length > 0);
  return name.length > 0 ? name : previous;
}

// Entries are read-only; every row priced by one entry shares one string instead of holding a
// copy of its own until the batch is written (~120 bytes a row).
const refs = new WeakMap<PriceEntry, string>();

/** `${provider}/${model}@${effective_from}`: which price a cost was computed with. */
export function priceRef(entry: PriceEntry): string {
  let ref = refs.get(entry);
  if (ref === undefined) {
    ref = `${entry.provider}/${entry.model}@${entry.effective_from}`;
    refs.set(entry, ref);
  }
  return ref;
}

function indexEntries(entries: readonly PriceEntry[]): Map<string, Map<string, IndexedEntry[]>> {
  const byProvider = new Map<string, Map<string, IndexedEntry[]>>();
  for (const entry of entries) {
    let models = byProvider.get(entry.provider);
    if (models === undefined) {
      models = new Map();
      byProvider.set(entry.provider, models);
    }
    let dated = models.get(entry.model);
    if (dated === undefined) {
      dated = [];
      models.set(entry.model, dated);
    }
    dated.push({ entry, effectiveFromMs: Date.parse(`${entry.effective_from}T00:00:00Z`) });
  }
  // Newest first, so lookup takes the first entry already in force.
  for (const models of byProvider.values()) {
    for (const dated of models.values())
      dated.sort((a, b) => b.effectiveFromMs - a.effectiveFromMs);
  }
  return byProvider;
}

function longestPrefix(
  models: Map<string, IndexedEntry[]>,
  name: string,
): IndexedEntry[] | undefined {
  let best: string | undefined;
  for (const model of models.keys()) {
    if (model.length >= name.length || !name.startsWith(model)) continue;
    if (!PREFIX_BOUNDARY.has(name[model.length]!)) continue;
    if (best === undefined || model.length > best.length) best = model;
  }
  return best === undefined ? undefined : models.get(best);
}

function resolveModel(
  models: Map<string, IndexedEntry[]>,
  model: string,
): IndexedEntry[] | undefined {
  const exact = model.toLowerCase();
  const base = baseModelName(model);
  return (
    models.get(exact) ??
    models.get(base) ??
    longestPrefix(models, exact) ??
    longestPrefix(models, base)
  );
}

/**
 * Builds a price book from entries (validated; provider and model lowercased). Later entries with
 * the same provider, model and effective_from replace earlier ones, which is how user files
 * override the defaults.
 */
export function createPriceBook(entries: readonly PriceEntry[], origin = 'price book'): PriceBook {
  const unique = new Map<string, PriceEntry>();
  for (const entry of validatePriceEntries(entries, origin)) {
    unique.set(`${entry.provider}\n${entry.model}\n${entry.effective_from}`, entry);
  }
  const all = Object.freeze([...unique.values()]);
  const index = indexEntries(all);
  // provider → model → resolved entries; two levels so a hit builds no key string.
  const memo = new Map<string, Map<string, IndexedEntry[] | null>>();
  let memoSize = 0;
  const candidates = (provider: string, model: string): IndexedEntry[] | null => {
    let byModel = memo.get(provider);
    if (byModel === undefined) {
      byModel = new Map();
      memo.set(provider, byModel);
    }
    let found = byModel.get(model);
    if (found === undefined) {
      const models = index.get(provider.toLowerCase());
      found = (models && resolveModel(models, model)) ?? null;
      if (++memoSize > MEMO_LIMIT) {
        memo.clear();
        memoSize = 0;
      }
      byModel.set(model, found);
    }
    return found;
  };
  return Object.freeze({
    entries: all,
    lookup(provider: string, model: string, at: number): PriceEntry | undefined {
      const dated = candidates(provider, model);
      if (dated === null) return undefined;
      for (const candidate of dated) if (candidate.effectiveFromMs <= at) return candidate.entry;
      return undefined;
    },
  });
}

let defaults: PriceBook | undefined;

/** The price book shipped in prices.json (verify and override for your contracts). */
export function defaultPriceBook(): PriceBook {
  defaults ??= createPriceBook(
    defaultPrices as readonly PriceEntry[],
    'exporters/pricing/prices.json',
  );
  return defaults;
}

/**
 * Reads a user price file (a JSON array of entries) and merges it over `base` (the defaults):
 * an entry with the same provider, model and effective_from replaces the default one, others are
 * added. Throws an error naming the file, the entry and the field when an entry is invalid.
 */
export function loadPriceBookFile(path: string, base: PriceBook = defaultPriceBook()): PriceBook {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: cannot read price book: ${(error as Error).message}`);
  }
  const overrides = validatePriceEntries(raw, path);
  return createPriceBook([...base.entries, ...overrides], path);
}
