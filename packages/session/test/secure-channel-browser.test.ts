/**
 * A SecureChannel on the browser side of `#platform` (no kept plaintext buffer: `keptPlaintext`
 * answers `undefined`, platform/index.browser.ts): frames open into arrays of their own, with the
 * same plaintexts, replay checks and errors as on Node (secure/kept-plaintext.ts).
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';

vi.mock('#platform', async (importOriginal) => ({ ...((await importOriginal()) as object), keptPlaintext: () => undefined }));

const { SecureChannel } = await import('../src/secure/secure-channel.js');
const { CipherState } = await import('@m2m/crypto');
const { ManualClock } = await import('@m2m/session/testing');
const { isCryptoError, isM2MError } = await import('@m2m/core');

function pair() {
  const k1 = new Uint8Array(32).fill(1);
  const k2 = new Uint8Array(32).fill(2);
  const clock = new ManualClock();
  return [new SecureChannel(new CipherState(k1), new CipherState(k2), clock), new SecureChannel(new CipherState(k2), new CipherState(k1), clock)] as const;
}

describe('SecureChannel without a kept plaintext buffer (browser platform shape)', () => {
  it('opens every size into an array of its own, as sent', () => {
    const [a, b] = pair();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20_000 }), fc.uint8Array({ maxLength: 40 }), (plaintext, aad) => {
        const sealed = a.data.seal(aad, plaintext);
        const joined = new Uint8Array(12 + sealed.ciphertext.length + 16);
        joined.set(sealed.nonce);
        joined.set(sealed.ciphertext, 12);
        joined.set(sealed.tag, 12 + sealed.ciphertext.length);
        const opened = b.data.openTransient!(aad, joined);
        expect(Buffer.from(opened).equals(Buffer.from(plaintext))).toBe(true);
        // Its own array each time, not a view of a reused one.
        expect(opened.byteLength).toBe(opened.buffer.byteLength);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a replay and a changed frame', () => {
    const [a, b] = pair();
    const sealed = a.sealControl(Uint8Array.of(1, 2, 3));
    expect(Array.from(b.openControl(sealed))).toEqual([1, 2, 3]);
    expect(() => b.openControl(sealed)).toThrow();
    try {
      b.openControl(sealed);
    } catch (e) {
      expect(isM2MError(e) && e.code).toBe('REPLAY_DETECTED');
    }
    const next = a.sealControl(Uint8Array.of(4));
    next[next.length - 1] ^= 1;
    try {
      b.openControl(next);
      expect.unreachable();
    } catch (e) {
      expect(isCryptoError(e) && e.code).toBe('AEAD_DECRYPTION_FAILED');
    }
  });
});
