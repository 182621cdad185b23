/**
 * Opens of at most 64 B on libsodium (backend/sodium.ts `plaintextBytes`/`plaintextOut`): they
 * decrypt into a module scratch and hand out a fresh copy. Checked against raw node:crypto, for
 * both open paths (a frame's `nonce ‖ ciphertext ‖ tag`, and ciphertext ‖ tag with the nonce
 * apart), refusals, lying lengths, and that no plaintext is left in the scratch.
 */
import { createCipheriv } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aeadProtection, availableBackends, chacha20poly1305Open, setBackend } from '../src/index.js';
import { openScratchCopy } from '../src/backend/sodium.js';

const hasSodium = availableBackends().includes('sodium');
if (!hasSodium) console.warn('small-open.test.ts: skipped: sodium-native is not installed');

afterAll(() => setBackend());

/** Raw node:crypto's `ciphertext ‖ tag`. */
function nodeSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, pt: Uint8Array): Uint8Array {
  const c = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  c.setAAD(aad, { plaintextLength: pt.length });
  return new Uint8Array(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
}
const scratchIsClear = () => openScratchCopy().every((x) => x === 0);

describe.skipIf(!hasSodium)('libsodium opens of at most 64 B through the module scratch', () => {
  it('open what raw node:crypto sealed, at 0-100 B, into arrays of their own, leaving the scratch wiped (property)', () => {
    setBackend('sodium');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), (pt, aad, nonce) => {
        const key = new Uint8Array(32).fill(pt.length + 1);
        const sealed = nodeSeal(key, nonce, aad, pt);
        const p = aeadProtection(key);
        // Many times: the size-class chooser also runs node:crypto in its windows.
        const opened: Uint8Array[] = [];
        for (let i = 0; i < 12; i++) {
          opened.push(p.open(aad, new Uint8Array([...nonce, ...sealed])));
          opened.push(chacha20poly1305Open(key, nonce, sealed, aad));
        }
        for (const o of opened) {
          expect(o).toEqual(pt);
          expect(o.buffer.byteLength).toBe(pt.length); // its memory holds nothing else
        }
        // Each open its own array: changing one changes no other.
        if (pt.length > 0) {
          opened[0][0] ^= 0xff;
          expect(opened[1][0]).toBe(pt[0]);
          expect(opened[2][0]).toBe(pt[0]);
        }
        expect(scratchIsClear()).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it('refuse a changed byte with a typed error, leave the scratch wiped, and open the next frame right', () => {
    setBackend('sodium');
    const key = new Uint8Array(32).fill(9);
    const p = aeadProtection(key);
    const aad = new Uint8Array([1, 2, 3]);
    for (let n = 0; n <= 64; n++) {
      const pt = Uint8Array.from({ length: n }, (_, i) => i + 1);
      const sealed = p.seal(aad, pt);
      const frame = new Uint8Array([...sealed.nonce, ...sealed.ciphertext, ...sealed.tag]);
      for (let at = 0; at < frame.length; at += 7) {
        const bad = frame.slice();
        bad[at] ^= 0x40;
        expect(() => p.open(aad, bad)).toThrow(expect.objectContaining({ kind: 'Aead', reason: 'DecryptionFailed' }));
        expect(() => chacha20poly1305Open(key, bad.subarray(0, 12), bad.subarray(12), aad)).toThrow(expect.objectContaining({ kind: 'Aead' }));
        expect(scratchIsClear()).toBe(true);
      }
      expect(p.open(aad, frame)).toEqual(pt);
    }
  });

  it('read a frame\'s real length, not a shadowed one: a 1 KiB frame claiming 40 bytes is opened at its real size or refused, never into the 64-byte scratch', () => {
    setBackend('sodium');
    const key = new Uint8Array(32).fill(4);
    const p = aeadProtection(key);
    const pt = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
    const sealed = p.seal(new Uint8Array(0), pt);
    const frame = new Uint8Array([...sealed.nonce, ...sealed.ciphertext, ...sealed.tag]);
    for (let i = 0; i < 50; i++) {
      const lying = Object.defineProperty(frame.slice(), 'length', { value: 40 });
      let got: unknown;
      try {
        got = p.open(new Uint8Array(0), lying);
      } catch (e) {
        got = e;
      }
      expect(got instanceof Uint8Array ? got : (got as { kind?: string }).kind).toEqual(got instanceof Uint8Array ? pt : 'Aead');
      const sealedLying = Object.defineProperty(frame.slice(12), 'length', { value: 40 });
      try {
        got = chacha20poly1305Open(key, sealed.nonce, sealedLying, new Uint8Array(0));
      } catch (e) {
        got = e;
      }
      expect(got instanceof Uint8Array ? got : (got as { kind?: string }).kind).toEqual(got instanceof Uint8Array ? pt : 'Aead');
      expect(scratchIsClear()).toBe(true);
    }
  });
});
