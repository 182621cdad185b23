import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Scratch, crcScratch, scratchBytes } from '../src/platform/_crc32-wasm-node.js';
import { utf8EncodeScratch } from '../src/platform/_utf8-scratch-node.js';
import { platform } from '../src/platform/index.node.js';
import { encodeFrame, decodeFrame } from '../src/index.js';

// The WebAssembly CRC (platform/_crc32-wasm-node.ts) reads a frame's JSON where the UTF-8 scratch
// put it; everything else takes the JavaScript tables. Both must be zlib's CRC-32 exactly.
const zlib = (d: Uint8Array) => zlibCrc32(d) >>> 0;

describe('CRC-32 of the UTF-8 scratch in WebAssembly memory', () => {
  it('is zlib CRC-32 at every length 0-300 and at 8-byte steps up to the whole scratch', () => {
    const region = crcScratch();
    expect(region, 'WebAssembly is available on Node').toBeDefined();
    const lengths = [...Array.from({ length: 301 }, (_, n) => n), 1023, 1024, 1025, 4095, 8191, region!.length - 1, region!.length];
    for (const n of lengths) {
      for (let i = 0; i < n; i++) region![i] = (i * 151 + n * 7 + 13) & 0xff;
      const view = scratchBytes(n);
      expect(crc32Scratch(view), `length ${n}`).toBe(zlib(view));
    }
  });

  it('agrees with zlib on arbitrary bytes, in place and as another array with the same bytes', () => {
    const region = crcScratch()!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (d) => {
        region.set(d);
        const inPlace = scratchBytes(d.length);
        return crc32Scratch(inPlace) === zlib(d) && crc32Scratch(d) === zlib(d) && crc32Scratch(inPlace.slice()) === zlib(d);
      }),
    );
  });

  it('reads an older scratch view by the table (only the last one is taken as in place)', () => {
    const region = crcScratch()!;
    region.fill(7, 0, 40);
    const older = scratchBytes(40);
    region.fill(9, 0, 10);
    scratchBytes(10);
    // `older` now shows 10 nines then 30 sevens: its CRC is of those bytes, whichever path reads it.
    expect(crc32Scratch(older)).toBe(zlib(older));
  });

  it("is what platform.crc32 gives for utf8EncodeScratch's bytes (ASCII and not, around the 256 B hand-over)", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '{', '"', 'é', '€', '😀', '\n'), maxLength: 300 }), (text) => {
        const bytes = utf8EncodeScratch(text);
        return platform.crc32(bytes) === zlib(Buffer.from(text, 'utf8'));
      }),
    );
  });

  it('frames carry the same CRC as before (encoded from the scratch, decoded by the table)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (content) => {
        const json = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] });
        const frame = encodeFrame(json, { compression: 'auto' });
        const decoded = decodeFrame(frame);
        return decoded.payload === json && decoded.crc32 === zlib(Buffer.from(json, 'utf8'));
      }),
    );
  });
});
