/**
 * Attacker test: a sealed message in shared memory (a SharedArrayBuffer another thread writes
 * while it is opened). An AEAD open reads the ciphertext twice, once for the tag and once to
 * decrypt (libsodium's decrypt: Poly1305 over the ciphertext, then ChaCha20 over it again): a
 * thread flipping a ciphertext bit between the two reads got a plaintext with that bit flipped,
 * returned as authenticated. The opens now take a private copy of shared input first.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { isSdkError } from '@m2m/core';
import { aeadProtection, AeadCipher, availableBackends, chacha20poly1305Open, chacha20poly1305Seal, setBackend } from '../src/index.js';
import { transportOpenInto } from '../src/internal.js';

afterAll(() => setBackend());

const key = new Uint8Array(32).fill(9);
const nonce = new Uint8Array(12).fill(3);
const plaintext = new Uint8Array(64 * 1024).fill(0x61);

/** Runs `open` on `shared` (up to `tries` times) while a worker flips one byte of it; returns every distinct outcome. */
async function underFlipping(shared: Uint8Array, at: number, open: () => Uint8Array, tries = 150): Promise<Set<string>> {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const original = shared[at];
  const worker = new Worker(
    `const { workerData: w, parentPort } = require('node:worker_threads');
     const bytes = new Uint8Array(w.bytes); const stop = new Int32Array(w.stop);
     parentPort.postMessage('flipping');
     while (Atomics.load(stop, 0) === 0) for (let i = 0; i < 64; i++) bytes[w.at] = (i & 1) ? w.original ^ 1 : w.original;
     bytes[w.at] = w.original;`,
    { eval: true, workerData: { bytes: shared.buffer, stop: stop.buffer, at, original } },
  );
  const seen = new Set<string>();
  try {
    await new Promise((r) => worker.once('message', r));
    const deadline = Date.now() + 600;
    for (let n = 0; n < tries && Date.now() < deadline; n++) {
      try {
        const out = open();
        seen.add(out.every((b) => b === 0x61) ? 'ok original' : 'ok CHANGED');
      } catch (e) {
        seen.add(isSdkError(e) ? `typed ${e.code}` : `untyped ${String(e)}`);
      }
    }
  } finally {
    Atomics.store(stop, 0, 1);
    await worker.terminate();
  }
  return seen;
}

for (const backend of availableBackends().filter((b) => b !== 'noble')) {
  describe(`AEAD opens of shared memory (${backend})`, () => {
    it('chacha20poly1305Open, AeadCipher.decrypt and aeadProtection.open return the authenticated plaintext or a typed error', async () => {
      setBackend(backend);
      const sealed = chacha20poly1305Seal(key, nonce, plaintext);
      const inShared = (prefix: Uint8Array) => {
        const out = new Uint8Array(new SharedArrayBuffer(prefix.length + sealed.length));
        out.set(prefix);
        out.set(sealed, prefix.length);
        return out;
      };
      const bare = inShared(new Uint8Array(0));
      const framed = inShared(nonce);
      const protection = aeadProtection(key);
      const cipher = new AeadCipher(key);
      const cases: Array<[string, Uint8Array, () => Uint8Array]> = [
        ['chacha20poly1305Open', bare, () => chacha20poly1305Open(key, nonce, bare)],
        ['aeadProtection.open', framed, () => protection.open(new Uint8Array(0), framed)],
        ['AeadCipher.decrypt', framed, () => cipher.decrypt(framed)],
        // A session's transport lane (#transport-aead: its arguments checked in the backend, not
        // by aead.ts); given more tries, as a changed plaintext showed there in about one in a
        // few thousand opens.
        ['transportOpenInto', bare, () => {
          const out = new Uint8Array(plaintext.length);
          transportOpenInto(key, nonce, bare, new Uint8Array(0), out);
          return out;
        }],
      ];
      for (const [name, shared, open] of cases) {
        const seen = await underFlipping(shared, shared.length - 32 * 1024, open, name === 'transportOpenInto' ? 20_000 : 150);
        expect(seen.size).toBeGreaterThan(0);
        // Only the authenticated plaintext, or a typed refusal; never a changed plaintext.
        for (const outcome of seen) expect(outcome.startsWith('typed ') || outcome === 'ok original', `${name}: ${outcome}`).toBe(true);
      }
    });
  });
}

describe('Noise: a handshake message in shared memory', () => {
  it('readMessage reads a private copy: the payload it returns does not change afterwards', async () => {
    const { HandshakeState, generateNoiseKeyPair } = await import('../src/index.js');
    const initiator = new HandshakeState({ protocol: 'XX', initiator: true, s: generateNoiseKeyPair() });
    const responder = new HandshakeState({ protocol: 'XX', initiator: false, s: generateNoiseKeyPair() });
    const payload = new Uint8Array(100).fill(0x77); // XX message 1 carries its payload in the clear
    const m1 = initiator.writeMessage(payload);
    const shared = new Uint8Array(new SharedArrayBuffer(m1.length));
    shared.set(m1);
    const got = responder.readMessage(shared);
    expect(got).toEqual(payload);
    shared.fill(0); // another thread, after the read
    expect(got).toEqual(payload);
    // And the handshake completes on what was read.
    initiator.readMessage(responder.writeMessage());
    responder.readMessage(initiator.writeMessage());
    expect(responder.handshakeHash).toEqual(initiator.handshakeHash);
  });
});
