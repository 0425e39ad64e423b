import { OtlpHttpError } from './http-error.js';
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

/** Header values echoed in messages are cut to this many characters. */
const ECHO_MAX = 64;

/** A header value as it goes into an error message: quoted, cut short, or "none". */
export function echoHeader(value: string | undefined): string {
  if (value === undefined || value === '') return 'none';
  return JSON.stringify(value.length > ECHO_MAX ? `${value.slice(0, ECHO_MAX)}…` : value);
}

/** 415 for a Content-Type the receiver does not speak, naming the ones it does. */
export function unsupportedMediaType(contentType: string | undefined): OtlpHttpError {
  return new OtlpHttpError(
    415,
    `Content-Type ${echoHeader(contentType)} is not supported; accepted: ${MEDIA_TYPES.protobuf}, ${MEDIA_TYPES.json}`,
  );
}
