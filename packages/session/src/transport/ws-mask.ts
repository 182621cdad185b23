/**
 * WebSocket masking (RFC 6455 §5.3) four bytes at a time, and the header of a final binary frame
 * (§5.2), for the Node WebSocket transport's own frames and its hook into `ws`'s receiver
 * (transport/ws-direct.ts). Without the optional native `bufferutil` package, `ws` masks what a
 * client sends and unmasks it on the server one byte at a time in JavaScript: 3-5 ns a byte here,
 * about 14% of the CPU of a session over ws with 162 B messages; XOR by 32-bit words measured
 * 0.2-0.25 ns a byte (docs/ARCHITECTURE.md, Performance notes).
 * @module
 */

/** Whether this machine stores a 32-bit word's lowest byte first (a word's byte order decides how the key is laid into it). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Below this many bytes a plain byte loop is as quick as making a word view. */
const WORDS_FROM = 32;

/**
 * XORs `bytes[start, end)` in place with the 4-byte masking `key`, byte `i` of the range with
 * `key[(phase + i) & 3]` (`phase`: how many payload bytes came before `start`, for a payload
 * split over several arrays). The same call masks and unmasks.
 */
export function xorMask(bytes: Uint8Array, start: number, end: number, key: ArrayLike<number>, phase = 0): void {
  let i = start;
  let k = phase & 3;
  if (end - i >= WORDS_FROM) {
    // Byte by byte up to a 4-byte boundary of the buffer, then whole words, then the tail.
    const base = bytes.byteOffset;
    while (((base + i) & 3) !== 0) {
      bytes[i++] ^= key[k];
      k = (k + 1) & 3;
    }
    const words = (end - i) >>> 2;
    const b0 = key[k];
    const b1 = key[(k + 1) & 3];
    const b2 = key[(k + 2) & 3];
    const b3 = key[(k + 3) & 3];
    const word = LITTLE_ENDIAN ? b0 | (b1 << 8) | (b2 << 16) | (b3 << 24) : (b0 << 24) | (b1 << 16) | (b2 << 8) | b3;
    const view = new Int32Array(bytes.buffer, base + i, words);
    let w = 0;
    for (const unrolled = words - 3; w < unrolled; w += 4) {
      view[w] ^= word;
      view[w + 1] ^= word;
      view[w + 2] ^= word;
      view[w + 3] ^= word;
    }
    for (; w < words; w++) view[w] ^= word;
    i += words << 2;
  }
  for (; i < end; i++) {
    bytes[i] ^= key[k];
    k = (k + 1) & 3;
  }
}

/** Bytes of the masking key in a client's frame header. */
export const KEY_BYTES = 4;

/** Bytes of the header of a frame carrying `length` payload bytes, with the masking key when `masked`. */
export function frameHeaderSize(length: number, masked: boolean): number {
  return (length < 126 ? 2 : length < 0x10000 ? 4 : 10) + (masked ? KEY_BYTES : 0);
}

/**
 * Writes at `out[at]` the header of one final (FIN) binary frame of `length` payload bytes, with
 * `key` as its masking key when given (a client's frame). Writes {@link frameHeaderSize} bytes.
 */
export function writeBinaryFrameHeader(out: Uint8Array, at: number, length: number, key?: ArrayLike<number>): void {
  out[at] = 0x82; // FIN, opcode 2 (binary)
  const mask = key ? 0x80 : 0;
  let p = at + 2;
  if (length < 126) {
    out[at + 1] = mask | length;
  } else if (length < 0x10000) {
    out[at + 1] = mask | 126;
    out[p++] = length >>> 8;
    out[p++] = length & 0xff;
  } else {
    out[at + 1] = mask | 127;
    // 64-bit length; a message here is far below 2^32 bytes.
    const high = Math.floor(length / 0x100000000);
    out[p++] = 0;
    out[p++] = 0;
    out[p++] = (high >>> 8) & 0xff;
    out[p++] = high & 0xff;
    out[p++] = length >>> 24;
    out[p++] = (length >>> 16) & 0xff;
    out[p++] = (length >>> 8) & 0xff;
    out[p++] = length & 0xff;
  }
  if (key) for (let j = 0; j < KEY_BYTES; j++) out[p + j] = key[j];
}
