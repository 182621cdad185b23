/**
 * The crypto backend seam: every primitive the SDK uses, with three implementations that give
 * identical results: @noble everywhere, node:crypto on Node, and libsodium on Node when the
 * optional `sodium-native` addon is installed (see backend/index.node.ts for which runs what).
 * @module
 */

/** Output of a seal: ciphertext (same length as the plaintext) and Poly1305 tag. */
export interface SealedParts {
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** Primitive operations. Failures throw plain errors; the public layer maps them to CryptoError. */
export interface CryptoBackend {
  /** Backend name for logs and diagnostics (`node` or `noble`). */
  readonly name: string;
  /**
   * ChaCha20-Poly1305 (RFC 8439 §2.8): the ciphertext and the 16-byte tag as separate arrays, so
   * callers that frame them (nonce first, headers first) copy each byte once.
   */
  chachaSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): SealedParts;
  /** Returns the plaintext, or `undefined` when the tag does not verify. */
  chachaOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
  /**
   * Optional open of a frame's AEAD section `nonce(12) ‖ ciphertext ‖ tag(16)` as it lies in the
   * frame (the backend makes the views its library needs): the plaintext, or `undefined` when the
   * tag does not verify or the section is shorter than 28 bytes.
   */
  chachaOpenFrame?(key: Uint8Array, frame: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
  /**
   * Optional in-place seal: `data` holds the plaintext and is overwritten with the ciphertext, the
   * 16-byte tag goes to `tag`. Lets a frame encoder seal straight into the frame (no output
   * arrays, no copies; docs/ARCHITECTURE.md, Performance notes).
   */
  chachaSealInPlace?(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array, tag: Uint8Array): void;
  /**
   * Optional open into a caller's buffer of `sealed.length - 16` bytes; false when the tag does not
   * verify (then `out` holds nothing of the plaintext).
   */
  chachaOpenInto?(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): boolean;
  /**
   * Optional {@link CryptoBackend.chachaSealInPlace} for a caller that has not checked its
   * arguments (a session's transport keys, crypto/src/transport-aead.ts): checks them once, by
   * their real types and sizes, and returns false without touching anything when this backend
   * cannot take them now (the caller then takes its checked path, which names the problem).
   */
  chachaSealInPlaceIfFits?(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array, tag: Uint8Array): boolean;
  /**
   * Optional {@link CryptoBackend.chachaOpenInto} likewise: true or false as it, `undefined`
   * without touching anything when this backend cannot take the arguments now.
   */
  chachaOpenIntoIfFits?(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array, out: Uint8Array): boolean | undefined;
  /** HMAC-SHA256 of `data` under `key`: 32 bytes. */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** SHA-256 digest of `data`: 32 bytes. */
  sha256(data: Uint8Array): Uint8Array;
  /**
   * Optional: SHA-256 of `data` into `out` (32 bytes), without an output array; false when this
   * backend cannot take `data` now (the caller then uses {@link CryptoBackend.sha256}).
   */
  sha256Into?(data: Uint8Array, out: Uint8Array): boolean;
  /**
   * Optional: Noise's HKDF (§4.3; RFC 5869 with `chainingKey` as the salt and empty info) into the
   * caller's 32-byte arrays (`out1` may be `chainingKey` itself); false when this backend cannot
   * take these inputs now (the caller then builds it from {@link CryptoBackend.hmacSha256}). One
   * call instead of three HMACs: sodium.ts pads each key once into reused buffers.
   */
  noiseHkdfInto?(chainingKey: Uint8Array, ikm: Uint8Array, out1: Uint8Array, out2: Uint8Array, out3?: Uint8Array): boolean;
  /**
   * Optional: Noise's EncryptWithAd for a handshake-sized field: `data` encrypted in place under
   * `key` and `nonce` (32 and 12 bytes) with `ad`, the 16-byte tag written to `tag`; false
   * without touching anything when this backend does not take these sizes now (the caller then
   * seals through `chachaSealInPlace`).
   */
  noiseSealAt?(key: Uint8Array, nonce: Uint8Array, data: Uint8Array, ad: Uint8Array, tag: Uint8Array): boolean;
  /**
   * Optional: Noise's DecryptWithAd for a handshake-sized field: the plaintext of `sealed`
   * (ciphertext ‖ tag) in a fresh array, `undefined` when the tag does not verify, `null` when
   * this backend does not take these sizes now (the caller then opens through `chachaOpen`).
   */
  noiseOpen?(key: Uint8Array, nonce: Uint8Array, ad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined | null;
  /** Optional: {@link CryptoBackend.x25519} into `out` (32 bytes); false when this backend cannot now. */
  x25519Into?(secret: Uint8Array, publicKey: Uint8Array, out: Uint8Array): boolean;
  /** X25519 (RFC 7748 §5): raw output, possibly all zeros for low-order inputs. */
  x25519(secret: Uint8Array, publicKey: Uint8Array): Uint8Array;
  /** The X25519 public key (32 bytes) of a 32-byte secret. */
  x25519PublicKey(secret: Uint8Array): Uint8Array;
  /** A fresh key pair. */
  x25519Generate(): { secret: Uint8Array; publicKey: Uint8Array };
}

/**
 * The @noble functions the SDK calls. Browsers import them up front; Node loads them on first
 * use (they cost ~90 ms of CPU to load, and Node uses them only for XChaCha20-Poly1305 and when
 * the noble backend is selected).
 */
export interface NobleModules {
  readonly chacha20poly1305: typeof import('@noble/ciphers/chacha.js').chacha20poly1305;
  readonly xchacha20poly1305: typeof import('@noble/ciphers/chacha.js').xchacha20poly1305;
  readonly sha256: typeof import('@noble/hashes/sha2.js').sha256;
  readonly hmac: typeof import('@noble/hashes/hmac.js').hmac;
  readonly x25519: typeof import('@noble/curves/ed25519.js').x25519;
}
