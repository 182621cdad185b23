import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, encodeFrame } from '@m2m/core';
import { nodeBrotliCompress, nodeBrotliDecompress, nodeBrotliPath, perCall, setNodeBrotliReuse } from '../src/platform/_brotli-node.js';
import { BrotliDataError, BrotliLimitError } from '../src/platform/types.js';

const Q5 = { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 } };
const enc = new TextEncoder();
const corpusDir = resolve(import.meta.dirname, '../../../../shared/bench-corpus');
const corpus = existsSync(corpusDir) ? readdirSync(corpusDir).filter((f) => f.endsWith('.json')).map((f) => readFileSync(resolve(corpusDir, f))) : [];
const samples = [enc.encode('{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}'), enc.encode('x'.repeat(70_000)), new Uint8Array(200_000).map((_, i) => (i * 7919) % 251), ...corpus];

/** What a decompressor did with an input: its bytes, or the class of its error. */
function outcome(fn: () => Uint8Array): string {
  try {
    return Buffer.from(fn()).toString('hex');
  } catch (e) {
    return e instanceof BrotliLimitError ? 'limit' : e instanceof BrotliDataError ? 'data' : `other: ${String(e)}`;
  }
}

afterEach(() => setNodeBrotliReuse(true));

describe('node:zlib Brotli with reused coders', () => {
  it('passes its self-test here and is in use', () => {
    setNodeBrotliReuse(true);
    expect(nodeBrotliPath()).toBe('reused-handle');
  });

  it('compresses byte-identically to brotliCompressSync, call after call, at qualities 5 and 11', () => {
    for (const s of samples) {
      const expected5 = brotliCompressSync(s, Q5);
      for (let i = 0; i < 3; i++) expect(Buffer.compare(nodeBrotliCompress(s, 5, 22), expected5)).toBe(0);
    }
    const small = samples[0];
    expect(Buffer.compare(nodeBrotliCompress(small, 11, 22), brotliCompressSync(small, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 22 } }))).toBe(0);
    fc.assert(
      fc.property(fc.string({ maxLength: 3000 }), (text) => {
        const b = enc.encode(text);
        expect(Buffer.compare(nodeBrotliCompress(b, 5, 22), brotliCompressSync(b, Q5))).toBe(0);
      }),
      { numRuns: 150 },
    );
  });

  it('decompresses what the per-call path decompresses, and fails where it fails', () => {
    for (const s of samples) {
      const z = brotliCompressSync(s, Q5);
      expect(Buffer.compare(nodeBrotliDecompress(z, 16 << 20), s)).toBe(0);
      // Truncations, bit flips and trailing bytes give the same outcome on both paths.
      const cases = [z.subarray(0, z.length >> 1), z.subarray(0, z.length - 1), Buffer.concat([z, Buffer.from([1, 2, 3])])];
      const flipped = Buffer.from(z);
      flipped[flipped.length >> 1] ^= 0x40;
      cases.push(flipped);
      for (const c of cases) expect(outcome(() => nodeBrotliDecompress(c, 16 << 20))).toBe(outcome(() => perCall.decompress(c, 16 << 20)));
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 300 }), (junk) => {
        expect(outcome(() => nodeBrotliDecompress(junk, 1 << 20))).toBe(outcome(() => perCall.decompress(junk, 1 << 20)));
      }),
      { numRuns: 300 },
    );
    // Still healthy after all those failures.
    expect(Buffer.compare(nodeBrotliDecompress(brotliCompressSync(samples[0], Q5), 1 << 20), samples[0])).toBe(0);
  });

  it('stops a bomb at the limit on both paths, and the limit itself still decodes', () => {
    const bomb = brotliCompressSync(new Uint8Array(5_000_000));
    expect(bomb.length).toBeLessThan(100);
    expect(() => nodeBrotliDecompress(bomb, 1_000_000)).toThrow(BrotliLimitError);
    expect(() => perCall.decompress(bomb, 1_000_000)).toThrow(BrotliLimitError);
    expect(nodeBrotliDecompress(bomb, 5_000_000)).toHaveLength(5_000_000);
    expect(() => nodeBrotliDecompress(bomb, 4_999_999)).toThrow(BrotliLimitError);
    expect(() => nodeBrotliDecompress(new Uint8Array(0), 10)).toThrow(BrotliDataError);
  });

  it('gives the same frames on the per-call path (the fallback)', () => {
    const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'fallback '.repeat(40) }] });
    const fast = encodeFrame(json);
    setNodeBrotliReuse(false);
    expect(nodeBrotliPath()).toBe('per-call');
    expect(Buffer.compare(encodeFrame(json), fast)).toBe(0);
    expect(decodeFrame(fast).payload).toBe(json);
    expect(Buffer.from(brotliDecompressSync(brotliCompressSync(enc.encode(json), Q5))).toString()).toBe(json);
  });
});
