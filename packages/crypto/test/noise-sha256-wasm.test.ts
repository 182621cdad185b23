/**
 * Node's Noise fast paths (noise/sha256-wasm.ts, and the libsodium working-array AEAD of
 * backend/sodium.ts `noiseSealAt`/`noiseOpen`): the same bytes as node:crypto and the general
 * calls for every size they take, nothing for sizes they do not take, and no key material left
 * in the WebAssembly memory between calls.
 */
import * as nc from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wasmHkdfInto, wasmMemoryCopy, wasmMixHash, WASM_AFTER_CALLS } from '../src/noise/sha256-wasm.js';
import { sodiumEagerBackend } from '../src/backend/sodium.js';
import { chacha20poly1305Open, chacha20poly1305Seal } from '../src/aead.js';
import { CipherState, HandshakeState, generateNoiseKeyPair } from '../src/index.js';

const hmac = (k: Uint8Array, d: Uint8Array) => new Uint8Array(nc.createHmac('sha256', k).update(d).digest());
/** Noise §4.3 from node:crypto's HMAC: the reference the module is compared with. */
function hkdf(ck: Uint8Array, ikm: Uint8Array): Uint8Array[] {
  const temp = hmac(ck, ikm);
  const o1 = hmac(temp, Uint8Array.of(1));
  const o2 = hmac(temp, Uint8Array.of(...o1, 2));
  return [o1, o2, hmac(temp, Uint8Array.of(...o2, 3))];
}
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const random = (n: number) => new Uint8Array(nc.randomBytes(n));

/** Calls until the module is compiled (it is after {@link WASM_AFTER_CALLS} calls). */
function compile(): void {
  for (let i = 0; i <= WASM_AFTER_CALLS && !wasmMixHash(new Uint8Array(32), new Uint8Array(1)); i++);
}

const hasSodium = (() => {
  try {
    createRequire(import.meta.url)('sodium-native');
    return true;
  } catch {
    return false;
  }
})();

describe('Noise HKDF and MixHash in WebAssembly', () => {
  it('takes nothing before it is compiled, then everything Noise passes', () => {
    expect(wasmMemoryCopy()).toBeUndefined();
    const h = new Uint8Array(32);
    expect(wasmMixHash(h, new Uint8Array(1))).toBe(false);
    expect(hex(h)).toBe('00'.repeat(32)); // untouched
    compile();
    expect(wasmMemoryCopy()).toBeDefined();
  });

  it('gives node:crypto\'s HKDF for every input length it takes, two and three outputs, out1 = ck', () => {
    compile();
    for (let len = 0; len <= 512; len++) {
      const ck = random(32);
      const ikm = random(len);
      const want = hkdf(ck, ikm);
      const [o1, o2, o3] = [new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)];
      expect(wasmHkdfInto(ck, ikm, o1, o2, len % 2 ? o3 : undefined)).toBe(true);
      expect([hex(o1), hex(o2)]).toEqual([hex(want[0]), hex(want[1])]);
      if (len % 2) expect(hex(o3)).toBe(hex(want[2]));
      else expect(hex(o3)).toBe('00'.repeat(32));
      const o2b = new Uint8Array(32);
      expect(wasmHkdfInto(ck, ikm, ck, o2b, undefined)).toBe(true); // the chaining key rewritten in place
      expect([hex(ck), hex(o2b)]).toEqual([hex(want[0]), hex(want[1])]);
    }
  });

  it('gives node:crypto\'s SHA-256 of h ‖ data for every length it takes (one to 34 blocks)', () => {
    compile();
    for (let len = 0; len <= 2048; len++) {
      const h = random(32);
      const data = random(len);
      const want = nc.createHash('sha256').update(h).update(data).digest();
      expect(wasmMixHash(h, data)).toBe(true);
      expect(hex(h)).toBe(want.toString('hex'));
    }
  });

  it('leaves sizes and types it does not take to the caller, writing nothing', () => {
    compile();
    const out = new Uint8Array(32);
    const cases: Array<() => boolean> = [
      () => wasmHkdfInto(random(31), random(32), out, new Uint8Array(32), undefined),
      () => wasmHkdfInto(random(33), random(32), out, new Uint8Array(32), undefined),
      () => wasmHkdfInto(random(32), random(513), out, new Uint8Array(32), undefined),
      () => wasmHkdfInto(random(32), random(32), new Uint8Array(31), new Uint8Array(32), undefined),
      () => wasmHkdfInto(random(32), random(32), out, new Uint8Array(32), new Uint8Array(64)),
      () => wasmHkdfInto(random(32), new Uint16Array(16) as unknown as Uint8Array, out, new Uint8Array(32), undefined),
      () => wasmMixHash(out, random(2049)),
      () => wasmMixHash(new Uint8Array(31), random(3)),
      () => wasmMixHash(out, [1, 2, 3] as unknown as Uint8Array),
    ];
    for (const c of cases) expect(c()).toBe(false);
    expect(hex(out)).toBe('00'.repeat(32));
  });

  it('keeps no key material in its memory between calls (chaining key, input, PRK, outputs)', () => {
    compile();
    const ck = random(32);
    const ikm = random(32);
    const temp = hmac(ck, ikm);
    const [o1, o2, o3] = [new Uint8Array(32), new Uint8Array(32), new Uint8Array(32)];
    wasmHkdfInto(ck, ikm, o1, o2, o3);
    const memory = Buffer.from(wasmMemoryCopy()!);
    for (const secret of [ck, ikm, temp, o1, o2, o3]) expect(memory.indexOf(Buffer.from(secret.subarray(0, 8)))).toBe(-1);
  });
});

describe.skipIf(!hasSodium)('Noise AEAD through libsodium\'s working arrays (skipped without sodium-native)', () => {
  const b = sodiumEagerBackend;
  b.x25519Generate(); // loads the addon

  it('seals in place as the general seal does, for every field size and ad size it takes', () => {
    for (const len of [0, 1, 15, 16, 31, 32, 33, 64, 76, 115, 200, 1023, 1024]) {
      for (const adLen of [0, 32, 64]) {
        const key = random(32);
        const nonce = random(12);
        const ad = random(adLen);
        const plain = random(len);
        const out = new Uint8Array(len + 16 + 7);
        out.set(plain, 3);
        expect(b.noiseSealAt!(key, nonce, out.subarray(3, 3 + len), ad, out.subarray(3 + len, 3 + len + 16))).toBe(true);
        expect(hex(out.subarray(3, 3 + len + 16))).toBe(hex(chacha20poly1305Seal(key, nonce, plain, ad)));
        const opened = b.noiseOpen!(key, nonce, ad, out.subarray(3, 3 + len + 16));
        expect(opened && hex(opened)).toBe(hex(plain));
      }
    }
  });

  it('refuses a changed tag, ciphertext, ad or key (undefined), and takes no size or type it does not handle (false / null)', () => {
    const key = random(32);
    const nonce = random(12);
    const ad = random(32);
    const sealed = chacha20poly1305Seal(key, nonce, random(40), ad);
    for (const i of [0, 39, 40, 55]) {
      const bad = sealed.slice();
      bad[i] ^= 1;
      expect(b.noiseOpen!(key, nonce, ad, bad)).toBeUndefined();
    }
    expect(b.noiseOpen!(random(32), nonce, ad, sealed)).toBeUndefined();
    expect(b.noiseOpen!(key, nonce, random(32), sealed)).toBeUndefined();
    const out = new Uint8Array(2048);
    const tag = out.subarray(2000, 2016);
    expect(b.noiseSealAt!(key, nonce, out.subarray(0, 1025), ad, tag)).toBe(false);
    expect(b.noiseSealAt!(key, nonce, out.subarray(0, 10), random(65), tag)).toBe(false);
    expect(b.noiseSealAt!(random(31), nonce, out.subarray(0, 10), ad, tag)).toBe(false);
    expect(b.noiseSealAt!(key, nonce, out.subarray(0, 10), ad, out.subarray(2000, 2015))).toBe(false);
    expect(b.noiseSealAt!(key, nonce, [1, 2] as unknown as Uint8Array, ad, tag)).toBe(false);
    expect(hex(out)).toBe('00'.repeat(2048));
    expect(b.noiseOpen!(key, nonce, ad, new Uint8Array(15))).toBeNull();
    expect(b.noiseOpen!(key, nonce, ad, new Uint8Array(1041))).toBeNull();
    expect(b.noiseOpen!(key, random(11), ad, sealed)).toBeNull();
  });

  it('gives CipherState and HandshakeState the general path\'s bytes and errors', () => {
    compile();
    const [o1, o2] = [new Uint8Array(32), new Uint8Array(32)];
    const ck = random(32);
    const ikm = random(32);
    expect(b.noiseHkdfInto!(ck, ikm, o1, o2)).toBe(true); // the module first, libsodium's hashes otherwise
    expect([hex(o1), hex(o2)]).toEqual(hkdf(ck, ikm).slice(0, 2).map(hex));
    const k = random(32);
    const [a, c] = [new CipherState(k.slice()), new CipherState(k.slice())];
    const ad = random(32);
    const ct = a.encryptWithAd(ad, random(100));
    expect(hex(ct.subarray(100))).not.toBe('');
    const tampered = ct.slice();
    tampered[5] ^= 1;
    expect(() => c.decryptWithAd(ad, tampered)).toThrow(/authentication tag mismatch/);
    expect(c.n).toBe(0n); // the nonce advances only on success
    expect(hex(c.decryptWithAd(ad, ct)).length).toBe(200);
    const seal = chacha20poly1305Seal(k, new Uint8Array(12), random(10), ad);
    expect(chacha20poly1305Open(k, new Uint8Array(12), seal, ad).length).toBe(10);
    // A whole handshake over these paths agrees on h and keys.
    const i = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
    const r = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
    r.readMessage(i.writeMessage(random(50)));
    i.readMessage(r.writeMessage(random(120)));
    r.readMessage(i.writeMessage());
    expect(hex(i.handshakeHash)).toBe(hex(r.handshakeHash));
    expect(hex(i.split().send.k!)).toBe(hex(r.split().receive.k!));
  });
});
