/**
 * CRC-32/ISO-HDLC (zlib's crc32): reflected polynomial 0xEDB88320, two ways. {@link crc32Table}
 * computes eight bytes a step with eight lookup tables (slicing-by-8); Node uses it below
 * {@link SMALL_CRC_BYTES} and `zlib.crc32` from there on (platform/index.node.ts), because the
 * native call's fixed cost outweighs its speed on chat-sized payloads (docs/ARCHITECTURE.md,
 * Performance notes). Browsers use {@link crc32Bytewise} (one table, a byte a step) at every
 * size: a fraction of the code in their bundle, where the bundle size is the target
 * (bench/startup.ts).
 * @module
 */

/**
 * Below this many bytes the table CRC beats node:zlib's `crc32` (measured on this repo's bench
 * machine: ~1 ns a byte here against ~85 ns a call plus ~0.25 ns a byte there; they cross near 250 B).
 */
export const SMALL_CRC_BYTES = 256;

/** The one-table CRC (browsers), made on first use. */
let table: Int32Array | undefined;

function makeTable(): Int32Array {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
}

/** CRC-32 of bytes, a byte a step with one table. `crc32Bytewise(utf8('123456789')) === 0xcbf43926`. */
export function crc32Bytewise(data: Uint8Array): number {
  const t = (table ??= makeTable());
  let c = -1;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

// Table k (at k * 256) holds the CRC of byte n followed by k zero bytes: one lookup per byte of
// an 8-byte step (Int32: the values are used as 32-bit integers, `>>> 0` once at the end).
let tables: Int32Array | undefined;

function makeTables(): Int32Array {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const prev = t[(k - 1) * 256 + n];
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff];
    }
  }
  return t;
}

/**
 * @internal The eight slicing tables (made on first use, then shared): Node's WebAssembly CRC
 * (platform/_crc32-wasm-node.ts) copies them into its memory.
 */
export function crc32Tables(): Int32Array {
  return (tables ??= makeTables());
}

/** CRC-32 of bytes, computed with lookup tables. `crc32Table(utf8('123456789')) === 0xcbf43926`. */
export function crc32Table(data: Uint8Array): number {
  const t = crc32Tables();
  const n = data.length;
  const whole = n - (n & 7);
  let c = -1;
  let i = 0;
  for (; i < whole; i += 8) {
    const a = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    c = t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^ t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]] ^ t[data[i + 7]];
  }
  for (; i < n; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** What {@link crc32TableAscii} adds to the CRC when some byte is not ASCII. */
export const NON_ASCII = 2 ** 32;

/**
 * {@link crc32Table} of `data[start, end)` in the same pass as an ASCII check: the CRC, plus
 * {@link NON_ASCII} when some byte is 0x80 or above. A session's received payload is checked
 * against its CRC and then decoded; for ASCII text a latin1 copy is the decoding, so one pass
 * over the bytes decides both (frame-payload.ts, `readPayloadTextFast`).
 */
export function crc32TableAscii(data: Uint8Array, start: number, end: number): number {
  const t = (tables ??= makeTables());
  const whole = end - ((end - start) & 7);
  let c = -1;
  let high = 0;
  let i = start;
  for (; i < whole; i += 8) {
    const w = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    const b4 = data[i + 4];
    const b5 = data[i + 5];
    const b6 = data[i + 6];
    const b7 = data[i + 7];
    high |= w | b4 | b5 | b6 | b7;
    const a = c ^ w;
    c = t[1792 + (a & 0xff)] ^ t[1536 + ((a >>> 8) & 0xff)] ^ t[1280 + ((a >>> 16) & 0xff)] ^ t[1024 + (a >>> 24)] ^ t[768 + b4] ^ t[512 + b5] ^ t[256 + b6] ^ t[b7];
  }
  for (; i < end; i++) {
    const b = data[i];
    high |= b;
    c = t[(c ^ b) & 0xff] ^ (c >>> 8);
  }
  return ((c ^ -1) >>> 0) + ((high & 0x80808080) !== 0 ? NON_ASCII : 0);
}
