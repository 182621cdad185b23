/**
 * A caller's options object may run code when read (getters). `encodeFrame` reads every option
 * before it fills its shared UTF-8 scratch, so a getter that encodes another frame cannot swap
 * this frame's payload for the other JSON (found by the attacker review of 2026-12-01).
 */
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, type EncodeFrameOptions } from '@m2m/core';

const outer = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'outer request text' }] });
const inner = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'INNER!' }] });

/** Options whose `name` getter encodes `inner` as a side effect, once. */
function reentrantOptions(name: keyof EncodeFrameOptions, value: unknown): EncodeFrameOptions {
  let fired = false;
  const o = {};
  Object.defineProperty(o, name, {
    enumerable: true,
    get() {
      if (!fired) {
        fired = true;
        encodeFrame(inner);
      }
      return value;
    },
  });
  return o as EncodeFrameOptions;
}

describe('encodeFrame with options that encode another frame when read', () => {
  for (const [name, value] of [
    ['compression', 'auto'],
    ['compression', 'always'],
    ['compressionMinBytes', 0],
    ['protection', undefined],
    ['promptTokens', undefined],
  ] as const) {
    it(`keeps its own payload when the ${name} getter re-enters`, () => {
      const frame = encodeFrame(outer, reentrantOptions(name, value));
      expect(decodeFrame(frame).payload).toBe(outer);
    });
  }
});
