import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compress, decodeFrame, decodeFrameText, decompress, detectAlgorithm, encodeFrame, encodeFrameText, inspectFrame, isSdkError, toHex } from '@m2m/core';
import { base64Decode, crc32, crc32Bytewise, crc32Table, utf8Encode, encodeVarint, decodeVarint } from '@m2m/core/internal';
import { crc32TableAscii, NON_ASCII } from '../src/wire/crc32.js';
import { brotliCompressSync, constants, crc32 as zlibCrc32 } from 'node:zlib';
import { utf8ByteLength } from '@m2m/core/internal';
import { utf8ByteLengthPortable } from '../src/wire/bytes.js';

const REQ = '{"model":"gpt-4o","messages":[{"role":"system","content":"You are a helpful assistant."},{"role":"user","content":"What is 2+2?"}],"temperature":0.7,"max_tokens":1000}';

describe('frames', () => {
  it('encodes the reference V1 frame byte for byte', () => {
    const hex = toHex(encodeFrame('{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}'));
    expect(hex).toBe('234d324d7c317c2200010000000000000000000000000000000000066770742d346f0101020ad7a33b3e0000006e6055a47b226d6f64656c223a226770742d346f222c226d65737361676573223a5b7b22726f6c65223a2275736572222c22636f6e74656e74223a224869227d5d7d');
  });

  it('reads the routing header without decompressing', () => {
    const h = inspectFrame(encodeFrame(REQ));
    expect(h.routing).toMatchObject({ model: 'gpt-4o', msgCount: 2, roles: ['System', 'User'], maxTokens: 1000, contentHint: 40 });
    expect(h.compressed).toBe(true);
  });

  it('round-trips through the text form', () => {
    expect(decodeFrameText(encodeFrameText(REQ)).payload).toBe(REQ);
    expect(detectAlgorithm(encodeFrameText(REQ))).toBe('m2m');
  });

  it('rejects JSON deeper than the limit before parsing', () => {
    const deep = '['.repeat(40) + ']'.repeat(40);
    expect(() => encodeFrame(deep)).toThrow(expect.objectContaining({ kind: 'LimitExceeded' }));
  });

  it('stops a brotli bomb at the decompression limit', () => {
    const big = new Uint8Array(8 * 1024 * 1024).fill(0x20);
    const bomb = brotliCompressSync(big, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
    const frame = encodeFrame('{"model":"x","messages":[],"pad":"' + 'a'.repeat(200) + '"}');
    // splice the bomb in as the payload
    const headerEnd = 7 + (frame[7] | (frame[8] << 8));
    const out = new Uint8Array(headerEnd + 8 + bomb.length);
    out.set(frame.subarray(0, headerEnd));
    new DataView(out.buffer).setUint32(headerEnd, bomb.length, true);
    out.set(bomb, headerEnd + 8);
    expect(() => decodeFrame(out, { limits: { maxDecompressedBytes: 1024 * 1024 } })).toThrow(expect.objectContaining({ kind: 'LimitExceeded' }));
  });

  it('rejects oversized input before any work', () => {
    expect(() => decodeFrame(new Uint8Array(2048), { limits: { maxMessageBytes: 1024 } })).toThrow(expect.objectContaining({ kind: 'LimitExceeded' }));
  });

  it('round-trips generated chat requests (property)', () => {
    const msg = fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool', 'developer'), content: fc.string() });
    fc.assert(
      fc.property(fc.record({ model: fc.string({ maxLength: 40 }), messages: fc.array(msg, { maxLength: 8 }), temperature: fc.double({ noNaN: true, noDefaultInfinity: true }), max_tokens: fc.nat() }), (req) => {
        const json = JSON.stringify(req);
        const r = decodeFrame(encodeFrame(json));
        expect(r.payload).toBe(json);
        expect(r.header.routing?.msgCount).toBe(req.messages.length);
      }),
      { numRuns: 150 },
    );
  });

  it('round-trips arbitrary JSON text (property)', () => {
    fc.assert(fc.property(fc.json({ depthSize: "small" }), (json) => {
      expect(decodeFrame(encodeFrame(json)).payload).toBe(json);
    }), { numRuns: 150 });
  });

  it('decoding arbitrary or mutated bytes gives a value or an SDK error (property)', () => {
    const seed = encodeFrame(REQ);
    const check = (bytes: Uint8Array) => {
      try {
        decodeFrame(bytes, { limits: { maxDecompressedBytes: 1 << 20 } });
      } catch (e) {
        if (!isSdkError(e)) throw e;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => check(b)), { numRuns: 300 });
    fc.assert(
      fc.property(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const m = seed.slice();
        m[i] = v;
        check(m);
      }),
      { numRuns: 300 },
    );
  });
});

describe('primitives', () => {
  it('strict base64 rejects what Buffer accepts', () => {
    expect(() => base64Decode('aGk')).toThrow('Invalid padding');
    expect(() => base64Decode('aG k=')).toThrow('Invalid symbol 32, offset 2.');
    expect(() => base64Decode('aGl=')).toThrow('Invalid last symbol 108, offset 2.');
    expect(toHex(base64Decode('aGk='))).toBe('6869');
  });

  it('crc32 matches the check value on every implementation', () => {
    expect(crc32(utf8Encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Table(utf8Encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Bytewise(utf8Encode('123456789'))).toBe(0xcbf43926);
  });

  it('the table crc32 (eight bytes a step, then a byte at a time) equals node:zlib at every length and offset', () => {
    const bytes = Uint8Array.from({ length: 700 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let n = 0; n <= 600; n++) {
      const at = n % 13;
      const part = bytes.subarray(at, at + n);
      expect(crc32Table(part), `length ${n}`).toBe(zlibCrc32(part));
      // Browsers' one-table version.
      expect(crc32Bytewise(part), `length ${n}`).toBe(zlibCrc32(part));
      // The platform's choice (table below 256 B, native from there) gives the same value.
      expect(crc32(part), `length ${n}`).toBe(zlibCrc32(part));
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (d) => crc32Table(d) === zlibCrc32(d) && crc32Bytewise(d) === zlibCrc32(d)));
  });

  it('crc32TableAscii gives the table CRC of a range and flags any byte above 0x7F', () => {
    const check = (d: Uint8Array, start: number, end: number) => {
      const part = d.subarray(start, end);
      const nonAscii = part.some((b) => b >= 0x80);
      expect(crc32TableAscii(d, start, end)).toBe(zlibCrc32(part) + (nonAscii ? NON_ASCII : 0));
    };
    const ascii = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 3) & 0x7f);
    for (let n = 0; n <= 280; n++) {
      check(ascii, n % 11, (n % 11) + n);
      // One high byte at each position of an 8-byte step and of the tail.
      if (n > 0) {
        const one = ascii.slice(0, n);
        one[(n * 7) % n] = 0x80 | (n & 0x7f);
        check(one, 0, n);
      }
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat(), fc.nat(), (d, a, b) => {
      const start = a % (d.length + 1);
      check(d, start, start + (b % (d.length - start + 1)));
    }));
  });

  it('UTF-8 byte length (native and portable) equals the encoded length, lone surrogates included', () => {
    for (const s of ['', 'abc', 'é€😀', 'a\ud800b', '\udc00', '\ud83d']) {
      expect(utf8ByteLength(s), JSON.stringify(s)).toBe(utf8Encode(s).length);
      expect(utf8ByteLengthPortable(s), JSON.stringify(s)).toBe(utf8Encode(s).length);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(utf8ByteLength(s)).toBe(utf8Encode(s).length);
        expect(utf8ByteLengthPortable(s)).toBe(utf8Encode(s).length);
      }),
      { numRuns: 300 },
    );
  });

  it('varints round-trip at u64 bounds', () => {
    expect(toHex(encodeVarint(300))).toBe('ac02');
    const max = (1n << 64n) - 1n;
    expect(decodeVarint(encodeVarint(max)).value).toBe(max);
  });
});

describe('codec engine', () => {
  it('compresses and detects every algorithm; unknown text passes through', () => {
    for (const alg of ['m2m', 'brotli', 'tokennative', 'none'] as const) {
      const text = compress(REQ, alg);
      expect(detectAlgorithm(text)).toBe(alg === 'none' ? 'none' : alg);
      expect(decompress(text)).toBe(REQ);
    }
    expect(decompress('#M2M|2|whatever')).toBe('#M2M|2|whatever');
  });

  it('TokenNative matches the reference vectors', () => {
    expect(compress('Hello, world!', 'tokennative')).toBe('#TK|C|sk0L/Q4A');
    expect(decompress('#TK|O|qWcLxxIA')).toBe('Hello, world!');
  });
});
