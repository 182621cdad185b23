/**
 * A session's transport AEAD (its SecureChannel's DATA and control frames), on the Node side of
 * the `#transport-aead` seam (package.json `imports`): `sealInPlace` and `openInto` of aead.ts,
 * with each call's arguments checked once instead of three times. Before, a 162 B frame's seal
 * and open went through aead.ts's checks, the backend's and libsodium's guard
 * (backend/sodium-aead.ts): ~1 µs of the ~3.9 µs a seal and an open took together, over the
 * ~2.8 µs of the two libsodium calls (docs/ARCHITECTURE.md, Performance notes). Here the backend
 * checks the real types and sizes once (`chachaSealInPlaceIfFits`); anything it cannot take goes
 * to aead.ts's checked functions, which refuse it with the same typed errors as before. A
 * browser's build takes `transport-aead.browser.ts`, aead.ts's functions themselves.
 * @module
 */
import { CryptoError, isBytes } from '@m2m/core/internal';
import { AEAD_TAG_SIZE, NONCE_SIZE, openInto, sealInPlace } from './aead.js';
import { getBackend } from './backend.js';

/**
 * {@link sealInPlace}: `data` encrypted in place under `key` and `nonce`, the tag into `tag`.
 * @throws CryptoError (Aead) as sealInPlace.
 */
export function transportSealInPlace(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array, tag: Uint8Array): void {
  const backend = getBackend();
  if (backend.chachaSealInPlaceIfFits) {
    try {
      if (backend.chachaSealInPlaceIfFits(key, nonce, data, aad, tag)) return;
    } catch (e) {
      throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'aead::Error' }, { cause: e });
    }
  }
  sealInPlace(key, nonce, data, aad, tag);
}

/**
 * {@link openInto}: `ciphertext ‖ tag` opened into `out`.
 * @throws CryptoError as openInto: Aead/DecryptionFailed (`authentication tag mismatch`), ...
 */
export function transportOpenInto(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): void {
  const backend = getBackend();
  let ok: boolean | undefined;
  if (backend.chachaOpenIntoIfFits) {
    try {
      ok = backend.chachaOpenIntoIfFits(key, nonce, sealed, aad, out);
    } catch (e) {
      out.fill(0);
      throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }, { cause: e });
    }
  }
  if (ok === undefined) openInto(key, nonce, sealed, aad, out);
  else if (!ok) throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' });
}

/** Largest plaintext a kept opener opens into its reused buffer (larger ones get their own). */
const KEPT_PLAINTEXT_BYTES = 16 * 1024;

/** The nonce of the frame being opened, copied out of it (cheaper than a view; read synchronously). */
const openNonce = new Uint8Array(NONCE_SIZE);

/**
 * `aeadProtection`'s `openTransient` (protection.ts), Node only: frames open into one reused
 * buffer of the protection's own (never shared with another key, wiped by the frame decoder
 * after reading), not into a fresh array each (one past 64 bytes costs about as much as a small
 * libsodium open; docs/ARCHITECTURE.md, Performance notes). Plaintexts over 16 KiB go to `open`.
 * Browsers' `#transport-aead` answers `undefined` (frames open through `open`).
 * @throws CryptoError: Aead/DataTooShort, Aead/DecryptionFailed, as `open`.
 */
export function keptOpener(k: Uint8Array, open: (aad: Uint8Array, sealed: Uint8Array) => Uint8Array): ((aad: Uint8Array, sealed: Uint8Array) => Uint8Array) | undefined {
  let plain = new Uint8Array(0);
  return (aad, sealed) => {
    if (!isBytes(sealed) || sealed.length < NONCE_SIZE + AEAD_TAG_SIZE) throw new CryptoError('Aead', 'DataTooShort');
    const n = sealed.length - NONCE_SIZE - AEAD_TAG_SIZE;
    if (n > KEPT_PLAINTEXT_BYTES) return open(aad, sealed);
    if (plain.length < n) plain = new Uint8Array(Math.min(KEPT_PLAINTEXT_BYTES, Math.max(n, 2 * plain.length, 256)));
    const out = plain.subarray(0, n);
    for (let i = 0; i < NONCE_SIZE; i++) openNonce[i] = sealed[i];
    openInto(k, openNonce, sealed.subarray(NONCE_SIZE), aad, out);
    return out;
  };
}
