/**
 * The session's transport AEAD lane (src/transport-aead.ts, backend/sodium.ts `*IfFits`): one
 * check of the real arguments instead of three. Held to aead.ts's checked `sealInPlace` /
 * `openInto` on every backend: the same bytes for generated inputs, the same typed errors (or
 * the same key truncation) for arguments either refuses, nothing written when the lane declines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core/internal';
import { availableBackends, getBackend, setBackend } from '../src/index.js';
import { openInto, sealInPlace, transportOpenInto, transportSealInPlace } from '../src/internal.js';

afterEach(() => setBackend());

/** A deterministic generator (xorshift32) for sizes and bytes. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
const bytes = (next: () => number, n: number) => Uint8Array.from({ length: n }, () => Math.floor(next() * 256));

/** An array's real bytes in hex (not by its `length`, which a case may shadow). */
const hexOf = (o: Uint8Array) => Buffer.from(o.buffer, o.byteOffset, o.byteLength).toString('hex');

/** What a call did: the bytes it left in its output arrays, or the error it threw (kind, details). */
function outcome(run: () => void, outputs: Uint8Array[]): string {
  try {
    run();
    return 'ok ' + outputs.map(hexOf).join(' ');
  } catch (e) {
    if (!isSdkError(e)) return 'untyped ' + String(e);
    return `threw ${e.kind} ${JSON.stringify((e as { details?: unknown }).details ?? null)} ` + outputs.map(hexOf).join(' ');
  }
}

describe('transport AEAD lane (transport-aead.ts)', () => {
  for (const backend of availableBackends()) {
    it(`${backend}: seals and opens the same bytes as aead.ts's checked functions for generated sizes and inputs`, () => {
      setBackend(backend);
      const next = rng(0x5eed + backend.length);
      // Small frames (libsodium's class), and a few past the chooser's close classes.
      const sizes = [0, 1, 15, 16, 17, 63, 64, 65, 170, 171, 255, 256, 1000, 4096, 16384, 20000, 70000];
      for (let i = 0; i < 40; i++) sizes.push(Math.floor(next() * 600));
      for (const n of sizes) {
        const key = bytes(next, 32);
        const nonce = bytes(next, 12);
        const aad = bytes(next, Math.floor(next() * 120));
        const plain = bytes(next, n);
        // The section sits inside a larger array at an odd offset, as in a frame.
        const frameA = new Uint8Array(n + 40);
        const frameB = new Uint8Array(n + 40);
        frameA.set(plain, 7);
        frameB.set(plain, 7);
        const tagA = new Uint8Array(16);
        const tagB = new Uint8Array(16);
        transportSealInPlace(key, nonce, frameA.subarray(7, 7 + n), aad, tagA);
        sealInPlace(key, nonce, frameB.subarray(7, 7 + n), aad, tagB);
        expect(frameA).toEqual(frameB);
        expect(tagA).toEqual(tagB);
        const sealed = new Uint8Array([...frameA.subarray(7, 7 + n), ...tagA]);
        const outA = new Uint8Array(n).fill(0xaa);
        transportOpenInto(key, nonce, sealed, aad, outA);
        expect(outA).toEqual(plain);
        // A flipped byte anywhere: the same typed refusal, and no plaintext left in the output.
        const forged = sealed.slice();
        forged[Math.floor(next() * forged.length)] ^= 1 << Math.floor(next() * 8);
        const outF = new Uint8Array(n).fill(0xaa);
        const outG = new Uint8Array(n).fill(0xaa);
        const got = outcome(() => transportOpenInto(key, nonce, forged, aad, outF), []);
        const want = outcome(() => openInto(key, nonce, forged, aad, outG), []);
        expect(got).toBe(want);
        expect(got.startsWith('threw Aead')).toBe(true);
        if (n > 8) expect(outF).not.toEqual(plain);
      }
    });

    it(`${backend}: arguments the lane cannot take get what the checked functions give: the same typed error, or the same result (a long key is cut to 32 bytes)`, () => {
      setBackend(backend);
      const next = rng(77);
      const key = bytes(next, 32);
      const nonce = bytes(next, 12);
      const aad = bytes(next, 20);
      const plain = bytes(next, 100);
      const shadowed = (a: Uint8Array, length: number) => Object.defineProperty(a.slice(), 'length', { value: length });
      const sealCases: [string, () => [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]][] = [
        ['key of 31', () => [key.subarray(0, 31), nonce, plain.slice(), aad, new Uint8Array(16)]],
        ['key of 64 (cut to 32)', () => [new Uint8Array([...key, ...key]), nonce, plain.slice(), aad, new Uint8Array(16)]],
        ['nonce of 11', () => [key, nonce.subarray(0, 11), plain.slice(), aad, new Uint8Array(16)]],
        ['nonce of 13', () => [key, new Uint8Array(13), plain.slice(), aad, new Uint8Array(16)]],
        ['tag of 15', () => [key, nonce, plain.slice(), aad, new Uint8Array(15)]],
        ['tag of 17', () => [key, nonce, plain.slice(), aad, new Uint8Array(17)]],
        ['data a Uint16Array', () => [key, nonce, new Uint16Array(50) as unknown as Uint8Array, aad, new Uint8Array(16)]],
        ['aad a plain array', () => [key, nonce, plain.slice(), [1, 2, 3] as unknown as Uint8Array, new Uint8Array(16)]],
        ['nonce a Proxy', () => [key, new Proxy(nonce, {}), plain.slice(), aad, new Uint8Array(16)]],
        ['key with a shadowed length', () => [shadowed(key, 32).subarray(0, 31), nonce, plain.slice(), aad, new Uint8Array(16)]],
        ['tag with a length that says 16', () => [key, nonce, plain.slice(), aad, shadowed(new Uint8Array(12), 16)]],
      ];
      for (const [what, make] of sealCases) {
        const a = make();
        const b = make();
        const got = outcome(() => transportSealInPlace(...a), [a[2] instanceof Uint8Array ? a[2] : new Uint8Array(0), a[4]]);
        const want = outcome(() => sealInPlace(...b), [b[2] instanceof Uint8Array ? b[2] : new Uint8Array(0), b[4]]);
        expect(got, what).toBe(want);
        expect(got.startsWith('untyped'), what).toBe(false);
      }
      const sealedOk = (() => {
        const d = plain.slice();
        const t = new Uint8Array(16);
        sealInPlace(key, nonce, d, aad, t);
        return new Uint8Array([...d, ...t]);
      })();
      const openCases: [string, () => [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array]][] = [
        ['output one byte short', () => [key, nonce, sealedOk, aad, new Uint8Array(99)]],
        ['output one byte long', () => [key, nonce, sealedOk, aad, new Uint8Array(101)]],
        ['sealed shorter than a tag', () => [key, nonce, sealedOk.subarray(0, 15), aad, new Uint8Array(0)]],
        ['key of 64 (cut to 32)', () => [new Uint8Array([...key, ...key]), nonce, sealedOk, aad, new Uint8Array(100)]],
        ['nonce of 11', () => [key, nonce.subarray(0, 11), sealedOk, aad, new Uint8Array(100)]],
        ['sealed with a length that says 116', () => [key, nonce, shadowed(sealedOk.subarray(0, 60), 116), aad, new Uint8Array(100)]],
        ['aad not bytes', () => [key, nonce, sealedOk, 'aad' as unknown as Uint8Array, new Uint8Array(100)]],
      ];
      for (const [what, make] of openCases) {
        const a = make();
        const b = make();
        const got = outcome(() => transportOpenInto(...a), [a[4]]);
        const want = outcome(() => openInto(...b), [b[4]]);
        expect(got, what).toBe(want);
        expect(got.startsWith('untyped'), what).toBe(false);
      }
    });
  }

  it.skipIf(!availableBackends().includes('sodium'))('sodium: the lane takes what it can and leaves everything untouched when it declines', () => {
    setBackend('sodium');
    const be = getBackend();
    const key = new Uint8Array(32).fill(3);
    const nonce = new Uint8Array(12).fill(4);
    const aad = new Uint8Array(9).fill(5);
    const data = new Uint8Array(170).fill(6);
    const tag = new Uint8Array(16);
    // The eager backend has loaded the addon: well-formed arguments are taken.
    expect(be.chachaSealInPlaceIfFits!(key, nonce, data, aad, tag)).toBe(true);
    expect(data.every((x) => x === 6)).toBe(false);
    const out = new Uint8Array(170);
    expect(be.chachaOpenIntoIfFits!(key, nonce, new Uint8Array([...data, ...tag]), aad, out)).toBe(true);
    expect(out.every((x) => x === 6)).toBe(true);
    // Declined: nothing written, and the open reports "cannot take" rather than a forgery.
    const d2 = new Uint8Array(170).fill(6);
    const t2 = new Uint8Array(16).fill(9);
    expect(be.chachaSealInPlaceIfFits!(key.subarray(0, 31), nonce, d2, aad, t2)).toBe(false);
    expect(be.chachaSealInPlaceIfFits!(key, nonce, d2, aad, new Uint8Array(17))).toBe(false);
    expect(d2.every((x) => x === 6) && t2.every((x) => x === 9)).toBe(true);
    const o2 = new Uint8Array(169).fill(1);
    expect(be.chachaOpenIntoIfFits!(key, nonce, new Uint8Array([...data, ...tag]), aad, o2)).toBeUndefined();
    expect(o2.every((x) => x === 1)).toBe(true);
  });
});
