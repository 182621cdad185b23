import { describe, expect, it } from 'vitest';
import { allocate, copyOut, keepSmall, Slab, SLAB_BYTES, useSlab } from '../src/codec/slab.browser.js';

// The browser build of the slab (`#slab`): no carving, so no two owners (nor two messages) share a buffer.
describe('slab.browser.ts', () => {
  it('gives every message an array of its own', () => {
    const slab = new Slab();
    const a = slab.allocate(200);
    const b = slab.allocate(200);
    const c = allocate(200);
    expect(new Set([a.buffer, b.buffer, c.buffer]).size).toBe(3);
    expect([a.length, c.length, a.every((x) => x === 0)]).toEqual([200, 200, true]);
    const src = Uint8Array.of(1, 2, 3);
    for (const copy of [slab.copyOut(src), copyOut(src)]) {
      expect(copy).toEqual(src);
      expect(copy.buffer).not.toBe(src.buffer);
    }
  });

  it('keeps a view only when it pins little more than itself, as slab.ts', () => {
    const big = new Uint8Array(SLAB_BYTES * 4);
    const small = big.subarray(10, 110);
    for (const kept of [keepSmall(small), new Slab().keepSmall(small)]) {
      expect(kept).toEqual(small);
      expect(kept.buffer.byteLength).toBe(100);
    }
    const most = big.subarray(0, SLAB_BYTES * 3);
    expect(keepSmall(most)).toBe(most);
    const own = new Uint8Array(300);
    expect(keepSmall(own)).toBe(own);
    expect(useSlab(new Slab())).toBeUndefined();
  });
});
