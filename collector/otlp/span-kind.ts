/**
 * OTLP numbers span kinds from 1 (INTERNAL) with 0 for UNSPECIFIED; the OTel API (and SpanLike)
 * from 0 (INTERNAL). Unspecified and unknown kinds read as INTERNAL, the API's default.
 */
export function otlpKindToApiKind(kind: number): number {
  return kind >= 1 && kind <= 5 ? kind - 1 : 0;
}

/** Enum names some older senders put in JSON (OTLP/JSON requires integers; accepting is harmless). */
export const SPAN_KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

/** Status code enum names, likewise. */
export const STATUS_CODE_NAMES: Readonly<Record<string, number>> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};
