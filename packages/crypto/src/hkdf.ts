/**
 * HKDF-SHA256 (RFC 5869 §2.2 extract, §2.3 expand) with info of any length (node's
 * `hkdfSync` caps info at 1024 bytes; M2M paths can be longer).
 * @module
 */
import { CryptoError, isBytes } from '@m2m/core/internal';
import { hmacSha256 } from './hmac.js';

/** Largest HKDF-SHA256 output: 255 blocks of 32 bytes. */
export const HKDF_MAX_OUTPUT = 255 * 32;
const ZERO_SALT = new Uint8Array(32);

/**
 * RFC 5869 §2.2: PRK = HMAC(salt, IKM); an empty salt means 32 zero bytes.
 * @throws CryptoError (Hmac/InvalidKey) when `ikm` (or a given salt) is not a Uint8Array.
 */
export function hkdfExtract(salt: Uint8Array | undefined, ikm: Uint8Array): Uint8Array {
  return hmacSha256(salt && salt.length > 0 ? salt : ZERO_SALT, ikm);
}

/** @throws CryptoError (Keyring/DerivationFailed) unless `length` is 0 to 8160 bytes, with the reference's text. */
function checkLength(length: number): void {
  if (!Number.isInteger(length) || length < 0 || length > HKDF_MAX_OUTPUT) {
    throw new CryptoError('Keyring', 'DerivationFailed', { detail: 'HKDF expand failed: invalid number of blocks, too large output' });
  }
}

/**
 * RFC 5869 §2.3: OKM of `length` bytes.
 * @throws CryptoError (Keyring/DerivationFailed) above 8160 bytes, with the reference's text.
 */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  checkLength(length);
  const out = new Uint8Array(length);
  let prev: Uint8Array = new Uint8Array(0);
  const buf = new Uint8Array(32 + info.length + 1);
  for (let i = 0, off = 0; off < length; i++) {
    buf.set(prev, 0);
    buf.set(info, prev.length);
    buf[prev.length + info.length] = i + 1;
    prev = hmacSha256(prk, buf.subarray(0, prev.length + info.length + 1));
    out.set(prev.subarray(0, Math.min(32, length - off)), off);
    off += 32;
  }
  return out;
}

/**
 * HKDF-SHA256 extract-then-expand.
 * @param ikm - input key material
 * @param salt - salt (absent or empty = 32 zero bytes, as the reference)
 * @param info - context bytes (any length)
 * @param length - output bytes, at most 8160
 * @throws CryptoError (Keyring/DerivationFailed) for lengths over 8160.
 * @example `hkdf(master, undefined, utf8Encode('m2m/v1/test-org'), 32)`
 */
export function hkdf(ikm: Uint8Array, salt: Uint8Array | undefined, info: Uint8Array, length: number): Uint8Array {
  if (!isBytes(ikm) || !isBytes(info) || (salt !== undefined && !isBytes(salt))) {
    throw new CryptoError('Keyring', 'DerivationFailed', { detail: 'ikm, salt and info must be Uint8Arrays' });
  }
  checkLength(length);
  return hkdfExpand(hkdfExtract(salt, ikm), info, length);
}
