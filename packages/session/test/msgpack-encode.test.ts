import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { isSdkError } from '@m2m/core';
import { encodeMsgpack, type MsgpackInput } from '../src/codec/msgpack-encode.js';
import { decodeMsgpack } from '../src/codec/msgpack-decode.js';

// The encoder the binary codec used before, with its options: the wire bytes must not change.
const packr = new Packr({ useRecords: false, variableMapSize: true });
const LOOSE = { maxDepth: 64, maxElements: 1_000_000 };

// Well-formed strings only: msgpackr writes a lone surrogate as bytes that are not UTF-8 (see
// the test below for what we write instead).
const text = fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 400 }).filter((s) => !/\p{Cs}/u.test(s)));
const key = fc.string({ maxLength: 20 }).filter((k) => k !== '__proto__');
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
  fc.constantFrom(0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, -0x20, -0x21, -0x80, -0x81, -0x8000, -0x8001, 2 ** 32, -(2 ** 31) - 1, 0.5, -0, NaN, Infinity),
  fc.maxSafeInteger(),
  fc.double(),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
  text,
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom(new Uint8Array(0x100), new Uint8Array(0x10000)),
);
const value: fc.Arbitrary<MsgpackInput> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 20 }), fc.dictionary(key, tie('v'), { maxKeys: 20 })),
})).v as fc.Arbitrary<MsgpackInput>;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Byte equality without building hex for large values. */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(b);

describe('encodeMsgpack', () => {
  it('writes the bytes msgpackr wrote for every value the codec can hold', () => {
    fc.assert(fc.property(value, (v) => {
      expect(hex(encodeMsgpack(v))).toBe(hex(packr.pack(v)));
    }), { numRuns: 200 });
  });

  it('uses every length form at its boundary (arrays, maps, strings, bytes)', () => {
    for (const n of [0, 15, 16, 31, 32, 255, 256, 65_535, 65_536]) {
      const arr = new Array<number>(n).fill(1);
      const map = Object.fromEntries(arr.map((_, i) => [`k${i}`, i]));
      const str = 'x'.repeat(n);
      for (const v of [arr, map, str, new Uint8Array(n)]) expect(same(encodeMsgpack(v), packr.pack(v)), `${n}`).toBe(true);
    }
    // Non-ASCII text whose reserved header is longer than the one it needs.
    for (const s of ['é'.repeat(15), 'é'.repeat(16), '€'.repeat(85), '€'.repeat(86), 'a€'.repeat(30_000)]) expect(same(encodeMsgpack(s), packr.pack(s)), s.slice(0, 4)).toBe(true);
  });

  it('returns a fresh copy each time (the scratch buffer is reused)', () => {
    const a = encodeMsgpack([1, 'a']);
    const b = encodeMsgpack([2, 'b']);
    expect(hex(a)).toBe('9201a161');
    expect(hex(b)).toBe('9202a162');
  });

  it('writes a lone surrogate as U+FFFD, which the bounded decoder reads back', () => {
    const bytes = encodeMsgpack(['a\ud800b']);
    expect(hex(bytes)).toBe('91a561efbfbd62');
    expect(decodeMsgpack(bytes, LOOSE)).toEqual(['a\ufffdb']);
  });

  it('refuses what MessagePack without extensions cannot hold, with a typed error', () => {
    for (const bad of [undefined, () => 1, Symbol('s'), 2n ** 64n, -(2n ** 63n) - 1n, new Uint16Array(2), [1, undefined]]) {
      let caught: unknown;
      try {
        encodeMsgpack(bad as unknown as MsgpackInput);
      } catch (e) {
        caught = e;
      }
      expect(isSdkError(caught) && caught.code).toBe('INVALID_MESSAGE');
    }
    // The scratch state is reset after a failure.
    expect(hex(encodeMsgpack([true]))).toBe('91c3');
  });
});
