/**
 * ByteRuns (bodies read by readBoundedBody and the gateway): a body trickled one byte per read
 * is held in about one array per 512 bytes, not one per byte, and joins back exactly.
 */
import { expect, it } from 'vitest';
import { ByteRuns } from '../src/transport/byte-runs.js';
import { readBoundedBody } from '../src/transport/rest-client.js';

const sample = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

it('holds a one-byte-per-read body in about one piece per 512 bytes and joins it exactly', () => {
  const body = sample(50_000);
  const runs = new ByteRuns();
  for (let i = 0; i < body.length; i++) runs.push(body.slice(i, i + 1));
  expect(runs.bytes).toBe(body.length);
  expect(runs.pieces).toBeLessThanOrEqual(Math.ceil(body.length / 512) + 1);
  expect(same(runs.join(), body)).toBe(true);
});

it('joins mixed small and large chunks in order; a small body alone is its own bytes', () => {
  const body = sample(30_000);
  const runs = new ByteRuns();
  for (let at = 0, k = 0; at < body.length; k++) {
    const size = k % 3 === 0 ? 700 + ((k * 37) % 900) : 1 + ((k * 11) % 60);
    runs.push(body.subarray(at, Math.min(body.length, at + size)));
    at += size;
  }
  expect(same(runs.join(), body)).toBe(true);
  const small = new ByteRuns();
  small.push(new Uint8Array([1, 2, 3]));
  const joined = small.join();
  expect([...joined]).toEqual([1, 2, 3]);
  expect(joined.buffer.byteLength).toBe(3);
  expect(new ByteRuns().join().length).toBe(0);
});

it('readBoundedBody reads a trickled stream (no declared length) whole, and stops at the bound', async () => {
  const body = sample(20_000);
  const trickle = (limit: number) => {
    let at = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        pull(c) {
          if (at >= limit) return c.close();
          c.enqueue(body.slice(at, at + 1));
          at++;
        },
      }),
    );
  };
  expect(same(await readBoundedBody(trickle(body.length), 1 << 20), body)).toBe(true);
  await expect(readBoundedBody(trickle(body.length), 10_000)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
});
