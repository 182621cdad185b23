/**
 * The word-at-a-time CRC-32 the frame encoder uses for payloads in its scratch
 * (wire/crc32-words.ts) against node:zlib's, at every length around its 8-byte steps and on
 * views it must not read as words (another offset, another buffer).
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Words } from '../src/wire/crc32-words.js';

const random = (n: number): Uint8Array => {
  const b = new Uint8Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
};

describe('crc32Words', () => {
  it('is zlib crc32 of the first n bytes, every n from 0 to 600', () => {
    const bytes = random(1024);
    const words = new Int32Array(bytes.buffer);
    for (let n = 0; n <= 600; n++) expect(crc32Words(bytes, words, n)).toBe(zlibCrc32(bytes.subarray(0, n)) >>> 0);
  });

  it('knows the check value', () => {
    const b = new Uint8Array(16);
    b.set(new TextEncoder().encode('123456789'));
    expect(crc32Words(b, new Int32Array(b.buffer), 9)).toBe(0xcbf43926);
  });

  it('reads bytes, not words, of a view at another offset or over another buffer', () => {
    const base = random(700);
    for (const off of [1, 2, 3, 4, 5]) {
      const view = base.subarray(off, off + 300);
      for (const n of [0, 7, 8, 9, 162, 300]) {
        const want = zlibCrc32(view.subarray(0, n)) >>> 0;
        expect(crc32Words(view, new Int32Array(base.buffer), n)).toBe(want);
        expect(crc32Words(view, new Int32Array(new ArrayBuffer(1024)), n)).toBe(want);
      }
    }
  });
});
