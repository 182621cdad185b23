/**
 * LengthPrefixedReader (TCP and framed HTTP bodies): a message trickled one byte per read is
 * kept in a few buffers, not one object per byte, and comes out whole and exact in any
 * chunking.
 */
import { expect, it } from 'vitest';
import { LengthPrefixedReader } from '../src/transport/length-prefixed.js';
import { lengthPrefixed } from './fixtures/length-prefixed.js';

it('keeps a message trickled one byte per read in about one piece per 512 bytes', () => {
  const message = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
  const wire = lengthPrefixed([message]);
  const reader = new LengthPrefixedReader();
  for (let i = 0; i < wire.length - 1; i++) reader.push(wire.subarray(i, i + 1));
  expect(reader.take()).toBeUndefined();
  expect(reader.buffered).toBe(wire.length - 4 - 1);
  expect(reader.pieces).toBeLessThanOrEqual(Math.ceil(wire.length / 512) + 2);
  reader.push(wire.subarray(wire.length - 1));
  expect(Buffer.from(reader.take()!).equals(Buffer.from(message))).toBe(true);
  expect(reader.buffered).toBe(0);
});

it('gives the same messages for any chunking (small and large reads mixed)', () => {
  const messages = Array.from({ length: 60 }, (_, k) => Uint8Array.from({ length: (k * 997) % 3000 }, (_, i) => (i + k) & 0xff));
  const wire = lengthPrefixed(messages);
  for (const seed of [1, 2, 3, 4, 5]) {
    const reader = new LengthPrefixedReader();
    const got: Uint8Array[] = [];
    let s = seed;
    for (let at = 0; at < wire.length; ) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const size = s % 4 === 0 ? 600 + (s % 3000) : 1 + (s % 40);
      reader.push(wire.subarray(at, Math.min(wire.length, at + size)));
      at += size;
      for (let m = reader.take(); m; m = reader.take()) got.push(m);
    }
    const hex = (ms: Uint8Array[]) => ms.map((m) => Buffer.from(m).toString('hex'));
    expect(hex(got)).toEqual(hex(messages));
    expect(reader.buffered).toBe(0);
  }
});

it('does not keep the caller\'s small chunks: changing one after push changes nothing', () => {
  const reader = new LengthPrefixedReader();
  const chunk = Buffer.from([0, 0, 0, 3, 1, 2, 3]);
  reader.push(chunk);
  chunk.fill(9);
  expect(reader.take()).toEqual(new Uint8Array([1, 2, 3]));
});

it('takeAll gives a trickled unprefixed body (an HTTP POST) whole, kept in a few pieces', () => {
  const body = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 13) & 0xff);
  const reader = new LengthPrefixedReader();
  for (let i = 0; i < body.length; i++) reader.push(Buffer.from(body.subarray(i, i + 1)));
  expect(reader.pieces).toBeLessThanOrEqual(Math.ceil(body.length / 512) + 2);
  expect(Buffer.from(reader.takeAll()).equals(Buffer.from(body))).toBe(true);
  expect(reader.buffered).toBe(0);
  expect(reader.takeAll().length).toBe(0);
});
