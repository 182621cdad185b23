/**
 * Noise handshakes on the browser side of the `#noise-speed` seam (noise/handshake-speed.browser.ts:
 * no message slab, no prologue cache): the Noise test vectors (../shared/vectors/noise) give the
 * same messages and hashes as on Node, and prologues are still bound.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('#noise-speed', () => import('../src/noise/handshake-speed.browser.js'));

const speed = await import('#noise-speed');
const { runNoise } = await import('../../../test-vectors/lib/noise.js');
const { Cases } = await import('../../../test-vectors/lib/check.js');
const { xxHashesWithPrologues } = await import('./fixtures/xx-prologues.js');

const vectors = resolve(import.meta.dirname, '../../../../shared/vectors/noise/noise_25519_chachapoly_sha256.json');

describe('Noise with the browser build of #noise-speed', () => {
  it('MixHash gives the same h on both sides of the seam (scratch and concatenation, short and long data)', async () => {
    const node = await import('../src/noise/handshake-speed.js');
    for (const len of [0, 1, 32, 48, 1023, 1024, 1025, 3000]) {
      const h0 = crypto.getRandomValues(new Uint8Array(32));
      const data = crypto.getRandomValues(new Uint8Array(len));
      const [a, b] = [h0.slice(), h0.slice()];
      node.mixHashInto(a, data);
      speed.mixHashInto(b, data);
      expect(Buffer.from(a).toString('hex')).toBe(Buffer.from(b).toString('hex'));
      expect(Buffer.from(a).equals(Buffer.from(h0))).toBe(false);
    }
  });

  it('the seam seen by noise/handshake-state.ts is the browser one (a fresh array per message, an allocator or not)', () => {
    const slab = new Uint8Array(4096);
    for (const m of [speed.messageBytes(100, undefined), speed.messageBytes(100, { allocate: (n) => slab.subarray(0, n) })]) {
      expect(m.byteOffset).toBe(0);
      expect(m.buffer.byteLength).toBe(100);
    }
  });

  it.skipIf(!existsSync(vectors))('passes every supported Noise vector (skipped: ../shared/vectors/noise is absent)', () => {
    const c = new Cases(vectors, 'noise');
    runNoise(c, JSON.parse(readFileSync(vectors, 'utf8')));
    expect(c.failures).toEqual([]);
    expect(c.passed).toBeGreaterThan(0);
  });

  it('binds the prologue: equal prologues complete with one h, different ones fail', () => {
    const run = xxHashesWithPrologues;
    const a = new TextEncoder().encode('prologue A');
    const [hi, hr] = run(a, a);
    expect(Buffer.from(hi).equals(Buffer.from(hr))).toBe(true);
    expect(() => run(a, new TextEncoder().encode('prologue B'))).toThrow();
  });
});
