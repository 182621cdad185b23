/**
 * Unsigned LEB128 varints as the reference writes them (u64 on the wire).
 * @module
 */
import { M2MError } from '../errors/base.js';

/** Largest value a varint may carry. */
export const VARINT_MAX = (1n << 64n) - 1n;

/**
 * Encodes an unsigned integer (number up to 2^53-1, or bigint up to 2^64-1) as minimal LEB128.
 * @throws M2MError of kind InvalidMessage for negative, fractional or oversized values.
 * @example `encodeVarint(300)` → `ac 02`
 */
export function encodeVarint(value: number | bigint): Uint8Array {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw new M2MError('InvalidMessage', { reason: `VarInt value out of range: ${value}` });
    if (value < 0x80) return Uint8Array.of(value);
    if (value <= 0xffffffff) {
      const out: number[] = [];
      let v = value;
      while (v >= 0x80) {
        out.push((v & 0x7f) | 0x80);
        v = Math.floor(v / 128);
      }
      out.push(v);
      return Uint8Array.from(out);
    }
    value = BigInt(value);
  }
  if (typeof value !== 'bigint' || value < 0n || value > VARINT_MAX) throw new M2MError('InvalidMessage', { reason: `VarInt value out of range: ${String(value)}` });
  const out: number[] = [];
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}

/** Bytes a value takes as a varint (`varintSize(0) === 1`). */
export function varintSize(value: number | bigint): number {
  let v = BigInt(value);
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

/** A decoded varint and the number of bytes it used. */
export interface VarintRead {
  /** The value as u64. */
  value: bigint;
  /** Bytes consumed. */
  length: number;
}

/**
 * Decodes a varint at `offset` as the reference does: at most 10 bytes, bits above 64 in the
 * tenth byte dropped, non-minimal forms accepted.
 * @throws M2MError of kind Decompression: `VarInt: unexpected end of data`, `VarInt overflow`.
 */
export function decodeVarint(bytes: Uint8Array, offset = 0): VarintRead {
  let result = 0n;
  let shift = 0n;
  let pos = offset;
  for (;;) {
    if (pos >= bytes.length) throw new M2MError('Decompression', { reason: 'VarInt: unexpected end of data' });
    const b = bytes[pos++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) break;
    shift += 7n;
    if (shift >= 64n) throw new M2MError('Decompression', { reason: 'VarInt overflow' });
  }
  return { value: result & VARINT_MAX, length: pos - offset };
}

/** Fast path for header fields: decodes and casts to u32 (`as u32`, truncating) as the reference does. */
export function decodeVarintU32(bytes: Uint8Array, offset: number): { value: number; length: number } {
  // Common case: up to 4 bytes, no BigInt needed.
  let result = 0;
  let pos = offset;
  for (let i = 0; i < 4; i++) {
    if (pos >= bytes.length) throw new M2MError('Decompression', { reason: 'VarInt: unexpected end of data' });
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) return { value: result >>> 0, length: pos - offset };
  }
  const r = decodeVarint(bytes, offset);
  return { value: Number(r.value & 0xffffffffn), length: r.length };
}

/**
 * The reference's stream reader variant of {@link decodeVarint}: identical, except that running
 * out of input reads `VarInt read error: failed to fill whole buffer`.
 */
export function readVarint(bytes: Uint8Array, offset = 0): VarintRead {
  try {
    return decodeVarint(bytes, offset);
  } catch (e) {
    if ((e as M2MError).kind === 'Decompression' && (e as M2MError<'Decompression'>).details.reason === 'VarInt: unexpected end of data') {
      throw new M2MError('Decompression', { reason: 'VarInt read error: failed to fill whole buffer' });
    }
    throw e;
  }
}
