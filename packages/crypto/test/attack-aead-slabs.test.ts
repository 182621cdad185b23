/**
 * Attacks on the sodium backend's AEAD outputs (backend/sodium.ts): seal outputs carved from
 * per-key slabs, small opens through a module scratch, and arrays whose `length` lies.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CryptoError } from '@m2m/core';
import { availableBackends, chacha20poly1305Open, setBackend } from '../src/index.js';

const hasSodium = availableBackends().includes('sodium');
if (!hasSodium) console.warn('attack-aead-slabs.test.ts: skipped: sodium-native is not installed');

afterAll(() => setBackend());

describe.skipIf(!hasSodium)('sodium backend AEAD outputs under attack', () => {
  it('an open of 100 real bytes whose `length` says 1 GiB costs its real size, not the lie', () => {
    setBackend('sodium');
    // A subclass's getter shadows `length`; libsodium sees the real 100 bytes.
    class Liar extends Uint8Array {
      override get length(): number {
        return 1 << 30;
      }
    }
    const key = new Uint8Array(32).fill(1);
    const nonce = new Uint8Array(12);
    let grown = 0;
    // Several calls: the size-class chooser runs node:crypto in some of them, libsodium in others.
    for (let i = 0; i < 12; i++) {
      const before = process.memoryUsage().arrayBuffers;
      let error: unknown;
      try {
        chacha20poly1305Open(key, nonce, new Liar(100));
      } catch (e) {
        error = e;
      }
      grown = Math.max(grown, process.memoryUsage().arrayBuffers - before);
      expect(error).toBeInstanceOf(CryptoError);
      expect((error as CryptoError).code).toBe('AEAD_DECRYPTION_FAILED');
    }
    expect(grown).toBeLessThan(1024 * 1024);
  });
});
