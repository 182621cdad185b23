/**
 * The MessagePack encoder of the `binary` codec: the few types a session message holds (null,
 * booleans, numbers, 64-bit integers as bigint, strings, bytes, arrays, string-keyed maps),
 * each in its smallest form. It writes the bytes msgpackr wrote with `useRecords: false,
 * variableMapSize: true` (the codec's encoder before; packages/session/test/msgpack-encode.test.ts
 * compares the two on generated values) in ~2 KB instead of msgpackr's ~28 KB in a browser
 * bundle (bench/startup.ts). One difference on purpose: a lone UTF-16 surrogate becomes U+FFFD
 * (TextEncoder's rule), where msgpackr wrote bytes that are not UTF-8 and that
 * msgpack-decode.ts refuses.
 * @module
 */
import { M2MError } from '@m2m/core/internal';

/** A value {@link encodeMsgpack} can write. */
export type MsgpackInput = null | boolean | number | bigint | string | Uint8Array | readonly MsgpackInput[] | { readonly [key: string]: MsgpackInput };

const textEncoder = new TextEncoder();
const INT64_MIN = -(2n ** 63n);
const UINT64_END = 2n ** 64n;
const INT64_END = 2n ** 63n;

// Encoder state for one synchronous call (module-level, as in msgpack-decode.ts): the buffer
// grows and is kept, so steady-state encoding allocates only the returned copy.
let buf = new Uint8Array(1024);
let view = new DataView(buf.buffer);
let pos = 0;

function ensure(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, pos));
  buf = next;
  view = new DataView(buf.buffer);
}

/**
 * The header codes of one length-prefixed MessagePack family: its short form (`short | n` while
 * `n < shortLimit`; no short form when `shortLimit` is 0) and its 8/16/32-bit length codes (no
 * 8-bit form when `c8` is 0).
 */
export interface HeadCodes {
  readonly short: number;
  readonly shortLimit: number;
  readonly c8: number;
  readonly c16: number;
  readonly c32: number;
}
/** str: fixstr, str8/16/32. */
export const STR_HEAD: HeadCodes = { short: 0xa0, shortLimit: 0x20, c8: 0xd9, c16: 0xda, c32: 0xdb };
/** bin: bin8/16/32 (no short form). */
export const BIN_HEAD: HeadCodes = { short: 0, shortLimit: 0, c8: 0xc4, c16: 0xc5, c32: 0xc6 };
const ARRAY_HEAD: HeadCodes = { short: 0x90, shortLimit: 0x10, c8: 0, c16: 0xdc, c32: 0xdd };
const MAP_HEAD: HeadCodes = { short: 0x80, shortLimit: 0x10, c8: 0, c16: 0xde, c32: 0xdf };

// The primitives below write into a caller's buffer at `at` and return the next position: the
// generic encoder here and the one-allocation DATA writer (./data-writer.ts) share them.

/** Bytes of the header of `n` elements or bytes in `codes`' family. */
export function headSize(n: number, codes: HeadCodes): number {
  return n < codes.shortLimit ? 1 : codes.c8 !== 0 && n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** Big-endian `n` (< 2^32) in `bytes` bytes at `at`. */
function writeBe(out: Uint8Array, at: number, n: number, bytes: number): void {
  for (let i = bytes - 1; i >= 0; i--) {
    out[at + i] = n & 0xff;
    n >>>= 8;
  }
}

/** Writes the smallest header of `n` in `codes`' family at `at`; returns the position after it. */
export function writeHead(out: Uint8Array, at: number, n: number, codes: HeadCodes): number {
  if (n < codes.shortLimit) {
    out[at] = codes.short | n;
    return at + 1;
  }
  if (codes.c8 !== 0 && n < 0x100) {
    out[at] = codes.c8;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = codes.c16;
    writeBe(out, at + 1, n, 2);
    return at + 3;
  }
  out[at] = codes.c32;
  writeBe(out, at + 1, n, 4);
  return at + 5;
}

/** Bytes of a non-negative safe integer as {@link writeUint} writes it. */
export function uintSize(n: number): number {
  return n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n <= 0xffff_ffff ? 5 : 9;
}

/**
 * Writes a non-negative safe integer in its smallest unsigned form up to 32 bits, and above
 * 2^32 as int64 (`d3`), as the codec writes its bigint timestamps; returns the next position.
 */
export function writeUint(out: Uint8Array, at: number, n: number): number {
  if (n < 0x80) {
    out[at] = n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = 0xcc;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = 0xcd;
    writeBe(out, at + 1, n, 2);
    return at + 3;
  }
  if (n <= 0xffff_ffff) {
    out[at] = 0xce;
    writeBe(out, at + 1, n, 4);
    return at + 5;
  }
  out[at] = 0xd3;
  writeBe(out, at + 1, Math.floor(n / 2 ** 32), 4);
  writeBe(out, at + 5, n >>> 0, 4);
  return at + 9;
}

/** Writes a header into the encoder's buffer. */
function header(n: number, codes: HeadCodes): void {
  ensure(5);
  pos = writeHead(buf, pos, n, codes);
}

function writeNumber(v: number): void {
  ensure(9);
  if (v >>> 0 === v) pos = writeUint(buf, pos, v);
  else if (v >> 0 === v) {
    if (v >= -0x20) buf[pos++] = v & 0xff;
    else if (v >= -0x80) {
      buf[pos++] = 0xd0;
      buf[pos++] = v & 0xff;
    } else if (v >= -0x8000) {
      buf[pos++] = 0xd1;
      view.setInt16(pos, v);
      pos += 2;
    } else {
      buf[pos++] = 0xd2;
      view.setInt32(pos, v);
      pos += 4;
    }
  } else {
    // Fractions, NaN, infinities and integers past 32 bits (callers pass those as bigint).
    buf[pos++] = 0xcb;
    view.setFloat64(pos, v);
    pos += 8;
  }
}

function writeBigInt(v: bigint): void {
  ensure(9);
  if (v >= INT64_MIN && v < INT64_END) {
    buf[pos++] = 0xd3;
    view.setBigInt64(pos, v);
  } else if (v > 0n && v < UINT64_END) {
    buf[pos++] = 0xcf;
    view.setBigUint64(pos, v);
  } else {
    throw new M2MError('InvalidMessage', { reason: 'MessagePack integers hold at most 64 bits' });
  }
  pos += 8;
}

function writeString(s: string): void {
  // Room for the longest UTF-8 (3 bytes per UTF-16 unit) after the longest header it could
  // need; the text moves back when its real length takes a shorter header.
  const max = s.length * 3;
  const reserved = headSize(max, STR_HEAD);
  ensure(5 + max);
  const start = pos + reserved;
  let p = start;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) break;
    buf[p++] = c;
  }
  if (i < s.length) p += textEncoder.encodeInto(i === 0 ? s : s.slice(i), buf.subarray(p)).written;
  const n = p - start;
  const used = headSize(n, STR_HEAD);
  if (used !== reserved) buf.copyWithin(pos + used, start, p);
  header(n, STR_HEAD);
  pos += n;
}

function write(v: MsgpackInput): void {
  switch (typeof v) {
    case 'number':
      return writeNumber(v);
    case 'string':
      return writeString(v);
    case 'boolean':
      ensure(1);
      buf[pos++] = v ? 0xc3 : 0xc2;
      return;
    case 'bigint':
      return writeBigInt(v);
    case 'object':
      if (v === null) {
        ensure(1);
        buf[pos++] = 0xc0;
      } else if (Array.isArray(v)) {
        const a = v as readonly MsgpackInput[];
        header(a.length, ARRAY_HEAD);
        for (const x of a) write(x);
      } else if (v instanceof Uint8Array) {
        header(v.length, BIN_HEAD);
        ensure(v.length);
        buf.set(v, pos);
        pos += v.length;
      } else if (ArrayBuffer.isView(v)) {
        throw new M2MError('InvalidMessage', { reason: 'only Uint8Array bytes can be encoded as MessagePack' });
      } else {
        const o = v as { readonly [key: string]: MsgpackInput };
        const keys = Object.keys(o);
        header(keys.length, MAP_HEAD);
        for (const k of keys) {
          writeString(k);
          write(o[k]);
        }
      }
      return;
    default:
      throw new M2MError('InvalidMessage', { reason: `cannot encode a ${typeof v} as MessagePack` });
  }
}

/**
 * Encodes one value as MessagePack (smallest forms; integers up to 32 bits as numbers, 64-bit
 * ones as bigint; other numbers as float64; map entries in `Object.keys` order).
 * @returns a fresh Uint8Array that the caller owns.
 * @throws M2MError: InvalidMessage for a value outside {@link MsgpackInput} (undefined, a
 *   function, a symbol) or a bigint past 64 bits.
 */
export function encodeMsgpack(value: MsgpackInput): Uint8Array {
  pos = 0;
  try {
    write(value);
    return buf.slice(0, pos);
  } finally {
    // A huge message should not pin its buffer for the life of the process.
    if (buf.length > 1 << 20) {
      buf = new Uint8Array(1024);
      view = new DataView(buf.buffer);
    }
  }
}
