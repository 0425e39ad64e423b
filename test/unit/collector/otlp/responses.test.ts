import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { describe, expect, it } from 'vitest';
import { exportResponse, statusResponse } from '../../../../collector/otlp/index.js';

// The OTel SDK's own response decoders are the reference: what an exporter reads back.
describe('OTLP/HTTP response bodies', () => {
  it('ExportTraceServiceResponse with partial_success reads back in the OTel SDK', () => {
    const partial = { rejectedSpans: 3, errorMessage: '3 span(s) rejected' };
    const proto = exportResponse('protobuf', partial);
    expect(proto.contentType).toBe('application/x-protobuf');
    expect(
      ProtobufTraceSerializer.deserializeResponse(new Uint8Array(proto.payload as Buffer)),
    ).toEqual({ partialSuccess: partial });
    const json = exportResponse('json', partial);
    expect(
      JsonTraceSerializer.deserializeResponse(new TextEncoder().encode(json.payload as string)),
    ).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: partial.errorMessage } });
  });

  it('full success is the empty message: no partial_success at all', () => {
    const proto = exportResponse('protobuf');
    expect((proto.payload as Buffer).length).toBe(0);
    expect(
      ProtobufTraceSerializer.deserializeResponse(new Uint8Array(proto.payload as Buffer)),
    ).toEqual({});
    expect(exportResponse('json').payload).toBe('{}');
  });

  it('google.rpc.Status is code (field 1, varint) then message (field 2, bytes)', () => {
    // The wire bytes by hand: tag 0x08 = field 1 varint, tag 0x12 = field 2 length-delimited.
    expect([...(statusResponse('protobuf', 3, 'bad').payload as Buffer)]).toEqual([
      0x08, 0x03, 0x12, 0x03, 0x62, 0x61, 0x64,
    ]);
    expect(JSON.parse(statusResponse('json', 3, 'bad').payload as string)).toEqual({
      code: 3,
      message: 'bad',
    });
  });
});
