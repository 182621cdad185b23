import { describe, expect, it } from 'vitest';
import { allocate, copyOut, keepOwn, Slab, SLAB_BYTES, useSlab } from '../src/codec/slab.browser.js';

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

  it('keeps a view only when it is its whole unshared buffer', () => {
    const big = new Uint8Array(SLAB_BYTES * 4);
    const small = big.subarray(10, 110);
    for (const kept of [keepOwn(small), new Slab().keepOwn(small)]) {
      expect(kept).toEqual(small);
      expect(kept.buffer.byteLength).toBe(100);
    }
    const most = big.subarray(0, SLAB_BYTES * 3);
    expect(keepOwn(most)).not.toBe(most);
    const own = new Uint8Array(300);
    expect(keepOwn(own)).toBe(own);
    const shared = new Uint8Array(new SharedArrayBuffer(300));
    const copy = keepOwn(shared);
    expect(copy).not.toBe(shared);
    expect(copy.buffer).toBeInstanceOf(ArrayBuffer);
    expect(useSlab(new Slab())).toBeUndefined();
  });
});
