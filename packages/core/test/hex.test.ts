import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, isM2MError, toHex } from '@m2m/core';

/** What fromHex accepted before it checked the whole string at once (one pair at a time). */
function pairwise(hex: string): Uint8Array | 'length' | 'char' {
  if (hex.length % 2 !== 0) return 'length';
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    if (!/^[0-9a-fA-F]{2}$/.test(hex.substr(i * 2, 2))) return 'char';
    out[i] = parseInt(hex.substr(i * 2, 2), 16);
  }
  return out;
}

function outcome(hex: string): Uint8Array | 'length' | 'char' {
  try {
    return fromHex(hex);
  } catch (e) {
    expect(isM2MError(e)).toBe(true);
    return (e as Error).message.includes('length') ? 'length' : 'char';
  }
}

describe('fromHex', () => {
  it('round-trips toHex, in either case', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(fromHex(toHex(b))).toEqual(b);
        expect(fromHex(toHex(b).toUpperCase())).toEqual(b);
      }),
    );
  });

  it('gives the pair-by-pair answer (bytes, or which typed error) for any string', () => {
    const hexish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFgG -+x\n\u0660'), maxLength: 24 });
    fc.assert(
      fc.property(fc.oneof(hexish, fc.string({ maxLength: 12 })), (s) => {
        expect(outcome(s)).toEqual(pairwise(s));
      }),
    );
    expect(outcome('0g')).toBe('char');
    expect(outcome('abc')).toBe('length');
    expect(outcome('+1')).toBe('char'); // parseInt alone would read it as 1
  });
});
