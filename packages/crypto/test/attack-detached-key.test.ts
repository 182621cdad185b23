/**
 * Keys given as a Uint8Array whose buffer was transferred (detached): copying them by their real
 * length (x25519.ts, against subclasses that lie about `length`) must not turn the size check into
 * a bare TypeError from the Uint8Array constructor. Before the copy, `length` read 0 and the
 * caller got the typed size error; they must still.
 */
import { describe, expect, it } from 'vitest';
import { isCryptoError } from '@m2m/core';
import { KeyPair, publicKeyFromSlice, x25519SharedSecret } from '../src/index.js';

function detached(n: number): Uint8Array {
  const b = new Uint8Array(n).fill(9);
  structuredClone(b.buffer, { transfer: [b.buffer] });
  return b;
}

function typedError(f: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(isCryptoError(thrown), String(thrown)).toBe(true);
  expect((thrown as { code: string }).code).toBe(code);
}

describe('detached key bytes give the typed size error', () => {
  it('KeyPair.fromSecret', () => typedError(() => KeyPair.fromSecret(detached(32)), 'EXCHANGE_GENERATION_FAILED'));
  it('publicKeyFromSlice', () => typedError(() => publicKeyFromSlice(detached(32)), 'EXCHANGE_INVALID_PUBLIC_KEY'));
  it('x25519SharedSecret with a detached peer key', () => typedError(() => x25519SharedSecret(KeyPair.generate().exportSecret(), detached(32)), 'EXCHANGE_INVALID_PUBLIC_KEY'));
  it('a live key still works after the check', () => expect(publicKeyFromSlice(KeyPair.generate().publicKey).length).toBe(32));
});
