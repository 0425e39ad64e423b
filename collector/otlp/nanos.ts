import type { ProtoInt64 } from './internal-types.js';

const TWO_32 = 4_294_967_296;

/** A protobufjs 64-bit value as a BigInt (exact, unlike Long#toNumber above 2^53). */
export function int64ToBigInt(value: ProtoInt64, unsigned: boolean): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return unsigned ? bits : BigInt.asIntN(64, bits);
}

/** A signed int64 attribute value: a number when exact, else its decimal text. */
export function int64ToPlain(value: ProtoInt64): number | string {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  // high is the signed upper word, so this is exact whenever |value| < 2^53.
  const approx = value.high * TWO_32 + (value.low >>> 0);
  if (Number.isSafeInteger(approx)) return approx;
  return int64ToBigInt(value, false).toString();
}

/**
 * Unix nanoseconds → fractional epoch milliseconds (SpanLike's unit). Split as the SDK's HrTime
 * [seconds, nanoseconds] and combined with the same formula as the in-process exporter's
 * hrTimeToMs, so a span that arrives both ways gets the same started_at, which is part of the
 * idempotency key. (A float of ~1.7e18 ns would blur the microseconds.)
 */
export function nanosToEpochMs(nanos: bigint): number {
  const seconds = nanos / 1_000_000_000n;
  const rest = nanos % 1_000_000_000n;
  return Number(seconds) * 1e3 + Number(rest) / 1e6;
}
