import { describe, expect, it } from 'vitest';
import {
  checkParentSpanId,
  checkSpanId,
  checkTraceId,
  describeValue,
} from '../../../../exporters/postgres/ids.js';

describe('span ids', () => {
  it('accepts lowercase hex and lowercases uppercase', () => {
    expect(checkTraceId('4bf92f3577b34da6a3ce929d0e0e4736')).toEqual({
      ok: true,
      id: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(checkSpanId('00F067AA0BA902B7')).toEqual({ ok: true, id: '00f067aa0ba902b7' });
  });

  it('names the field and the value when rejecting', () => {
    expect(checkTraceId('4bf92f35')).toEqual({
      ok: false,
      reason: 'traceId "4bf92f35" is not 32 hexadecimal characters',
    });
    expect(checkSpanId('zzzzzzzzzzzzzzzz')).toEqual({
      ok: false,
      reason: 'spanId "zzzzzzzzzzzzzzzz" is not 16 hexadecimal characters',
    });
    expect(checkSpanId('0000000000000000')).toEqual({
      ok: false,
      reason: 'spanId "0000000000000000" is all zeros',
    });
    expect(checkTraceId(undefined)).toEqual({
      ok: false,
      reason: 'traceId "undefined" is not 32 hexadecimal characters',
    });
  });

  it('reads absent, empty and all-zero parents as no parent', () => {
    for (const value of [undefined, '', '0000000000000000']) {
      expect(checkParentSpanId(value)).toEqual({ ok: true, id: null });
    }
    expect(checkParentSpanId('bad')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('parentSpanId "bad"'),
    });
  });

  it('quotes long values shortened', () => {
    expect(describeValue('x'.repeat(100))).toBe(`"${'x'.repeat(64)}..."`);
  });
});
