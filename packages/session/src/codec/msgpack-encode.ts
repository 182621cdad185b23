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

/** Writes a length-prefixed header: the short form when `n < shortLimit`, else 8/16/32-bit lengths. */
function header(n: number, short: number, shortLimit: number, c8: number, c16: number, c32: number): void {
  ensure(5);
  if (n < shortLimit) buf[pos++] = short | n;
  else if (c8 !== 0 && n < 0x100) {
    buf[pos++] = c8;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    buf[pos++] = c16;
    view.setUint16(pos, n);
    pos += 2;
  } else {
    buf[pos++] = c32;
    view.setUint32(pos, n);
    pos += 4;
  }
}

function writeNumber(v: number): void {
  ensure(9);
  if (v >>> 0 === v) {
    if (v < 0x80) buf[pos++] = v;
    else if (v < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = v;
    } else if (v < 0x10000) {
      buf[pos++] = 0xcd;
      view.setUint16(pos, v);
      pos += 2;
    } else {
      buf[pos++] = 0xce;
      view.setUint32(pos, v);
      pos += 4;
    }
  } else if (v >> 0 === v) {
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
  const reserved = max < 0x20 ? 1 : max < 0x100 ? 2 : max < 0x10000 ? 3 : 5;
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
  const used = n < 0x20 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  if (used !== reserved) buf.copyWithin(pos + used, start, p);
  header(n, 0xa0, 0x20, 0xd9, 0xda, 0xdb);
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
        header(a.length, 0x90, 0x10, 0, 0xdc, 0xdd);
        for (const x of a) write(x);
      } else if (v instanceof Uint8Array) {
        header(v.length, 0, 0, 0xc4, 0xc5, 0xc6);
        ensure(v.length);
        buf.set(v, pos);
        pos += v.length;
      } else if (ArrayBuffer.isView(v)) {
        throw new M2MError('InvalidMessage', { reason: 'only Uint8Array bytes can be encoded as MessagePack' });
      } else {
        const o = v as { readonly [key: string]: MsgpackInput };
        const keys = Object.keys(o);
        header(keys.length, 0x80, 0x10, 0, 0xde, 0xdf);
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
