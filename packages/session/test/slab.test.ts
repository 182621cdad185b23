/** codec/slab.ts: carved views never overlap, start zeroed, and a full slab is never reused. */
import { describe, expect, it } from 'vitest';
import { allocate, SLAB_BYTES } from '../src/codec/slab.js';

describe('slab allocation', () => {
  it('hands out zeroed, disjoint views, and a fresh slab when one is full', () => {
    const views = Array.from({ length: 3 * (SLAB_BYTES / 256) }, () => allocate(250));
    for (const v of views) {
      expect(v.length).toBe(250);
      expect(v.every((b) => b === 0)).toBe(true);
      v.fill(0xff); // a later view must not see this
    }
    const buffers = new Set(views.map((v) => v.buffer));
    expect(buffers.size).toBeGreaterThanOrEqual(3);
    for (const buffer of buffers) {
      const inIt = views.filter((v) => v.buffer === buffer).sort((a, b) => a.byteOffset - b.byteOffset);
      for (let i = 1; i < inIt.length; i++) expect(inIt[i].byteOffset).toBeGreaterThanOrEqual(inIt[i - 1].byteOffset + 250);
      expect(buffer.byteLength).toBe(SLAB_BYTES);
    }
  });
  it('gives small and large arrays buffers of their own', () => {
    expect(allocate(64).buffer.byteLength).toBe(64);
    expect(allocate(SLAB_BYTES).buffer.byteLength).toBe(SLAB_BYTES);
  });
});
