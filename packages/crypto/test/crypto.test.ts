import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeFrame, encodeFrame, fromHex, isM2MError, toHex } from '@m2m/core';
import { utf8Encode } from '@m2m/core/internal';
import {
  AeadCipher,
  HandshakeState,
  generateNoiseKeyPair,
  KeyPair,
  aeadProtection,
  availableBackends,
  chacha20poly1305Open,
  chacha20poly1305Seal,
  hkdf,
  hmacProtection,
  hmacSha256,
  setBackend,
  sha256,
  x25519SharedSecret,
} from '@m2m/crypto';
import { Keyring } from '@m2m/crypto/keys';
import { noiseHkdf } from '@m2m/crypto/internal';
import { xxHashesWithPrologues } from './fixtures/xx-prologues.js';
import { sodiumEagerBackend, sodiumHashDirect } from '../src/backend/sodium.js';

const EMPTY_AAD = new Uint8Array(0);

afterEach(() => setBackend());

// libsodium comes from the optional `sodium-native` addon; without it those cases are skipped, said so.
const hasSodium = availableBackends().includes('sodium');
if (!hasSodium) console.warn('sodium-native is not installed: the libsodium backend cases are skipped, not passed');

describe('backends agree (differential)', () => {
  it('node, noble and sodium give identical AEAD, HMAC and X25519 results', () => {
    expect(availableBackends()).toEqual(hasSodium ? ['node', 'noble', 'sodium'] : ['node', 'noble']);
    const others = hasSodium ? ['noble', 'sodium'] : ['noble'];
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 2000 }), fc.uint8Array({ maxLength: 40 }), (key, nonce, pt, aad) => {
        setBackend('node');
        const a = chacha20poly1305Seal(key, nonce, pt, aad);
        const h1 = hmacSha256(key, pt);
        for (const b of others) {
          setBackend(b);
          expect(toHex(chacha20poly1305Seal(key, nonce, pt, aad)), b).toBe(toHex(a));
          expect(toHex(hmacSha256(key, pt)), b).toBe(toHex(h1));
          expect(toHex(chacha20poly1305Open(key, nonce, a, aad)), b).toBe(toHex(pt));
        }
      }),
      { numRuns: 60 },
    );
    const s = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const p = fromHex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    for (const b of availableBackends()) {
      setBackend(b);
      expect(toHex(x25519SharedSecret(s, p))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
    }
  });

  it('every backend derives the same X25519 public keys and shared secrets, and their generated pairs agree', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        setBackend('noble');
        const pubA = KeyPair.fromSecret(a).publicKey;
        const shared = x25519SharedSecret(a, KeyPair.fromSecret(b).publicKey);
        for (const backend of hasSodium ? ['node', 'sodium'] : ['node']) {
          setBackend(backend);
          expect(toHex(KeyPair.fromSecret(a).publicKey), backend).toBe(toHex(pubA));
          expect(toHex(x25519SharedSecret(a, KeyPair.fromSecret(b).publicKey)), backend).toBe(toHex(shared));
        }
      }),
      { numRuns: 40 },
    );
    for (const backend of availableBackends()) {
      setBackend(backend);
      const pair = KeyPair.generate();
      setBackend('noble');
      expect(toHex(KeyPair.fromSecret(pair.exportSecret()).publicKey), backend).toBe(toHex(pair.publicKey));
    }
    // A low-order peer key gives all zeros: refused by default on every backend.
    for (const backend of availableBackends()) {
      setBackend(backend);
      expect(() => x25519SharedSecret(new Uint8Array(32).fill(5), new Uint8Array(32)), backend).toThrow(expect.objectContaining({ reason: 'LowOrderPoint' }));
      expect(toHex(x25519SharedSecret(new Uint8Array(32).fill(5), new Uint8Array(32), { allowZeroSharedSecret: true })), backend).toBe('00'.repeat(32));
    }
  });

  it.skipIf(!hasSodium)('sodium agrees with node in every size class, whichever library the class has chosen, and rejects tampering', () => {
    const key = new Uint8Array(32).fill(7);
    const nonce = new Uint8Array(12).fill(9);
    const aad = utf8Encode('#M2M|1|header');
    for (const size of [0, 1, 63, 1024, 16 * 1024 - 1, 16 * 1024, 24 * 1024 + 1, 100_000]) {
      const pt = new Uint8Array(size).map((_, i) => (i * 31) & 255);
      setBackend('node');
      const a = chacha20poly1305Seal(key, nonce, pt, aad);
      setBackend('sodium');
      // 40 calls: the size class times both libraries (one call in 16), so both paths run here.
      const same = (x: Uint8Array, y: Uint8Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
      for (let i = 0; i < 40; i++) {
        expect(same(chacha20poly1305Seal(key, nonce, pt, aad), a), `seal ${size}`).toBe(true);
        expect(same(chacha20poly1305Open(key, nonce, a, aad), pt), `open ${size}`).toBe(true);
      }
      const bad = a.slice();
      bad[bad.length - 1] ^= 1;
      for (let i = 0; i < 20; i++) {
        expect(() => chacha20poly1305Open(key, nonce, bad, aad)).toThrow(expect.objectContaining({ kind: 'Aead', reason: 'DecryptionFailed' }));
        expect(() => chacha20poly1305Open(key, nonce, a, utf8Encode('other'))).toThrow(expect.objectContaining({ reason: 'DecryptionFailed' }));
      }
    }
  });

  it('HMAC-SHA256 agrees across backends for keys and data of every length class (RFC 2104 §2 long-key hashing)', () => {
    for (const keyLength of [0, 1, 16, 32, 63, 64, 65, 131]) {
      for (const dataLength of [0, 1, 55, 56, 64, 1000]) {
        const key = new Uint8Array(keyLength).map((_, i) => (i * 7 + 1) & 255);
        const data = new Uint8Array(dataLength).map((_, i) => (i * 13 + 5) & 255);
        setBackend('noble');
        const expected = toHex(hmacSha256(key, data));
        setBackend('node');
        expect(toHex(hmacSha256(key, data)), `key ${keyLength}, data ${dataLength}`).toBe(expected);
      }
    }
    // RFC 4231 test case 6: a 131-byte key.
    setBackend('node');
    expect(toHex(hmacSha256(new Uint8Array(131).fill(0xaa), utf8Encode('Test Using Larger Than Block-Size Key - Hash Key First')))).toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it.skipIf(!hasSodium)('sodium hashing (libsodium for a few blocks, node:crypto beyond) agrees with noble at every length class', () => {
    for (const keyLength of [0, 16, 32, 64, 65, 131, 200]) {
      for (const dataLength of [0, 1, 32, 33, 127, 128, 129, 191, 192, 193, 1000]) {
        const key = new Uint8Array(keyLength).map((_, i) => (i * 7 + 3) & 255);
        const data = new Uint8Array(dataLength).map((_, i) => (i * 11 + 1) & 255);
        setBackend('noble');
        const mac = toHex(hmacSha256(key, data));
        const hash = toHex(sha256(data));
        setBackend('sodium');
        expect(toHex(hmacSha256(key, data)), `hmac key ${keyLength}, data ${dataLength}`).toBe(mac);
        expect(toHex(sha256(data)), `sha256 ${dataLength}`).toBe(hash);
      }
    }
  });

  it.skipIf(!hasSodium)("sodium's fused Noise HKDF gives the bytes of the HKDF built from HMACs (noble), for 2 and 3 outputs", () => {
    for (const ckLength of [32, 64, 65]) {
      for (const ikmLength of [0, 1, 32, 33, 128, 129]) {
        const ck = new Uint8Array(ckLength).map((_, i) => (i * 13 + 5) & 255);
        const ikm = new Uint8Array(ikmLength).map((_, i) => (i * 3 + 9) & 255);
        for (const outputs of [2, 3] as const) {
          setBackend('noble');
          const expected = noiseHkdf(ck, ikm, outputs).map(toHex);
          setBackend('sodium');
          expect(noiseHkdf(ck, ikm, outputs).map(toHex), `ck ${ckLength}, ikm ${ikmLength}, ${outputs} outputs`).toEqual(expected);
          // Twice: nothing of the previous call's scratch leaks into the next.
          expect(noiseHkdf(ck, ikm, outputs).map(toHex)).toEqual(expected);
        }
      }
    }
  });

  it.skipIf(!hasSodium)("sodium's HKDF and MixHash hash through the binding directly (5.1+), and hand it only real 32-byte Uint8Array outputs", () => {
    const ck = new Uint8Array(32).fill(5);
    const ikm = new Uint8Array(32).fill(6);
    const out1 = new Uint8Array(32);
    const out2 = new Uint8Array(32);
    expect(sodiumEagerBackend.noiseHkdfInto?.(ck, ikm, out1, out2)).toBe(true);
    expect(sodiumHashDirect()).toBe(true);
    setBackend('noble');
    expect([toHex(out1), toHex(out2)]).toEqual(noiseHkdf(ck, ikm, 2).map(toHex));
    // Outputs the binding would abort on (a shadowed length, a plain array, another element type)
    // make the fused HKDF and sha256Into decline, so the caller takes the generic path.
    const lying = new Uint8Array(31);
    Object.defineProperty(lying, 'length', { value: 32 });
    const data = new Uint8Array(40).fill(9);
    for (const bad of [lying, Array.from({ length: 32 }, () => 0), new Uint16Array(32)] as unknown as Uint8Array[]) {
      expect(sodiumEagerBackend.noiseHkdfInto?.(ck, ikm, bad, out2)).toBe(false);
      expect(sodiumEagerBackend.noiseHkdfInto?.(ck, ikm, out1, out2, bad)).toBe(false);
      expect(sodiumEagerBackend.sha256Into?.(data, bad)).toBe(false);
    }
    expect(sodiumEagerBackend.sha256Into?.(new Uint16Array(20) as unknown as Uint8Array, out1)).toBe(false);
    const h = new Uint8Array(32);
    expect(sodiumEagerBackend.sha256Into?.(data, h)).toBe(true);
    expect(toHex(h)).toBe(toHex(sha256(data)));
  });

  it.skipIf(!hasSodium)('sodium outputs: ciphertexts from the shared slab never alias each other; plaintexts own their whole buffer', () => {
    setBackend('sodium');
    const key = new Uint8Array(32).fill(2);
    const nonce = new Uint8Array(12).fill(4);
    const protection = aeadProtection(key, { nextNonce: () => nonce });
    for (const size of [100, 5000, 20_000]) {
      const a = new Uint8Array(size).fill(1);
      const b = new Uint8Array(size).fill(2);
      const sa = protection.seal(EMPTY_AAD, a);
      const before = toHex(sa.ciphertext);
      const sb = protection.seal(EMPTY_AAD, b);
      expect(toHex(sa.ciphertext), `seal ${size} kept`).toBe(before);
      expect(toHex(sb.ciphertext)).not.toBe(before);
      const frame = new Uint8Array(12 + size + 16);
      frame.set(sb.nonce, 0);
      frame.set(sb.ciphertext, 12);
      frame.set(sb.tag, 12 + size);
      const opened = protection.open(EMPTY_AAD, frame);
      expect(opened.every((x) => x === 2)).toBe(true);
      // An opened plaintext's memory holds nothing but itself (no pool, no slab).
      expect(opened.buffer.byteLength, `open ${size}`).toBe(size);
    }
  });

  it.skipIf(!hasSodium)("sodium's frame open (views made from the frame's real memory) agrees with node:crypto for frames anywhere in a buffer, and refuses tampering", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.uint8Array({ maxLength: 40 }), fc.nat(20), fc.nat(), (pt, aad, offset, flip) => {
        const key = new Uint8Array(32).fill(6);
        const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + offset);
        setBackend('node');
        const parts = aeadProtection(key, { nextNonce: () => nonce }).seal(aad, pt);
        const buffer = new Uint8Array(offset + 28 + pt.length + 5).fill(0xcc);
        const frame = buffer.subarray(offset, offset + 28 + pt.length);
        frame.set(parts.nonce, 0);
        frame.set(parts.ciphertext, 12);
        frame.set(parts.tag, 12 + pt.length);
        const expected = toHex(aeadProtection(key).open(aad, frame));
        setBackend('sodium');
        const sodium = aeadProtection(key);
        // Many times: the size-class chooser also runs node:crypto in its windows.
        for (let i = 0; i < 40; i++) expect(toHex(sodium.open(aad, frame))).toBe(expected);
        frame[flip % frame.length] ^= 1;
        expect(() => sodium.open(aad, frame)).toThrow(/DecryptionFailed|tag/);
        setBackend('node');
        expect(() => aeadProtection(key).open(aad, frame)).toThrow(/DecryptionFailed|tag/);
      }),
      { numRuns: 60 },
    );
  });

  it('node X25519 re-imports a secret changed in place instead of serving a cached key', () => {
    setBackend('node');
    const secret = new Uint8Array(32).fill(3);
    const peer = KeyPair.fromSecret(new Uint8Array(32).fill(4)).publicKey;
    const first = toHex(x25519SharedSecret(secret, peer));
    secret.fill(5);
    const changed = toHex(x25519SharedSecret(secret, peer));
    setBackend('noble');
    expect(changed).toBe(toHex(x25519SharedSecret(new Uint8Array(32).fill(5), peer)));
    expect(changed).not.toBe(first);
  });

  it.skipIf(!hasSodium)('the default backend moves to libsodium after its warm-up with unchanged results', () => {
    setBackend();
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(12);
    const pt = utf8Encode('{"model":"gpt-4o"}');
    setBackend('node');
    const expected = toHex(chacha20poly1305Seal(key, nonce, pt));
    setBackend();
    for (let i = 0; i < 200; i++) expect(toHex(chacha20poly1305Seal(key, nonce, pt))).toBe(expected);
    expect(() => setBackend('openssl')).toThrow(expect.objectContaining({ kind: 'Config' }));
  });
});

describe('reference objects', () => {
  it('AeadCipher enforces key rules and detects tampering', () => {
    expect(() => new AeadCipher(new Uint8Array(16))).toThrow('AEAD: Invalid AEAD key: Key too short: 16 bytes (need 32)');
    const c = new AeadCipher(new Uint8Array(32).fill(0x42));
    const sealed = c.encrypt(utf8Encode('Hello, World!'), utf8Encode('associated data'), fromHex('0102030405060708090a0b0c'));
    expect(toHex(sealed)).toBe('0102030405060708090a0b0cf674ff9b2064d2c7cb97958b54713adab24613e314743854d1cfc00288');
    sealed[13] ^= 1;
    expect(() => c.decrypt(sealed, utf8Encode('associated data'))).toThrow(expect.objectContaining({ kind: 'Aead', reason: 'DecryptionFailed' }));
    expect(() => c.decrypt(new Uint8Array(10))).toThrow(expect.objectContaining({ reason: 'DataTooShort' }));
  });

  it('HKDF has no info-length cap and refuses > 8160 bytes', () => {
    expect(hkdf(new Uint8Array(32), undefined, new Uint8Array(5000), 32)).toHaveLength(32);
    expect(hkdf(new Uint8Array(32), undefined, new Uint8Array(0), 8160)).toHaveLength(8160);
    expect(() => hkdf(new Uint8Array(32), undefined, new Uint8Array(0), 8161)).toThrow('Keyring: Key derivation failed: HKDF expand failed: invalid number of blocks, too large output');
  });

  it('Keyring rotation keeps old keys decrypting until retired', () => {
    const ring = new Keyring();
    ring.addKey('k1', new Uint8Array(32).fill(1));
    const old = ring.deriveSessionKey('chat', 's1');
    ring.rotate('k2', new Uint8Array(32).fill(2));
    expect(ring.defaultKeyId).toBe('k2');
    expect(ring.getKey('k1')).toBeDefined();
    expect(toHex(ring.deriveSessionKey('chat', 's1').bytes)).not.toBe(toHex(old.bytes));
    ring.retire('k1');
    expect(ring.getKey('k1')).toBeUndefined();
    expect(() => ring.requireKey('k1')).toThrow('Keyring: Key not found: k1');
  });

  it('never prints key bytes', () => {
    const kp = KeyPair.fromSecret(new Uint8Array(32).fill(0x42));
    expect(String(kp)).toBe('KeyPair { public: PublicKey([132c442b...]), secret: "[REDACTED]" }');
    expect(JSON.stringify({ kp })).not.toContain('4242');
  });
});

describe('frame protection', () => {
  const json = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hi there, how are you today? I need a long message here to compress."}]}';
  it('rejects every single-bit flip of HMAC and AEAD frames', () => {
    for (const protection of [hmacProtection(new Uint8Array(32).fill(7)), aeadProtection(new Uint8Array(32).fill(9))]) {
      const frame = encodeFrame(json, { protection });
      for (let i = 7; i < frame.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const m = frame.slice();
          m[i] ^= 1 << bit;
          expect(() => decodeFrame(m, { protection }), `byte ${i} bit ${bit}`).toThrow();
        }
      }
    }
  });

  it('rejects a security-byte downgrade under the policy', () => {
    const protection = hmacProtection(new Uint8Array(32).fill(7));
    const frame = encodeFrame(json, { protection });
    frame[10] = 0;
    expect(() => decodeFrame(frame, { protection })).toThrow(expect.objectContaining({ kind: 'SecurityDowngrade' }));
    expect(decodeFrame(frame, { protection, minSecurity: 'none' }).payload).toBe(json);
  });

  it('wraps crypto failures as M2MError Crypto with the CryptoError as cause', () => {
    const frame = encodeFrame(json, { protection: aeadProtection(new Uint8Array(32).fill(1)) });
    try {
      decodeFrame(frame, { protection: aeadProtection(new Uint8Array(32).fill(2)) });
      expect.unreachable();
    } catch (e) {
      expect(isM2MError(e) && e.kind === 'Crypto').toBe(true);
      expect((e as Error).message).toBe('Crypto error: AEAD: Decryption failed: authentication tag mismatch');
    }
  });
});

describe('Noise', () => {
  it('XX completes and transport keys work both ways', () => {
    const i = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
    const r = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
    r.readMessage(i.writeMessage());
    i.readMessage(r.writeMessage());
    r.readMessage(i.writeMessage());
    expect(toHex(i.handshakeHash)).toBe(toHex(r.handshakeHash));
    const a = i.split();
    const b = r.split();
    expect(toHex(b.receive.decryptWithAd(new Uint8Array(), a.send.encryptWithAd(new Uint8Array(), utf8Encode('hi'))))).toBe('6869');
    expect(() => b.receive.decryptWithAd(new Uint8Array(), a.send.encryptWithAd(new Uint8Array(), utf8Encode('x')).fill(0))).toThrow();
  });

  it('messages carved from the shared slab stay intact and exact while later handshakes write theirs', () => {
    // 65-2048 byte messages are views of a shared slab (noise/handshake-state.ts, messageBytes):
    // enough handshakes to fill several slabs, every earlier message re-read at the end.
    const kept: Array<{ m: Uint8Array; copy: string }> = [];
    for (let n = 0; n < 200; n++) {
      const payload = new Uint8Array(40 + (n % 90)).fill(n & 0xff);
      const i = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
      const r = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
      const m1 = i.writeMessage(payload);
      expect(m1.length).toBe(32 + payload.length);
      expect(toHex(r.readMessage(m1))).toBe(toHex(payload));
      const m2 = r.writeMessage(payload);
      expect(m2.length).toBe(32 + 48 + payload.length + 16);
      expect(toHex(i.readMessage(m2))).toBe(toHex(payload));
      const m3 = i.writeMessage(payload);
      expect(toHex(r.readMessage(m3))).toBe(toHex(payload));
      for (const m of [m1, m2, m3]) kept.push({ m, copy: toHex(m) });
    }
    for (const { m, copy } of kept) expect(toHex(m)).toBe(copy);
  });

  it('the prologue is bound whichever was mixed before (the per-name prologue cache gives the same h)', () => {
    const run = (pi: Uint8Array, pr: Uint8Array) => toHex(xxHashesWithPrologues(pi, pr)[0]);
    const a = utf8Encode('prologue A');
    const b = utf8Encode('prologue B');
    const ha = run(a, a);
    expect(run(b, b)).not.toBe(ha);
    expect(run(a, a)).not.toBe(ha); // fresh ephemeral keys: only the shape repeats
    for (const [pi, pr] of [[a, b], [b, a], [a, new Uint8Array(0)], [new Uint8Array(0), b]]) {
      expect(() => run(pi, pr)).toThrow(expect.objectContaining({ kind: 'Handshake', reason: 'DecryptionFailed' }));
    }
  });

  it('XX with a tampered message fails with a handshake error', () => {
    const i = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
    const r = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
    r.readMessage(i.writeMessage());
    const m2 = r.writeMessage(utf8Encode('caps'));
    m2[40] ^= 1;
    expect(() => i.readMessage(m2)).toThrow(expect.objectContaining({ kind: 'Handshake', reason: 'DecryptionFailed' }));
  });
});

describe('Noise state never prints key material', () => {
  it('CipherState and HandshakeState redact in JSON and util.inspect', async () => {
    const { inspect } = await import('node:util');
    const { CipherState, HandshakeState, generateNoiseKeyPair } = await import('@m2m/crypto');
    const key = new Uint8Array(32).fill(0xab);
    const cs = new CipherState(key);
    const s = generateNoiseKeyPair();
    const hs = new HandshakeState({ protocol: 'XX', initiator: true, s });
    for (const text of [JSON.stringify({ cs, hs }), inspect(cs), inspect(hs), inspect({ nested: { hs } })]) {
      expect(text).not.toContain('171,171'); // the key's bytes as an array
      expect(text).not.toMatch(/abababab/i);
      expect(text).toContain('REDACTED');
      for (const b of [s.secret]) expect(text).not.toContain(Buffer.from(b).toString('hex'));
    }
  });
});

describe('Noise nonce layout (§12.3: 4 zero bytes, then the counter little-endian)', () => {
  it('matches a DataView encoding on both sides of the 32-bit fast path', async () => {
    const { noiseNonce } = await import('../src/noise/cipher-state.js');
    for (const n of [0n, 1n, 255n, 256n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 48n + 5n, 2n ** 64n - 2n]) {
      const expected = new Uint8Array(12);
      new DataView(expected.buffer).setBigUint64(4, n, true);
      expect(toHex(noiseNonce(n)), String(n)).toBe(toHex(expected));
    }
  });
});

describe('in-place seal and open-into (the session fast path)', () => {
  it('give the bytes of sealParts on every backend, and a forged frame leaves no plaintext in the output', async () => {
    const { openInto, sealInPlace, sealParts } = await import('@m2m/crypto/internal');
    for (const backend of availableBackends()) {
      setBackend(backend);
      for (const size of [0, 1, 64, 65, 178, 4096, 20_000]) {
        const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + size);
        const nonce = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
        const aad = Uint8Array.from({ length: 40 }, (_, i) => i ^ 0x5a);
        const plaintext = Uint8Array.from({ length: size }, (_, i) => (i * 13 + 1) & 0xff);
        const expected = sealParts(key, nonce, plaintext, aad);
        // Laid out as in a frame: ciphertext where the plaintext was, the tag right after it.
        const frame = new Uint8Array(size + 20);
        frame.set(plaintext, 2);
        sealInPlace(key, nonce, frame.subarray(2, 2 + size), aad, frame.subarray(2 + size, 18 + size));
        expect(toHex(frame.subarray(2, 2 + size)), `${backend} ${size}`).toBe(toHex(expected.ciphertext));
        expect(toHex(frame.subarray(2 + size, 18 + size)), `${backend} ${size}`).toBe(toHex(expected.tag));
        const out = new Uint8Array(size);
        openInto(key, nonce, frame.subarray(2, 18 + size), aad, out);
        expect(toHex(out)).toBe(toHex(plaintext));
        out.fill(0xee);
        frame[2 + size] ^= 1; // the tag's first byte
        expect(() => openInto(key, nonce, frame.subarray(2, 18 + size), aad, out)).toThrow(/authentication tag mismatch/);
        // Untouched (0xee) or wiped (0): never the decrypted bytes of a frame that did not authenticate.
        expect(out.every((b) => b === 0 || b === 0xee), `${backend} ${size}: plaintext left`).toBe(true);
      }
    }
  });
});

describe('aeadProtection fast paths', () => {
  it('frames sealed in place equal those from seal(), decode through both paths, and the reused plaintext is wiped', () => {
    const key = new Uint8Array(32).fill(9);
    const counterNonce = () => {
      let n = 0;
      return () => Uint8Array.from({ length: 12 }, (_, i) => (i === 0 ? ++n : 0));
    };
    const fast = aeadProtection(key, { nextNonce: counterNonce() });
    const base = aeadProtection(key, { nextNonce: counterNonce() });
    const sealOnly = { mode: 'aead' as const, seal: base.seal, open: base.open };
    let seen: Uint8Array | undefined;
    const watched = { mode: 'aead' as const, seal: fast.seal, open: fast.open, openTransient: (aad: Uint8Array, sealed: Uint8Array) => (seen = fast.openTransient!(aad, sealed)) };
    for (const size of [10, 300, 5000]) {
      const json = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'y'.repeat(size) }] });
      const a = encodeFrame(json, { protection: fast, compression: 'auto' });
      const b = encodeFrame(json, { protection: sealOnly, compression: 'auto' });
      expect(toHex(a)).toBe(toHex(b));
      expect(decodeFrame(a, { protection: watched }).payload).toBe(json);
      expect(decodeFrame(b, { protection: sealOnly }).payload).toBe(json);
      expect(seen!.length).toBeGreaterThan(0);
      expect(seen!.every((x) => x === 0)).toBe(true);
      const forged = a.slice();
      forged[forged.length - 1] ^= 1;
      expect(() => decodeFrame(forged, { protection: fast })).toThrow(/authentication tag mismatch/);
    }
  });
});
