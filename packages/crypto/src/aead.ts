/**
 * ChaCha20-Poly1305 (RFC 8439 §2.8) as the reference's `AeadCipher`, and XChaCha20-Poly1305
 * (draft-irtf-cfrg-xchacha §2). Output layout: `nonce ‖ ciphertext ‖ tag(16)`.
 * @module
 */
import { loadNoble, openIntoWith, sealInPlaceWith } from '#backend';
// Opens read shared memory (a SharedArrayBuffer) from a private copy (`unsharedBytes`): they read
// the ciphertext twice, for the tag and to decrypt, and another thread changing it in between got
// a changed plaintext past the tag (test/shared-memory.test.ts).
import { CryptoError, isBytes, unsharedBytes } from '@m2m/core/internal';
import { getBackend } from './backend.js';
import type { SealedParts } from './backend/types.js';
import { randomNonce } from './random.js';

/** Nonce size of ChaCha20-Poly1305. */
export const NONCE_SIZE = 12;
/** Tag size of Poly1305. */
export const AEAD_TAG_SIZE = 16;
/** Key size. */
export const AEAD_KEY_SIZE = 32;

const EMPTY = new Uint8Array(0);

function bytesArg(x: unknown, what: string): Uint8Array {
  if (!isBytes(x)) throw new CryptoError('Aead', 'EncryptionFailed', { detail: `${what} must be a Uint8Array` });
  return x;
}

/** The nonce of an AEAD call: `size` bytes, else a CryptoError of the call's reason. */
function nonceArg(nonce: unknown, size: number, reason: 'EncryptionFailed' | 'DecryptionFailed'): Uint8Array {
  if (!isBytes(nonce) || nonce.length !== size) throw new CryptoError('Aead', reason, { detail: `nonce must be ${size} bytes` });
  return nonce;
}

/** XChaCha20-Poly1305's key: exactly 32 bytes (no truncation, unlike {@link aeadKey}). */
function xchachaKey(key: unknown): Uint8Array {
  if (!isBytes(key) || key.length !== 32) throw new CryptoError('Aead', 'InvalidKey', { detail: `Key must be 32 bytes, got ${isBytes(key) ? key.length : 0}` });
  return key;
}

/** The failure of an open: wrong key, wrong associated data or changed bytes. */
const tagMismatch = (cause?: unknown): CryptoError =>
  new CryptoError('Aead', 'DecryptionFailed', { detail: 'authentication tag mismatch' }, cause === undefined ? undefined : { cause });

/** The failure of a seal inside the backend. */
const sealFailed = (cause: unknown): CryptoError => new CryptoError('Aead', 'EncryptionFailed', { detail: 'aead::Error' }, { cause });

/** `ciphertext ‖ tag` of an open: at least a tag's bytes. */
function sealedArg(sealed: unknown): Uint8Array {
  if (!isBytes(sealed) || sealed.length < AEAD_TAG_SIZE) throw new CryptoError('Aead', 'DataTooShort');
  return sealed;
}

/** `head ‖ ciphertext ‖ tag` in one array. */
function joined(head: Uint8Array, { ciphertext, tag }: SealedParts): Uint8Array {
  const out = new Uint8Array(head.length + ciphertext.length + AEAD_TAG_SIZE);
  out.set(head);
  out.set(ciphertext, head.length);
  out.set(tag, head.length + ciphertext.length);
  return out;
}

/** Validates an AEAD key as the reference does: at least 32 bytes, longer keys truncated. */
export function aeadKey(key: Uint8Array): Uint8Array {
  if (!isBytes(key)) throw new CryptoError('Aead', 'InvalidKey', { detail: 'key must be a Uint8Array' });
  if (key.length < AEAD_KEY_SIZE) throw new CryptoError('Aead', 'InvalidKey', { detail: `Key too short: ${key.length} bytes (need 32)` });
  return key.length === AEAD_KEY_SIZE ? key : key.subarray(0, AEAD_KEY_SIZE);
}

/** Raw ChaCha20-Poly1305 seal: `ciphertext ‖ tag`. @throws CryptoError (Aead) on bad sizes. */
export function chacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  return joined(EMPTY, sealParts(key, nonce, plaintext, aad));
}

/**
 * Raw ChaCha20-Poly1305 seal returning the ciphertext and the tag separately, for callers that
 * lay them out themselves (frames, Noise transport). @throws CryptoError (Aead) on bad sizes.
 */
export function sealParts(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): SealedParts {
  const k = aeadKey(key);
  nonceArg(nonce, NONCE_SIZE, 'EncryptionFailed');
  try {
    return getBackend().chachaSeal(k, nonce, bytesArg(plaintext, 'plaintext'), bytesArg(aad, 'aad'));
  } catch (e) {
    throw sealFailed(e);
  }
}

/**
 * Raw ChaCha20-Poly1305 seal in place: `data` (the plaintext) is overwritten with the ciphertext
 * and the tag is written to `tag` (16 bytes), for frame encoders that lay the frame out first
 * (core/src/wire/frame.ts). Same bytes as {@link sealParts}.
 * @throws CryptoError (Aead) on bad sizes.
 */
export function sealInPlace(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array, tag: Uint8Array): void {
  const k = aeadKey(key);
  nonceArg(nonce, NONCE_SIZE, 'EncryptionFailed');
  if (!isBytes(tag) || tag.length !== AEAD_TAG_SIZE) throw new CryptoError('Aead', 'EncryptionFailed', { detail: 'tag must be 16 bytes' });
  const backend = getBackend();
  try {
    const plaintext = bytesArg(data, 'plaintext');
    const ad = bytesArg(aad, 'aad');
    if (!sealInPlaceWith(backend, k, nonce, plaintext, ad, tag)) {
      const parts = backend.chachaSeal(k, nonce, plaintext, ad);
      data.set(parts.ciphertext);
      tag.set(parts.tag);
    }
  } catch (e) {
    throw sealFailed(e);
  }
}

/**
 * Raw ChaCha20-Poly1305 open of `ciphertext ‖ tag` into `out` (exactly `sealed.length - 16`
 * bytes), for callers that keep one plaintext buffer. `out` holds no plaintext when it throws.
 * @throws CryptoError: Aead/DataTooShort, Aead/DecryptionFailed (`authentication tag mismatch`).
 */
export function openInto(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): void {
  const k = aeadKey(key);
  nonceArg(nonce, NONCE_SIZE, 'DecryptionFailed');
  sealedArg(sealed);
  if (!isBytes(out) || out.length !== sealed.length - AEAD_TAG_SIZE) throw new CryptoError('Aead', 'DecryptionFailed', { detail: 'output must be the ciphertext length' });
  sealed = unsharedBytes(sealed);
  const backend = getBackend();
  let ok: boolean | undefined;
  try {
    const ad = bytesArg(aad, 'aad');
    ok = openIntoWith(backend, k, nonce, sealed, ad, out);
    if (ok === undefined) {
      const plain = backend.chachaOpen(k, nonce, sealed, ad);
      ok = plain !== undefined;
      if (plain) {
        out.set(plain);
        plain.fill(0);
      }
    }
  } catch (e) {
    out.fill(0);
    throw tagMismatch(e);
  }
  if (!ok) throw tagMismatch();
}

/**
 * Raw ChaCha20-Poly1305 open of `ciphertext ‖ tag`.
 * @throws CryptoError: Aead/DataTooShort, Aead/DecryptionFailed (`authentication tag mismatch`).
 */
export function chacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  const k = aeadKey(key);
  nonceArg(nonce, NONCE_SIZE, 'DecryptionFailed');
  sealedArg(sealed);
  let out: Uint8Array | undefined;
  try {
    out = getBackend().chachaOpen(k, nonce, unsharedBytes(sealed), bytesArg(aad, 'aad'));
  } catch (e) {
    throw tagMismatch(e);
  }
  if (!out) throw tagMismatch();
  return out;
}

/**
 * Seal with the nonce in front: `nonce ‖ ciphertext ‖ tag` (the layout of AeadCipher and of AEAD
 * frames). @throws CryptoError (Aead) on bad sizes.
 */
export function sealWithNonce(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  return joined(nonce, sealParts(key, nonce, plaintext, aad));
}

/**
 * XChaCha20-Poly1305 seal with a 24-byte nonce: `ciphertext ‖ tag`.
 * @throws CryptoError (Aead) for a key that is not 32 bytes, a nonce that is not 24, or inputs that are not Uint8Arrays.
 */
export function xchacha20poly1305Seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  xchachaKey(key);
  nonceArg(nonce, 24, 'EncryptionFailed');
  try {
    return loadNoble().xchacha20poly1305(key, nonce, bytesArg(aad, 'aad')).encrypt(bytesArg(plaintext, 'plaintext'));
  } catch (e) {
    throw sealFailed(e);
  }
}

/** XChaCha20-Poly1305 open. @throws CryptoError (Aead) as {@link chacha20poly1305Open}. */
export function xchacha20poly1305Open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
  xchachaKey(key);
  nonceArg(nonce, 24, 'DecryptionFailed');
  sealedArg(sealed);
  try {
    return loadNoble().xchacha20poly1305(key, nonce, bytesArg(aad, 'aad')).decrypt(unsharedBytes(sealed));
  } catch (e) {
    throw tagMismatch(e);
  }
}

/**
 * The reference's `AeadCipher`: ChaCha20-Poly1305 with `nonce ‖ ciphertext ‖ tag` output.
 *
 * @example
 * ```ts
 * const c = new AeadCipher(key32);
 * const sealed = c.encrypt(utf8Encode('hi'), aad);   // random nonce
 * c.decrypt(sealed, aad);                            // 'hi' bytes
 * ```
 */
export class AeadCipher {
  readonly #key: Uint8Array;
  /** @throws CryptoError (Aead/InvalidKey) for keys under 32 bytes. */
  constructor(key: Uint8Array) {
    this.#key = aeadKey(key).slice();
  }
  /** Encrypts with a given 12-byte nonce, or a random one. */
  encrypt(plaintext: Uint8Array, aad: Uint8Array = EMPTY, nonce: Uint8Array = randomNonce()): Uint8Array {
    return sealWithNonce(this.#key, nonce, plaintext, aad);
  }
  /** Opens `nonce ‖ ciphertext ‖ tag` (what `encrypt` returns) with the same `aad`. @throws CryptoError: Aead/DataTooShort (< 28 bytes), Aead/DecryptionFailed (wrong key, wrong aad or tampered data). */
  decrypt(data: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    if (!isBytes(data) || data.length < NONCE_SIZE + AEAD_TAG_SIZE) throw new CryptoError('Aead', 'DataTooShort');
    return chacha20poly1305Open(this.#key, data.subarray(0, NONCE_SIZE), data.subarray(NONCE_SIZE), aad);
  }
  /** Overwrites the key copy. */
  dispose(): void {
    this.#key.fill(0);
  }
  /** Same as `dispose`, for `using`. */
  [Symbol.dispose](): void {
    this.dispose();
  }
  /** Never shows the key. */
  toJSON(): string {
    return `AeadCipher([REDACTED, 32 bytes])`;
  }
}
