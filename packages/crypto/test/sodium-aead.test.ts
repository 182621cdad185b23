import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sodiumAead, type SodiumAeadPublic } from '../src/backend/sodium-aead.js';

const require = createRequire(import.meta.url);
function tryRequire(id: string): unknown {
  try {
    return require(id);
  } catch {
    return undefined;
  }
}
const sodium = tryRequire('sodium-native') as SodiumAeadPublic | undefined;
if (!sodium) console.warn('sodium-native is not installed: the direct libsodium AEAD cases are skipped, not passed');
const realBinding = () => ({ version: (require('sodium-native/package.json') as { version: string }).version, binding: require('sodium-native/binding.js') as unknown });

const wycheproof = fileURLToPath(new URL('../../../../shared/vectors/wycheproof/chacha20_poly1305_test.json', import.meta.url));
const hasVectors = existsSync(wycheproof);
if (!hasVectors) console.warn(`${wycheproof} is absent: the Wycheproof cases of the direct libsodium AEAD are skipped, not passed`);
/** `sealNew`'s allocator for these tests: fresh ciphertext and tag arrays. */
const freshParts = (n: number) => ({ ciphertext: new Uint8Array(n), tag: new Uint8Array(16) });
const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe.skipIf(!sodium)('libsodium AEAD calls (backend/sodium-aead.ts)', () => {
  it('go straight to the binding of this sodium-native, and pass every Wycheproof ChaCha20-Poly1305 case with a 12-byte nonce and a 32-byte key', () => {
    const aead = sodiumAead(sodium!, realBinding);
    expect(aead.direct).toBe(true);
    if (!hasVectors) return;
    type Case = { tcId: number; key: string; iv: string; aad: string; msg: string; ct: string; tag: string; result: string };
    const data = JSON.parse(readFileSync(wycheproof, 'utf8')) as { testGroups: { tests: Case[] }[] };
    let valid = 0;
    let invalid = 0;
    for (const t of data.testGroups.flatMap((g) => g.tests)) {
      const [key, iv, aad, msg] = [hex(t.key), hex(t.iv), hex(t.aad), hex(t.msg)];
      if (key.length !== 32 || iv.length !== 12) continue;
      const sealed = hex(t.ct + t.tag);
      const opened = new Uint8Array(msg.length).fill(0xaa);
      const ok = aead.open(opened, sealed, aad, iv, key);
      if (t.result === 'invalid') {
        expect(ok, `tc${t.tcId}`).toBe(false);
        expect(aead.openFrame(new Uint8Array([...iv, ...sealed]), aad, key, (n) => new Uint8Array(n)), `tc${t.tcId} openFrame`).toBeUndefined();
        expect(opened.every((x) => x === 0), `tc${t.tcId} leaves no plaintext`).toBe(true);
        invalid++;
        continue;
      }
      expect(ok, `tc${t.tcId}`).toBe(true);
      expect(Buffer.from(opened).toString('hex'), `tc${t.tcId} open`).toBe(t.msg);
      const c = new Uint8Array(msg.length);
      const tag = new Uint8Array(16);
      aead.seal(c, tag, msg, aad, iv, key);
      expect(Buffer.from(c).toString('hex') + Buffer.from(tag).toString('hex'), `tc${t.tcId} seal`).toBe(t.ct + t.tag);
      // Fresh outputs (the backend's seal) and a whole frame's section (the frame decoder's open).
      const fresh = aead.sealNew(msg, aad, iv, key, freshParts);
      expect(Buffer.from(fresh.ciphertext).toString('hex') + Buffer.from(fresh.tag).toString('hex'), `tc${t.tcId} sealNew`).toBe(t.ct + t.tag);
      const frame = new Uint8Array([0xee, ...iv, ...sealed]).subarray(1);
      expect(Buffer.from(aead.openFrame(frame, aad, key, (n) => new Uint8Array(n))!).toString('hex'), `tc${t.tcId} openFrame`).toBe(t.msg);
      // In place (the frame encoder's path): the plaintext array becomes the ciphertext.
      const inPlace = msg.slice();
      aead.seal(inPlace, tag, inPlace, aad, iv, key);
      expect(Buffer.from(inPlace).toString('hex'), `tc${t.tcId} in place`).toBe(t.ct);
      valid++;
    }
    expect(valid).toBeGreaterThan(100);
    expect(invalid).toBeGreaterThan(10);
  });

  it('refuses arguments libsodium cannot take (an error or a refusal, never a crash)', () => {
    const aead = sodiumAead(sodium!, realBinding);
    const key = new Uint8Array(32);
    const nonce = new Uint8Array(12);
    const m = new Uint8Array(10);
    const asAny = (x: unknown) => x as Uint8Array;
    // Each of these would reach native code with a wrong type or size without the guard: the
    // process would die (a string there segfaults), not throw.
    expect(() => aead.seal(new Uint8Array(10), new Uint8Array(16), m, new Uint8Array(0), nonce, asAny('k'.repeat(32)))).toThrow();
    expect(() => aead.seal(new Uint8Array(10), new Uint8Array(16), m, new Uint8Array(0), new Uint8Array(11), key)).toThrow();
    expect(() => aead.seal(new Uint8Array(9), new Uint8Array(16), m, new Uint8Array(0), nonce, key)).toThrow();
    expect(() => aead.seal(new Uint8Array(10), new Uint8Array(15), m, new Uint8Array(0), nonce, key)).toThrow();
    expect(() => aead.seal(new Uint8Array(10), new Uint8Array(16), m, asAny(null), nonce, new Uint8Array(33))).toThrow();
    // An open refuses what it cannot take, as a forged tag.
    expect(aead.open(new Uint8Array(10), new Uint8Array(25), new Uint8Array(0), nonce, key)).toBe(false);
    expect(aead.open(new Uint8Array(0), new Uint8Array(15), new Uint8Array(0), nonce, key)).toBe(false);
    expect(aead.open(new Uint8Array(10), new Uint8Array(26), asAny({}), nonce, key)).toBe(false);
    expect(aead.open(new Uint8Array(10), new Uint8Array(26), new Uint8Array(0), nonce, asAny('k'.repeat(32)))).toBe(false);
    expect(() => aead.seal(new Uint8Array(10), new Uint8Array(16), m, asAny({}), nonce, key)).toThrow();
    // A Uint8Array subclass (Buffer) is a typed array the binding takes: same bytes as plain arrays.
    const c1 = new Uint8Array(10);
    const t1 = new Uint8Array(16);
    aead.seal(c1, t1, m, new Uint8Array(3), nonce, key);
    const c2 = Buffer.alloc(10);
    const t2 = Buffer.alloc(16);
    aead.seal(c2, t2, Buffer.from(m), Buffer.alloc(3), Buffer.from(nonce), Buffer.from(key));
    expect([...c2, ...t2]).toEqual([...c1, ...t1]);
  });

  it('reads sizes the way native code does: a shadowed length or byteLength is refused, not trusted (direct and checked calls)', () => {
    const lying = <T extends Uint8Array>(x: T, length: number): T => {
      Object.defineProperty(x, 'length', { value: length });
      Object.defineProperty(x, 'byteLength', { value: length });
      return x;
    };
    for (const aead of [sodiumAead(sodium!, realBinding), sodiumAead(sodium!, () => null)]) {
      const key = new Uint8Array(32);
      const nonce = new Uint8Array(12);
      // A 64 KiB ciphertext claiming 20 bytes, opened into the 4 bytes it claims: libsodium would
      // zero the real 64 KiB - 16 bytes into a 4-byte output (this crashed the process).
      expect(aead.open(new Uint8Array(4), lying(new Uint8Array(1 << 16), 20), new Uint8Array(0), nonce, key)).toBe(false);
      // A 4-byte view of a larger buffer claiming to be a 32-byte key: native code would read 28
      // bytes past it as key material.
      const shortKey = lying(new Uint8Array(new ArrayBuffer(4096), 0, 4), 32);
      expect(() => aead.seal(new Uint8Array(10), new Uint8Array(16), new Uint8Array(10), new Uint8Array(0), nonce, shortKey)).toThrow(TypeError);
      expect(() => aead.seal(new Uint8Array(10), lying(new Uint8Array(4), 16), new Uint8Array(10), new Uint8Array(0), nonce, key)).toThrow(TypeError);
      expect(() => aead.seal(new Uint8Array(10), new Uint8Array(16), new Uint8Array(10), new Uint8Array(0), lying(new Uint8Array(8), 12), key)).toThrow(TypeError);
      expect(() => aead.seal(lying(new Uint8Array(2), 10), new Uint8Array(16), new Uint8Array(10), new Uint8Array(0), nonce, key)).toThrow(TypeError);
      // A subclass whose getter lies is judged by its real size too.
      class Liar extends Uint8Array {
        override get length(): number {
          return 32;
        }
      }
      expect(() => aead.seal(new Uint8Array(10), new Uint8Array(16), new Uint8Array(10), new Uint8Array(0), nonce, new Liar(4))).toThrow(TypeError);
      // An object that only inherits from Uint8Array.prototype is not a typed array.
      const fake = Object.create(Uint8Array.prototype) as Uint8Array;
      expect(aead.open(new Uint8Array(10), new Uint8Array(26), new Uint8Array(0), nonce, fake)).toBe(false);
      // The fresh-output calls read the inputs' real sizes the same way: a 64 KiB frame claiming
      // 40 bytes is opened (and refused, its tag being zeros) at its real size, never at the size
      // it claims; a short key, nonce or frame is refused.
      const alloc = (n: number) => new Uint8Array(n);
      const opened: number[] = [];
      expect(aead.openFrame(lying(new Uint8Array(1 << 16), 40), new Uint8Array(0), key, (n) => (opened.push(n), alloc(n)))).toBeUndefined();
      expect(opened).toEqual([(1 << 16) - 28]);
      expect(aead.openFrame(lying(new Uint8Array(20), 40), new Uint8Array(0), key, alloc)).toBeUndefined();
      expect(aead.openFrame(new Uint8Array(40), new Uint8Array(0), shortKey, alloc)).toBeUndefined();
      expect(aead.openFrame(new Uint8Array(40), new Uint8Array(0), fake, alloc)).toBeUndefined();
      expect(aead.openFrame(fake, new Uint8Array(0), key, alloc)).toBeUndefined();
      expect(aead.openFrame(new Uint8Array(40), 'ad' as unknown as Uint8Array, key, alloc)).toBeUndefined();
      expect(() => aead.sealNew(new Uint8Array(10), new Uint8Array(0), nonce, shortKey, freshParts)).toThrow(TypeError);
      expect(() => aead.sealNew(new Uint8Array(10), new Uint8Array(0), lying(new Uint8Array(8), 12), key, freshParts)).toThrow(TypeError);
      expect(() => aead.sealNew(fake, new Uint8Array(0), nonce, key, freshParts)).toThrow(TypeError);
      expect(() => aead.sealNew('m' as unknown as Uint8Array, new Uint8Array(0), nonce, key, freshParts)).toThrow(TypeError);
      // A plaintext claiming 4 bytes is sealed at its real 300 (the output is sized from that);
      // the public function's own check, which reads the claimed size, throws instead.
      const sealLying = () => aead.sealNew(lying(new Uint8Array(300), 4), new Uint8Array(0), nonce, key, freshParts).ciphertext.length;
      if (aead.direct) expect(sealLying()).toBe(300);
      else expect(sealLying).toThrow();
    }
  });

  it('takes Uint8Arrays of another realm, as core\'s isBytes does (direct and checked calls)', () => {
    const Foreign = runInNewContext('Uint8Array') as Uint8ArrayConstructor;
    for (const aead of [sodiumAead(sodium!, realBinding), sodiumAead(sodium!, () => null)]) {
      const c = new Foreign(10);
      const tag = new Foreign(16);
      aead.seal(c, tag, new Foreign(10).fill(3), new Foreign(0), new Foreign(12), new Foreign(32));
      const sealed = new Uint8Array(26);
      sealed.set(c);
      sealed.set(tag, 10);
      const out = new Foreign(10);
      expect(aead.open(out, sealed, new Foreign(0), new Foreign(12), new Foreign(32))).toBe(true);
      expect([...out]).toEqual(new Array(10).fill(3));
      const fresh = aead.sealNew(new Foreign(10).fill(3), new Foreign(0), new Foreign(12), new Foreign(32), freshParts);
      expect([...fresh.ciphertext, ...fresh.tag]).toEqual([...sealed]);
      const frame = new Foreign(38);
      frame.set(sealed, 12);
      expect([...aead.openFrame(frame, new Foreign(0), new Foreign(32), (n) => new Uint8Array(n))!]).toEqual(new Array(10).fill(3));
    }
  });

  it('opens and seals correctly when input and output share memory at different offsets (copied first; exact in-place is libsodium\'s own)', () => {
    for (const aead of [sodiumAead(sodium!, realBinding), sodiumAead(sodium!, () => null)]) {
      const key = Uint8Array.from({ length: 32 }, (_, i) => i);
      const nonce = new Uint8Array(12).fill(9);
      const plain = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 255);
      const c = new Uint8Array(300);
      const tag = new Uint8Array(16);
      aead.seal(c, tag, plain, new Uint8Array(0), nonce, key);
      for (const shift of [5, -7]) {
        const buf = new Uint8Array(330);
        const sealedAt = shift > 0 ? 0 : 10;
        buf.set(c, sealedAt);
        buf.set(tag, sealedAt + 300);
        const out = buf.subarray(sealedAt + shift, sealedAt + shift + 300);
        expect(aead.open(out, buf.subarray(sealedAt, sealedAt + 316), new Uint8Array(0), nonce, key)).toBe(true);
        expect([...out]).toEqual([...plain]);
      }
      // Seal from a view overlapping the output: the same bytes as from a separate copy.
      const buf = new Uint8Array(310);
      buf.set(plain, 0);
      const c2 = buf.subarray(10, 310);
      const tag2 = new Uint8Array(16);
      aead.seal(c2, tag2, buf.subarray(0, 300), new Uint8Array(0), nonce, key);
      expect([...c2, ...tag2]).toEqual([...c, ...tag]);
    }
  });

  it('opens and seals right whatever the byte ranges of input and output say: disjoint in one buffer, meeting by offset in two, in place', () => {
    // overlapsShifted compares buffers only when the ranges meet by offset: each case here must
    // give the bytes of a seal or open between separate arrays.
    for (const aead of [sodiumAead(sodium!, realBinding), sodiumAead(sodium!, () => null)]) {
      const key = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
      const nonce = new Uint8Array(12).fill(3);
      const ad = new Uint8Array(7).fill(4);
      const plain = Uint8Array.from({ length: 170 }, (_, i) => (i * 11) & 255);
      const c = new Uint8Array(170);
      const tag = new Uint8Array(16);
      aead.seal(c, tag, plain, ad, nonce, key);
      const sealed = new Uint8Array([...c, ...tag]);
      // One buffer, ranges apart (output before and after the input).
      for (const [outAt, inAt] of [[0, 200], [200, 0]]) {
        const buf = new Uint8Array(400);
        buf.set(sealed, inAt);
        const out = buf.subarray(outAt, outAt + 170);
        expect(aead.open(out, buf.subarray(inAt, inAt + 186), ad, nonce, key)).toBe(true);
        expect([...out]).toEqual([...plain]);
        const sbuf = new Uint8Array(400);
        sbuf.set(plain, inAt);
        const stag = new Uint8Array(16);
        aead.seal(sbuf.subarray(outAt, outAt + 170), stag, sbuf.subarray(inAt, inAt + 170), ad, nonce, key);
        expect([...sbuf.subarray(outAt, outAt + 170), ...stag]).toEqual([...sealed]);
      }
      // Two buffers whose ranges meet by offset (10..180 and 0..186): nothing shared, nothing copied wrongly.
      const other = new Uint8Array(200);
      const out = other.subarray(10, 180);
      expect(aead.open(out, sealed.slice(), ad, nonce, key)).toBe(true);
      expect([...out]).toEqual([...plain]);
      // In place, output and input the same array.
      const inPlace = plain.slice();
      const itag = new Uint8Array(16);
      aead.seal(inPlace, itag, inPlace, ad, nonce, key);
      expect([...inPlace, ...itag]).toEqual([...sealed]);
    }
  });

  it('uses the public functions for an unknown sodium-native version, a missing binding, or a binding that does not give their bytes', () => {
    const binding = realBinding().binding as Record<string, (...a: Uint8Array[]) => number>;
    expect(sodiumAead(sodium!, () => ({ version: '4.3.1', binding })).direct).toBe(false);
    expect(sodiumAead(sodium!, () => ({ version: '5.0.9', binding })).direct).toBe(false);
    expect(sodiumAead(sodium!, () => ({ version: '6.0.0', binding })).direct).toBe(false);
    expect(sodiumAead(sodium!, () => null).direct).toBe(false);
    expect(
      sodiumAead(sodium!, () => {
        throw new Error('no binding.js');
      }).direct,
    ).toBe(false);
    expect(sodiumAead(sodium!, () => ({ version: '5.1.0', binding: {} })).direct).toBe(false);
    // A binding whose seal swaps its arguments' roles, and one whose open accepts anything.
    const swapped = { ...binding, crypto_aead_chacha20poly1305_ietf_encrypt_detached: (c: Uint8Array, mac: Uint8Array, m: Uint8Array, ad: Uint8Array, npub: Uint8Array, k: Uint8Array) => binding.crypto_aead_chacha20poly1305_ietf_encrypt_detached(c, mac, m, new Uint8Array(0), npub, k) + 0 * ad.length };
    expect(sodiumAead(sodium!, () => ({ version: '5.1.0', binding: swapped })).direct).toBe(false);
    const lenient = { ...binding, crypto_aead_chacha20poly1305_ietf_decrypt: (m: Uint8Array) => m.length };
    expect(sodiumAead(sodium!, () => ({ version: '5.1.0', binding: lenient })).direct).toBe(false);
    // The fallback gives the same results, forged tags refused.
    const checked = sodiumAead(sodium!, () => null);
    const direct = sodiumAead(sodium!, realBinding);
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const nonce = new Uint8Array(12).fill(7);
    const m = Uint8Array.from({ length: 100 }, (_, i) => i * 5);
    const aad = new Uint8Array(24).fill(1);
    const out = [checked, direct].map((a) => {
      const c = new Uint8Array(100);
      const tag = new Uint8Array(16);
      a.seal(c, tag, m, aad, nonce, key);
      return new Uint8Array([...c, ...tag]);
    });
    expect(out[1]).toEqual(out[0]);
    const forged = out[0].slice();
    forged[5] ^= 0x80;
    for (const a of [checked, direct]) {
      const p = new Uint8Array(100);
      expect(a.open(p, out[0], aad, nonce, key)).toBe(true);
      expect(p).toEqual(m);
      expect(a.open(p, forged, aad, nonce, key)).toBe(false);
      expect(p.every((x) => x === 0)).toBe(true);
    }
  });
});
