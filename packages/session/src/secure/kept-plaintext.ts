/**
 * The reused plaintext buffer of a {@link SecureChannel}'s `openTransient` (secure/secure-channel.ts),
 * Node only (`keptPlaintext` through `#platform`; browsers open every frame into an array of its
 * own, and this code stays out of their bundles): a fresh array per frame (its own backing store
 * past 64 bytes) cost about 2 µs on Node, a tenth of an encrypted message's path
 * (docs/ARCHITECTURE.md, Performance notes). The buffer is one channel's alone (never a shared
 * slab) and the frame decoder wipes what it read (core/src/wire/frame.ts, openAead).
 * @module
 */

import { transportOpenInto } from '@m2m/crypto/internal';

/** Plaintexts up to this size are opened into the reused buffer; larger ones get their own. */
export const KEPT_PLAINTEXT_BYTES = 16 * 1024;

/** One channel's reused plaintext buffer. */
export class KeptPlaintext {
  #plain = new Uint8Array(0);
  #plainView = this.#plain;

  /** Exactly `n` bytes of the buffer, or `undefined` for a plaintext of its own (`n` out of range). */
  viewFor(n: number): Uint8Array | undefined {
    if (n < 0 || n > KEPT_PLAINTEXT_BYTES) return undefined;
    if (this.#plain.length < n) {
      this.#plain = new Uint8Array(Math.min(KEPT_PLAINTEXT_BYTES, Math.max(n, 2 * this.#plain.length, 256)));
      this.#plainView = this.#plain.subarray(0, n);
    }
    // Same-sized messages are common (one view kept, not one per size: bounded memory). The view
    // is always of `#plain` (renewed with it above), so its length alone decides: reading
    // `.buffer` twice cost ~50 ns a frame.
    if (this.#plainView.length !== n) this.#plainView = this.#plain.subarray(0, n);
    return this.#plainView;
  }

  /**
   * Opens `ciphertext ‖ tag` into {@link KeptPlaintext.viewFor} its plaintext's length, or
   * answers `undefined` when the plaintext gets an array of its own.
   * @throws CryptoError (Aead) as `transportOpenInto`: the buffer then holds no plaintext.
   */
  open(key: Uint8Array, nonce: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Uint8Array | undefined {
    const into = this.viewFor(ciphertext.length - 16);
    if (into) transportOpenInto(key, nonce, ciphertext, aad, into);
    return into;
  }

  /** Overwrites the buffer. */
  wipe(): void {
    this.#plain.fill(0);
  }
}

/** A channel's reused plaintext buffer. */
export function keptPlaintext(): KeptPlaintext | undefined {
  return new KeptPlaintext();
}
