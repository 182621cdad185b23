/**
 * HMAC-SHA256 (RFC 2104 with FIPS 180-4 SHA-256) as the reference's `HmacAuth`: keys of at
 * least 16 bytes, full 32-byte tags, constant-time verification.
 * @module
 */
import { CryptoError, isBytes } from '@m2m/core/internal';
import { getBackend } from './backend.js';

/** HMAC tag size. */
export const HMAC_TAG_SIZE = 32;
/** Shortest HMAC key the reference accepts. */
export const HMAC_MIN_KEY_SIZE = 16;

/**
 * HMAC-SHA256 of `data` under `key` (any key length).
 * @throws CryptoError (Hmac/InvalidKey) when `key` or `data` is not a Uint8Array.
 */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  if (!isBytes(key) || !isBytes(data)) throw new CryptoError('Hmac', 'InvalidKey', { detail: 'key and data must be Uint8Arrays' });
  return getBackend().hmacSha256(key, data);
}

/** SHA-256 of `data`. @throws CryptoError (Hmac/InvalidKey) when `data` is not a Uint8Array. */
export function sha256(data: Uint8Array): Uint8Array {
  if (!isBytes(data)) throw new CryptoError('Hmac', 'InvalidKey', { detail: 'data must be a Uint8Array' });
  return getBackend().sha256(data);
}

/** Compares equal-length byte arrays without data-dependent branches. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * The reference's `HmacAuth`.
 * @example
 * ```ts
 * const auth = new HmacAuth(key);
 * const signed = auth.sign(data); // data ‖ tag
 * auth.verify(signed);            // data, or throws
 * ```
 */
export class HmacAuth {
  readonly #key: Uint8Array;
  /** @throws CryptoError (Hmac/InvalidKey) for keys under 16 bytes. */
  constructor(key: Uint8Array) {
    if (!isBytes(key)) throw new CryptoError('Hmac', 'InvalidKey', { detail: 'key must be a Uint8Array' });
    if (key.length < HMAC_MIN_KEY_SIZE) throw new CryptoError('Hmac', 'InvalidKey', { detail: `Key too short: ${key.length} bytes (minimum 16)` });
    this.#key = key.slice();
  }
  /** The 32-byte tag of `data`. */
  computeTag(data: Uint8Array): Uint8Array {
    return hmacSha256(this.#key, data);
  }
  /** Checks `tag` against `data` in constant time. @throws CryptoError (Hmac/VerificationFailed) unless `tag` is the 32-byte tag of `data`. */
  verifyTag(data: Uint8Array, tag: Uint8Array): void {
    const expected = this.computeTag(data);
    if (!isBytes(tag) || !constantTimeEqual(expected, tag)) throw new CryptoError('Hmac', 'VerificationFailed');
  }
  /** `data ‖ tag`. */
  sign(data: Uint8Array): Uint8Array {
    const tag = this.computeTag(data);
    const out = new Uint8Array(data.length + HMAC_TAG_SIZE);
    out.set(data, 0);
    out.set(tag, data.length);
    return out;
  }
  /** Verifies `data ‖ tag` (what `sign` returns) and returns `data` (a view into `signed`). @throws CryptoError: Hmac/DataTooShort (< 32 bytes), Hmac/VerificationFailed. */
  verify(signed: Uint8Array): Uint8Array {
    if (!isBytes(signed) || signed.length < HMAC_TAG_SIZE) throw new CryptoError('Hmac', 'DataTooShort');
    const data = signed.subarray(0, signed.length - HMAC_TAG_SIZE);
    this.verifyTag(data, signed.subarray(signed.length - HMAC_TAG_SIZE));
    return data;
  }
  /** Overwrites the key copy. */
  dispose(): void {
    this.#key.fill(0);
  }
  /** Same as `dispose`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** A redacted description, never the key. */
  toJSON(): string {
    return 'HmacAuth([REDACTED])';
  }
}
