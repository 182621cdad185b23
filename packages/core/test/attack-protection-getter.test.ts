/**
 * Attack: the protection object's own fields may be getters too (frame-reentrancy.test.ts holds
 * the options object to "read once, before the shared UTF-8 scratch is filled"). `encodeFrame`
 * read `protection.mode` after the scratch held this frame's bytes: a `mode` getter that encodes
 * another frame swapped the payload for the other JSON under a valid CRC and tag.
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type FrameProtection } from '@m2m/core';
import { aeadProtection, hmacProtection } from '@m2m/crypto';

const outer = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'outer request text' }] });
const inner = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'INNER!' }] });
const key = new Uint8Array(32).fill(7);

/** `real` with a `mode` getter that encodes `inner` as a side effect, on its `fireOn`-th read. */
function reentrantMode(real: FrameProtection, fireOn: number): FrameProtection {
  let reads = 0;
  return new Proxy(real, {
    get(target, name, receiver) {
      if (name === 'mode' && ++reads === fireOn) encodeFrame(inner);
      const v = Reflect.get(target, name, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('encodeFrame with a protection whose mode getter encodes another frame', () => {
  for (const [name, make] of [
    ['hmac', () => hmacProtection(key)],
    ['aead', () => aeadProtection(key)],
  ] as const) {
    // Compressed, and plain (auto below its threshold): the payload comes from the scratch both ways.
    for (const [compression, compressionMinBytes] of [['always', undefined], ['auto', 1 << 20]] as const) {
      for (const fireOn of [1, 2, 3, 4]) {
        it(`${name}, compression ${compression}, re-entered on read ${fireOn}: the frame carries its own payload or fails typed`, () => {
          let frame: Uint8Array | undefined;
          try {
            frame = encodeFrame(outer, { protection: reentrantMode(make(), fireOn), compression, compressionMinBytes });
          } catch (e) {
            expect((e as { code?: unknown }).code, String(e)).toBeTypeOf('string');
            return;
          }
          expect(decodeFrame(frame, { protection: make() }).payload).toBe(outer);
        });
      }
    }
  }
});
