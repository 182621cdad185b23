/**
 * CRC-32 (the frame checksum, IEEE 802.3) of the first bytes of a buffer the caller also holds as
 * an `Int32Array` from offset 0: slicing-by-8 with two 32-bit reads per step instead of eight
 * byte reads. `encodeFrameWith` (frame.ts) checksums a payload in its own UTF-8 scratch, which
 * starts at offset 0 of its buffer, through the Node platform (`Platform.crc32Words`): 114-156 ns
 * against 215-264 ns for `crc32Table` on a 162 B request (docs/ARCHITECTURE.md, Performance
 * notes). Browsers leave it out (bundle size) and use `Platform.crc32`.
 * @module
 */

// Tables as in crc32.ts (table k holds the CRC of byte n followed by k zero bytes), kept here so
// this file stands alone and the browser build carries neither.
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
      const prev = t[(k - 1) * 256 + n]!;
      t[k * 256 + n] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
}

/** Whether an Int32Array reads bytes little-endian here (the word step assumes it). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * CRC-32 of `bytes[0, n)`, where `words` is an `Int32Array` over the same buffer from the same
 * (offset 0) start. `n` must not exceed `bytes.length`.
 * `crc32Words(b, new Int32Array(b.buffer), 9) === 0xcbf43926` for `b` holding `123456789`.
 */
export function crc32Words(bytes: Uint8Array, words: Int32Array, n: number): number {
  const t = (tables ??= makeTables());
  let c = -1;
  let i = 0;
  if (LITTLE_ENDIAN && bytes.byteOffset === 0 && words.byteOffset === 0 && bytes.buffer === words.buffer) {
    const steps = n >>> 3;
    for (let w = 0; w < steps; w++) {
      const a = c ^ words[2 * w]!;
      const b = words[2 * w + 1]!;
      c = t[1792 + (a & 0xff)]! ^ t[1536 + ((a >>> 8) & 0xff)]! ^ t[1280 + ((a >>> 16) & 0xff)]! ^ t[1024 + (a >>> 24)]! ^ t[768 + (b & 0xff)]! ^ t[512 + ((b >>> 8) & 0xff)]! ^ t[256 + ((b >>> 16) & 0xff)]! ^ t[b >>> 24]!;
    }
    i = steps * 8;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
