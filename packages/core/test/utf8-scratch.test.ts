/**
 * Node's reused UTF-8 scratch (platform/_utf8-scratch-node.ts) counts the bytes as it encodes them,
 * so `encodeFrameWith` needs no pass over the text to count them first: the bytes and the count
 * must be `Buffer.from`'s whatever the text (multi-byte characters, lone surrogates, texts that
 * outgrow the scratch or go past the kept size), with and without the count given, and the frame
 * and the count a session reads (`lastFrameJsonBytes`) the same as with the count given.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeFrame, toHex } from '@m2m/core';
import { encodeFrameWith, lastFrameJsonBytes, utf8ByteLength } from '@m2m/core/internal';
import { utf8EncodeScratch } from '../src/platform/_utf8-scratch-node.js';

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 3000 }),
  fc.string({ unit: 'grapheme', maxLength: 1500 }),
  fc.tuple(fc.nat({ max: 4000 }), fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\udc00x')).map(([n, c]) => c.repeat(n)),
);

describe('the reused UTF-8 scratch', () => {
  it("gives Buffer.from's bytes and count, with or without the count, as texts grow", () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), (texts) => {
        for (const t of texts) {
          const expected = Buffer.from(t, 'utf8').toString('hex');
          expect(hex(utf8EncodeScratch(t))).toBe(expected);
          expect(hex(utf8EncodeScratch(t, Buffer.byteLength(t, 'utf8')))).toBe(expected);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives texts past the kept size their own bytes', () => {
    const long = 'é'.repeat(300_000);
    const a = utf8EncodeScratch(long);
    expect(a.length).toBe(600_000);
    expect(hex(a)).toBe(Buffer.from(long, 'utf8').toString('hex'));
    const b = utf8EncodeScratch('x'.repeat(10));
    expect(b.buffer).not.toBe(a.buffer);
  });

  it('lets encodeFrameWith count the bytes it encodes: same frame, same count', () => {
    const request = fc.record({ model: fc.string({ maxLength: 20 }), messages: fc.array(fc.record({ role: fc.constantFrom('user', 'system'), content: fc.string({ unit: 'binary', maxLength: 800 }) }), { maxLength: 3 }) }).map((r) => JSON.stringify(r));
    fc.assert(
      fc.property(request, fc.constantFrom('auto', 'always') as fc.Arbitrary<'auto' | 'always'>, (json, compression) => {
        const counted = utf8ByteLength(json);
        const frame = toHex(encodeFrameWith(json, { compression }, (n) => new Uint8Array(n)));
        expect(lastFrameJsonBytes()).toBe(counted);
        expect(frame).toBe(toHex(encodeFrameWith(json, { compression }, (n) => new Uint8Array(n), counted)));
        expect(frame).toBe(toHex(encodeFrame(json, { compression })));
      }),
      { numRuns: 150 },
    );
  });
});
