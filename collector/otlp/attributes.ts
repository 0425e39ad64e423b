import type { Attributes, AttributeValue } from '@opentelemetry/api';

/**
 * An OTLP AnyValue once decoded from either encoding: scalars, arrays (ArrayValue) and
 * null-prototype objects (KeyValueList). `null` is an AnyValue with no value set.
 */
export type PlainValue = string | number | boolean | null | PlainValue[] | PlainObject;
export interface PlainObject {
  [key: string]: PlainValue;
}

/** Nesting beyond this is cut: no GenAI attribute needs it, and JSON text must stay bounded. */
export const MAX_VALUE_DEPTH = 32;
export const TOO_DEEP = '[nested too deep]';

/** A null-prototype object, so keys such as "__proto__" from the payload stay plain data. */
export function plainObject(): PlainObject {
  return Object.create(null) as PlainObject;
}

type Primitive = 'string' | 'number' | 'boolean';

function homogeneousType(values: PlainValue[]): Primitive | undefined {
  const first = typeof values[0];
  if (first !== 'string' && first !== 'number' && first !== 'boolean') return undefined;
  return values.every((v) => typeof v === first) ? first : undefined;
}

/**
 * An AnyValue as an OTel attribute value. Attributes only hold scalars and homogeneous scalar
 * arrays, so a KeyValueList or a mixed/nested array becomes its JSON text (nothing is lost, and
 * jsonb can read it back); bytes arrive here already as base64 text. An unset value is dropped.
 */
export function toAttributeValue(value: PlainValue): AttributeValue | undefined {
  if (value === null) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    if (value.length === 0) return [] as string[];
    return homogeneousType(value) ? (value as AttributeValue) : JSON.stringify(value);
  }
  return JSON.stringify(value);
}

/** Sets one attribute; "__proto__" is defined as an own key rather than replacing the prototype. */
export function setAttribute(attributes: Attributes, key: string, value: PlainValue): void {
  if (key === '') return;
  const attribute = toAttributeValue(value);
  if (attribute !== undefined) setAttributeValue(attributes, key, attribute);
}

/** {@link setAttribute} for a value already converted, with a key already checked non-empty. */
export function setAttributeValue(
  attributes: Attributes,
  key: string,
  attribute: AttributeValue,
): void {
  if (key === '__proto__') {
    Object.defineProperty(attributes, key, {
      value: attribute,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    return;
  }
  attributes[key] = attribute;
}
