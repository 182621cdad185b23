/**
 * Randomness from `crypto.getRandomValues` (Web Crypto; also global on Node 20).
 * @module
 */
import { CryptoError } from '@m2m/core';

/**
 * `n` bytes from the platform CSPRNG.
 * @throws CryptoError (Nonce/RngFailure) when the CSPRNG is unavailable or fails.
 */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  try {
    // getRandomValues fills at most 65536 bytes per call.
    for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  } catch (e) {
    throw new CryptoError('Nonce', 'RngFailure', { detail: (e as Error)?.message ?? String(e) }, { cause: e });
  }
  return out;
}
