import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { x25519 as edwardsBacked } from '@noble/curves/ed25519.js';
import { fromHex, toHex } from '@m2m/core';
import { x25519 } from '../src/backend/noble-x25519.js';

// The browser backend's X25519 (the Montgomery ladder alone) against RFC 7748 and against
// @noble/curves' own x25519, which computes public keys on the Edwards curve.
describe('browser X25519 (noble-x25519.ts)', () => {
  it('matches RFC 7748 §6.1', () => {
    const aliceSecret = fromHex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    const bobSecret = fromHex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(toHex(x25519.getPublicKey(aliceSecret))).toBe('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a');
    expect(toHex(x25519.getPublicKey(bobSecret))).toBe('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f');
    expect(toHex(x25519.getSharedSecret(aliceSecret, x25519.getPublicKey(bobSecret)))).toBe('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');
  });

  it('gives the same public keys and shared secrets as @noble/curves/ed25519.js', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        expect(toHex(x25519.getPublicKey(a))).toBe(toHex(edwardsBacked.getPublicKey(a)));
        expect(toHex(x25519.getSharedSecret(a, edwardsBacked.getPublicKey(b)))).toBe(toHex(edwardsBacked.getSharedSecret(a, edwardsBacked.getPublicKey(b))));
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a low-order peer key as the Edwards-backed one does', () => {
    const secret = new Uint8Array(32).fill(7);
    expect(() => x25519.getSharedSecret(secret, new Uint8Array(32))).toThrow();
    expect(() => edwardsBacked.getSharedSecret(secret, new Uint8Array(32))).toThrow();
  });
});
