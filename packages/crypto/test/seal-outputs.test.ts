/**
 * Where a libsodium seal's outputs live (backend/sodium.ts `sealOutputs`): the tag, and the
 * ciphertext below 16 KiB (64 B and under included), are carved together from the key holder's
 * slab. Checked against raw node:crypto for the bytes, and for what the carving must never do:
 * change an earlier seal's outputs, overlap ciphertext and tag, or share a slab between holders.
 */
import { createCipheriv } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aeadProtection, availableBackends, setBackend } from '../src/index.js';

const hasSodium = availableBackends().includes('sodium');
if (!hasSodium) console.warn('seal-outputs.test.ts: skipped: sodium-native is not installed');

afterAll(() => setBackend());

/** Raw node:crypto's `ciphertext ‖ tag`, hex. */
function nodeSealHex(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): string {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  return Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]).toString('hex');
}
const hexOf = (...parts: Uint8Array[]) => parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length).toString('hex')).join('');

describe.skipIf(!hasSodium)('libsodium seal outputs carved from the key holder\'s slab', () => {
  it('seal the bytes raw node:crypto does, at every small size and around 16 KiB, and earlier outputs stay intact', () => {
    setBackend('sodium');
    const key = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    let counter = 0;
    const nonce = new Uint8Array(12);
    const p = aeadProtection(key, { nextNonce: () => (new DataView(nonce.buffer).setUint32(0, ++counter, true), nonce.slice()) });
    const kept: Array<{ ciphertext: Uint8Array; tag: Uint8Array; expected: string }> = [];
    const sizes = [...Array.from({ length: 130 }, (_, i) => i), 1000, 16383, 16384, 16400];
    // Several rounds, so seals span slab changes and the chooser's windows on node:crypto.
    for (let round = 0; round < 8; round++) {
      for (const n of sizes) {
        const pt = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n + round) & 255);
        const aad = Uint8Array.from({ length: n % 40 }, (_, i) => i ^ n);
        const sealed = p.seal(aad, pt);
        const expected = nodeSealHex(key, sealed.nonce, aad, pt);
        expect(hexOf(sealed.ciphertext, sealed.tag), `${n} B`).toBe(expected);
        expect(sealed.tag.length).toBe(16);
        if (sealed.ciphertext.buffer === sealed.tag.buffer) {
          // Side by side in the slab, never overlapping.
          const end = sealed.ciphertext.byteOffset + sealed.ciphertext.length;
          expect(end <= sealed.tag.byteOffset || sealed.tag.byteOffset + 16 <= sealed.ciphertext.byteOffset).toBe(true);
        }
        kept.push({ ciphertext: sealed.ciphertext, tag: sealed.tag, expected });
      }
    }
    for (const k of kept) expect(hexOf(k.ciphertext, k.tag)).toBe(k.expected);
  });

  it('a 64 B seal\'s outputs are views of its holder\'s slab, never of another holder\'s, and a detached slab is replaced', () => {
    setBackend('sodium');
    const a = aeadProtection(new Uint8Array(32).fill(1));
    const b = aeadProtection(new Uint8Array(32).fill(2));
    // The size-class chooser runs some seals of a class on node:crypto (its own arrays), a
    // quarter of them in a class's first epoch (backend/size-class-chooser.ts): past it, where
    // node:crypto is several times slower at 64 B, nearly all come from the slab.
    const warm = aeadProtection(new Uint8Array(32).fill(3));
    for (let i = 0; i < 4000; i++) warm.seal(new Uint8Array(0), new Uint8Array(64));
    // The chooser measures as it goes, so on a noisy machine a stretch of seals can run on
    // node:crypto (a CI run once saw all of 200 there): seal until 200 came from the slab, at most
    // 100,000 pairs (its next epoch re-decides well within that).
    let carved = 0;
    for (let i = 0; i < 100_000 && carved < 200; i++) {
      const sa = a.seal(new Uint8Array(0), new Uint8Array(64).fill(i));
      const sb = b.seal(new Uint8Array(0), new Uint8Array(64).fill(i));
      if (sa.ciphertext.buffer !== sa.tag.buffer) continue;
      carved++;
      expect(sa.ciphertext.buffer.byteLength).toBeGreaterThan(80);
      expect(sa.ciphertext.buffer).not.toBe(sb.ciphertext.buffer);
      expect(sa.tag.buffer).not.toBe(sb.tag.buffer);
      if (carved % 50 === 49) {
        const copy = sb.ciphertext.slice();
        structuredClone(sa.tag.buffer, { transfer: [sa.tag.buffer as ArrayBuffer] });
        expect(sb.ciphertext).toEqual(copy);
        const again = a.seal(new Uint8Array(0), new Uint8Array(64).fill(9));
        expect(a.open(new Uint8Array(0), new Uint8Array([...again.nonce, ...again.ciphertext, ...again.tag]))).toEqual(new Uint8Array(64).fill(9));
      }
    }
    expect(carved).toBeGreaterThan(150);
  });

  it('a plaintext viewed in the holder\'s free slab seals and opens right (property)', () => {
    setBackend('sodium');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 96 }), fc.integer({ min: 0, max: 40 }), (n, shift) => {
        const p = aeadProtection(new Uint8Array(32).fill(5));
        const first = p.seal(new Uint8Array(0), new Uint8Array(8));
        if (first.tag.buffer !== first.ciphertext.buffer) return; // a chooser window on node:crypto
        const slab = first.tag.buffer;
        const freeAt = first.tag.byteOffset + 16 + shift;
        if (freeAt + n > slab.byteLength) return;
        const pt = new Uint8Array(slab, freeAt, n);
        pt.fill(0x5a);
        const sealed = p.seal(new Uint8Array(0), pt);
        expect(hexOf(sealed.ciphertext, sealed.tag)).toBe(nodeSealHex(new Uint8Array(32).fill(5), sealed.nonce, new Uint8Array(0), new Uint8Array(n).fill(0x5a)));
      }),
      { numRuns: 150 },
    );
  });
});
