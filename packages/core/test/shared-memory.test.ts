/**
 * Attacker test: frame bytes in shared memory (a SharedArrayBuffer another thread writes while the
 * decoder runs). Before, `decodeFrame` read an AEAD frame's headers from the shared bytes and
 * then authenticated them as the AAD in a second read: a thread flipping a header byte got the
 * flipped header returned with a tag that had verified the original (an unauthenticated routing
 * header passed as authenticated). Now the decoders take a private copy of shared input first,
 * so every result is one whole state of the bytes, checked as a whole.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { CryptoError, decodeFrame, encodeFrame, inspectFrame, isSdkError, type FrameProtection } from '@m2m/core';
import { decodeFramePayload } from '@m2m/core/internal';

// A stand-in AEAD (core does not depend on @m2m/crypto) whose tag is SHA-256 of AAD ‖ ciphertext.
const tagOf = (aad: Uint8Array, ct: Uint8Array) => new Uint8Array(createHash('sha256').update(aad).update(ct).digest().subarray(0, 16));
const protection = {
  mode: 'aead',
  seal: (aad: Uint8Array, p: Uint8Array) => {
    const ciphertext = p.map((b) => b ^ 0x5a);
    return { nonce: new Uint8Array(12), ciphertext, tag: tagOf(aad, ciphertext) };
  },
  open: (aad: Uint8Array, sealed: Uint8Array) => {
    const ct = sealed.subarray(12, sealed.length - 16);
    const tag = tagOf(aad, ct);
    for (let i = 0; i < 16; i++) if (tag[i] !== sealed[sealed.length - 16 + i]) throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' });
    return ct.map((b) => b ^ 0x5a);
  },
} as FrameProtection;

const request = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] });

/** `frame` copied into shared memory. */
function shared(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(frame.length));
  out.set(frame);
  return out;
}

describe('decoders take shared memory as a private copy', () => {
  it('decodeFrame, decodeFramePayload and inspectFrame give what they give for the same unshared bytes', () => {
    for (const options of [{}, { protection }]) {
      const frame = encodeFrame(request, { compression: 'auto', ...options });
      const s = shared(frame);
      expect(decodeFrame(s, options)).toEqual(decodeFrame(frame, options));
      expect(decodeFramePayload(s, options)).toBe(decodeFramePayload(frame, options));
      expect(inspectFrame(s)).toEqual(inspectFrame(frame));
    }
  });

  it('a thread flipping an authenticated header byte never gets the flipped header past the tag', async () => {
    const frame = encodeFrame(request, { compression: 'auto', protection });
    const s = shared(frame);
    // The model name's last byte, inside the authenticated headers: 'o' and 'x' in turn.
    const name = new TextEncoder().encode('gpt-4o');
    let at = -1;
    for (let i = 0; i + name.length <= frame.length && at < 0; i++) if (name.every((b, j) => frame[i + j] === b)) at = i + name.length - 1;
    expect(at).toBeGreaterThan(0);
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(
      `const { workerData: w, parentPort } = require('node:worker_threads');
       const bytes = new Uint8Array(w.bytes); const stop = new Int32Array(w.stop);
       parentPort.postMessage('flipping');
       while (Atomics.load(stop, 0) === 0) for (let i = 0; i < 64; i++) bytes[w.at] = (i & 1) ? 0x78 : 0x6f;
       bytes[w.at] = 0x6f;`,
      { eval: true, workerData: { bytes: s.buffer, stop: stop.buffer, at } },
    );
    try {
      await new Promise((r) => worker.once('message', r));
      const seen = new Map<string, number>();
      const deadline = Date.now() + 1500;
      for (let n = 0; n < 5_000 && Date.now() < deadline; n++) {
        let outcome: string;
        try {
          outcome = `ok ${decodeFrame(s, { protection }).header.routing?.model}`;
        } catch (e) {
          outcome = isSdkError(e) ? `typed ${e.code}` : `untyped ${String(e)}`;
        }
        seen.set(outcome, (seen.get(outcome) ?? 0) + 1);
      }
      // Authenticated and returned: only the header the tag covers. Anything else: a typed error.
      for (const outcome of seen.keys()) expect(['ok gpt-4o', 'typed CRYPTO_ERROR']).toContain(outcome);
      expect(seen.get('ok gpt-4o') ?? 0).toBeGreaterThan(0);
    } finally {
      Atomics.store(stop, 0, 1);
      await worker.terminate();
    }
  });
});
