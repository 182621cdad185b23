/**
 * Attacker tests for the crypto slabs (backend/sodium.ts ciphertexts, noise/handshake-speed.ts
 * handshake messages): one caller, holding what the API returned to it, must not reach another
 * caller's bytes through `.buffer`, overwrite them, or detach them by transferring that buffer.
 * Before, both slabs were process-wide: every ciphertext of 65 B to 16 KiB sealed in the process
 * (and every handshake message of 65 B to 2 KiB) was a view of the same buffer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { isCryptoError } from '@m2m/core';
import { aeadProtection, availableBackends, HandshakeState, setBackend, generateNoiseKeyPair } from '../src/index.js';

const hasSodium = availableBackends().includes('sodium');
if (!hasSodium) console.warn('slab-owners.test.ts: the libsodium cases are skipped: sodium-native is not installed');

/** Whether `haystack` holds `needle` anywhere. */
function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = haystack.indexOf(needle[0]); i !== -1 && i + needle.length <= haystack.length; i = haystack.indexOf(needle[0], i + 1)) {
    for (let j = 1; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** What an attacker holding `mine` does: detaches its whole backing store by transferring it. */
function transferAway(mine: Uint8Array): void {
  structuredClone(mine.buffer, { transfer: [mine.buffer as ArrayBuffer] });
}

afterAll(() => setBackend());

describe.skipIf(!hasSodium)('AEAD ciphertexts: one slab per key holder (libsodium backend)', () => {
  const key = (b: number) => new Uint8Array(32).fill(b);
  const plaintext = (b: number, n = 300) => new Uint8Array(n).fill(b);

  it('a protection\'s ciphertext does not share memory with another protection\'s', () => {
    setBackend('sodium');
    const victim = aeadProtection(key(1));
    const attacker = aeadProtection(key(2));
    // Many rounds, so whichever library each size class picks, sodium's path runs too.
    for (let round = 0; round < 60; round++) {
      const theirs = victim.seal(new Uint8Array(0), plaintext(0x41));
      const copy = theirs.ciphertext.slice();
      const mine = attacker.seal(new Uint8Array(0), plaintext(0x42));
      // Reading: nothing of the victim's ciphertext in the attacker's backing store.
      expect(contains(new Uint8Array(mine.ciphertext.buffer), copy)).toBe(false);
      // Writing: the attacker overwrites all it can reach; the victim's ciphertext is unchanged.
      new Uint8Array(mine.ciphertext.buffer).fill(0xee);
      expect(theirs.ciphertext).toEqual(copy);
      // Detaching: the victim's ciphertext keeps its bytes, and the victim can still seal.
      transferAway(mine.ciphertext);
      expect(theirs.ciphertext.length).toBe(300);
      expect(theirs.ciphertext).toEqual(copy);
      const next = victim.seal(new Uint8Array(0), plaintext(0x43));
      expect(victim.open(new Uint8Array(0), new Uint8Array([...next.nonce, ...next.ciphertext, ...next.tag]))).toEqual(plaintext(0x43));
    }
  });

  it('a holder that detaches its own ciphertexts\' slab can still seal (a new slab is made)', () => {
    setBackend('sodium');
    const p = aeadProtection(key(3));
    for (let round = 0; round < 50; round++) {
      const sealed = p.seal(new Uint8Array(0), plaintext(7, 500));
      transferAway(sealed.ciphertext);
      const again = p.seal(new Uint8Array(0), plaintext(8, 500));
      expect(p.open(new Uint8Array(0), new Uint8Array([...again.nonce, ...again.ciphertext, ...again.tag]))).toEqual(plaintext(8, 500));
    }
  });

  it('a plaintext viewed in the holder\'s own slab seals to the right bytes', () => {
    setBackend('sodium');
    const p = aeadProtection(key(4));
    for (let round = 0; round < 100; round++) {
      const first = p.seal(new Uint8Array(0), plaintext(1, 100));
      // The free part of the holder's slab, right after its last ciphertext.
      const free = new Uint8Array(first.ciphertext.buffer, first.ciphertext.byteOffset + 100, Math.min(200, first.ciphertext.buffer.byteLength - first.ciphertext.byteOffset - 100));
      if (free.length < 80) continue;
      free.fill(0x5a);
      const pt = free.slice();
      const sealed = p.seal(new Uint8Array(0), free);
      expect(p.open(new Uint8Array(0), new Uint8Array([...sealed.nonce, ...sealed.ciphertext, ...sealed.tag]))).toEqual(pt);
    }
  });
});

describe('Noise handshake messages: no slab shared between handshakes', () => {
  /** XX message 2 from a fresh responder (ephemeral, encrypted static, encrypted payload: over 64 bytes). */
  function message2(payload: Uint8Array): Uint8Array {
    const initiator = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
    const responder = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
    responder.readMessage(initiator.writeMessage());
    return responder.writeMessage(payload);
  }

  for (const backend of hasSodium ? ['sodium', 'node'] : ['node']) {
    it(`one handshake's message cannot reach, change or detach another's (${backend})`, () => {
      setBackend(backend);
      for (let round = 0; round < 20; round++) {
        const theirs = message2(new Uint8Array(120).fill(0x61));
        const copy = theirs.slice();
        const mine = message2(new Uint8Array(120).fill(0x62));
        expect(contains(new Uint8Array(mine.buffer), copy.subarray(0, 32))).toBe(false);
        new Uint8Array(mine.buffer).fill(0);
        expect(theirs).toEqual(copy);
        transferAway(mine);
        expect(theirs).toEqual(copy);
      }
    });
  }
});

describe('a handshake message\'s allocator (writeMessage\'s second argument)', () => {
  const start = (allocate: (n: number) => Uint8Array) => {
    const initiator = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
    const responder = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
    responder.readMessage(initiator.writeMessage());
    return { initiator, responder, allocator: { allocate } };
  };

  it('carves the message where the owner says, and the peer reads it', () => {
    const slab = new Uint8Array(4096);
    const { initiator, responder, allocator } = start((n) => slab.subarray(100, 100 + n));
    const m2 = responder.writeMessage(new Uint8Array(90).fill(9), allocator);
    expect(m2.buffer).toBe(slab.buffer);
    expect(initiator.readMessage(m2)).toEqual(new Uint8Array(90).fill(9));
  });

  const wrong: Array<[string, (n: number) => Uint8Array]> = [
    ['too short', (n) => new Uint8Array(n - 1)],
    ['shared memory another thread can read and change', (n) => new Uint8Array(new SharedArrayBuffer(n))],
    ['not a Uint8Array', (n) => new Uint16Array(n) as unknown as Uint8Array],
    ['a length that lies', (n) => Object.defineProperty(new Uint8Array(8), 'length', { value: n })],
  ];
  for (const [what, allocate] of wrong) {
    it(`refuses an allocation that is ${what} with a typed error, writing nothing`, () => {
      const { responder, allocator } = start(allocate);
      let caught: unknown;
      try {
        responder.writeMessage(new Uint8Array(90), allocator);
      } catch (e) {
        caught = e;
      }
      expect(isCryptoError(caught) && caught.kind === 'Handshake' && caught.reason === 'Failed').toBe(true);
    });
  }
});
