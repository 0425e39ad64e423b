import type { OtlpEncoding } from './internal-types.js';

/** The media types OTLP/HTTP defines, and the encoding each selects. */
export const MEDIA_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** The encoding a Content-Type header names (parameters such as charset ignored), if any. */
export function encodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const media = contentType?.split(';', 1)[0]?.trim().toLowerCase();
  if (media === MEDIA_TYPES.protobuf) return 'protobuf';
  if (media === MEDIA_TYPES.json) return 'json';
  return undefined;
}
