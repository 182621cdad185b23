/**
 * The pure-JS base64 of browsers' platform (wire/base64.ts `base64EncodeJs`, `base64DecodeJs`)
 * against Node's Buffer, the platform Node uses, on every length's last group.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { base64Decode, base64DecodeJs, base64EncodeJs } from '../src/wire/base64.js';

describe('JS base64', () => {
  it('encodes as Buffer does and decodes back to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), (bytes) => {
        const text = base64EncodeJs(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        const back = base64DecodeJs(text);
        expect(back.length).toBe(bytes.length);
        expect(Buffer.from(back).equals(Buffer.from(bytes))).toBe(true);
        expect(base64Decode(text)).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('handles the padded ends', () => {
    expect(base64EncodeJs(Uint8Array.of(0xff))).toBe('/w==');
    expect(base64EncodeJs(Uint8Array.of(0xff, 0xee))).toBe('/+4=');
    expect(Array.from(base64DecodeJs('/w=='))).toEqual([0xff]);
    expect(Array.from(base64DecodeJs('/+4='))).toEqual([0xff, 0xee]);
    expect(base64DecodeJs('').length).toBe(0);
  });
});
