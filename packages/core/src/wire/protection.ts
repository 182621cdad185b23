/**
 * The frame protection interface. `@m2m/crypto` implements it (`hmacProtection`,
 * `aeadProtection`); the codec calls it without knowing any key.
 * @module
 */

/** HMAC-SHA256 protection: a 32-byte tag over everything after the prefix. */
export interface HmacFrameProtection {
  readonly mode: 'hmac';
  /** Returns the 32-byte tag of `data`. */
  sign(data: Uint8Array): Uint8Array;
  /** @throws CryptoError (Hmac/VerificationFailed) when the tag does not verify. */
  verify(data: Uint8Array, tag: Uint8Array): void;
}

/** What {@link AeadFrameProtection.seal} returns. */
export interface AeadSealedFrame {
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly tag: Uint8Array;
}

/** ChaCha20-Poly1305 protection: headers as AAD, `nonce ‖ ciphertext ‖ tag` after them. */
export interface AeadFrameProtection {
  readonly mode: 'aead';
  /**
   * Encrypts. The frame is `headers ‖ nonce(12) ‖ ciphertext ‖ tag(16)`; the parts come back
   * separately so the encoder copies each into the frame once.
   */
  seal(aad: Uint8Array, plaintext: Uint8Array): AeadSealedFrame;
  /**
   * Decrypts `nonce ‖ ciphertext ‖ tag`.
   * @throws CryptoError (Aead/DecryptionFailed) when it does not authenticate.
   */
  open(aad: Uint8Array, sealed: Uint8Array): Uint8Array;
}

/** Either protection. */
export type FrameProtection = HmacFrameProtection | AeadFrameProtection;
