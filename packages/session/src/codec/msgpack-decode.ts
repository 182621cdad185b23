/**
 * A bounded MessagePack decoder for bytes from the network. msgpackr (the codec's earlier
 * decoder) allocates `new Array(declaredLength)` for each container before reading it, so 25 nested
 * `array32` headers claiming ~27 M elements each (125 bytes) exhaust the heap. Here every
 * declared length is checked against the bytes actually left before anything is allocated (an
 * element takes at least one byte, a map entry two), nesting depth and the total element count
 * are bounded, extension types are refused (no msgpackr records, timestamps or bundled strings),
 * map keys must be strings and strings valid UTF-8, and exactly one value must fill the input.
 * Decoding therefore allocates at most a small multiple of the input. Values come out as
 * msgpackr gives them with `mapsAsObjects` and `int64AsType: 'number'` (the codec's previous
 * decoder; fast-check compares the two in packages/session/test/msgpack-decode.test.ts).
 * Rule: docs/ARCHITECTURE.md "Resource budget".
 * @module
 */
import { M2MError } from '@m2m/core/internal';
import { utf8Text } from './utf8-text.js';

/** Bounds of {@link decodeMsgpack}. */
export interface MsgpackBounds {
  /** Deepest container nesting (the outermost array is depth 1). */
  maxDepth: number;
  /** Most array elements plus map keys and values, summed over every container. */
  maxElements: number;
}

/**
 * Bounds for session messages: a message needs depth 3 (message → payload → list or map) and
 * about 200 elements with the largest capabilities docs/PROTOCOL.md §4.5 allows.
 */
export const SESSION_MSGPACK_BOUNDS: Readonly<MsgpackBounds> = Object.freeze({ maxDepth: 8, maxElements: 1024 });

/** A decoded MessagePack value. */
export type MsgpackValue = null | boolean | number | string | Uint8Array | MsgpackValue[] | { [key: string]: MsgpackValue };

// Decoder state for one synchronous call (module-level: no closure or object per call).
let src: Uint8Array = new Uint8Array(0);
let pos = 0;
let end = 0;
let elements = 0;
let maxElements = 0;
let maxDepth = 0;

const scratch = new Uint8Array(8);
const scratchView = new DataView(scratch.buffer);

function malformed(reason: string): M2MError<'InvalidMessage'> {
  return new M2MError('InvalidMessage', { reason: `malformed MessagePack: ${reason}` });
}

function need(k: number, what: string): void {
  if (k > end - pos) throw malformed(`${what} needs ${k} bytes, ${end - pos} left at offset ${pos}`);
}

/**
 * Decodes exactly one MessagePack value within `bounds`.
 * @throws M2MError: InvalidMessage (truncated input or a length beyond the bytes left, reserved
 *   byte 0xc1, extension types, non-string map keys, invalid UTF-8, trailing bytes),
 *   LimitExceeded (`msgpackDepth`, `msgpackElements`).
 */
export function decodeMsgpack(bytes: Uint8Array, bounds: Readonly<MsgpackBounds> = SESSION_MSGPACK_BOUNDS): MsgpackValue {
  src = bytes;
  pos = 0;
  end = bytes.length;
  elements = 0;
  maxElements = bounds.maxElements;
  maxDepth = bounds.maxDepth;
  try {
    const value = read(1);
    if (pos !== end) throw malformed(`${end - pos} trailing bytes after the value`);
    return value;
  } finally {
    src = new Uint8Array(0); // keep no reference to the caller's bytes
  }
}

function read(depth: number): MsgpackValue {
  if (pos >= end) throw malformed(`a value needs 1 byte, 0 left at offset ${pos}`);
  const b = src[pos++];
  if (b <= 0x7f) return b;
  if (b >= 0xe0) return b - 0x100;
  if (b <= 0x8f) return readMap(b & 0x0f, depth);
  if (b <= 0x9f) return readArray(b & 0x0f, depth);
  if (b <= 0xbf) return readString(b & 0x1f);
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return readBin(readLength(1));
    case 0xc5:
      return readBin(readLength(2));
    case 0xc6:
      return readBin(readLength(4));
    case 0xca:
      return readFloat(4);
    case 0xcb:
      return readFloat(8);
    case 0xcc:
      return readLength(1);
    case 0xcd:
      return readLength(2);
    case 0xce:
      return readLength(4);
    case 0xcf: {
      const hi = readLength(4);
      return hi * 0x1_0000_0000 + readLength(4);
    }
    case 0xd0: {
      const v = readLength(1);
      return v > 0x7f ? v - 0x100 : v;
    }
    case 0xd1: {
      const v = readLength(2);
      return v > 0x7fff ? v - 0x1_0000 : v;
    }
    case 0xd2:
      return readLength(4) | 0;
    case 0xd3: {
      const hi = readLength(4) | 0;
      return hi * 0x1_0000_0000 + readLength(4);
    }
    case 0xd9:
      return readString(readLength(1));
    case 0xda:
      return readString(readLength(2));
    case 0xdb:
      return readString(readLength(4));
    case 0xdc:
      return readArray(readLength(2), depth);
    case 0xdd:
      return readArray(readLength(4), depth);
    case 0xde:
      return readMap(readLength(2), depth);
    case 0xdf:
      return readMap(readLength(4), depth);
    case 0xc1:
      throw malformed(`reserved byte 0xc1 at offset ${pos - 1}`);
    default:
      // 0xc7-0xc9 ext, 0xd4-0xd8 fixext: no message field is an extension type.
      throw malformed(`extension type 0x${b.toString(16)} at offset ${pos - 1}`);
  }
}

/** A big-endian unsigned integer of `k` (1, 2 or 4) bytes. */
function readLength(k: number): number {
  need(k, 'a length or integer');
  const p = pos;
  pos += k;
  if (k === 1) return src[p];
  if (k === 2) return (src[p] << 8) | src[p + 1];
  return src[p] * 0x100_0000 + ((src[p + 1] << 16) | (src[p + 2] << 8) | src[p + 3]);
}

function readFloat(k: 4 | 8): number {
  need(k, 'a float');
  for (let i = 0; i < k; i++) scratch[i] = src[pos + i];
  pos += k;
  return k === 4 ? scratchView.getFloat32(0) : scratchView.getFloat64(0);
}

/** Counts `slots` elements against the bounds before anything is allocated for them. */
function admit(slots: number, count: number, what: string, depth: number): void {
  // Every element takes at least one byte: a count beyond the bytes left is a lie.
  if (slots > end - pos) throw malformed(`${what} declares ${count} entries, ${end - pos} bytes left at offset ${pos}`);
  elements += slots;
  if (elements > maxElements) throw new M2MError('LimitExceeded', { limit: 'msgpackElements', actual: elements, max: maxElements });
  if (depth > maxDepth) throw new M2MError('LimitExceeded', { limit: 'msgpackDepth', actual: depth, max: maxDepth });
}

function readArray(count: number, depth: number): MsgpackValue[] {
  admit(count, count, 'array', depth);
  const out: MsgpackValue[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = read(depth + 1);
  return out;
}

function readMap(count: number, depth: number): { [key: string]: MsgpackValue } {
  admit(count * 2, count, 'map', depth);
  const out: { [key: string]: MsgpackValue } = {};
  for (let i = 0; i < count; i++) {
    const k = pos < end ? src[pos] : 0;
    if (!((k >= 0xa0 && k <= 0xbf) || (k >= 0xd9 && k <= 0xdb))) throw malformed(`map key at offset ${pos} is not a string`);
    const key = read(depth + 1) as string;
    const value = read(depth + 1);
    // An own property even for `__proto__`, as JSON.parse makes it (assignment would set the prototype).
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  }
  return out;
}

function readString(len: number): string {
  need(len, 'a string');
  const start = pos;
  pos += len;
  const s = utf8Text(src, start, pos);
  if (s === undefined) throw malformed(`invalid UTF-8 in the string at offset ${start}`);
  return s;
}

function readBin(len: number): Uint8Array {
  need(len, 'binary data');
  const start = pos;
  pos += len;
  return src.subarray(start, pos); // a view, as msgpackr gives; callers that keep it copy it
}
