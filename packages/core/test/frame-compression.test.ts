import { describe, expect, it } from 'vitest';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { AUTO_COMPRESSION_MIN_BYTES, compress, decodeFrame, decompress, encodeFrame, frameTextToBytes, inspectFrame } from '@m2m/core';
import { brotliWindowFor } from '../src/wire/frame.js';

// The request of bench/session.ts: 162 B, above the reference's 100 B threshold.
const SMALL = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Summarise the M2M protocol in one line.' }], temperature: 0.2 });
const LARGE = JSON.stringify({ model: 'gpt-4o', messages: Array.from({ length: 30 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn ${i}: ${SMALL}` })) });
const utf8 = (s: string) => new TextEncoder().encode(s);

/** The stored payload section of a plain frame (after payload_len and crc32). */
function storedPayload(frame: Uint8Array): Uint8Array {
  const headerLen = frame[7] | (frame[8] << 8);
  const start = 7 + headerLen;
  const len = new DataView(frame.buffer, frame.byteOffset).getUint32(start, true);
  return frame.subarray(start + 8, start + 8 + len);
}

describe('frame compression policy', () => {
  it("keeps the reference's rule by default: a 162 B payload is Brotli-compressed at window 22", () => {
    const frame = encodeFrame(SMALL);
    expect(inspectFrame(frame).compressed).toBe(true);
    const reference = brotliCompressSync(utf8(SMALL), { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 22 } });
    expect(Buffer.compare(storedPayload(frame), reference)).toBe(0);
    expect(encodeFrame(SMALL, { compression: 'always' })).toEqual(frame);
  });

  it('auto: a payload below the minimum goes plain and decodes', () => {
    expect(utf8(SMALL).length).toBeLessThan(AUTO_COMPRESSION_MIN_BYTES);
    const frame = encodeFrame(SMALL, { compression: 'auto' });
    expect(frame[7 + 7]).toBe(0); // common flags: COMPRESSED clear
    expect(new TextDecoder().decode(storedPayload(frame))).toBe(SMALL);
    const decoded = decodeFrame(frame);
    expect(decoded.header.compressed).toBe(false);
    expect(decoded.payload).toBe(SMALL);
    expect(decoded.header.routing).toEqual(inspectFrame(encodeFrame(SMALL)).routing);
  });

  it('auto: a large payload is compressed with a window sized to it and decodes', () => {
    const bytes = utf8(LARGE);
    expect(bytes.length).toBeGreaterThan(4096);
    const frame = encodeFrame(LARGE, { compression: 'auto' });
    expect(inspectFrame(frame).compressed).toBe(true);
    const stored = storedPayload(frame);
    expect(stored.length).toBeLessThan(bytes.length / 4);
    const sized = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: brotliWindowFor(bytes.length) } });
    expect(Buffer.compare(stored, sized)).toBe(0);
    expect(Buffer.from(brotliDecompressSync(stored)).toString('utf8')).toBe(LARGE);
    expect(decodeFrame(frame).payload).toBe(LARGE);
  });

  it('auto: a payload Brotli would make larger is sent plain', () => {
    const tiny = '{"model":"x","messages":[]}';
    // The premise: Brotli's output for this input is not smaller than the input.
    expect(brotliCompressSync(utf8(tiny), { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 10 } }).length).toBeGreaterThanOrEqual(tiny.length);
    const frame = encodeFrame(tiny, { compression: 'auto', compressionMinBytes: 0 });
    expect(inspectFrame(frame).compressed).toBe(false);
    expect(decodeFrame(frame).payload).toBe(tiny);
    // With no minimum, a payload Brotli shrinks is compressed.
    expect(inspectFrame(encodeFrame(SMALL, { compression: 'auto', compressionMinBytes: 0 })).compressed).toBe(true);
  });

  it('sizes the window to the input within Brotli’s range, never above the reference’s 22', () => {
    expect(brotliWindowFor(0)).toBe(10);
    expect(brotliWindowFor(600)).toBe(10);
    expect(brotliWindowFor(1025)).toBe(11);
    expect(brotliWindowFor(40_000)).toBe(16);
    expect(brotliWindowFor(64 << 20)).toBe(22);
  });

  it('carries through the text codec and refuses unknown policies', () => {
    const text = compress(SMALL, 'm2m', { compression: 'auto' });
    expect(inspectFrame(frameTextToBytes(text)).compressed).toBe(false);
    expect(inspectFrame(frameTextToBytes(compress(SMALL, 'm2m'))).compressed).toBe(true);
    expect(decompress(text)).toBe(SMALL);
    expect(() => encodeFrame(SMALL, { compression: 'never' as 'auto' })).toThrow(expect.objectContaining({ kind: 'Config' }));
    expect(() => encodeFrame(SMALL, { compression: 'auto', compressionMinBytes: -1 })).toThrow(expect.objectContaining({ kind: 'Config' }));
  });
});
