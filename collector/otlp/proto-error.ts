import protobuf from 'protobufjs/light.js';
import descriptor from './proto/generated/otlp-descriptor.json' with { type: 'json' };

// Only on the error path: the generated decoder says what went wrong ("index out of range") but
// not where. This reads the same bytes the way the generated decoder reads them, with the same
// protobufjs Reader, guided by the schema's reflection descriptor (generated from the same
// .proto files), and names the field whose bytes hold the first failure.

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

type ScalarRead = (reader: protobuf.Reader) => unknown;

// The reads the generated code makes per declared type (enums are int32).
const SCALAR_READS: Readonly<Record<string, ScalarRead>> = {
  string: (r) => r.string(),
  bytes: (r) => r.bytes(),
  bool: (r) => r.bool(),
  int32: (r) => r.int32(),
  uint32: (r) => r.uint32(),
  int64: (r) => r.int64(),
  fixed32: (r) => r.fixed32(),
  fixed64: (r) => r.fixed64(),
  double: (r) => r.double(),
};

function walkMessage(
  type: protobuf.Type,
  reader: protobuf.Reader,
  path: string,
  depth: number,
): void {
  const seen = new Map<number, number>();
  while (reader.pos < reader.len) {
    const tag = at(path, () => reader.uint32());
    const field = type.fieldsById[tag >>> 3];
    if (!field) {
      at(path, () => reader.skipType(tag & 7, depth));
      continue;
    }
    const index = seen.get(field.id) ?? 0;
    seen.set(field.id, index + 1);
    const fieldPath = `${path ? `${path}.` : ''}${field.name}${field.repeated ? `[${index}]` : ''}`;
    walkField(field, reader, fieldPath, depth);
  }
}

// Like the generated code, a known field is read as its declared type whatever the wire type.
function walkField(field: protobuf.Field, reader: protobuf.Reader, path: string, depth: number) {
  const nested = field.resolvedType;
  if (nested instanceof protobuf.Type) {
    const length = at(path, () => reader.uint32());
    const end = reader.pos + length;
    at(path, () => {
      if (end > reader.len) {
        throw new Error(`declares ${length} bytes, more than its message has left (truncated?)`);
      }
      if (depth + 1 > protobuf.Reader.recursionLimit) {
        throw new Error('maximum nesting depth exceeded');
      }
    });
    const outer = reader.len;
    reader.len = end;
    walkMessage(nested, reader, path, depth + 1);
    reader.len = outer;
    return;
  }
  const read = SCALAR_READS[nested instanceof protobuf.Enum ? 'int32' : field.type];
  at(path, () => (read ? read(reader) : reader.skipType(2, depth)));
}

/**
 * Why a binary ExportTraceServiceRequest failed to decode, with the path of the field where it
 * failed in OTLP/JSON names (`resourceSpans[0].scopeSpans[0].spans[2].attributes[1]: …`).
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
