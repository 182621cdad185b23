/**
 * The frame protection interface. `@m2m/crypto` implements it (`hmacProtection`,
 * `aeadProtection`); the codec calls it without knowing any key.
 * @module
 */

/** HMAC-SHA256 protection: a 32-byte tag over everything after the prefix. */
export interface HmacFrameProtection {
  /** Tells the codec which kind this is: frames it protects carry security byte 0x01. */
  readonly mode: 'hmac';
  /** Returns the 32-byte tag of `data`. */
  sign(data: Uint8Array): Uint8Array;
  /**
   * Checks that `tag` is the 32-byte tag of `data` (the frame after its prefix, tag left out).
   * @throws CryptoError (Hmac/VerificationFailed) when the tag does not verify.
   */
  verify(data: Uint8Array, tag: Uint8Array): void;
}

/** What {@link AeadFrameProtection.seal} returns. */
export interface AeadSealedFrame {
  /** The 12-byte ChaCha20-Poly1305 nonce, written right after the headers. */
  readonly nonce: Uint8Array;
  /** The encrypted `payload_len ‖ crc32 ‖ payload`, as long as that plaintext. */
  readonly ciphertext: Uint8Array;
  /** The 16-byte Poly1305 tag over the headers (AAD) and the ciphertext; it ends the frame. */
  readonly tag: Uint8Array;
}

/** ChaCha20-Poly1305 protection: headers as AAD, `nonce ‖ ciphertext ‖ tag` after them. */
export interface AeadFrameProtection {
  /** Tells the codec which kind this is: frames it protects carry security byte 0x02. */
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
  /**
   * Optional fast path of {@link AeadFrameProtection.seal}, same bytes: writes the nonce into
   * `nonce` (12 bytes), encrypts `data` in place and writes the tag into `tag` (16 bytes); all
   * three are views of the frame being encoded, so nothing is allocated or copied per frame.
   */
  sealInPlace?(aad: Uint8Array, data: Uint8Array, nonce: Uint8Array, tag: Uint8Array): void;
  /**
   * Optional fast path of {@link AeadFrameProtection.open}: the plaintext may live in a buffer
   * the protection reuses, valid only until its next call. The decoder reads it at once and
   * wipes it (`fill(0)`), so a plaintext is never kept past its frame.
   * @throws as {@link AeadFrameProtection.open}.
   */
  openTransient?(aad: Uint8Array, sealed: Uint8Array): Uint8Array;
}

/** Either protection. */
export type FrameProtection = HmacFrameProtection | AeadFrameProtection;
