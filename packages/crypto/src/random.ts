/**
 * Randomness from `crypto.getRandomValues` (Web Crypto; also global on Node 20).
 * @module
 */
import { CryptoError, M2MError } from '@m2m/core/internal';

/**
 * `n` bytes from the platform CSPRNG.
 * @throws M2MError (Config) when `n` is not a non-negative safe integer; CryptoError
 *   (Nonce/RngFailure) when the CSPRNG is unavailable or fails.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new M2MError('Config', { reason: `randomBytes needs a byte count (a non-negative integer), got ${String(n).slice(0, 40)}` });
  return fillRandom(new Uint8Array(n));
}

function fillRandom(out: Uint8Array): Uint8Array {
  try {
    // getRandomValues fills at most 65536 bytes per call.
    for (let i = 0; i < out.length; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)));
  } catch (e) {
    throw new CryptoError('Nonce', 'RngFailure', { detail: (e as Error)?.message ?? String(e) }, { cause: e });
  }
  return out;
}

// Nonces are public, so they can come from a pre-filled pool: one getRandomValues call (about
// 4.5 µs on Node 20, as long as a whole 64-byte AEAD seal) then serves 341 nonces. Each nonce is
// a view into the pool (no copy); a used-up pool is replaced, never refilled, so a nonce already
// handed out never changes.
const NONCE_POOL_SIZE = 4092;
let noncePool: Uint8Array = new Uint8Array(0);
let noncePoolOffset = 0;

/**
 * A fresh random 12-byte AEAD nonce. Each pooled byte is handed out once; never use this for
 * keys (those come from {@link randomBytes} directly).
 * @throws CryptoError (Nonce/RngFailure) when the CSPRNG fails.
 */
export function randomNonce(): Uint8Array {
  if (noncePoolOffset + 12 > noncePool.length) {
    noncePool = fillRandom(new Uint8Array(NONCE_POOL_SIZE));
    noncePoolOffset = 0;
  }
  return noncePool.subarray(noncePoolOffset, (noncePoolOffset += 12));
}
