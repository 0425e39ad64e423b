import protobuf from 'protobufjs/light.js';
import descriptor from './proto/generated/otlp-descriptor.json' with { type: 'json' };

// Only on the error path: the generated decoder says what went wrong ("index out of range",
// "invalid utf8") but not where. This walks the same bytes with the same protobufjs Reader,
// guided by the schema's reflection descriptor (generated from the same .proto files), and
// names the field whose bytes the first failure is in.

const REQUEST_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';

let requestType: protobuf.Type | undefined;

function exportRequestType(): protobuf.Type {
  requestType ??= protobuf.Root.fromJSON(descriptor).resolveAll().lookupType(REQUEST_TYPE);
  return requestType;
}

class Located extends Error {}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Runs one read; a failure becomes a Located error naming `path`. */
function at<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof Located) throw err;
    throw new Located(`${path || '(root)'}: ${messageOf(err)}`);
  }
}

function walkMessage(
  type: protobuf.Type,
  reader: protobuf.Reader,
  path: string,
  depth: number,
): void {
  const seen = new Map<number, number>();
  while (reader.pos < reader.len) {
    const tag = at(path, () => reader.tag());
    const id = tag >>> 3;
    const wireType = tag & 7;
    const field = type.fieldsById[id];
    if (!field) {
      at(path, () => reader.skipType(wireType, depth, id));
      continue;
    }
    const index = seen.get(id) ?? 0;
    seen.set(id, index + 1);
    const fieldPath = `${path ? `${path}.` : ''}${field.name}${field.repeated ? `[${index}]` : ''}`;
    walkField(field, wireType, reader, fieldPath, depth);
  }
}

function walkField(
  field: protobuf.Field,
  wireType: number,
  reader: protobuf.Reader,
  path: string,
  depth: number,
): void {
  const nested = field.resolvedType;
  if (nested instanceof protobuf.Type && wireType === 2) {
    // Read as the generated decoder reads (tag(), size()), narrowed to the nested message.
    const length = at(path, () => reader.size());
    const end = reader.pos + length;
    at(path, () => {
      if (end > reader.len) {
        throw new Error(`declares ${length} bytes, more than its message has left (truncated?)`);
      }
      if (depth + 1 > protobuf.Reader.recursionLimit) throw new Error('max depth exceeded');
    });
    const outer = reader.len;
    reader.len = end;
    walkMessage(nested, reader, path, depth + 1);
    reader.len = outer;
  } else if (field.type === 'string' && wireType === 2) {
    at(path, () => {
      try {
        reader.stringVerify();
      } catch (err) {
        // A fatal TextDecoder's words; the length check before it has its own message.
        if (err instanceof TypeError) throw new Error('not valid UTF-8 (proto3 strings must be)');
        throw err;
      }
    });
  } else {
    at(path, () => reader.skipType(wireType, depth, field.id));
  }
}

/**
 * Why a binary ExportTraceServiceRequest failed to decode, with the path of the field where it
 * failed in OTLP/JSON names (`resourceSpans[0].scopeSpans[0].spans[2].name: invalid utf8`).
 * Values are never quoted. Falls back to the decoder's own message when the walk finds nothing.
 */
export function describeProtobufError(body: Uint8Array, err: unknown): string {
  try {
    walkMessage(exportRequestType(), protobuf.Reader.create(body), '', 0);
  } catch (located) {
    if (located instanceof Located) return located.message;
  }
  return messageOf(err);
}
