import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { isSdkError } from '@m2m/core';
import { decodeMsgpack, SESSION_MSGPACK_BOUNDS } from '../src/codec/msgpack-decode.js';

// The decoder the binary codec used before, with its options: the bounded decoder must read
// every valid input the same way.
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
const packr = new Packr({ useRecords: false, variableMapSize: true });
const LOOSE = { maxDepth: 64, maxElements: 1_000_000 };

const key = fc.string({ maxLength: 20 }).filter((k) => k !== '__proto__');
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true }),
  fc.string({ maxLength: 100 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.uint8Array({ maxLength: 300 }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 20 }), fc.dictionary(key, tie('v'), { maxKeys: 20 })),
})).v;

/** Raw MessagePack headers, so that every length form (fix, 8, 16, 32) is exercised whatever packr picks. */
function header(kind: 'array' | 'map' | 'str' | 'bin', n: number, form: 0 | 1 | 2): Uint8Array {
  const op = { array: [0x90, -1, 0xdc, 0xdd], map: [0x80, -1, 0xde, 0xdf], str: [0xa0, 0xd9, 0xda, 0xdb], bin: [-1, 0xc4, 0xc5, 0xc6] }[kind];
  const widths = [1, 2, 4];
  const w = widths[form];
  const code = op[form + 1];
  if (code < 0) return header(kind, n, ((form + 1) % 3) as 0 | 1 | 2);
  const out = new Uint8Array(1 + w);
  out[0] = code;
  for (let i = 0; i < w; i++) out[1 + i] = (n >>> (8 * (w - 1 - i))) & 0xff;
  return out;
}

describe('decodeMsgpack', () => {
  it('reads every value msgpackr writes exactly as msgpackr reads it back', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = packr.pack(v);
        expect(decodeMsgpack(bytes, LOOSE)).toEqual(unpackr.unpack(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with msgpackr on every length form of strings, binaries, arrays and maps', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 20 }), fc.constantFrom(0, 1, 2), (s, b, ints, form) => {
        const f = form as 0 | 1 | 2;
        const utf8 = new TextEncoder().encode(s);
        const parts: Uint8Array[] = [header('array', 4, f), header('str', utf8.length, f), utf8, header('bin', b.length, f), b, header('array', ints.length, f), Uint8Array.from(ints), header('map', 1, f), Uint8Array.of(0xa1, 0x6b), Uint8Array.of(0xc3)];
        const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let o = 0;
        for (const p of parts) {
          bytes.set(p, o);
          o += p.length;
        }
        expect(decodeMsgpack(bytes, LOOSE)).toEqual(unpackr.unpack(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('reads 64-bit integers and both float widths as msgpackr does', () => {
    const cases = ['cf0000000100000000', 'cf001fffffffffffff', 'cfffffffffffffffff', 'd3ffffffffffffffff', 'd38000000000000000', 'ca3fc00000', 'cb3ff8000000000000', 'd0ff', 'd1ff00', 'd2fffffffe', 'ccff', 'cdffff', 'ceffffffff'];
    for (const hex of cases) {
      const bytes = Buffer.from(hex, 'hex');
      expect([hex, decodeMsgpack(bytes, LOOSE)]).toEqual([hex, unpackr.unpack(bytes)]);
    }
  });

  it('keeps a `__proto__` key as an own property instead of setting the prototype', () => {
    const v = decodeMsgpack(Buffer.from('81a95f5f70726f746f5f5f81a178a179', 'hex')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect((v as { x?: unknown }).x).toBeUndefined();
  });

  const refuse = (hex: string, code: string, reason: RegExp | string) => {
    let e: unknown;
    try {
      decodeMsgpack(Buffer.from(hex, 'hex'));
    } catch (x) {
      e = x;
    }
    expect(isSdkError(e), hex).toBe(true);
    expect((e as { code: string }).code).toBe(code);
    expect(JSON.stringify((e as { details: unknown }).details)).toMatch(reason);
  };

  it('refuses declared lengths beyond the bytes left, before allocating for them', () => {
    refuse('dd019ca12b'.repeat(25), 'INVALID_MESSAGE', 'declares 27042091 entries, 120 bytes left');
    refuse('ddffffffff', 'INVALID_MESSAGE', 'declares 4294967295 entries');
    refuse('dfffffffff' + 'a1' + '61', 'INVALID_MESSAGE', 'map declares 4294967295 entries');
    refuse('dc0003' + 'c0c0', 'INVALID_MESSAGE', 'declares 3 entries, 2 bytes left');
    refuse('82a161c0', 'INVALID_MESSAGE', 'declares 2 entries, 3 bytes left'); // a map entry takes two bytes
    refuse('dbffffffff' + '61', 'INVALID_MESSAGE', 'needs 4294967295 bytes');
    refuse('c6ffffffff', 'INVALID_MESSAGE', 'needs 4294967295 bytes');
    refuse('da00', 'INVALID_MESSAGE', 'needs 2 bytes, 1 left');
    refuse('cb0000', 'INVALID_MESSAGE', 'needs 8 bytes');
    refuse('', 'INVALID_MESSAGE', 'needs 1 byte');
  });

  it('bounds nesting depth and the total element count', () => {
    refuse('91'.repeat(9) + 'c0', 'LIMIT_EXCEEDED', '"limit":"msgpackDepth","actual":9,"max":8');
    expect(decodeMsgpack(Buffer.from('91'.repeat(7) + 'c0', 'hex'))).toEqual([[[[[[[null]]]]]]]);
    refuse('dd00000401' + 'c0'.repeat(1025), 'LIMIT_EXCEEDED', '"limit":"msgpackElements","actual":1025,"max":1024');
    // The count is summed over containers: 33 arrays of 31 nils each is 33 + 33 × 31 elements.
    refuse('dc0021' + ('dc001f' + 'c0'.repeat(31)).repeat(33), 'LIMIT_EXCEEDED', 'msgpackElements');
    expect(SESSION_MSGPACK_BOUNDS).toEqual({ maxDepth: 8, maxElements: 1024 });
  });

  it('refuses extension types, the reserved byte, non-string keys, invalid UTF-8 and trailing bytes', () => {
    for (const hex of ['d47200', 'd5ff0000', 'd6ff00000000', 'd7ff0000000000000000', 'd8ff' + '00'.repeat(16), 'c701ff00', 'c80001ff00', 'c900000001ff00']) refuse(hex, 'INVALID_MESSAGE', 'extension type');
    refuse('c1', 'INVALID_MESSAGE', 'reserved byte 0xc1');
    refuse('810102', 'INVALID_MESSAGE', 'not a string');
    refuse('81c0c0', 'INVALID_MESSAGE', 'not a string');
    refuse('a2c328', 'INVALID_MESSAGE', 'invalid UTF-8');
    refuse('d922' + 'ff'.repeat(34), 'INVALID_MESSAGE', 'invalid UTF-8');
    refuse('c0c0', 'INVALID_MESSAGE', '1 trailing bytes');
  });

  it('never throws anything but an SDK error on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeMsgpack(bytes);
        } catch (e) {
          expect(isSdkError(e)).toBe(true);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});
