import type { Span } from '@opentelemetry/api';
import { contentText, digestText } from './privacy.js';

/**
 * Content up to about this many characters of text has its digest (JSON text and keyed hash)
 * computed when the span is exported rather than during the call. Larger content is hashed at once: a span
 * waiting in the batch queue must not keep a large prompt alive (2,048 queued spans × 8 Ki
 * characters ≈ 32 MiB at worst).
 */
export const DEFER_DIGEST_MAX_LENGTH = 8 * 1024;

/** The SDK span's own attribute record (sdk-trace SpanImpl.attributes). */
function attributeRecord(span: Span): Record<string, unknown> | undefined {
  const attributes = (span as { attributes?: unknown }).attributes;
  return attributes !== null && typeof attributes === 'object' && Object.isExtensible(attributes)
    ? (attributes as Record<string, unknown>)
    : undefined;
}

/**
 * The characters of text in `value` (strings, and strings inside arrays and objects a few levels
 * down), counting only until `limit` is passed: a cheap bound on its JSON size without building it.
 */
export function textLengthOver(value: unknown, limit: number, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (value === null || typeof value !== 'object') return 8;
  // Too deep to walk cheaply: treat as large, so it is hashed at once and never kept.
  if (depth > 4) return limit + 1;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      total += textLengthOver(item, limit - total, depth + 1) + 1;
      if (total > limit) return total;
    }
    return total;
  }
  for (const key in value) {
    total +=
      key.length +
      textLengthOver((value as Record<string, unknown>)[key], limit - total, depth + 1);
    if (total > limit) return total;
  }
  return total;
}

/**
 * What the digest will be computed from: a shallow copy, so a chat loop that pushes the reply
 * onto the messages array it sent (the common case) does not change the input digest. Content
 * changed in place inside a message object after the call would be seen; apps do not do that to
 * messages they have sent.
 */
function snapshot(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice();
  if (value !== null && typeof value === 'object') return Object.assign({}, value);
  return value;
}

/** A span's digest for one attribute: the content until first read, the digest after. */
class Pending {
  constructor(
    public content: unknown,
    public key: string,
    public digest: unknown = undefined,
    public done = false,
  ) {}
}

type PendingDigests = Record<string, Pending | undefined>;

/** A base class whose constructor hands back the object it is given. */
class Adopt {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point: a subclass's private field lands on `target`
    return target as Adopt;
  }
}

/**
 * Where a span's pending digests live: a private field that `new PendingField(record, …)` puts
 * onto the SDK's attribute record. Nothing that reads the record sees it (Object.keys, for…in,
 * Reflect.ownKeys, JSON, spread, deep-equality in tests), and adding it is an ordinary property
 * add, where a non-enumerable symbol property needs Object.defineProperty (a runtime call,
 * ~10 times the cost here).
 */
class PendingField extends Adopt {
  #digests: PendingDigests;

  private constructor(record: object, digests: PendingDigests) {
    super(record);
    this.#digests = digests;
  }

  /** The record's pending digests, if any were set. */
  static of(record: object): PendingDigests | undefined {
    return #digests in record ? (record as PendingField).#digests : undefined;
  }

  /** The record's pending digests, made on first use. */
  static ensure(record: object): PendingDigests {
    const existing = PendingField.of(record);
    if (existing) return existing;
    const created: PendingDigests = {};
    new PendingField(record, created);
    return created;
  }
}

/**
 * One accessor per attribute name, shared by every span: the descriptor object is the same on
 * every call, so V8 reuses one hidden-class transition for all spans instead of allocating
 * closures and normalising each span's attribute object (profiled at ~4 µs per digest). The
 * accessor finds its span's content through a private field on the record (PendingField), not a
 * WeakMap (a WeakMap entry per digest cost ~0.7 µs to add, and more in garbage collection).
 * The accessor stays in place once the digest is made: turning it into a data property on first
 * read cost as much as the HMAC itself (V8 rebuilds the record's shape).
 */
const descriptors = new Map<string, PropertyDescriptor>();

function descriptorFor(attribute: string): PropertyDescriptor {
  const existing = descriptors.get(attribute);
  if (existing) return existing;
  const descriptor: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: object) {
      const entry = PendingField.of(this)?.[attribute];
      if (!entry) return undefined;
      if (!entry.done) {
        entry.digest = digestText(contentText(entry.content), entry.key);
        entry.content = undefined;
        entry.done = true;
      }
      return entry.digest;
    },
    // span.setAttribute of the same key, or any other write: the written value wins.
    set(this: object, value: unknown) {
      PendingField.ensure(this)[attribute] = new Pending(undefined, '', value, true);
    },
  };
  descriptors.set(attribute, descriptor);
  return descriptor;
}

/**
 * Sets `attribute` to the keyed digest (shared/digest/keyed-digest.ts) of `value`. The content is captured now
 * (a shallow copy), but its JSON text and hash, which were most of the instrumentation's cost per call, are made
 * when the attribute is first read: by the exporter in the batch processor's background work, off
 * the app's call path. The attribute is an ordinary enumerable property to every reader (OTLP,
 * Postgres, InMemorySpanExporter, span processors, JSON, spread). Spans that are not recording
 * (sampled out, no SDK) get no digest and cost nothing.
 */
export function setDigestAttribute(
  span: Span,
  attribute: string,
  value: unknown,
  hashKey: string,
): void {
  if (!span.isRecording()) return;
  const record = attributeRecord(span);
  if (!record || textLengthOver(value, DEFER_DIGEST_MAX_LENGTH) > DEFER_DIGEST_MAX_LENGTH) {
    span.setAttribute(attribute, digestText(contentText(value), hashKey));
    return;
  }
  PendingField.ensure(record)[attribute] = new Pending(snapshot(value), hashKey);
  Object.defineProperty(record, attribute, descriptorFor(attribute));
}
