/**
 * Frame protection for `@m2m/core`'s codec: HMAC-SHA256 and ChaCha20-Poly1305 laid out
 * exactly as the reference (wire-format notes §3).
 * @module
 */
import type { AeadFrameProtection, HmacFrameProtection } from '@m2m/core';
import { CryptoError, isBytes, unsharedBytes } from '@m2m/core/internal';
import { aeadKey, AEAD_TAG_SIZE, NONCE_SIZE, sealInPlace } from './aead.js';
import { keptOpener } from '#transport-aead';
import { getBackend } from './backend.js';
import { openFrameWith } from '#backend';
import type { SealedParts } from './backend/types.js';
import { HmacAuth } from './hmac.js';
import { randomNonce } from './random.js';

/**
 * HMAC-SHA256 frame protection (security byte 0x01): a 32-byte tag over everything after the
 * prefix.
 * @throws CryptoError (Hmac/InvalidKey) for keys under 16 bytes.
 * @example `encodeFrame(json, { protection: hmacProtection(key) })`
 */
export function hmacProtection(key: Uint8Array): HmacFrameProtection {
  const auth = new HmacAuth(key);
  return {
    mode: 'hmac',
    sign: (data) => auth.computeTag(data),
    verify: (data, tag) => auth.verifyTag(data, tag),
  };
}

/**
 * The nonce of the frame being opened, copied out of it: twelve byte copies cost less than a
 * `subarray` view, whose allocation was a tenth of a 64 B libsodium open (bench/crypto.ts). The
 * backend reads it synchronously, and a nonce is public.
 */
const openNonce = new Uint8Array(NONCE_SIZE);

/** Options of {@link aeadProtection}. */
export interface AeadProtectionOptions {
  /** Supplies each frame's 12-byte nonce (the session uses counters); default random. */
  nextNonce?: () => Uint8Array;
}

/**
 * ChaCha20-Poly1305 frame protection (security byte 0x02): headers are the AAD, then
 * `nonce ‖ ciphertext ‖ tag`. Nonces are random by default, as the reference.
 * @throws CryptoError (Aead/InvalidKey) for keys under 32 bytes (longer keys are truncated).
 */
export function aeadProtection(key: Uint8Array, options: AeadProtectionOptions = {}): AeadFrameProtection {
  const k = aeadKey(key).slice();
  const nextNonce = options.nextNonce ?? randomNonce;
  const protection: AeadFrameProtection = {
    mode: 'aead',
    // The key was checked once above, so each frame goes to the backend with only its own
    // arguments checked: at 64 B the checks would cost as much as libsodium's seal itself.
    seal(aad, plaintext) {
      const nonce = nextNonce();
      if (!isBytes(nonce) || nonce.length !== NONCE_SIZE) throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'nextNonce must return 12 bytes' });
      if (!isBytes(plaintext) || !isBytes(aad)) throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'plaintext and aad must be Uint8Arrays' });
      let parts: SealedParts;
      try {
        parts = getBackend().chachaSeal(k, nonce, plaintext, aad);
      } catch (e) {
        throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'aead::Error' }, { cause: e });
      }
      return { nonce, ciphertext: parts.ciphertext, tag: parts.tag };
    },
    // The frame encoder's fast path (core/src/wire/frame.ts): sealed straight into the frame.
    sealInPlace(aad, data, nonce, tag) {
      const fresh = nextNonce();
      if (!isBytes(fresh) || fresh.length !== NONCE_SIZE) throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'nextNonce must return 12 bytes' });
      if (!isBytes(nonce) || nonce.length !== NONCE_SIZE) throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'nonce must be 12 bytes' });
      sealInPlace(k, fresh, data, aad, tag);
      nonce.set(fresh);
    },
    // The frame decoder's fast path on Node (transport-aead.ts, keptOpener): no fresh plaintext
    // array per frame; browsers' #transport-aead has none, and frames open through `open`.
    openTransient: keptOpener(k, (aad, sealed) => protection.open(aad, sealed)),
    open(aad, sealed) {
      if (!isBytes(sealed) || sealed.length < NONCE_SIZE + AEAD_TAG_SIZE) throw new CryptoError('Aead', 'DataTooShort');
      if (!isBytes(aad)) throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'aad must be a Uint8Array' });
      sealed = unsharedBytes(sealed); // shared memory is opened from a private copy (aead.ts)
      let out: Uint8Array | null | undefined;
      try {
        const backend = getBackend();
        out = openFrameWith(backend, k, sealed, aad);
        if (out === undefined) {
          for (let i = 0; i < NONCE_SIZE; i++) openNonce[i] = sealed[i];
          out = backend.chachaOpen(k, openNonce, sealed.subarray(NONCE_SIZE), aad);
        }
      } catch (e) {
        throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }, { cause: e });
      }
      if (!out) throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' });
      return out;
    },
  };
  return protection;
}
