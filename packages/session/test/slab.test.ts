/** codec/slab.ts: carved views never overlap, start zeroed, a full slab is never reused, slabs grow per owner, owners never share, and what a receiver keeps pins at most a slab. */
import { describe, expect, it } from 'vitest';
import { allocate as allocateOwn, Slab, SLAB_BYTES, useSlab } from '../src/codec/slab.js';
import { decodeOwnedMessageBinary, encodeMessageBinary } from '../src/codec/binary-codec.js';
import type { Message } from '../src/message.js';

const slab = new Slab();
const allocate = (n: number) => slab.allocate(n);
const copyOut = (b: Uint8Array) => slab.copyOut(b);
const keepOwn = (b: Uint8Array) => slab.keepOwn(b);

describe('slab allocation', () => {
  it('grows an owner\'s slabs from 1 KiB to full ones; owners never share a slab', () => {
    const first = new Slab();
    const sizes = Array.from({ length: 40 }, () => first.allocate(200).buffer.byteLength);
    expect(sizes.slice(0, 5)).toEqual([1024, 1024, 1024, 1024, 1024]);
    expect([...new Set(sizes)]).toEqual([1024, 2048, 4096, 8192]);
    // A message too large for the next slab size takes the first size that holds it.
    expect(new Slab().allocate(1500).buffer.byteLength).toBe(2048);
    const other = new Slab();
    const mine = first.allocate(100);
    expect(other.allocate(100).buffer).not.toBe(mine.buffer);
  });
  it('module functions carve from the slab in use, and from none outside useSlab', () => {
    const owner = new Slab();
    const before = useSlab(owner);
    let carved: Uint8Array, nested: Uint8Array;
    try {
      carved = allocateOwn(100);
      const inner = new Slab();
      const outer = useSlab(inner);
      nested = allocateOwn(100);
      expect(useSlab(outer)).toBe(inner);
    } finally {
      useSlab(before);
    }
    expect(carved.buffer).toBe(owner.allocate(100).buffer);
    expect(nested.buffer).not.toBe(carved.buffer);
    const loose = allocateOwn(100);
    expect(loose.buffer.byteLength).toBe(100);
  });
  it('hands out zeroed, disjoint views, and a fresh slab when one is full', () => {
    // Past the growing first slabs: every later one is full size.
    for (let used = 0; used < 1024 + 2048 + 4096; used += 256) allocate(250);
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
  it('copyOut copies a small view of a large buffer into a slab; keepOwn keeps only views of buffers holding nothing else', () => {
    const chunk = new Uint8Array(64 * 1024).map((_, i) => i & 0xff);
    const view = chunk.subarray(1000, 1200);
    const copied = copyOut(view);
    expect(copied).toEqual(view);
    expect(copied.buffer).not.toBe(chunk.buffer);
    expect(copied.buffer.byteLength).toBeLessThanOrEqual(SLAB_BYTES);
    const kept = keepOwn(view);
    expect(kept.buffer.byteLength).toBeLessThanOrEqual(SLAB_BYTES);
    expect(kept).toEqual(view);
    chunk.fill(0); // the copies do not see later writes to the chunk
    expect(copied[0]).toBe(1000 & 0xff);
    expect(kept[0]).toBe(1000 & 0xff);
    // A view of a slab, or a whole buffer of its own, stays as it is.
    const inSlab = allocate(300);
    expect(keepOwn(inSlab)).toBe(inSlab);
    const own = new Uint8Array(10_000);
    expect(keepOwn(own)).toBe(own);
    // Most of a foreign buffer, or a small one (Node's pool is 8 KiB), is copied all the same.
    const most = new Uint8Array(10_000).subarray(0, 6_000);
    expect(keepOwn(most)).not.toBe(most);
    const pooled = new Uint8Array(SLAB_BYTES).subarray(8, 208);
    expect(keepOwn(pooled)).not.toBe(pooled);
  });
  it('recognises a slab by its brand only: a foreign buffer given a slab\'s prototype or constructor is still copied', () => {
    const inSlab = new Slab().allocate(300);
    const slabBuffer = inSlab.buffer;
    expect(slabBuffer).toBeInstanceOf(ArrayBuffer);
    expect(keepOwn(inSlab.subarray(8, 208))).toEqual(inSlab.subarray(8, 208));
    expect(keepOwn(inSlab.subarray(8, 208)).buffer).toBe(slabBuffer); // kept as it is
    // A buffer made to look like a slab (its class reached through `.buffer`) holds other bytes.
    const SlabClass = slabBuffer.constructor as new (n: number) => ArrayBuffer;
    const forged = new Uint8Array(4096).fill(9);
    Object.setPrototypeOf(forged.buffer, Object.getPrototypeOf(slabBuffer));
    const part = forged.subarray(100, 300);
    const kept = keepOwn(part);
    expect(kept.buffer).not.toBe(forged.buffer);
    expect(kept).toEqual(part);
    // Nobody else makes one (the class is reachable as `.buffer.constructor`), and copies are plain.
    expect(() => new SlabClass(16)).toThrow(expect.objectContaining({ kind: 'Internal' }));
    const copy = slabBuffer.slice(0, 16);
    expect(copy.constructor).toBe(ArrayBuffer);
    const inCopy = new Uint8Array(copy).subarray(0, 8);
    expect(keepOwn(inCopy)).not.toBe(inCopy);
  });
  it('a received frame pins at most a slab, however large the buffer its message arrived in', () => {
    const frame = new Uint8Array(200).fill(7);
    frame.set([0x23, 0x4d, 0x32, 0x4d, 0x7c, 0x31, 0x7c]);
    const m: Message = { type: 'DATA', sessionId: 's', timestamp: 1, payload: { kind: 'data', value: { algorithm: 'm2m', content: frame } } };
    const bytes = encodeMessageBinary(m);
    const big = new Uint8Array(64 * 1024);
    big.set(bytes, 4096);
    const got = decodeOwnedMessageBinary(big.subarray(4096, 4096 + bytes.length));
    const content = (got.payload as { value: { content: Uint8Array } }).value.content;
    expect(content).toEqual(frame);
    expect(content.buffer.byteLength).toBeLessThanOrEqual(SLAB_BYTES);
  });
});
