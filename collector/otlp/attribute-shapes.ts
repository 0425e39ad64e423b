import type { Attributes, AttributeValue } from '@opentelemetry/api';
import { type PlainValue, setAttributeValue, toAttributeValue } from './attributes.js';

// Why attributes are gathered first and built from a remembered shape: an object given more than
// ~16 properties one `object[key] = value` at a time becomes a hash table in V8 ("dictionary
// mode"), and a GenAI span has ~30. As hash tables the attributes were 1.3 of the 3 KB a decoded
// span took on the heap, and building them a third of decoding. Spans from one sender repeat the
// same keys in the same order, so the first span of a shape builds a template object (property
// by property, which keeps V8's compact layout) and every later one copies it (`{ ...template }`,
// which copies the layout whole) and fills in its values: three times faster, and less than half
// the memory for the garbage collector to copy while the spans wait for the exporter.

/** Fewer keys than this stay compact anyway; more than the maximum are not worth remembering. */
const MIN_SHAPED_KEYS = 12;
const MAX_SHAPED_KEYS = 64;
const SHAPE_SLOTS = 64;

/** A key sequence seen before and an object with exactly those keys (values null). */
interface Shape {
  keys: string[];
  template: Attributes;
}

/** The last shape per slot; shared by every collector (a sender's spans and events alike). */
const shapes: Array<Shape | undefined> = new Array(SHAPE_SLOTS).fill(undefined);

function slotOf(keys: string[], count: number): number {
  const hash =
    count * 31 + keys[0]!.length * 7 + keys[count >> 1]!.length * 3 + keys[count - 1]!.length;
  return hash & (SHAPE_SLOTS - 1);
}

function sameKeys(shape: Shape, keys: string[], count: number): boolean {
  const known = shape.keys;
  if (known.length !== count) return false;
  for (let i = 0; i < count; i++) if (known[i] !== keys[i]) return false;
  return true;
}

/**
 * A template for these keys, or undefined for the rare lists left to the plain way, whose rules
 * are subtler: a key that repeats (the last value wins, in the first one's place) or
 * `__proto__` (an own property only by defineProperty).
 */
function newShape(keys: string[], count: number): Shape | undefined {
  const template: Attributes = {};
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    if (key === '__proto__' || Object.hasOwn(template, key)) return undefined;
    // defineProperty, not `template[key] = …`: it keeps the compact layout past 16 keys.
    Object.defineProperty(template, key, {
      value: null,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { keys: keys.slice(0, count), template };
}

/**
 * Gathers one attributes list (a span's, an event's, a resource's) as the direct decoder reads
 * it, then builds the object: the same keys, values and order as setAttribute() one by one.
 * One collector per nesting level, reused: `reset()`, `add()` each KeyValue, `build()`.
 */
export class AttributeCollector {
  private readonly keys: string[] = [];
  private readonly values: AttributeValue[] = [];
  private count = 0;

  reset(): void {
    this.count = 0;
  }

  /**
   * The key the previous list had where the next one goes (reset() keeps the old keys): spans
   * of one shape read each key by comparing it with this one.
   */
  expectedKey(): string | undefined {
    return this.keys[this.count];
  }

  /** One KeyValue, kept or dropped as setAttribute() would (empty key, unset value). */
  add(key: string, value: PlainValue): void {
    if (key === '') return;
    const attribute = toAttributeValue(value);
    if (attribute === undefined) return;
    this.keys[this.count] = key;
    this.values[this.count] = attribute;
    this.count += 1;
  }

  build(): Attributes {
    const { keys, values, count } = this;
    if (count < MIN_SHAPED_KEYS || count > MAX_SHAPED_KEYS) return this.plain();
    const slot = slotOf(keys, count);
    let shape = shapes[slot];
    if (shape === undefined || !sameKeys(shape, keys, count)) {
      shape = newShape(keys, count);
      if (shape === undefined) return this.plain();
      shapes[slot] = shape;
    }
    const attributes: Attributes = { ...shape.template };
    for (let i = 0; i < count; i++) attributes[keys[i]!] = values[i];
    return attributes;
  }

  private plain(): Attributes {
    const attributes: Attributes = {};
    for (let i = 0; i < this.count; i++) {
      setAttributeValue(attributes, this.keys[i]!, this.values[i]!);
    }
    return attributes;
  }
}
