/**
 * A Uint8Array subclass whose `length` getter lies must not reach the backend: the key is copied
 * by its real length (x25519.ts) and checked there, giving a typed CryptoError.
 */
import { describe, expect, it } from 'vitest';
import { isCryptoError } from '@m2m/core';
import { KeyPair, publicKeyFromSlice } from '../src/index.js';

class Liar extends Uint8Array {
  override get length(): number {
    return 32;
  }
}

function cryptoErr(f: () => unknown): { code: string } {
  try {
    f();
  } catch (e) {
    expect(e).not.toBeInstanceOf(TypeError);
    expect(isCryptoError(e)).toBe(true);
    return e as { code: string };
  }
  throw new Error('expected a CryptoError');
}

describe('lying Uint8Array subclasses', () => {
  it('KeyPair.fromSecret refuses 5 or 64 real bytes that claim 32', () => {
    expect(cryptoErr(() => KeyPair.fromSecret(new Liar(5))).code).toBe('EXCHANGE_GENERATION_FAILED');
    expect(cryptoErr(() => KeyPair.fromSecret(new Liar(64))).code).toBe('EXCHANGE_GENERATION_FAILED');
  });

  it('KeyPair.fromSecret of an honest subclass (a Buffer-like) still works and equals the plain one', () => {
    class Honest extends Uint8Array {}
    const raw = new Uint8Array(32).fill(7);
    const h = new Honest(32);
    h.set(raw);
    expect(KeyPair.fromSecret(h).publicKey).toEqual(KeyPair.fromSecret(raw).publicKey);
  });

  it('publicKeyFromSlice refuses a liar and returns a plain Uint8Array', () => {
    expect(cryptoErr(() => publicKeyFromSlice(new Liar(5))).code).toBe('EXCHANGE_INVALID_PUBLIC_KEY');
    class Honest extends Uint8Array {}
    expect(publicKeyFromSlice(new Honest(32)).constructor).toBe(Uint8Array);
  });
});
