/**
 * WebSocket masking by words and the frame header (transport/ws-mask.ts) against the byte-at-a-
 * time definition (RFC 6455 §5.3) and against `ws`'s own frames: every alignment, length and
 * phase, and the header's three length forms with and without a key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import { frameHeaderSize, writeBinaryFrameHeader, xorMask } from '../src/transport/ws-mask.js';

/** `ws`'s frame builder (exported by `ws`, not in its type definitions). */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: { fin: boolean; opcode: number; mask: boolean; maskBuffer: Buffer; generateMask: () => void; readOnly: boolean; rsv1: boolean }): Buffer[] };
};

/** The definition: byte i of the payload XOR key[i mod 4]. */
function byteByByte(bytes: Uint8Array, start: number, end: number, key: ArrayLike<number>, phase: number): void {
  for (let i = start; i < end; i++) bytes[i] ^= key[(phase + i - start) & 3];
}

/** Byte equality, with the full diff only on a mismatch (toEqual on thousands of arrays is slow). */
function expectSame(a: Uint8Array, b: Uint8Array): void {
  if (!Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))) expect(a).toEqual(b);
}

describe('xorMask', () => {
  it('equals the byte-by-byte definition at every buffer offset, range, length and phase', () => {
    const key = [0x9a, 0x01, 0xff, 0x3c];
    const backing = new Uint8Array(300).map((_, i) => (i * 37 + 11) & 0xff);
    for (let viewOffset = 0; viewOffset < 4; viewOffset++) {
      for (let start = 0; start < 9; start++) {
        for (let length = 0; length < 150; length += length < 40 ? 1 : 13) {
          for (let phase = 0; phase < 4; phase++) {
            const a = backing.slice().subarray(viewOffset);
            const b = backing.slice().subarray(viewOffset);
            xorMask(a, start, start + length, key, phase);
            byteByByte(b, start, start + length, key, phase);
            expectSame(a, b);
          }
        }
      }
    }
  });

  it('equals the definition on generated payloads, keys and splits, and undoes itself', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000, size: 'max' }), fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat(7), fc.nat(), (payload, key, offset, cut) => {
        const at = (n: number) => {
          const buffer = new Uint8Array(n + offset);
          buffer.set(payload, offset);
          return buffer.subarray(offset);
        };
        const fast = at(payload.length);
        const slow = at(payload.length);
        // A payload split in two, the second part continuing the key where the first stopped.
        const split = payload.length ? cut % payload.length : 0;
        xorMask(fast, 0, split, key);
        xorMask(fast, split, payload.length, key, split);
        byteByByte(slow, 0, payload.length, key, 0);
        expectSame(fast, slow);
        xorMask(fast, 0, payload.length, key);
        expectSame(fast, payload);
      }),
      { numRuns: 300 },
    );
  });
});

describe('writeBinaryFrameHeader', () => {
  for (const length of [0, 1, 125, 126, 127, 65535, 65536, 70_000]) {
    for (const masked of [false, true]) {
      it(`is the header ws writes for ${length} bytes ${masked ? 'masked' : 'unmasked'}`, () => {
        const key = Buffer.from([1, 2, 3, 4]);
        const data = Buffer.alloc(length, 7);
        // `ws`'s own frame of the same payload with the same key (readOnly: false masks in place).
        const [wsHeader] = Sender.frame(data, { fin: true, opcode: 2, mask: masked, maskBuffer: key, generateMask: () => undefined, readOnly: false, rsv1: false });
        const ours = new Uint8Array(frameHeaderSize(length, masked) + 3);
        writeBinaryFrameHeader(ours, 3, length, masked ? key : undefined);
        expect(ours.subarray(3)).toEqual(new Uint8Array(wsHeader.subarray(0, frameHeaderSize(length, masked))));
        expect(wsHeader.length).toBe(frameHeaderSize(length, masked));
      });
    }
  }
});
